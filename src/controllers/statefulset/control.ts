// The StatefulSet update algorithm as one pure function: from the set, its
// pods, claims and revisions as observed, and the time, decide what to do.
//
// OrderedReady walks the ordinals upwards and stops at the first pod that
// needs something: a missing pod is created (one per sync), a failed one is
// deleted (recreated on a later sync once it is gone), and a pod that is not
// Running, Ready and available halts everything above it. Only when every pod
// in range is healthy are condemned pods (out of range) deleted, highest
// ordinal first, one at a time; then the rolling update deletes outdated pods
// from the highest ordinal down to the partition. Parallel does each phase for
// all pods at once and does not wait for readiness.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Action, Step, SyncPlan } from './actions.js';
import {
  applyRevision, equalRevision, findEqualRevisions, newRevision, nextRevisionNumber, revisionsToTruncate, sortRevisions,
} from './history.js';
import {
  RETAIN, claimIsStale, claimOwnerRefsFor, endOrdinal, getOrdinal, getPodRevision, hasUnexpectedController,
  identityLabels, identityMatches, isClaimOwnerUpToDate, isCreated, isFailed, isMemberOf, isOnDelete, isParallel,
  isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating, isUnavailable, msUntilAvailable,
  newStatefulSetPod, podClaims, retentionPolicy, specReplicas, startOrdinal, storageMatches, updatedVolumes,
} from './utils.js';

export interface SyncInput {
  set: StatefulSet;
  /** Pods the set owns (after adoption); pods whose names are not `<set>-<int>` are ignored. */
  pods: Pod[];
  /** The claim with this name in the set's namespace, as cached. */
  claim(name: string): PersistentVolumeClaim | undefined;
  /** Revisions owned by the set (or orphans matching its selector). */
  revisions: ControllerRevision[];
  /** Milliseconds since the epoch. */
  now: number;
  /** The MaxUnavailableStatefulSet gate (on by default, as from Kubernetes 1.35). */
  maxUnavailableStatefulSet?: boolean;
}

const MAX_BATCH = 500;

/** Splits independent lanes into slow-start batches of 1, 2, 4, ... (at most 500). */
export function slowStart(lanes: Action[][]): Step[] {
  const steps: Step[] = [];
  let size = 1;
  for (let i = 0; i < lanes.length; i += size, size = Math.min(size * 2, MAX_BATCH)) {
    steps.push(lanes.slice(i, i + size));
  }
  return steps;
}

interface Revisions {
  actions: Action[];
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** The current and update revisions, creating or (on rollback) renumbering one if the template changed. */
export function resolveRevisions(set: StatefulSet, sorted: ControllerRevision[]): Revisions {
  let collisionCount = set.status?.collisionCount ?? 0;
  const next = nextRevisionNumber(sorted);
  let candidate = newRevision(set, next, collisionCount);
  const equal = findEqualRevisions(sorted, candidate);
  const actions: Action[] = [];
  let update: ControllerRevision;
  if (equal.length && equalRevision(sorted[sorted.length - 1], equal[equal.length - 1])) {
    update = sorted[sorted.length - 1];
  } else if (equal.length) {
    const old = equal[equal.length - 1];
    update = { ...old, revision: next };
    actions.push({ kind: 'bumpRevision', revision: old, to: next });
  } else {
    const names = new Set(sorted.map((r) => r.metadata?.name));
    while (names.has(candidate.metadata?.name)) candidate = newRevision(set, next, ++collisionCount);
    update = candidate;
    actions.push({ kind: 'createRevision', revision: candidate });
  }
  const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { actions, current, update, collisionCount };
}

/** The pod for an empty ordinal: the current revision below the partition, else the update revision. */
export function newVersionedPod(
  set: StatefulSet, currentSet: StatefulSet, updateSet: StatefulSet, current: string, update: string, ordinal: number,
): Pod {
  const strategy = set.spec?.updateStrategy;
  const ru = strategy?.rollingUpdate;
  const start = startOrdinal(set);
  const useCurrent = ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && !ru &&
      ordinal < start + (set.status?.currentReplicas ?? 0)) ||
    (!!ru && ordinal < start + (ru.partition ?? 0));
  return useCurrent ? newStatefulSetPod(currentSet, ordinal, current) : newStatefulSetPod(updateSet, ordinal, update);
}

/** intstr.GetScaledValueFromIntOrPercent rounding down, at least 1. */
export function maxUnavailableOf(set: StatefulSet, replicas: number): number {
  const ru = set.spec?.updateStrategy?.rollingUpdate;
  if (!ru) return 1;
  const v = (ru as { maxUnavailable?: number | string }).maxUnavailable ?? 1;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (/^[0-9]+%$/.test(v)) n = Math.floor((Number(v.slice(0, -1)) * replicas) / 100);
  else if (/^[0-9]+$/.test(v)) n = Number(v);
  else n = 1;
  return Math.max(1, n);
}

interface ClaimWork {
  createClaims: PersistentVolumeClaim[];
  terminatingClaims: string[];
  claimUpdates: PersistentVolumeClaim[];
  conflictingClaims: string[];
}

function withRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): PersistentVolumeClaim {
  const refs = claimOwnerRefsFor(claim, set, pod);
  return { ...claim, metadata: { ...claim.metadata, ownerReferences: refs.length ? refs : undefined } };
}

/** What the pod's claims need: creation (when `create`), and ownerReferences for the retention policy. */
function claimWork(set: StatefulSet, pod: Pod, get: SyncInput['claim'], create: boolean): ClaimWork {
  const w: ClaimWork = { createClaims: [], terminatingClaims: [], claimUpdates: [], conflictingClaims: [] };
  for (const c of podClaims(set, getOrdinal(pod))) {
    const name = c.metadata!.name!;
    const existing = get(name);
    if (!existing) {
      if (create) w.createClaims.push(withRefs(c, set, pod));
      continue;
    }
    if (existing.metadata?.deletionTimestamp && create) w.terminatingClaims.push(name);
    if (hasUnexpectedController(existing, set, pod)) w.conflictingClaims.push(name);
    if (!isClaimOwnerUpToDate(existing, set, pod)) w.claimUpdates.push(withRefs(existing, set, pod));
  }
  return w;
}

function retentionMatches(set: StatefulSet, pod: Pod, get: SyncInput['claim']): boolean {
  for (const c of podClaims(set, getOrdinal(pod))) {
    const existing = get(c.metadata!.name!);
    if (existing && !isClaimOwnerUpToDate(existing, set, pod)) return false;
  }
  return true;
}

interface ReplicaResult {
  actions: Action[];
  stop: boolean;
  waiting?: string;
}

/** One replica in range, as processReplica: the first result with stop ends an OrderedReady sync. */
function processReplica(
  set: StatefulSet, updateSet: StatefulSet, pod: Pod, monotonic: boolean, input: SyncInput,
): ReplicaResult {
  const name = pod.metadata?.name;
  const mrs = set.spec?.minReadySeconds ?? 0;
  if (isFailed(pod) || isSucceeded(pod)) {
    return {
      actions: isTerminating(pod) ? [] : [{ kind: 'deletePod', pod, why: 'failed' }],
      stop: true,
      waiting: `waiting for ${podPhaseWord(pod)} Pod ${name} to be replaced`,
    };
  }
  if (!isCreated(pod)) {
    if (retentionPolicy(set).whenScaled !== RETAIN) {
      for (const c of podClaims(set, getOrdinal(pod))) {
        const existing = input.claim(c.metadata!.name!);
        if (existing && claimIsStale(existing, set, pod)) {
          return { actions: [], stop: true, waiting: `waiting for stale claim ${c.metadata!.name} of Pod ${name} to be deleted` };
        }
      }
    }
    const w = claimWork(set, pod, input.claim, true);
    return { actions: [{ kind: 'createPod', pod, ...w }], stop: true, waiting: `creating Pod ${name}` };
  }
  const actions: Action[] = [];
  if (isPending(pod)) {
    const w = claimWork(set, pod, input.claim, true);
    if (w.createClaims.length || w.terminatingClaims.length || w.claimUpdates.length || w.conflictingClaims.length) {
      actions.push({ kind: 'ensureClaims', pod, ...w });
    }
  }
  if (monotonic) {
    if (isTerminating(pod)) return { actions, stop: true, waiting: `waiting for Pod ${name} to terminate` };
    if (!isRunningAndReady(pod)) return { actions, stop: true, waiting: `waiting for Pod ${name} to be Running and Ready` };
    if (!isRunningAndAvailable(pod, mrs, input.now)) return { actions, stop: true, waiting: `waiting for Pod ${name} to be available` };
  }
  if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatches(updateSet, pod, input.claim)) {
    return { actions, stop: false };
  }
  const ordinal = getOrdinal(pod);
  let desired: Pod | undefined;
  if (!identityMatches(set, pod)) {
    desired = { ...pod, metadata: { ...pod.metadata, labels: identityLabels(set, ordinal, pod.metadata?.labels ?? {}) } };
  }
  let w: ClaimWork = { createClaims: [], terminatingClaims: [], claimUpdates: [], conflictingClaims: [] };
  if (!storageMatches(set, pod)) {
    const base = desired ?? pod;
    desired = { ...base, spec: { ...base.spec!, volumes: updatedVolumes(set, ordinal, base.spec?.volumes) } };
    w = claimWork(updateSet, pod, input.claim, true);
  } else {
    w = claimWork(updateSet, pod, input.claim, false);
  }
  actions.push({ kind: 'updatePod', pod, desired, ...w });
  return { actions, stop: false };
}

function podPhaseWord(pod: Pod): string {
  return isFailed(pod) ? 'failed' : 'succeeded';
}

function countStatus(
  pods: Pod[], mrs: number, now: number, current: string, update: string,
): { replicas: number; ready: number; available: number; current: number; updated: number } {
  const s = { replicas: 0, ready: 0, available: 0, current: 0, updated: 0 };
  for (const p of pods) {
    const created = isCreated(p);
    if (created) s.replicas++;
    if (isRunningAndReady(p)) {
      s.ready++;
      if (isRunningAndAvailable(p, mrs, now)) s.available++;
    }
    if (created && !isTerminating(p)) {
      const rev = getPodRevision(p);
      if (rev === current) s.current++;
      if (rev === update) s.updated++;
    }
  }
  return s;
}

/** The status as Go serialises it: zero counters with omitempty disappear. */
function buildStatus(fields: {
  observedGeneration?: number; replicas: number; ready: number; current: number; updated: number; available: number;
  currentRevision: string; updateRevision: string; collisionCount: number;
}): StatefulSetStatus {
  const s: StatefulSetStatus = { replicas: fields.replicas };
  if (fields.observedGeneration) s.observedGeneration = fields.observedGeneration;
  if (fields.ready) s.readyReplicas = fields.ready;
  if (fields.current) s.currentReplicas = fields.current;
  if (fields.updated) s.updatedReplicas = fields.updated;
  s.availableReplicas = fields.available;
  if (fields.currentRevision) s.currentRevision = fields.currentRevision;
  if (fields.updateRevision) s.updateRevision = fields.updateRevision;
  s.collisionCount = fields.collisionCount;
  return s;
}

/** Whether the stored status differs from the computed one in a way worth a write. */
export function statusNeedsWrite(old: StatefulSetStatus | undefined, s: StatefulSetStatus): boolean {
  const o = old ?? { replicas: 0 };
  return (s.observedGeneration ?? 0) > (o.observedGeneration ?? 0) ||
    s.replicas !== (o.replicas ?? 0) ||
    (s.currentReplicas ?? 0) !== (o.currentReplicas ?? 0) ||
    (s.readyReplicas ?? 0) !== (o.readyReplicas ?? 0) ||
    (s.updatedReplicas ?? 0) !== (o.updatedReplicas ?? 0) ||
    (s.currentRevision ?? '') !== (o.currentRevision ?? '') ||
    (s.availableReplicas ?? 0) !== (o.availableReplicas ?? 0) ||
    (s.updateRevision ?? '') !== (o.updateRevision ?? '') ||
    (s.collisionCount ?? 0) !== (o.collisionCount ?? 0);
}

/** Decide one sync of a StatefulSet. */
export function planSync(input: SyncInput): SyncPlan {
  const { set, now } = input;
  const sorted = sortRevisions(input.revisions);
  const revs = resolveRevisions(set, sorted);
  const currentName = revs.current.metadata!.name!;
  const updateName = revs.update.metadata!.name!;
  const currentSet = applyRevision(set, revs.current);
  const updateSet = applyRevision(set, revs.update);
  const mrs = set.spec?.minReadySeconds ?? 0;
  const members = input.pods.filter((p) => isMemberOf(set, p));

  const replicaCount = specReplicas(set);
  const start = startOrdinal(set);
  const end = endOrdinal(set);
  // Slots of ordinals in range; an empty slot is a pod not created yet, built
  // from the right revision only when it is about to be created.
  const replicas: (Pod | undefined)[] = new Array(replicaCount).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of members) {
    const o = getOrdinal(pod);
    if (o >= start && o <= end) replicas[o - start] = pod;
    else if (o >= 0) condemned.push(pod);
  }
  const placeholder = (i: number) => newVersionedPod(set, currentSet, updateSet, currentName, updateName, start + i);
  const unavailableSlot = (p: Pod | undefined) => !p || isUnavailable(p, mrs, now);
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

  // The first unavailable pod: an in-range slot (any, so no condemned pod), else the lowest unavailable condemned pod.
  let firstUnavailable: Pod | 'in-range' | undefined;
  if (replicas.some(unavailableSlot)) firstUnavailable = 'in-range';
  for (let i = condemned.length - 1; i >= 0 && !firstUnavailable; i--) {
    if (isUnavailable(condemned[i], mrs, now)) firstUnavailable = condemned[i];
  }

  const steps: Step[] = [];
  let waiting: string | undefined;
  let currentDelta = 0;
  const monotonic = !isParallel(set);

  const run = (): void => {
    if (set.metadata?.deletionTimestamp) {
      waiting = 'StatefulSet is being deleted';
      return;
    }
    // 1. Replicas in range.
    const lanes: Action[][] = [];
    for (let i = 0; i < replicas.length; i++) {
      const r = processReplica(set, updateSet, replicas[i] ?? placeholder(i), monotonic, input);
      if (monotonic) {
        if (r.actions.length) steps.push([r.actions]);
        if (r.stop) {
          waiting = r.waiting;
          return;
        }
      } else if (r.actions.length) {
        lanes.push(r.actions);
      }
    }
    steps.push(...slowStart(lanes));

    // 2. Claims of condemned pods get the ownerReferences the policy asks for before the pods go.
    const claimLanes: Action[][] = [];
    for (const pod of condemned) {
      const w = claimWork(updateSet, pod, input.claim, false);
      if (w.claimUpdates.length) {
        claimLanes.push([{ kind: 'updateClaims', pod, claimUpdates: w.claimUpdates, conflictingClaims: w.conflictingClaims }]);
      }
    }
    if (monotonic) for (const l of claimLanes) steps.push([l]);
    else steps.push(...slowStart(claimLanes));

    // 3. Condemned pods, highest ordinal first.
    if (monotonic) {
      for (const pod of condemned) {
        const name = pod.metadata?.name;
        if (isTerminating(pod)) {
          waiting = `waiting for Pod ${name} to terminate prior to scale down`;
          return;
        }
        if (pod !== firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, mrs, now))) {
          waiting = `waiting for Pod ${typeof firstUnavailable === 'object' ? firstUnavailable.metadata?.name : name} to be Running and Available prior to scale down`;
          return;
        }
        steps.push([[{ kind: 'deletePod', pod, why: 'condemned' }]]);
        waiting = `scaling down: deleting Pod ${name}`;
        return;
      }
    } else {
      steps.push(...slowStart(condemned.filter((p) => !isTerminating(p)).map((pod) => [{ kind: 'deletePod', pod, why: 'condemned' }])));
    }

    // 4. Updates.
    if (isOnDelete(set)) return;
    const ru = set.spec?.updateStrategy?.rollingUpdate;
    const updateMin = ru ? ru.partition ?? 0 : 0;
    if (input.maxUnavailableStatefulSet ?? true) {
      const maxUnavailable = maxUnavailableOf(set, replicaCount);
      const unavailable = replicas.filter(unavailableSlot).length;
      if (unavailable > maxUnavailable) {
        waiting = `waiting for ${unavailable} unavailable Pods (maxUnavailable ${maxUnavailable})`;
        return;
      }
      const lane: Action[] = [];
      const budget = maxUnavailable - unavailable;
      for (let t = replicas.length - 1; t >= updateMin && lane.length < budget; t--) {
        const pod = replicas[t];
        // (Upstream would also "delete" a not-yet-created pod here, by name; there is nothing to delete.)
        if (pod && getPodRevision(pod) !== updateName && !isTerminating(pod)) {
          lane.push({ kind: 'deletePod', pod, why: 'update' });
          currentDelta--;
        }
      }
      if (lane.length) steps.push([lane]);
      return;
    }
    for (let t = replicas.length - 1; t >= updateMin; t--) {
      const pod = replicas[t];
      if (pod && getPodRevision(pod) !== updateName && !isTerminating(pod)) {
        steps.push([[{ kind: 'deletePod', pod, why: 'update' }]]);
        currentDelta--;
        return;
      }
      if (unavailableSlot(pod)) {
        waiting = `waiting for Pod ${pod?.metadata?.name ?? `${set.metadata?.name}-${start + t}`} to update`;
        return;
      }
    }
  };
  run();

  const existing = [...replicas.filter((p): p is Pod => !!p), ...condemned];
  const c = countStatus(existing, mrs, now, currentName, updateName);
  let current = Math.max(0, c.current + currentDelta);
  let currentRevision = currentName;
  // completeRollingUpdate
  if (!isOnDelete(set) && c.updated === c.ready && c.ready === c.replicas && c.replicas === replicaCount) {
    currentRevision = updateName;
    current = c.updated;
  }
  const status = buildStatus({
    observedGeneration: set.metadata?.generation,
    replicas: c.replicas, ready: c.ready, current, updated: c.updated, available: c.available,
    currentRevision, updateRevision: updateName, collisionCount: revs.collisionCount,
  });

  // Time alone makes Ready pods available: come back when the next one is.
  let requeueAfterMs: number | undefined;
  if (mrs > 0) {
    for (const p of existing) {
      const ms = msUntilAvailable(p, mrs, now);
      if (ms !== undefined && (requeueAfterMs === undefined || ms < requeueAfterMs)) requeueAfterMs = ms;
    }
    if (c.available !== replicaCount) requeueAfterMs ??= mrs * 1000;
  }

  return {
    revision: revs.actions,
    steps,
    status: statusNeedsWrite(set.status, status) ? status : undefined,
    truncate: revisionsToTruncate(set, members, sorted, [currentName, updateName])
      .map((revision) => ({ kind: 'deleteRevision', revision })),
    currentRevision: currentName,
    updateRevision: updateName,
    collisionCount: revs.collisionCount,
    requeueAfterMs,
    waiting,
  };
}
