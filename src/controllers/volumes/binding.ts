// Pure decisions of the volume binder (Kubernetes' persistentvolume
// controller) and of the local-path provisioner: which StorageClass is the
// default, which PersistentVolume suits a claim, what a provisioned volume
// looks like, and the objects a binding writes.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { fromLabelSelector, matchesLabels } from '../../api/selectors.js';

export const PROVISIONER = 'ordinal.dev/local-path';
export const DEFAULT_CLASS_NAME = 'local-path';

export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** The StorageClass ordinal installs: local directories under the data dir, bound at once. */
export function defaultLocalPathClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_CLASS_NAME, annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/**
 * The class a claim without storageClassName gets (the DefaultStorageClass
 * admission plugin): among classes marked default, the newest, then by name.
 * An explicit "" means "no class" and is left alone.
 */
export function defaultStorageClassFor(pvc: PersistentVolumeClaim, classes: StorageClass[]): string | undefined {
  if (pvc.spec?.storageClassName !== undefined && pvc.spec?.storageClassName !== null) return undefined;
  const defaults = classes.filter(isDefaultClass).sort((a, b) => {
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  return defaults[0]?.metadata?.name;
}

// ---------------------------------------------------------------- quantities

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A resource.Quantity as a number (bytes for storage). NaN when malformed. */
export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  if (typeof q === 'number') return q;
  const m = q.trim().match(/^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/);
  if (!m) return NaN;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]);
}

export function requestedStorage(pvc: PersistentVolumeClaim): string | undefined {
  const r = pvc.spec?.resources?.requests?.storage;
  return r === undefined ? undefined : String(r);
}

// ---------------------------------------------------------------- matching

const classOf = (o: { spec?: { storageClassName?: string } }) => o.spec?.storageClassName ?? '';
const modeOf = (o: { spec?: { volumeMode?: string } }) => o.spec?.volumeMode ?? 'Filesystem';

/** Whether a volume is pre-bound (claimRef) to this claim. */
export function isPreBoundTo(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  return ref.name === pvc.metadata?.name && (ref.namespace ?? '') === (pvc.metadata?.namespace ?? '') && (!ref.uid || ref.uid === pvc.metadata?.uid);
}

/** Whether a volume could serve a claim: class, mode, access modes, size and selector. */
export function volumeSatisfies(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  if (classOf(pv) !== classOf(pvc)) return false;
  if (modeOf(pv) !== modeOf(pvc)) return false;
  const modes = new Set(pv.spec?.accessModes ?? []);
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.has(m))) return false;
  const want = parseQuantity(requestedStorage(pvc) ?? '0');
  const have = parseQuantity(pv.spec?.capacity?.storage);
  if (!(have >= want)) return false;
  if (pvc.spec?.selector) {
    const sel = fromLabelSelector(pvc.spec.selector);
    if (!sel || !matchesLabels(sel, pv.metadata?.labels)) return false;
  }
  return true;
}

/**
 * The volume to bind a pending claim to: one pre-bound to it if any, else the
 * smallest available volume that satisfies it (FindMatchingVolume).
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: PersistentVolume[]): PersistentVolume | undefined {
  let best: PersistentVolume | undefined;
  let bestSize = Infinity;
  for (const pv of volumes) {
    if (pv.metadata?.deletionTimestamp) continue;
    if (isPreBoundTo(pv, pvc)) {
      if (volumeSatisfies(pv, pvc)) return pv;
      continue;
    }
    if (pv.spec?.claimRef) continue;
    if (pv.status?.phase && pv.status.phase !== 'Available') continue;
    // A claim with no class only takes volumes with no class; a classed claim whose class provisions does too.
    if (!volumeSatisfies(pv, pvc)) continue;
    const size = parseQuantity(pv.spec?.capacity?.storage);
    if (size < bestSize) {
      best = pv;
      bestSize = size;
    }
  }
  return best;
}

// ---------------------------------------------------------------- objects

export function claimRefFor(pvc: PersistentVolumeClaim) {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: pvc.metadata?.namespace,
    name: pvc.metadata?.name,
    uid: pvc.metadata?.uid,
    apiVersion: 'v1',
    resourceVersion: pvc.metadata?.resourceVersion,
  };
}

export function provisionedVolumeName(pvc: PersistentVolumeClaim): string {
  return `pvc-${pvc.metadata?.uid}`;
}

/** The PersistentVolume the local-path provisioner creates for a claim, pre-bound to it. */
export function provisionedVolume(pvc: PersistentVolumeClaim, sc: StorageClass, path: string, nodeName?: string): PersistentVolume {
  const pv: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: provisionedVolumeName(pvc),
      annotations: { [ANN_PROVISIONED_BY]: sc.provisioner },
      finalizers: [PV_PROTECTION],
    },
    spec: {
      accessModes: [...(pvc.spec?.accessModes ?? ['ReadWriteOnce'])],
      capacity: { storage: requestedStorage(pvc) ?? '0' },
      claimRef: claimRefFor(pvc),
      hostPath: { path, type: 'DirectoryOrCreate' },
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
    },
  };
  if (sc.mountOptions?.length) pv.spec!.mountOptions = [...sc.mountOptions];
  if (nodeName) {
    pv.spec!.nodeAffinity = {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [nodeName] }] }] },
    };
  }
  return pv;
}

/** Whether a scheduled, unfinished pod uses the claim (it then keeps the pvc-protection finalizer). */
export function podUsesClaim(pod: Pod, claimName: string): boolean {
  if (!pod.spec?.nodeName) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  for (const v of pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName === claimName) return true;
    if (v.ephemeral && `${pod.metadata?.name}-${v.name}` === claimName) return true;
  }
  return false;
}

/** Claims a pod refers to. */
export function claimsOf(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}
