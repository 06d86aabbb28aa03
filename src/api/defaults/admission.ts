// What kube-apiserver's default mutating admission plugins add to a new Pod
// (ServiceAccount, Priority, DefaultTolerationSeconds). They run on pods
// only, after defaulting, so templates never show these fields.
type Obj = Record<string, any>;

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const DEFAULT_TOLERATION_SECONDS = 300;

function tolerates(tolerations: Obj[], key: string): boolean {
  return tolerations.some((t) => (t.key === key || (!t.key && t.operator === 'Exists'))
    && (!t.effect || t.effect === 'NoExecute'));
}

/** Mutates a pod being created: service account `default`, priority 0 and the NoExecute tolerations. */
export function admitPod(pod: Obj): void {
  const spec: Obj = pod.spec ?? (pod.spec = {});
  if (!spec.serviceAccountName) spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.priority === undefined || spec.priority === null) {
    if (!spec.priorityClassName) spec.priority = 0;
  }
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
  const tolerations: Obj[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerates(tolerations, key)) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
    }
  }
  spec.tolerations = tolerations;
}
