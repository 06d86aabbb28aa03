// StatefulSets and ControllerRevisions (pkg/apis/apps/validation).
import type { FieldError } from '../errors.js';
import {
  FIELD_IMMUTABLE, arr, deepEqual, forbidden, goIntOrString, goStringMap, GoValue, invalid, isObject, nonNegative, notSupported, required,
} from './field.js';
import {
  goLabelSelector, selectorConvertible, selectorMatches, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { isDNS1123Label, isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateSpec } from './pod.js';
import { validatePersistentVolumeClaimSpec } from './storage.js';

const RETENTION_POLICIES = ['Retain', 'Delete'];

export const STATEFULSET_SPEC_FORBIDDEN = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

function percentValue(v: string): number | null {
  return isValidPercent(v).length ? null : Number(v.slice(0, -1));
}

/** validateRollingUpdateStatefulSet: partition and maxUnavailable. */
function validateRollingUpdate(ru: Record<string, any>, path: string): FieldError[] {
  const errs = nonNegative(ru.partition, `${path}.partition`);
  const mu = ru.maxUnavailable;
  if (mu !== undefined && mu !== null) {
    const p = `${path}.maxUnavailable`;
    const shown = goIntOrString(mu);
    if (typeof mu === 'string') for (const m of isValidPercent(mu)) errs.push(invalid(p, shown, m));
    else if (typeof mu === 'number' && mu < 0) errs.push(invalid(p, mu, 'must be greater than or equal to 0'));
    const value = typeof mu === 'string' ? percentValue(mu) ?? 0 : mu;
    if (value === 0) errs.push(invalid(p, shown, 'cannot be 0'));
    if (typeof mu === 'string' && (percentValue(mu) ?? 0) > 100) errs.push(invalid(p, shown, 'must not be greater than 100%'));
  }
  return errs;
}

function validateClaimTemplates(templates: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr<Record<string, any>>(templates).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const name = t.metadata?.name;
    if (!name) errs.push(required(`${p}.metadata.name`, ''));
    else {
      for (const m of isDNS1123Label(String(name))) errs.push(invalid(`${p}.metadata.name`, name, m));
      if (seen.has(name)) errs.push(invalid(`${p}.metadata.name`, name, 'must be unique'));
      seen.add(name);
    }
    errs.push(...validatePersistentVolumeClaimSpec(t.spec, `${p}.spec`));
  });
  return errs;
}

/** ValidateStatefulSetSpec, with the pod template validated as a pod spec. */
export function validateStatefulSetSpec(spec: any, path = 'spec'): FieldError[] {
  const s: Record<string, any> = isObject(spec) ? spec : {};
  const errs: FieldError[] = [];
  switch (s.podManagementPolicy ?? '') {
    case '': errs.push(required(`${path}.podManagementPolicy`, '')); break;
    case 'OrderedReady': case 'Parallel': break;
    default: errs.push(invalid(`${path}.podManagementPolicy`, s.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us: Record<string, any> = isObject(s.updateStrategy) ? s.updateStrategy : {};
  switch (us.type ?? '') {
    case '': errs.push(required(`${path}.updateStrategy`, '')); break;
    case 'OnDelete':
      if (us.rollingUpdate !== undefined && us.rollingUpdate !== null) {
        errs.push(invalid(`${path}.updateStrategy.rollingUpdate`, new GoValue(`&apps.RollingUpdateStatefulSetStrategy{Partition:${us.rollingUpdate?.partition ?? 0}, MaxUnavailable:(*intstr.IntOrString)(nil)}`), "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (isObject(us.rollingUpdate)) errs.push(...validateRollingUpdate(us.rollingUpdate, `${path}.updateStrategy.rollingUpdate`));
      break;
    default:
      errs.push(invalid(`${path}.updateStrategy`, new GoValue(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(us.type)}, RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}`), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const rp = s.persistentVolumeClaimRetentionPolicy;
  if (isObject(rp)) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      if (!RETENTION_POLICIES.includes(rp[f])) errs.push(notSupported(`${path}.persistentVolumeClaimRetentionPolicy.${f}`, rp[f] ?? '', RETENTION_POLICIES));
    }
  }
  errs.push(...nonNegative(s.replicas, `${path}.replicas`));
  errs.push(...nonNegative(s.minReadySeconds, `${path}.minReadySeconds`));
  if (isObject(s.ordinals)) errs.push(...nonNegative(s.ordinals.start, `${path}.ordinals.start`));

  if (s.selector === undefined || s.selector === null) errs.push(required(`${path}.selector`, ''));
  else {
    errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
    if (Object.keys(s.selector.matchLabels ?? {}).length + arr(s.selector.matchExpressions).length === 0) {
      errs.push(invalid(`${path}.selector`, goLabelSelector(s.selector), 'empty selector is invalid for statefulset'));
    }
  }
  const template: Record<string, any> = isObject(s.template) ? s.template : {};
  if (!selectorConvertible(s.selector)) {
    errs.push(invalid(`${path}.selector`, goLabelSelector(s.selector), ''));
  } else {
    const sel = s.selector;
    const empty = !isObject(sel) || Object.keys(sel.matchLabels ?? {}).length + arr(sel.matchExpressions).length === 0;
    const labels = template.metadata?.labels as Record<string, string> | undefined;
    if (!empty && !selectorMatches(sel, labels)) {
      errs.push(invalid(`${path}.template.metadata.labels`, new GoValue(goStringMap(labels)), '`selector` does not match template `labels`'));
    }
    const claimTemplateNames = arr<Record<string, any>>(s.volumeClaimTemplates).map((t) => t.metadata?.name).filter(Boolean);
    errs.push(...validatePodTemplateSpec(template, `${path}.template`, { claimTemplateNames }));
  }
  const restartPolicy = template.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(notSupported(`${path}.template.spec.restartPolicy`, restartPolicy, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(forbidden(`${path}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  errs.push(...validateClaimTemplates(s.volumeClaimTemplates, `${path}.volumeClaimTemplates`));
  return errs;
}

export function validateStatefulSet(obj: any): FieldError[] {
  return [...validateObjectMeta(obj?.metadata, true, nameIsDNSLabel), ...validateStatefulSetSpec(obj?.spec)];
}

/** ValidateStatefulSetUpdate: the name is not checked again, and most of the spec is frozen. */
export function validateStatefulSetUpdate(obj: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateStatefulSetSpec(obj?.spec)];
  const next: Record<string, any> = { ...(obj?.spec ?? {}) };
  const prev: Record<string, any> = old?.spec ?? {};
  for (const f of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy']) {
    next[f] = prev[f];
  }
  if (!deepEqual(next, prev)) errs.push(forbidden('spec', STATEFULSET_SPEC_FORBIDDEN));
  return errs;
}

export function validateStatefulSetStatusUpdate(obj: any, old: any): FieldError[] {
  const st: Record<string, any> = obj?.status ?? {};
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']) {
    errs.push(...nonNegative(st[f], `status.${f}`));
  }
  const n = (f: string) => (typeof st[f] === 'number' ? st[f] : 0);
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) {
    if (n(f) > n('replicas')) errs.push(invalid(`status.${f}`, n(f), 'cannot be greater than status.replicas'));
  }
  if (n('availableReplicas') > n('readyReplicas')) {
    errs.push(invalid('status.availableReplicas', n('availableReplicas'), 'cannot be greater than status.readyReplicas'));
  }
  errs.push(...validateObjectMetaUpdate(obj?.metadata, old?.metadata));
  const oldCount = old?.status?.collisionCount;
  if (typeof oldCount === 'number' && (typeof st.collisionCount !== 'number' || st.collisionCount < oldCount)) {
    errs.push(invalid('status.collisionCount', st.collisionCount ?? 0, 'cannot be decremented'));
  }
  return errs;
}

export function validateControllerRevision(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, true, nameIsDNSSubdomain);
  if (obj?.data === undefined || obj?.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative(obj?.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(obj: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateControllerRevision(obj)];
  if (!deepEqual(obj?.data, old?.data)) errs.push(invalid('data', new GoValue('runtime.RawExtension{...}'), FIELD_IMMUTABLE));
  return errs;
}
