// Scheduling for a one-node cluster: whether a pod fits our node (node
// selector, and the volume checks of kube-scheduler's VolumeBinding plugin),
// with kube-scheduler's FailedScheduling wording, and the Binding write.
import type { Node, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { Client, KObject } from '../../client/types.js';

export const SCHEDULER_NAME = 'default-scheduler';
export const ANNOTATION_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

export type FitResult =
  | { fits: true }
  /** Does not fit; `message` is the FailedScheduling event text. */
  | { fits: false; message: string }
  /** Fits once these WaitForFirstConsumer claims are provisioned for our node. */
  | { fits: false; waitForClaims: string[] };

export function failedSchedulingMessage(reason: string): string {
  return `0/1 nodes are available: ${reason}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.`;
}

/** Whether this scheduler is the one the pod asked for. */
export function isOurs(pod: Pod): boolean {
  return !pod.spec?.nodeName && (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME && !pod.metadata?.deletionTimestamp;
}

export function claimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

export function podFitsNode(
  pod: Pod,
  node: Node,
  claim: (name: string) => PersistentVolumeClaim | undefined,
  storageClass: (name: string) => StorageClass | undefined,
): FitResult {
  // Volumes first, as the VolumeBinding PreFilter rejects before any node is looked at.
  const waitFor: string[] = [];
  for (const name of claimNames(pod)) {
    const pvc = claim(name);
    if (!pvc) return { fits: false, message: failedSchedulingMessage(`persistentvolumeclaim "${name}" not found`) };
    if (pvc.metadata?.deletionTimestamp) return { fits: false, message: failedSchedulingMessage(`persistentvolumeclaim "${name}" is being deleted`) };
    if (pvc.status?.phase === 'Bound' || pvc.spec?.volumeName) continue;
    const sc = pvc.spec?.storageClassName ? storageClass(pvc.spec.storageClassName) : undefined;
    if (sc?.volumeBindingMode === 'WaitForFirstConsumer') waitFor.push(name);
    else return { fits: false, message: failedSchedulingMessage('pod has unbound immediate PersistentVolumeClaims') };
  }
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return { fits: false, message: failedSchedulingMessage("1 node(s) didn't match Pod's node affinity/selector") };
  }
  if (node.spec?.unschedulable) return { fits: false, message: failedSchedulingMessage('1 node(s) were unschedulable') };
  if (waitFor.length) return { fits: false, waitForClaims: waitFor };
  return { fits: true };
}

/** What of a Node decides whether pods fit it (podFitsNode): a change means pods waiting to be scheduled are examined again. */
export function schedulingFingerprint(node: Node): string {
  return JSON.stringify([!!node.spec?.unschedulable, node.metadata?.labels ?? {}]);
}

/** The pods/binding request body kube-scheduler sends. */
export function bindingFor(pod: Pod, nodeName: string): KObject {
  const m = pod.metadata!;
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
}

/** Binds a pod to a node through the pods/binding subresource, as kube-scheduler does. */
export async function bindPod(client: Client, pod: Pod, nodeName: string): Promise<void> {
  await client.create('pods', pod.metadata?.namespace, bindingFor(pod, nodeName), { subresource: 'binding' });
}

export { applyBinding } from '../../registry/binding.js';
