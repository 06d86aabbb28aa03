// The pods/eviction subresource (kube-apiserver's EvictionREST): delete a pod
// unless that would violate its PodDisruptionBudget. A budget that allows a
// disruption is decremented and records the pod in status.disruptedPods before
// the pod is deleted, so the disruption controller does not count it healthy
// while it goes; one that allows none answers 429 TooManyRequests. The whole
// check-decrement-delete runs synchronously against the store, so no other
// write interleaves (the real server retries conflicts instead).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { resourceByKey } from '../api/resources.js';
import { StatusError, badRequest, conflict, forbidden, isStatusError, type Status } from '../api/errors.js';
import {
  DISRUPTION_BUDGET_CAUSE, budgetSelects, isPodReady, updateDisruptionAllowedCondition, type BudgetStatus,
} from '../api/poddisruptionbudget.js';
import { rfc3339 } from '../api/time.js';
import type { DeleteOptions, KObject } from '../client/types.js';
import type { Registry } from './registry.js';

/** More recorded disruptions than this means the disruption controller is not keeping up: evictions stop. */
export const MAX_DISRUPTED_POD_SIZE = 2000;

const POLICY_PDB = { group: 'policy', resource: 'poddisruptionbudget' };
const POD_KIND = { group: '', resource: 'Pod' };
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

type EvictionDeleteOptions = DeleteOptions & { dryRun?: string[]; orphanDependents?: boolean };

export interface EvictionResult {
  /** The Status the create answers with: Success (201), or the Failure of a pod with several budgets (500). */
  status: Status;
}

/** 429 with the budget named in a DisruptionBudget cause (createTooManyRequestsError and its siblings). */
function tooManyRequests(cause: string, retryAfterSeconds: number): StatusError {
  const details: Status['details'] = { causes: [{ reason: DISRUPTION_BUDGET_CAUSE, message: cause }] };
  if (retryAfterSeconds) details.retryAfterSeconds = retryAfterSeconds;
  return new StatusError(429, 'TooManyRequests', VIOLATION, details);
}

const stillProcessing = (pdb: string) => tooManyRequests(`The disruption budget ${pdb} is still being processed by the server.`, 10);

/** Terminal, pending and deleting pods are deleted without asking their budget (canIgnorePDB). */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp;
}

/** Whether the delete must be pinned to the pod version the decision was made on (shouldEnforceResourceVersion). */
function shouldEnforceResourceVersion(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata?.deletionTimestamp);
}

function withResourceVersion(opts: EvictionDeleteOptions, rv: string | undefined): EvictionDeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: rv } };
}

export class Eviction {
  private readonly pods = resourceByKey('pods');
  private readonly budgets = resourceByKey('poddisruptionbudgets.policy');

  constructor(private readonly registry: Registry, private readonly now: () => Date) {}

  /**
   * POST pods/{name}/eviction. `eviction` is the policy/v1 (or v1beta1)
   * Eviction body; `dryRun` the request's dryRun=All. Throws StatusErrors
   * (404 for the pod, 429 when a budget forbids it, 409 on a stale precondition).
   */
  evict(namespace: string, name: string, eviction: KObject, dryRun = false): EvictionResult {
    if (eviction.kind !== undefined && eviction.kind !== 'Eviction') throw badRequest(`not a Eviction object: ${eviction.kind}`);
    if (eviction.apiVersion !== undefined && !['policy/v1', 'policy/v1beta1'].includes(eviction.apiVersion)) {
      throw badRequest(`not a Eviction object: ${eviction.apiVersion}, Kind=${eviction.kind ?? ''}`);
    }
    const ns = eviction.metadata?.namespace;
    if (ns && ns !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    if ((eviction.metadata?.name ?? '') !== name) throw badRequest('name in URL does not match name in Eviction object');
    const original = this.deleteOptions(eviction, dryRun);
    const isDryRun = (original.dryRun ?? []).includes('All');

    const pod = this.registry.get<Pod & KObject>(this.pods, namespace, name);
    if (canIgnoreBudget(pod)) {
      const rvUnset = original.preconditions?.resourceVersion === undefined;
      const opts = shouldEnforceResourceVersion(pod) && rvUnset ? withResourceVersion(original, pod.metadata?.resourceVersion) : original;
      this.addConditionAndDelete(namespace, name, opts, isDryRun);
      return { status: success() };
    }

    const matching = this.registry.list<PodDisruptionBudget & KObject>(this.budgets, namespace).items.filter((b) => budgetSelects(b, pod));
    if (matching.length > 1) {
      return {
        status: {
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
          message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500,
        },
      };
    }
    let pinToPod = false;
    const pdb = matching[0];
    if (pdb) {
      const st = (pdb.status ?? {}) as BudgetStatus;
      // An unready pod does not count towards the budget: it may go when the
      // budget's policy says so, without spending an allowed disruption.
      if (!isPodReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow'
        || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0))) {
        pinToPod = true;
      } else {
        this.checkAndDecrement(pdb, name, isDryRun);
      }
    }
    const opts = pinToPod ? withResourceVersion(original, pod.metadata?.resourceVersion) : original;
    try {
      this.addConditionAndDelete(namespace, name, opts, isDryRun);
    } catch (e) {
      // The pod changed (became ready, say) since it was judged: the client retries.
      if (isStatusError(e, 'Conflict') && pinToPod && original.preconditions?.resourceVersion === undefined) throw stillProcessing(pdb!.metadata!.name!);
      throw e;
    }
    return { status: success() };
  }

  /** The eviction's DeleteOptions, with the request's dryRun carried in (propagateDryRun). */
  private deleteOptions(eviction: KObject, dryRun: boolean): EvictionDeleteOptions {
    const opts = { ...((eviction.deleteOptions ?? {}) as EvictionDeleteOptions) };
    const inBody = opts.dryRun ?? [];
    const inRequest = dryRun ? ['All'] : [];
    if (inBody.length && inRequest.length && JSON.stringify(inBody) !== JSON.stringify(inRequest)) {
      throw new StatusError(500, 'InternalError', `Internal error occurred: Non-matching dry-run options in request and content: [${inRequest.join(' ')}] and [${inBody.join(' ')}]`);
    }
    if (!inBody.length) opts.dryRun = inRequest;
    return opts;
  }

  /** Verify that the budget allows one more disruption, and spend it (checkAndDecrement). */
  private checkAndDecrement(pdb: PodDisruptionBudget & KObject, podName: string, dryRun: boolean): void {
    const name = pdb.metadata!.name!;
    const st = (pdb.status ?? {}) as BudgetStatus;
    if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw stillProcessing(name);
    const allowed = st.disruptionsAllowed ?? 0;
    if (allowed < 0) throw forbidden(POLICY_PDB, name, 'pdb disruptions allowed is negative');
    if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
      throw forbidden(POLICY_PDB, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    }
    if (allowed === 0) {
      throw tooManyRequests(`The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`, 0);
    }
    const now = rfc3339(this.now());
    const status: BudgetStatus = structuredClone(st);
    status.disruptionsAllowed = allowed - 1;
    if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(status, now);
    if (dryRun) return;
    status.disruptedPods = { ...(status.disruptedPods ?? {}), [podName]: now };
    this.registry.update(this.budgets, pdb.metadata!.namespace, name, { ...pdb, status } as KObject, { subresource: 'status' });
  }

  /**
   * Marks the pod DisruptionTarget=True (EvictionByEvictionAPI), then deletes
   * it with the eviction's options (addConditionAndDeletePod).
   */
  private addConditionAndDelete(namespace: string, name: string, opts: EvictionDeleteOptions, dryRun: boolean): void {
    let options = opts;
    if (!dryRun) {
      const latest = this.registry.get<Pod & KObject>(this.pods, namespace, name);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== latest.metadata?.uid) {
        throw conflict(POD_KIND, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${latest.metadata?.uid}). The object might have been deleted and then recreated`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== latest.metadata?.resourceVersion) {
        throw conflict(POD_KIND, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${latest.metadata?.resourceVersion}). The object might have been modified`);
      }
      const next = structuredClone(latest);
      if (updatePodCondition(next, rfc3339(this.now()))) {
        const updated = this.registry.update<Pod & KObject>(this.pods, namespace, name, next, { subresource: 'status' }).object;
        if (pre?.resourceVersion) options = withResourceVersion(options, updated.metadata?.resourceVersion);
      }
    }
    const { dryRun: _d, orphanDependents, ...rest } = options;
    const del: DeleteOptions & { dryRun?: boolean } = { ...rest, dryRun };
    if (orphanDependents === true && !del.propagationPolicy) del.propagationPolicy = 'Orphan';
    this.registry.delete(this.pods, namespace, name, del);
  }
}

/** podutil.UpdatePodCondition with DisruptionTarget=True; false when nothing changed. */
function updatePodCondition(pod: Pod, now: string): boolean {
  const status = ((pod as { status?: Pod['status'] }).status ??= {});
  const conditions = [...(status.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === 'DisruptionTarget');
  const old = i >= 0 ? conditions[i] : undefined;
  const cond = {
    type: 'DisruptionTarget', status: 'True', lastProbeTime: null as unknown as string,
    lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : now,
    reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
  };
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return false;
  if (i >= 0) conditions[i] = cond;
  else conditions.push(cond);
  (status as { conditions?: unknown }).conditions = conditions;
  return true;
}

function success(): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
