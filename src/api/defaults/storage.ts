// Defaults of claims, volumes and storage classes.
import { canonicalResourceQuantity } from '../validation/quantity.js';

type Obj = Record<string, any>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function canonicalList(rl: unknown): void {
  if (!isObj(rl)) return;
  for (const k of Object.keys(rl)) rl[k] = canonicalResourceQuantity(rl[k]);
}

/** SetDefaults_PersistentVolumeClaimSpec and the resource lists inside it. */
export function defaultClaimSpec(spec: Obj): void {
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  if (isObj(spec.resources)) {
    canonicalList(spec.resources.limits);
    canonicalList(spec.resources.requests);
  }
}

/** SetObjectDefaults_PersistentVolumeClaim (also applied to a StatefulSet's claim templates). */
export function defaultClaim(pvc: Obj): void {
  defaultClaimSpec(isObj(pvc.spec) ? pvc.spec : (pvc.spec = {}));
  const status = isObj(pvc.status) ? pvc.status : (pvc.status = {});
  if (!status.phase) status.phase = 'Pending';
  canonicalList(status.capacity);
  canonicalList(status.allocatedResources);
}

/** SetObjectDefaults_PersistentVolume. */
export function defaultVolume(pv: Obj): void {
  const spec = isObj(pv.spec) ? pv.spec : (pv.spec = {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  canonicalList(spec.capacity);
  if (isObj(spec.hostPath) && (spec.hostPath.type === undefined || spec.hostPath.type === null)) spec.hostPath.type = '';
  const status = isObj(pv.status) ? pv.status : (pv.status = {});
  if (!status.phase) status.phase = 'Pending';
}

/** SetDefaults_StorageClass. */
export function defaultStorageClass(sc: Obj): void {
  if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
  if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
}
