// Storage admission, for the registry's admission chain (kube-apiserver's
// DefaultStorageClass and StorageObjectInUseProtection plugins): a claim
// created without storageClassName gets the default class, and new claims and
// volumes get their protection finalizers. The volume controller does the
// same after the fact (retroactive default class, finalizers it finds
// missing), so the admission is the fast path, not the only one.
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { keyOf, resourceByKey, type ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../client/types.js';
import { PVC_PROTECTION, PV_PROTECTION, defaultStorageClassFor } from './binding.js';

export { defaultStorageClassFor } from './binding.js';

export type StorageAdmission = (op: 'CREATE' | 'UPDATE', ri: ResourceInfo, obj: KObject, old: KObject | undefined) => void;

function addFinalizer(obj: KObject, f: string): void {
  const meta = (obj.metadata = obj.metadata ?? {});
  const fs = meta.finalizers ?? [];
  if (!fs.includes(f)) meta.finalizers = [...fs, f];
}

/** The admission function; `classes` lists the StorageClasses as stored now. */
export function storageAdmission(classes: () => StorageClass[]): StorageAdmission {
  return (op, ri, obj) => {
    if (op !== 'CREATE') return;
    const key = keyOf(ri);
    if (key === 'persistentvolumeclaims') {
      const pvc = obj as PersistentVolumeClaim;
      const name = defaultStorageClassFor(pvc, classes());
      if (name) pvc.spec = { ...(pvc.spec ?? {}), storageClassName: name };
      addFinalizer(obj, PVC_PROTECTION);
    } else if (key === 'persistentvolumes') {
      addFinalizer(obj, PV_PROTECTION);
    }
  };
}

/** The admission wired to a registry (anything with the registry's synchronous list). */
export function storageAdmissionFor(registry: { list(ri: ResourceInfo, ns: string | undefined): { items: KObject[] } }): StorageAdmission {
  const ri = resourceByKey('storageclasses.storage.k8s.io');
  return storageAdmission(() => registry.list(ri, undefined).items as unknown as StorageClass[]);
}
