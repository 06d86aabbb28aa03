// The disruption controller's arithmetic, as pure functions of a budget, its
// pods and the time (pkg/controller/disruption/disruption.go): how many pods
// are expected, how many must stay healthy, which recorded disruptions still
// hold, and the status that follows.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import {
  DISRUPTION_ALLOWED, SYNC_FAILED, conditionsAreUpToDate, isPodReady, setStatusCondition, updateDisruptionAllowedCondition,
  type BudgetStatus,
} from '../../api/poddisruptionbudget.js';
import { rfc3339 } from '../../api/time.js';

/**
 * How long a pod the eviction recorded in status.disruptedPods may take to be
 * seen deleting before the controller stops discounting it (DeletionTimeout).
 */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

/** How long a DisruptionTarget condition may stay on a pod that is not deleting (stalePodDisruptionTimeout). */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

/** A pod's controller and the replicas it wants (controllerAndScale). */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/**
 * Finds the controller a controllerRef names and its scale: undefined when it
 * does not exist (or is another object of that name); throws when it cannot be
 * asked (an unknown kind, no scale subresource).
 */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  /** Pods without a controller, which a percentage or maxUnavailable cannot account for. */
  unmanagedPods: string[];
}

export function controllerOf(pod: Pod): OwnerReference | undefined {
  return (pod.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
}

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as it is, a percentage of
 * `total`, rounded up or down.
 */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const pct = Number(v.slice(0, -1));
  if (!/^-?\d+$/.test(v.slice(0, -1))) throw new Error(`invalid value ${JSON.stringify(v)}: strconv.Atoi: parsing ${JSON.stringify(v.slice(0, -1))}: invalid syntax`);
  return roundUp ? Math.ceil((pct * total) / 100) : Math.floor((pct * total) / 100);
}

/**
 * getExpectedScale: the sum of the scales of the pods' controllers; pods with
 * no controller are listed as unmanaged. A controllerRef no finder resolves is
 * an error (the budget then fails safe).
 */
export async function expectedScale(pods: Pod[], findScale: ScaleFinder): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata?.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = await findScale(ref, pod.metadata?.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name ?? '')}`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of scales.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/**
 * getExpectedPodCount: with maxUnavailable, or a percentage minAvailable, the
 * controllers' scale is the whole; with an integer minAvailable the matching
 * pods are (and no controller is asked).
 */
export async function expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[], findScale: ScaleFinder): Promise<ExpectedCount> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await expectedScale(pods, findScale);
    const maxUnavailable = scaledValue(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = await expectedScale(pods, findScale);
    return { expectedCount, desiredHealthy: scaledValue(spec.minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

export interface DisruptedPods {
  /** The entries that still hold: pods recorded by an eviction, not yet seen deleting, within the timeout. */
  disruptedPods: Record<string, string>;
  /** When the earliest of those entries expires (ms), for a recheck then. */
  recheckAt?: number;
  /** Pods whose entry expired without them being deleted (a NotDeleted warning each). */
  notDeleted: Pod[];
}

/** buildDisruptedPodMap. */
export function buildDisruptedPodMap(pods: Pod[], pdb: PodDisruptionBudget, now: number): DisruptedPods {
  const recorded = (pdb.status?.disruptedPods ?? {}) as Record<string, string>;
  const out: DisruptedPods = { disruptedPods: {}, notDeleted: [] };
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '';
    const at = recorded[name];
    if (at === undefined) continue;
    const expected = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (expected < now) out.notDeleted.push(pod);
    else {
      if (out.recheckAt === undefined || expected < out.recheckAt) out.recheckAt = expected;
      out.disruptedPods[name] = at;
    }
  }
  return out;
}

/** countHealthyPods: ready pods that are neither deleting nor recorded as about to be. */
export function countHealthyPods(pods: Pod[], disruptedPods: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disruptedPods[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a![k] === b[k]);
}

/**
 * updatePdbStatus: the status a budget should have, or undefined when it
 * already has it. No disruption is allowed while no pod is expected.
 */
export function nextStatus(
  pdb: PodDisruptionBudget, currentHealthy: number, desiredHealthy: number, expectedCount: number,
  disruptedPods: Record<string, string>, now: Date,
): BudgetStatus | undefined {
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = (pdb.status ?? {}) as BudgetStatus;
  const generation = pdb.metadata?.generation ?? 0;
  if ((st.currentHealthy ?? 0) === currentHealthy && (st.desiredHealthy ?? 0) === desiredHealthy
    && (st.expectedPods ?? 0) === expectedCount && (st.disruptionsAllowed ?? 0) === disruptionsAllowed
    && sameMap(st.disruptedPods as Record<string, string> | undefined, disruptedPods)
    && (st.observedGeneration ?? 0) === generation && conditionsAreUpToDate(pdb)) {
    return undefined;
  }
  const status: BudgetStatus = {};
  if (generation) status.observedGeneration = generation;
  if (Object.keys(disruptedPods).length) status.disruptedPods = disruptedPods;
  status.disruptionsAllowed = disruptionsAllowed;
  status.currentHealthy = currentHealthy;
  status.desiredHealthy = desiredHealthy;
  status.expectedPods = expectedCount;
  status.conditions = structuredClone(st.conditions ?? []);
  updateDisruptionAllowedCondition(status, rfc3339(now));
  return status;
}

/**
 * failSafe: when the budget cannot be computed, no disruption is allowed, and
 * DisruptionAllowed=False says why (SyncFailed).
 */
export function failSafeStatus(pdb: PodDisruptionBudget, err: unknown, now: Date): BudgetStatus {
  const status = structuredClone((pdb.status ?? {}) as BudgetStatus);
  status.disruptionsAllowed = 0;
  const conditions = (status.conditions ??= []);
  setStatusCondition(conditions, {
    type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED,
    message: err instanceof Error ? err.message : String(err), observedGeneration: status.observedGeneration,
  }, rfc3339(now));
  return status;
}

/**
 * How long until a DisruptionTarget=True condition on a pod that is not being
 * deleted counts as stale (0: now); undefined when the pod has none that can
 * be (nonTerminatingPodHasStaleDisruptionCondition).
 */
export function staleDisruptionWait(pod: Pod, now: number): number | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const cond = (pod.status?.conditions ?? []).find((c) => c.type === 'DisruptionTarget');
  const phase = pod.status?.phase;
  if (!cond || cond.status !== 'True' || cond.reason === 'TerminationByKubelet' || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const since = Date.parse(cond.lastTransitionTime ?? '');
  return Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - (Number.isNaN(since) ? Infinity : now - since));
}

/** A *metav1.LabelSelector as Go's %v prints it (its generated String method). */
export function labelSelectorString(sel: LabelSelector | undefined): string {
  if (!sel) return '<nil>';
  const labels = Object.keys(sel.matchLabels ?? {}).sort().map((k) => `${k}: ${sel.matchLabels![k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
