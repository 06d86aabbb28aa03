// Pods and pod templates (pkg/apis/core/validation: ValidatePodSpec,
// ValidatePodCreate, ValidatePodUpdate, ValidatePodStatusUpdate).
import type { FieldError } from '../errors.js';
import { validateAllContainers, dns1123Label } from './container.js';
import {
  GoValue, arr, deepEqual, forbidden, inclusiveRange, invalid, isObject, notSupported, required, duplicate,
} from './field.js';
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, isQualifiedName, isValidIP, isValidLabelValue, nameIsDNSSubdomain } from './names.js';
import { validateVolumes } from './volumes.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;
const SUPPLEMENTAL_GROUPS_POLICIES = ['Merge', 'Strict'];
const SELINUX_CHANGE_POLICIES = ['MountOption', 'Recursive'];

export interface PodSpecOptions {
  /** Extra names a volumeMount may reference: a StatefulSet's volumeClaimTemplates. */
  claimTemplateNames?: string[];
}

export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr<Record<string, any>>(tolerations).forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t.key) for (const m of isQualifiedName(String(t.key))) errs.push(invalid(`${p}.key`, t.key, m));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal': case '': {
        const msgs = isValidLabelValue(String(t.value ?? ''));
        if (msgs.length) errs.push(invalid(`${p}.operator`, t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${p}.operator`, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateIdRange(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && (v < 0 || v > MAX_INT32) ? [invalid(path, v, inclusiveRange(0, MAX_INT32))] : [];
}

function validateSecurityContexts(spec: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const psc = isObject(spec.securityContext) ? spec.securityContext : {};
  for (const f of ['runAsUser', 'runAsGroup', 'fsGroup']) errs.push(...validateIdRange(psc[f], `${path}.securityContext.${f}`));
  arr<number>(psc.supplementalGroups).forEach((g, i) => errs.push(...validateIdRange(g, `${path}.securityContext.supplementalGroups[${i}]`)));
  // Kubernetes 1.31 and 1.32 fields, checked as a cluster with their feature gates on
  // checks them (with SELinuxMount off, 1.32 allows seLinuxChangePolicy "Recursive" only).
  if (psc.supplementalGroupsPolicy !== undefined && psc.supplementalGroupsPolicy !== null
    && !SUPPLEMENTAL_GROUPS_POLICIES.includes(psc.supplementalGroupsPolicy)) {
    errs.push(notSupported(`${path}.securityContext.supplementalGroupsPolicy`, psc.supplementalGroupsPolicy, SUPPLEMENTAL_GROUPS_POLICIES));
  }
  if (psc.seLinuxChangePolicy !== undefined && psc.seLinuxChangePolicy !== null
    && !SELINUX_CHANGE_POLICIES.includes(psc.seLinuxChangePolicy)) {
    errs.push(notSupported(`${path}.securityContext.seLinuxChangePolicy`, psc.seLinuxChangePolicy, SELINUX_CHANGE_POLICIES));
  }
  for (const kind of ['initContainers', 'containers']) {
    arr<Record<string, any>>(spec[kind]).forEach((c, i) => {
      if (!isObject(c.securityContext)) return;
      const sc = c.securityContext;
      const p = `${path}.${kind}[${i}].securityContext`;
      for (const f of ['runAsUser', 'runAsGroup']) errs.push(...validateIdRange(sc[f], `${p}.${f}`));
      if (sc.privileged === true && sc.allowPrivilegeEscalation === false) {
        errs.push(invalid(p, new GoValue('core.SecurityContext{...}'), 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
      }
    });
  }
  return errs;
}

function validateDNS(spec: Record<string, any>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const policy = spec.dnsPolicy;
  if (!policy) errs.push(required(`${path}.dnsPolicy`, ''));
  else if (!DNS_POLICIES.includes(policy)) errs.push(notSupported(`${path}.dnsPolicy`, policy, DNS_POLICIES));
  const cfg = spec.dnsConfig;
  if (policy === 'None' && !isObject(cfg)) {
    errs.push(required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  if (isObject(cfg)) {
    const ns = arr<string>(cfg.nameservers);
    if (policy === 'None' && ns.length === 0) errs.push(required(`${path}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
    if (ns.length > 3) errs.push(invalid(`${path}.dnsConfig.nameservers`, ns, 'must not have more than 3 nameservers'));
    ns.forEach((n, i) => { for (const m of isValidIP(String(n))) errs.push(invalid(`${path}.dnsConfig.nameservers[${i}]`, n, m)); });
    const searches = arr<string>(cfg.searches);
    if (searches.length > 32) errs.push(invalid(`${path}.dnsConfig.searches`, searches, 'must not have more than 32 search paths'));
    arr<Record<string, any>>(cfg.options).forEach((o, i) => {
      if (!o.name) errs.push(required(`${path}.dnsConfig.options[${i}]`, 'Option.Name must not be empty'));
    });
  }
  return errs;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: any, path: string, opts: PodSpecOptions = {}): FieldError[] {
  const s: Record<string, any> = isObject(spec) ? spec : {};
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) {
    errs.push(required(`${path}.terminationGracePeriodSeconds`, ''));
  }
  const vols = validateVolumes(s.volumes, `${path}.volumes`);
  errs.push(...vols.errs);
  const volumes = new Set([...vols.names, ...(opts.claimTemplateNames ?? [])]);
  errs.push(...validateAllContainers(s, path, { volumes, hostNetwork: s.hostNetwork === true }));
  if (!s.restartPolicy) errs.push(required(`${path}.restartPolicy`, ''));
  else if (!RESTART_POLICIES.includes(s.restartPolicy)) errs.push(notSupported(`${path}.restartPolicy`, s.restartPolicy, RESTART_POLICIES));
  errs.push(...validateDNS(s, path));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validateSecurityContexts(s, path));
  arr<Record<string, any>>(s.imagePullSecrets).forEach((ref, i) => {
    if (!ref.name) errs.push(required(`${path}.imagePullSecrets[${i}].name`, ''));
  });
  arr<Record<string, any>>(s.readinessGates).forEach((g, i) => {
    for (const m of isQualifiedName(String(g.conditionType ?? ''))) errs.push(invalid(`${path}.readinessGates[${i}].conditionType`, g.conditionType ?? '', m));
  });
  const gates = new Set<string>();
  arr<Record<string, any>>(s.schedulingGates).forEach((g, i) => {
    for (const m of isQualifiedName(String(g.name ?? ''))) errs.push(invalid(`${path}.schedulingGates[${i}].name`, g.name ?? '', m));
    if (gates.has(g.name)) errs.push(duplicate(`${path}.schedulingGates[${i}].name`, g.name));
    gates.add(g.name);
  });
  if (s.serviceAccountName) {
    for (const m of isDNS1123Subdomain(String(s.serviceAccountName))) errs.push(invalid(`${path}.serviceAccountName`, s.serviceAccountName, m));
  }
  if (s.nodeName) for (const m of isDNS1123Subdomain(String(s.nodeName))) errs.push(invalid(`${path}.nodeName`, s.nodeName, m));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) errs.push(invalid(`${path}.activeDeadlineSeconds`, v, inclusiveRange(1, MAX_INT32)));
  }
  if (s.hostname) errs.push(...dns1123Label(String(s.hostname), `${path}.hostname`));
  if (s.subdomain) errs.push(...dns1123Label(String(s.subdomain), `${path}.subdomain`));
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  arr<Record<string, any>>(s.hostAliases).forEach((ha, i) => {
    for (const m of isValidIP(String(ha.ip ?? ''))) errs.push(invalid(`${path}.hostAliases[${i}].ip`, ha.ip ?? '', m));
    arr<string>(ha.hostnames).forEach((h, j) => {
      for (const m of isDNS1123Subdomain(String(h))) errs.push(invalid(`${path}.hostAliases[${i}].hostnames[${j}]`, h, m));
    });
  });
  if (s.priorityClassName) {
    for (const m of isDNS1123Subdomain(String(s.priorityClassName))) errs.push(invalid(`${path}.priorityClassName`, s.priorityClassName, m));
  }
  if (s.preemptionPolicy !== undefined && !['PreemptLowerPriority', 'Never'].includes(s.preemptionPolicy)) {
    errs.push(notSupported(`${path}.preemptionPolicy`, s.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  if (isObject(s.os) && !['linux', 'windows'].includes(String(s.os.name))) {
    errs.push(notSupported(`${path}.os.name`, s.os.name ?? '', ['linux', 'windows']));
  }
  return errs;
}

/** ValidatePodTemplateSpec (labels and annotations are checked at `<path>.labels`, as Kubernetes does). */
export function validatePodTemplateSpec(template: any, path: string, opts: PodSpecOptions = {}): FieldError[] {
  const t = isObject(template) ? template : {};
  const meta = isObject(t.metadata) ? t.metadata : {};
  const errs = validateLabels(meta.labels, `${path}.labels`);
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validatePodSpec(t.spec, `${path}.spec`, opts));
  if (isObject(t.spec) && arr(t.spec.ephemeralContainers).length) {
    errs.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}

function validatePodIPs(pod: any): FieldError[] {
  const errs: FieldError[] = [];
  const ips = arr<Record<string, any>>(pod?.status?.podIPs);
  ips.forEach((ip, i) => { for (const m of isValidIP(String(ip.ip ?? ''))) errs.push(invalid(`status.podIPs[${i}]`, ip.ip ?? '', m)); });
  const seen = new Set<string>();
  if (ips.length > 1) {
    ips.forEach((ip, i) => {
      if (seen.has(ip.ip)) errs.push(duplicate(`status.podIPs[${i}]`, ip.ip));
      seen.add(ip.ip);
    });
  }
  return errs;
}

function validatePodMetadataAndSpec(pod: any): FieldError[] {
  const errs = validateObjectMeta(pod?.metadata, true, nameIsDNSSubdomain);
  errs.push(...validatePodSpec(pod?.spec, 'spec'));
  const spec = isObject(pod?.spec) ? pod.spec : {};
  if (!spec.serviceAccountName) {
    arr<Record<string, any>>(spec.volumes).forEach((v, vi) => {
      arr<Record<string, any>>(v.projected?.sources).forEach((src, si) => {
        if (src.serviceAccountToken) {
          errs.push(forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  for (const kind of ['containers', 'initContainers']) {
    arr<Record<string, any>>(spec[kind]).forEach((c, i) => {
      if (typeof c.image === 'string' && c.image.trim() !== c.image) {
        errs.push(invalid(`spec.${kind}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  return errs;
}

export function validatePod(pod: any): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = isObject(pod?.spec) ? pod.spec : {};
  if (arr(spec.ephemeralContainers).length) errs.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (spec.nodeName && arr(spec.schedulingGates).length) {
    errs.push(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  errs.push(...validatePodIPs(pod));
  return errs;
}

export const POD_UPDATE_FORBIDDEN = 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function goFieldName(k: string): string {
  return k.charAt(0).toUpperCase() + k.slice(1);
}

/** A short rendering of what changed, in the spirit of the cmp.Diff Kubernetes appends. */
function specDiff(old: Record<string, any>, next: Record<string, any>): string {
  const lines = ['  core.PodSpec{'];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(next)])]) {
    if (deepEqual(old[k], next[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${goFieldName(k)}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${goFieldName(k)}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

function validateContainerUpdates(next: unknown, old: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const n = arr<Record<string, any>>(next);
  const o = arr<Record<string, any>>(old);
  if (n.length !== o.length) return { errs: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    if (!c.image) errs.push(required(`${path}[${i}].image`, ''));
    if (typeof c.image === 'string' && c.image.trim() !== c.image) errs.push(invalid(`${path}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function tolerationMatches(old: Record<string, any>, next: Record<string, any>): boolean {
  return deepEqual({ ...old, tolerationSeconds: undefined }, { ...next, tolerationSeconds: undefined });
}

export function validatePodUpdate(pod: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(pod?.metadata, old?.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  const ns: Record<string, any> = isObject(pod?.spec) ? pod.spec : {};
  const os: Record<string, any> = isObject(old?.spec) ? old.spec : {};
  for (const kind of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(ns[kind], os[kind], `spec.${kind}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const nad = ns.activeDeadlineSeconds;
  if (nad !== undefined && nad !== null) {
    if (nad < 0 || nad > MAX_INT32) {
      errs.push(invalid('spec.activeDeadlineSeconds', nad, inclusiveRange(0, MAX_INT32)));
      return errs;
    }
    if (typeof os.activeDeadlineSeconds === 'number' && os.activeDeadlineSeconds < nad) {
      errs.push(invalid('spec.activeDeadlineSeconds', nad, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (os.activeDeadlineSeconds !== undefined && os.activeDeadlineSeconds !== null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const oldTolerations = arr<Record<string, any>>(os.tolerations);
  const newTolerations = arr<Record<string, any>>(ns.tolerations);
  if (oldTolerations.some((t) => !newTolerations.some((n) => tolerationMatches(t, n)))) {
    errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  }
  const oldGates = arr<Record<string, any>>(os.schedulingGates);
  const newGates = arr<Record<string, any>>(ns.schedulingGates);
  if (newGates.some((g) => !oldGates.some((o) => o.name === g.name))) {
    errs.push(forbidden('spec.schedulingGates', 'only deletion is allowed, but found new scheduling gate'));
  }
  if (deepEqual(ns, os)) return errs;

  // Put back every field an update may change, then compare what is left.
  const munged: Record<string, any> = { ...ns };
  for (const kind of ['containers', 'initContainers']) {
    if (Array.isArray(ns[kind])) munged[kind] = ns[kind].map((c: any, i: number) => ({ ...c, image: os[kind]?.[i]?.image }));
  }
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (oldGates.length > 0) {
    // A gated pod may gain node selectors and affinity before it is scheduled.
    munged.nodeSelector = { ...(ns.nodeSelector ?? {}) };
    for (const k of Object.keys(ns.nodeSelector ?? {})) if (!(k in (os.nodeSelector ?? {}))) delete munged.nodeSelector[k];
    munged.affinity = os.affinity;
  }
  if (!deepEqual(munged, os)) errs.push(forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${specDiff(os, munged)}`));
  return errs;
}

export function validatePodStatusUpdate(pod: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(pod?.metadata, old?.metadata);
  arr<Record<string, any>>(pod?.status?.conditions).forEach((c, i) => {
    if (['PodScheduled', 'Ready', 'Initialized'].includes(c.type)) return;
    for (const m of isQualifiedName(String(c.type ?? ''))) errs.push(invalid(`metadata.conditions[${i}].Type`, c.type ?? '', m));
  });
  if ((pod?.spec?.nodeName ?? '') !== (old?.spec?.nodeName ?? '')) errs.push(forbidden('status.nodeName', 'may not be changed directly'));
  const nominated = pod?.status?.nominatedNodeName;
  if (nominated && nominated !== old?.status?.nominatedNodeName) {
    for (const m of isDNS1123Subdomain(String(nominated))) errs.push(invalid('status.nominatedNodeName', nominated, m));
  }
  const restartPolicy = old?.spec?.restartPolicy;
  if (restartPolicy !== 'Always') {
    for (const kind of ['containerStatuses', 'initContainerStatuses']) {
      const nextStatuses = arr<Record<string, any>>(pod?.status?.[kind]);
      arr<Record<string, any>>(old?.status?.[kind]).forEach((o, i) => {
        const term = o.state?.terminated;
        if (!term) return;
        if (term.exitCode !== 0 && restartPolicy === 'OnFailure') return;
        if (kind === 'initContainerStatuses' && o.restartPolicy === 'Always') return;
        for (const n of nextStatuses) {
          if (n.name === o.name && !n.state?.terminated) errs.push(forbidden(`status.${kind}[${i}].state`, 'may not be transitioned to non-terminated state'));
        }
      });
    }
  }
  errs.push(...validatePodIPs(pod));
  arr<Record<string, any>>(pod?.status?.hostIPs).forEach((ip, i) => {
    for (const m of isValidIP(String(ip.ip ?? ''))) errs.push(invalid(`status.hostIPs[${i}]`, ip.ip ?? '', m));
  });
  return errs;
}
