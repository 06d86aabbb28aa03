// Validation of every served kind, worded as Kubernetes words it: each
// function returns field errors that the registry turns into a 422 Invalid.
// Objects are validated after defaulting, as the API server does.
import type { FieldError } from '../errors.js';
import {
  validateConfigMap, validateConfigMapUpdate, validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints,
  validateEvent, validateNamespace, validateNamespaceStatusUpdate, validateNewEvent, validateNewEventUpdate, validateNode,
  validateNodeUpdate, validateSecret, validateSecretUpdate, validateServiceAccount,
} from './core.js';
import { validateLease, validateLeaseUpdate } from './coordination.js';
import { validateObjectMetaUpdate } from './meta.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import {
  validatePodDisruptionBudget, validatePodDisruptionBudgetStatusUpdate, validatePodDisruptionBudgetUpdate,
} from './policy.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service.js';
import {
  validateControllerRevision, validateControllerRevisionUpdate, validateStatefulSet, validateStatefulSetStatusUpdate,
  validateStatefulSetUpdate,
} from './statefulset.js';
import {
  validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate, validatePersistentVolumeStatusUpdate, validatePersistentVolumeUpdate,
  validateStorageClass, validateStorageClassUpdate,
} from './storage.js';

type Create = (obj: any) => FieldError[];
type Update = (obj: any, old: any) => FieldError[];

interface KindRules {
  create: Create;
  update?: Update;
  status?: Update;
}

/** Update = ObjectMeta update rules plus the create rules, when a kind has nothing more specific. */
function metaUpdateThen(create: Create): Update {
  return (obj, old) => [...validateObjectMetaUpdate(obj?.metadata, old?.metadata), ...create(obj)];
}

const metaOnly: Update = (obj, old) => validateObjectMetaUpdate(obj?.metadata, old?.metadata);

const RULES: Record<string, KindRules> = {
  namespaces: { create: validateNamespace, status: validateNamespaceStatusUpdate },
  nodes: { create: validateNode, update: validateNodeUpdate, status: validateNodeUpdate },
  pods: { create: validatePod, update: validatePodUpdate, status: validatePodStatusUpdate },
  services: { create: validateService, update: validateServiceUpdate, status: validateServiceStatusUpdate },
  endpoints: { create: validateEndpoints },
  events: { create: validateEvent, update: (obj) => validateEvent(obj) },
  'events.events.k8s.io': { create: validateNewEvent, update: validateNewEventUpdate },
  configmaps: { create: validateConfigMap, update: validateConfigMapUpdate },
  secrets: { create: validateSecret, update: validateSecretUpdate },
  serviceaccounts: { create: validateServiceAccount },
  persistentvolumeclaims: {
    create: validatePersistentVolumeClaim, update: validatePersistentVolumeClaimUpdate, status: validatePersistentVolumeClaimStatusUpdate,
  },
  persistentvolumes: { create: validatePersistentVolume, update: validatePersistentVolumeUpdate, status: validatePersistentVolumeStatusUpdate },
  'statefulsets.apps': { create: validateStatefulSet, update: validateStatefulSetUpdate, status: validateStatefulSetStatusUpdate },
  'controllerrevisions.apps': { create: validateControllerRevision, update: validateControllerRevisionUpdate },
  'endpointslices.discovery.k8s.io': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
  'storageclasses.storage.k8s.io': { create: validateStorageClass, update: validateStorageClassUpdate },
  'poddisruptionbudgets.policy': {
    create: validatePodDisruptionBudget, update: validatePodDisruptionBudgetUpdate, status: validatePodDisruptionBudgetStatusUpdate,
  },
  'leases.coordination.k8s.io': { create: validateLease, update: validateLeaseUpdate },
};

/** On create. Includes ObjectMeta validation (the name rule of each kind). */
export function validateCreate(resourceKey: string, obj: any): FieldError[] {
  const rules = RULES[resourceKey];
  return rules ? rules.create(obj) : [];
}

/** On update of the main resource: the create rules plus immutability rules. */
export function validateUpdate(resourceKey: string, obj: any, old: any): FieldError[] {
  const rules = RULES[resourceKey];
  if (!rules) return [];
  return (rules.update ?? metaUpdateThen(rules.create))(obj, old);
}

/** On update of the status subresource (the registry has already reset the spec from old; metadata and status may change). */
export function validateStatusUpdate(resourceKey: string, obj: any, old: any): FieldError[] {
  const rules = RULES[resourceKey];
  if (!rules) return [];
  return (rules.status ?? metaOnly)(obj, old);
}

export { isHeadless } from './service.js';
export { STATEFULSET_SPEC_FORBIDDEN } from './statefulset.js';
export { POD_UPDATE_FORBIDDEN } from './pod.js';
export { PVC_SPEC_FORBIDDEN } from './storage.js';
export {
  canonicalResourceQuantity, compareQuantities, formatQuantity, parseQuantity, quantityToNumber,
} from './quantity.js';
export type { Quantity } from './quantity.js';
