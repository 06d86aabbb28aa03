// The pods/binding subresource: how a scheduler assigns a pod to a node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { conflict, fieldErr, invalid } from '../api/errors.js';
import type { KObject } from '../client/types.js';

const PODS_BINDING = { group: '', resource: 'pods/binding' };

/**
 * What the pods/binding subresource does to the pod (kube-apiserver's
 * BindingREST): the pod must exist unbound and not be deleting; it gets
 * spec.nodeName, the binding's annotations and PodScheduled=True. For the
 * registry to call when a Binding is created; throws StatusErrors.
 */
export function applyBinding(pod: Pod, binding: KObject, now: string): Pod {
  const name = pod.metadata?.name ?? '';
  const target = (binding.target ?? {}) as { kind?: string; name?: string };
  if (target.kind && target.kind !== 'Node') {
    throw invalid('Binding', '', name, [fieldErr.notSupported('target.kind', target.kind, ['Node', '<empty>'])]);
  }
  if (!target.name) throw invalid('Binding', '', name, [fieldErr.required('target.name', '')]);
  const uid = binding.metadata?.uid;
  if (uid && uid !== pod.metadata?.uid) {
    throw conflict(PODS_BINDING, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid}`);
  }
  if (pod.metadata?.deletionTimestamp) throw conflict(PODS_BINDING, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (pod.spec?.nodeName) throw conflict(PODS_BINDING, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  const next: Pod = structuredClone(pod);
  next.spec = { ...next.spec!, nodeName: target.name };
  const ann = binding.metadata?.annotations;
  if (ann && Object.keys(ann).length) next.metadata = { ...next.metadata, annotations: { ...(next.metadata?.annotations ?? {}), ...ann } };
  const prev = next.status?.conditions ?? [];
  const old = prev.find((c) => c.type === 'PodScheduled');
  const conditions = [...prev.filter((c) => c.type !== 'PodScheduled'),
    { type: 'PodScheduled', status: 'True', lastProbeTime: null as unknown as string, lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now }];
  return { ...next, status: { ...(next.status ?? {}), conditions } };
}
