// PodDisruptionBudgets: policy/v1 has no defaults of its own; its status
// counters are plain int32s in Go, so they read as 0 until the disruption
// controller fills them (a created budget shows `disruptionsAllowed: 0`).
const COUNTERS = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'];

export function defaultPodDisruptionBudget(obj: Record<string, any>): void {
  const status = (obj.status = typeof obj.status === 'object' && obj.status !== null ? obj.status : {});
  for (const k of COUNTERS) if (typeof status[k] !== 'number') status[k] = 0;
}
