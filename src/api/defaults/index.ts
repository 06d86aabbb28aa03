// Defaulting of every served kind: Kubernetes' v1 defaulters (and the few
// conversions that act like defaults), applied in place before validation.
import { defaultLease } from './coordination.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from './core.js';
import { defaultPod } from './pod.js';
import { defaultPodDisruptionBudget } from './policy.js';
import { defaultService, prepareServiceUpdate } from './service.js';
import { defaultClaim, defaultStorageClass, defaultVolume } from './storage.js';
import { defaultStatefulSet } from './workloads.js';

type Defaulter = (obj: Record<string, any>) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  namespaces: defaultNamespace,
  nodes: defaultNode,
  pods: defaultPod,
  services: defaultService,
  endpoints: defaultEndpoints,
  secrets: defaultSecret,
  persistentvolumeclaims: defaultClaim,
  persistentvolumes: defaultVolume,
  'statefulsets.apps': defaultStatefulSet,
  'endpointslices.discovery.k8s.io': defaultEndpointSlice,
  'storageclasses.storage.k8s.io': defaultStorageClass,
  'poddisruptionbudgets.policy': defaultPodDisruptionBudget,
  'leases.coordination.k8s.io': defaultLease,
};

/** Mutates obj in place; idempotent. Applies Kubernetes' v1 defaults for that kind. */
export function applyDefaults(resourceKey: string, obj: any): void {
  if (typeof obj !== 'object' || obj === null) return;
  DEFAULTERS[resourceKey]?.(obj);
}

/**
 * What an update of the main resource settles from the stored object before
 * defaulting, as the kinds' strategies and storages do: a Service keeps the
 * addresses and node ports a client left out; a Namespace keeps its
 * spec.finalizers (only the finalize subresource changes them). Mutates obj.
 */
export function prepareForUpdate(resourceKey: string, obj: any, old: any): void {
  if (typeof obj !== 'object' || obj === null || typeof old !== 'object' || old === null) return;
  if (resourceKey === 'services') prepareServiceUpdate(obj, old);
  if (resourceKey === 'namespaces') {
    obj.spec = { ...(obj.spec ?? {}) };
    if (old.spec?.finalizers !== undefined) obj.spec.finalizers = [...old.spec.finalizers];
    else delete obj.spec.finalizers;
  }
}

export { admitPod } from './admission.js';
export { defaultPodSpec, defaultPodTemplate, defaultContainer, imageTag } from './pod.js';
