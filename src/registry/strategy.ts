// Per-kind behaviour of the registry, after kube-apiserver's "strategies":
// what a create resets, which kinds carry a generation, which have a status
// subresource, which a PUT may create, and which field selectors each kind supports.
import type { ResourceInfo } from '../api/resources.js';
import { keyOf } from '../api/resources.js';
import type { KObject } from '../client/types.js';

/** Kinds whose metadata.generation tracks spec changes (their strategies set it). */
const GENERATION = new Set(['statefulsets.apps', 'endpointslices.discovery.k8s.io', 'poddisruptionbudgets.policy']);

export function usesGeneration(ri: ResourceInfo): boolean {
  return GENERATION.has(keyOf(ri));
}

/** Kinds whose strategy's AllowCreateOnUpdate is true: a PUT may create them. */
const CREATE_ON_UPDATE = new Set(['services', 'endpoints', 'events', 'events.events.k8s.io', 'leases.coordination.k8s.io']);

export function allowsCreateOnUpdate(ri: ResourceInfo): boolean {
  return CREATE_ON_UPDATE.has(keyOf(ri));
}

/** Kinds whose strategy's AllowUnconditionalUpdate is false: a PUT must carry a resourceVersion. */
const CONDITIONAL_UPDATE = new Set(['leases.coordination.k8s.io', 'poddisruptionbudgets.policy']);

export function allowsUnconditionalUpdate(ri: ResourceInfo): boolean {
  return !CONDITIONAL_UPDATE.has(keyOf(ri));
}

export function hasStatus(ri: ResourceInfo): boolean {
  return ri.subresources.some((s) => s.name === 'status');
}

/** The part of an object that a main-resource update may change and that bumps generation. */
export function specOf(obj: KObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** What a create does to status, as each kind's PrepareForCreate does. */
export function prepareForCreate(ri: ResourceInfo, obj: KObject): void {
  switch (keyOf(ri)) {
    case 'pods': {
      const spec = (obj.spec ?? {}) as { containers?: { resources?: { requests?: object; limits?: object } }[] };
      obj.status = { phase: 'Pending', qosClass: qosClass(spec.containers ?? []) };
      break;
    }
    case 'persistentvolumeclaims':
    case 'persistentvolumes':
      obj.status = { phase: 'Pending' };
      break;
    case 'namespaces':
      obj.status = { phase: 'Active' };
      break;
    case 'services':
      obj.status = { loadBalancer: {} };
      break;
    case 'statefulsets.apps':
      obj.status = { replicas: 0, availableReplicas: 0 };
      break;
    case 'nodes':
      break; // a kubelet registers its Node with status
    default:
      if (hasStatus(ri)) obj.status = {};
  }
}

function qosClass(containers: { resources?: { requests?: object; limits?: object } }[]): string {
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) => {
    const req = (c.resources?.requests ?? {}) as Record<string, string>;
    const lim = (c.resources?.limits ?? {}) as Record<string, string>;
    return lim.cpu && lim.memory && (req.cpu ?? lim.cpu) === lim.cpu && (req.memory ?? lim.memory) === lim.memory;
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const POD_FIELDS = ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'];
const EVENT_FIELDS = ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'];
const NEW_EVENT_FIELDS = ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'regarding.resourceVersion', 'regarding.fieldPath', 'reason', 'reportingController', 'type'];

const FIELDS: Record<string, string[]> = {
  pods: POD_FIELDS,
  events: EVENT_FIELDS,
  'events.events.k8s.io': NEW_EVENT_FIELDS,
  secrets: ['type'],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
  persistentvolumeclaims: [],
  'statefulsets.apps': ['status.successful'],
};

export function supportedFields(ri: ResourceInfo): string[] {
  return ['metadata.name', 'metadata.namespace', ...(FIELDS[keyOf(ri)] ?? [])];
}

/** The value a field selector compares, with the few aliases Kubernetes has. */
export function fieldAlias(ri: ResourceInfo, field: string): string {
  if (keyOf(ri) === 'events' && field === 'source') return 'source.component';
  return field;
}
