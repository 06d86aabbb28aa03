// PersistentVolumeClaims, PersistentVolumes and StorageClasses.
import type { FieldError } from '../errors.js';
import {
  FIELD_IMMUTABLE, GoValue, arr, deepEqual, entries, forbidden, invalid, isObject, notSupported, required, tooLong,
} from './field.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain, nameIsPathSegment } from './names.js';
import { compareQuantities, formatQuantity, parseQuantity, QUANTITY_REGEX_ERROR, quantitySign } from './quantity.js';
import { VOLUME_SOURCES } from './volumes.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const PV_RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr<string>(modes);
  if (list.length === 0) errs.push(required(path, requiredDetail));
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(path, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateClassName(name: unknown, path: string): FieldError[] {
  if (typeof name !== 'string' || name === '') return [];
  return isDNS1123Subdomain(name).map((m) => invalid(path, name, m));
}

/** A storage size: must parse and be positive. */
function validatePositiveQuantity(value: unknown, path: string): FieldError[] {
  const q = parseQuantity(value);
  if (!q) return [invalid(path, value, QUANTITY_REGEX_ERROR)];
  if (quantitySign(q) <= 0) return [invalid(path, formatQuantity(q), 'must be greater than zero')];
  return [];
}

/** ValidatePersistentVolumeClaimSpec. */
export function validatePersistentVolumeClaimSpec(spec: any, path: string): FieldError[] {
  const s: Record<string, any> = isObject(spec) ? spec : {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`, 'at least 1 access mode is required');
  if (s.selector !== undefined && s.selector !== null) errs.push(...validateLabelSelector(s.selector, `${path}.selector`));
  const requests = s.resources?.requests;
  const storagePath = `${path}.resources[storage]`;
  if (!isObject(requests) || !('storage' in requests)) errs.push(required(storagePath, ''));
  else errs.push(...validatePositiveQuantity(requests.storage, storagePath));
  errs.push(...validateClassName(s.storageClassName, `${path}.storageClassName`));
  if (s.volumeMode !== undefined && s.volumeMode !== null && !VOLUME_MODES.includes(s.volumeMode)) {
    errs.push(notSupported(`${path}.volumeMode`, s.volumeMode, VOLUME_MODES));
  }
  for (const f of ['dataSource', 'dataSourceRef']) {
    const ds = s[f];
    if (!isObject(ds)) continue;
    if (!ds.name) errs.push(required(`${path}.${f}.name`, ''));
    if (!ds.kind) errs.push(required(`${path}.${f}.kind`, ''));
    if (!ds.apiGroup && ds.kind && ds.kind !== 'PersistentVolumeClaim') {
      errs.push(notSupported(`${path}.${f}`, ds.kind, ['PersistentVolumeClaim']));
    }
  }
  return errs;
}

export function validatePersistentVolumeClaim(obj: any): FieldError[] {
  return [...validateObjectMeta(obj?.metadata, true, nameIsPathSegment), ...validatePersistentVolumeClaimSpec(obj?.spec, 'spec')];
}

export const PVC_SPEC_FORBIDDEN = 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

function diffLines(typeName: string, old: Record<string, any>, next: Record<string, any>): string {
  const lines = [`  ${typeName}{`];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(next)])]) {
    if (deepEqual(old[k], next[k])) continue;
    const name = k.charAt(0).toUpperCase() + k.slice(1);
    if (old[k] !== undefined) lines.push(`- \t${name}: ${JSON.stringify(old[k])},`);
    if (next[k] !== undefined) lines.push(`+ \t${name}: ${JSON.stringify(next[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** ValidatePersistentVolumeClaimUpdate: a claim may be bound once, and a bound claim may grow. */
export function validatePersistentVolumeClaimUpdate(obj: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validatePersistentVolumeClaim(obj)];
  const next: Record<string, any> = structuredClone(obj?.spec ?? {});
  const prev: Record<string, any> = structuredClone(old?.spec ?? {});
  if (!prev.volumeName) prev.volumeName = next.volumeName;
  const bound = (obj?.status?.phase ?? old?.status?.phase) === 'Bound';
  if (bound) {
    if (isObject(next.resources?.requests)) next.resources.requests.storage = prev.resources?.requests?.storage;
    next.volumeAttributesClassName = prev.volumeAttributesClassName;
  }
  const betaClass = 'volume.beta.kubernetes.io/storage-class';
  const oldAnn = old?.metadata?.annotations?.[betaClass];
  const newAnn = obj?.metadata?.annotations?.[betaClass];
  if (oldAnn !== newAnn) errs.push(invalid(`metadata.annotations[${betaClass}]`, newAnn ?? '', FIELD_IMMUTABLE));
  // Setting a class on a claim that had none (nor the beta annotation) is allowed once.
  if (!prev.storageClassName && !oldAnn && next.storageClassName) prev.storageClassName = next.storageClassName;
  if (!deepEqual(next, prev)) errs.push(forbidden('spec', `${PVC_SPEC_FORBIDDEN}\n${diffLines('core.PersistentVolumeClaimSpec', prev, next)}`));
  const newSize = obj?.spec?.resources?.requests?.storage;
  const oldSize = old?.spec?.resources?.requests?.storage;
  if (parseQuantity(newSize) && parseQuantity(oldSize) && compareQuantities(newSize, oldSize) < 0) {
    const capacity = old?.status?.capacity?.storage;
    if (compareQuantities(newSize, capacity) <= 0) {
      errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  return errs;
}

export function validatePersistentVolumeClaimStatusUpdate(obj: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  if (arr(obj?.spec?.accessModes).length === 0) errs.push(required('Spec.accessModes', ''));
  for (const f of ['capacity', 'allocatedResources']) {
    for (const [name, qty] of entries(obj?.status?.[f] as Record<string, unknown>)) {
      const q = parseQuantity(qty);
      if (!q) errs.push(invalid(`status.${f}[${name}]`, qty, QUANTITY_REGEX_ERROR));
      else if (quantitySign(q) < 0) errs.push(invalid(`status.${f}[${name}]`, formatQuantity(q), 'must be greater than or equal to 0'));
    }
  }
  const phase = obj?.status?.phase;
  if (phase !== undefined && !['Pending', 'Bound', 'Lost'].includes(phase)) errs.push(notSupported('status.phase', phase, ['Bound', 'Lost', 'Pending']));
  return errs;
}

// ---------------------------------------------------------------- PersistentVolume

/** The volume sources of a PersistentVolume, as they appear at the top of its spec. */
const PV_SOURCES = [...VOLUME_SOURCES.filter((k) => !['emptyDir', 'gitRepo', 'secret', 'persistentVolumeClaim', 'downwardAPI', 'configMap', 'projected', 'ephemeral', 'image'].includes(k)), 'local'];

export function validatePersistentVolumeSpec(spec: any, path = 'spec'): FieldError[] {
  const s: Record<string, any> = isObject(spec) ? spec : {};
  const errs = validateAccessModes(s.accessModes, `${path}.accessModes`, '');
  const capacity = isObject(s.capacity) ? s.capacity : {};
  if (Object.keys(capacity).length === 0) errs.push(required(`${path}.capacity`, ''));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) {
    const shown = isObject(s.capacity)
      ? `core.ResourceList{${Object.keys(capacity).sort().map((k) => `"${k}":resource.Quantity{...}`).join(', ')}}`
      : 'core.ResourceList(nil)';
    errs.push(notSupported(`${path}.capacity`, new GoValue(shown), ['storage']));
  }
  for (const [name, qty] of entries(capacity)) errs.push(...validatePositiveQuantity(qty, `${path}.capacity[${name}]`));
  errs.push(...validateClassName(s.storageClassName, `${path}.storageClassName`));
  if (s.volumeMode !== undefined && s.volumeMode !== null && !VOLUME_MODES.includes(s.volumeMode)) {
    errs.push(notSupported(`${path}.volumeMode`, s.volumeMode, VOLUME_MODES));
  }
  if (s.persistentVolumeReclaimPolicy && !PV_RECLAIM_POLICIES.includes(s.persistentVolumeReclaimPolicy)) {
    errs.push(notSupported(`${path}.persistentVolumeReclaimPolicy`, s.persistentVolumeReclaimPolicy, PV_RECLAIM_POLICIES));
  }
  const kinds = PV_SOURCES.filter((k) => isObject(s[k]));
  kinds.forEach((k, i) => {
    if (i > 0) { errs.push(forbidden(`${path}.${k}`, 'may not specify more than 1 volume type')); return; }
    const src = s[k];
    if (k === 'hostPath' || k === 'local') {
      if (!src.path) errs.push(required(`${path}.${k}.path`, ''));
      else if (String(src.path).split('/').includes('..')) errs.push(invalid(`${path}.${k}.path`, src.path, "must not contain '..'"));
    }
    if (k === 'local' && !isObject(s.nodeAffinity)) errs.push(required(`${path}.nodeAffinity`, 'Local volume requires node affinity'));
    if (k === 'csi') {
      if (!src.driver) errs.push(required(`${path}.csi.driver`, ''));
      if (!src.volumeHandle) errs.push(required(`${path}.csi.volumeHandle`, ''));
    }
    if (k === 'nfs') {
      if (!src.server) errs.push(required(`${path}.nfs.server`, ''));
      if (!src.path) errs.push(required(`${path}.nfs.path`, ''));
    }
  });
  if (kinds.length === 0) errs.push(required(path, 'must specify a volume type'));
  if (isObject(s.hostPath) && String(s.hostPath.path).replace(/\/+$/, '') === '' && s.persistentVolumeReclaimPolicy === 'Recycle') {
    errs.push(forbidden(`${path}.persistentVolumeReclaimPolicy`, "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (isObject(s.nodeAffinity)) {
    const terms = arr(s.nodeAffinity.required?.nodeSelectorTerms);
    if (isObject(s.nodeAffinity.required) && terms.length === 0) {
      errs.push(required(`${path}.nodeAffinity.required.nodeSelectorTerms`, 'must have at least one node selector term'));
    }
  }
  return errs;
}

export function validatePersistentVolume(obj: any): FieldError[] {
  return [...validateObjectMeta(obj?.metadata, false, nameIsPathSegment), ...validatePersistentVolumeSpec(obj?.spec)];
}

export function validatePersistentVolumeUpdate(obj: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validatePersistentVolume(obj)];
  const source = (spec: any) => Object.fromEntries(PV_SOURCES.filter((k) => spec?.[k] !== undefined).map((k) => [k, spec[k]]));
  const ns = source(obj?.spec);
  const os = source(old?.spec);
  if (!deepEqual(ns, os)) {
    errs.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${diffLines('core.PersistentVolumeSource', os, ns)}`));
  }
  if ((obj?.spec?.volumeMode ?? '') !== (old?.spec?.volumeMode ?? '')) errs.push(invalid('volumeMode', obj?.spec?.volumeMode ?? null, FIELD_IMMUTABLE));
  if (isObject(old?.spec?.nodeAffinity) && !deepEqual(obj?.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(invalid('nodeAffinity', new GoValue('&core.VolumeNodeAffinity{...}'), FIELD_IMMUTABLE));
  }
  return errs;
}

export function validatePersistentVolumeStatusUpdate(obj: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(obj?.metadata, old?.metadata);
  const phase = obj?.status?.phase;
  const phases = ['Available', 'Bound', 'Failed', 'Pending', 'Released'];
  if (phase !== undefined && !phases.includes(phase)) errs.push(notSupported('status.phase', phase, phases));
  return errs;
}

// ---------------------------------------------------------------- StorageClass

export function validateStorageClass(obj: any): FieldError[] {
  const errs = validateObjectMeta(obj?.metadata, false, nameIsDNSSubdomain);
  const provisioner = obj?.provisioner;
  if (!provisioner) errs.push(required('provisioner', ''));
  else for (const m of isQualifiedName(String(provisioner).toLowerCase())) errs.push(invalid('provisioner', String(provisioner).toLowerCase(), m));
  const params = isObject(obj?.parameters) ? obj.parameters : {};
  if (Object.keys(params).length > 512) errs.push(tooLong('parameters', 'Provisioner Parameters exceeded max allowed', 512));
  else {
    let size = 0;
    for (const [k, v] of entries(params)) {
      if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
      size += k.length + String(v).length;
    }
    if (size > 256 * 1024) errs.push(tooLong('parameters', '', 256 * 1024));
  }
  const rp = obj?.reclaimPolicy;
  if (rp && !['Delete', 'Retain'].includes(rp)) errs.push(notSupported('reclaimPolicy', rp, ['Delete', 'Retain']));
  const mode = obj?.volumeBindingMode;
  if (!mode) errs.push(required('volumeBindingMode', ''));
  else if (!['Immediate', 'WaitForFirstConsumer'].includes(mode)) errs.push(notSupported('volumeBindingMode', mode, ['Immediate', 'WaitForFirstConsumer']));
  arr<Record<string, any>>(obj?.allowedTopologies).forEach((term, i) => {
    const exprs = arr<Record<string, any>>(term.matchLabelExpressions);
    if (exprs.length === 0) errs.push(required(`allowedTopologies[${i}].matchLabelExpressions`, 'must have at least one label selector requirement'));
    exprs.forEach((e, j) => {
      for (const m of isQualifiedName(String(e.key ?? ''))) errs.push(invalid(`allowedTopologies[${i}].matchLabelExpressions[${j}].key`, e.key ?? '', m));
      if (arr(e.values).length === 0) errs.push(required(`allowedTopologies[${i}].matchLabelExpressions[${j}].values`, 'must specify as least one value'));
    });
  });
  return errs;
}

export function validateStorageClassUpdate(obj: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...validateStorageClass(obj)];
  if (!deepEqual(obj?.parameters, old?.parameters)) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (obj?.provisioner !== old?.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if ((obj?.reclaimPolicy ?? '') !== (old?.reclaimPolicy ?? '')) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if ((obj?.volumeBindingMode ?? '') !== (old?.volumeBindingMode ?? '')) errs.push(invalid('volumeBindingMode', obj?.volumeBindingMode ?? null, FIELD_IMMUTABLE));
  return errs;
}
