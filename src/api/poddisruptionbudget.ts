// What the eviction subresource and the disruption controller share about
// PodDisruptionBudgets: which pods a budget covers (the policy lister's
// matching), when a pod counts as healthy, and the DisruptionAllowed condition
// (k8s.io/component-helpers/apps/poddisruptionbudget).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { selectorConvertible, selectorMatches } from './validation/meta.js';

export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';
/** The StatusCause type of an eviction refused for a budget (policyv1.DisruptionBudgetCause). */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';

/** A metav1.Condition as it is written, fields in Go's order. */
export interface BudgetCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export type BudgetStatus = Partial<Omit<PodDisruptionBudgetStatus, 'conditions'>> & { conditions?: BudgetCondition[] };

/**
 * Whether the budget covers the pod (same namespace assumed). In policy/v1 an
 * empty selector selects every pod; an absent or unusable one selects none
 * (metav1.LabelSelectorAsSelector).
 */
export function budgetSelects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const sel = pdb.spec?.selector;
  if (sel === undefined || sel === null || !selectorConvertible(sel)) return false;
  return selectorMatches(sel, pod.metadata?.labels);
}

/** podutil.IsPodReady: the pod's Ready condition is True (what "healthy" means to a budget). */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** apimeta.SetStatusCondition: adds or updates a condition; the transition time moves only when status does. */
export function setStatusCondition(conditions: BudgetCondition[], next: Omit<BudgetCondition, 'lastTransitionTime'>, now: string): boolean {
  const i = conditions.findIndex((c) => c.type === next.type);
  if (i < 0) {
    conditions.push(conditionOf(next, now));
    return true;
  }
  const cur = conditions[i];
  const changed = cur.status !== next.status || cur.reason !== next.reason || cur.message !== (next.message ?? '')
    || (cur.observedGeneration ?? 0) !== (next.observedGeneration ?? 0);
  if (changed) conditions[i] = conditionOf(next, cur.status !== next.status ? now : cur.lastTransitionTime);
  return changed;
}

function conditionOf(c: Omit<BudgetCondition, 'lastTransitionTime'>, at: string): BudgetCondition {
  const out: BudgetCondition = { type: c.type, status: c.status } as BudgetCondition;
  if (c.observedGeneration) out.observedGeneration = c.observedGeneration;
  out.lastTransitionTime = at;
  out.reason = c.reason;
  out.message = c.message ?? '';
  return out;
}

/** UpdateDisruptionAllowedCondition: SufficientPods (True) while disruptions are allowed, InsufficientPods (False) otherwise. */
export function updateDisruptionAllowedCondition(status: BudgetStatus, now: string): void {
  const conditions = (status.conditions ??= []);
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  setStatusCondition(conditions, {
    type: DISRUPTION_ALLOWED,
    status: allowed ? 'True' : 'False',
    observedGeneration: status.observedGeneration,
    reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
    message: '',
  }, now);
}

/** ConditionsAreUpToDate: the DisruptionAllowed condition agrees with disruptionsAllowed at the current generation. */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const st = (pdb.status ?? {}) as BudgetStatus;
  const cond = (st.conditions ?? []).find((c) => c.type === DISRUPTION_ALLOWED);
  if (!cond) return false;
  if ((st.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((st.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}
