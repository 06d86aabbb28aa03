// Performs a sync plan through the API: revisions, then claims and pods step
// by step, then the status (even after a failure), then history truncation.
// Records the Events Kubernetes' StatefulSet controller records, with its
// reasons and messages.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Client, KObject } from '../../client/types.js';

type K<T> = T & KObject;
const k = <T>(o: T): K<T> => o as K<T>;
import type { ResourceKey } from '../../api/resources.js';
import { isStatusError } from '../../api/errors.js';
import type { Action, SyncPlan } from './actions.js';
import type { Recorder } from '../events.js';
import { dataBytes } from './history.js';
import { getOrdinal, identityLabels, identityMatches, storageMatches, updatedVolumes } from './utils.js';

/** Several errors as one, printed as Go's utilerrors aggregate: the message alone, or `[a, b]`. */
export class AggregateError_ extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.length === 1 ? msg(errors[0]) : `[${errors.map(msg).join(', ')}]`);
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function aggregate(errors: unknown[]): unknown {
  return errors.length === 1 ? errors[0] : new AggregateError_(errors);
}

/** The template hash collided with a different revision of the same name. */
export class RevisionCollision extends Error {}

/** Called after each successful write, so the controller can expect to see it in its caches. */
export interface WriteObserver {
  wrote(res: ResourceKey, obj: KObject | undefined, deleted?: { namespace?: string; name: string; uid?: string }): void;
}

const UPDATE_RETRIES = 5;

export class StatefulPodControl {
  constructor(
    private readonly client: Client,
    private readonly recorder: Recorder,
    private readonly observer?: WriteObserver,
  ) {}

  /** Performs the plan; throws the first error(s) once status and truncation have been attempted. */
  async execute(set: StatefulSet, plan: SyncPlan): Promise<void> {
    const errors: unknown[] = [];
    let revisionsOk = true;
    try {
      for (const a of plan.revision) await this.perform(set, a);
    } catch (e) {
      revisionsOk = false;
      errors.push(e);
      if (e instanceof RevisionCollision) {
        const status = { ...(set.status ?? { replicas: 0 }), collisionCount: plan.collisionCount + 1 };
        await this.writeStatus(set, status).catch((err) => errors.push(err));
      }
    }
    if (revisionsOk) {
      for (const step of plan.steps) {
        const results = await Promise.allSettled(step.map((lane) => this.runLane(set, lane)));
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed.length) {
          errors.push(...failed.map((r) => r.reason));
          break;
        }
      }
      if (plan.status) await this.writeStatus(set, plan.status).catch((err) => errors.push(err));
    }
    try {
      for (const a of plan.truncate) await this.perform(set, a);
    } catch (e) {
      errors.push(e);
    }
    if (errors.length) throw aggregate(errors);
  }

  private async runLane(set: StatefulSet, lane: Action[]): Promise<void> {
    for (const a of lane) await this.perform(set, a);
  }

  async perform(set: StatefulSet, a: Action): Promise<void> {
    switch (a.kind) {
      case 'createRevision': return this.createRevision(a.revision);
      case 'bumpRevision': {
        const updated = await this.client.update<K<ControllerRevision>>('controllerrevisions.apps', a.revision.metadata?.namespace, k({ ...a.revision, revision: a.to }));
        this.observer?.wrote('controllerrevisions.apps', updated);
        return;
      }
      case 'deleteRevision': {
        const rev = a.revision.metadata!;
        try {
          await this.client.delete('controllerrevisions.apps', rev.namespace, rev.name!, { preconditions: { uid: rev.uid } });
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) throw e;
        }
        this.observer?.wrote('controllerrevisions.apps', undefined, { namespace: rev.namespace, name: rev.name!, uid: rev.uid });
        return;
      }
      case 'createPod': return this.createPod(set, a);
      case 'ensureClaims': {
        await this.createClaims(set, a.pod, a.createClaims, a.terminatingClaims);
        await this.fixClaims(set, a.pod, a.claimUpdates, a.conflictingClaims, true);
        return;
      }
      case 'updatePod': return this.updatePod(set, a);
      case 'updateClaims': return this.fixClaims(set, a.pod, a.claimUpdates, a.conflictingClaims, false);
      case 'deletePod': return this.deletePod(set, a.pod, a.why);
    }
  }

  private async createRevision(rev: ControllerRevision): Promise<void> {
    const ns = rev.metadata?.namespace;
    try {
      const created = await this.client.create<K<ControllerRevision>>('controllerrevisions.apps', ns, k(rev));
      this.observer?.wrote('controllerrevisions.apps', created);
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      const existing = await this.client.get<K<ControllerRevision>>('controllerrevisions.apps', ns, rev.metadata!.name!);
      if (dataBytes(existing) !== dataBytes(rev)) throw new RevisionCollision(`hash collision for ControllerRevision ${rev.metadata!.name}`);
    }
  }

  private podEvent(verb: 'create' | 'update' | 'delete', set: StatefulSet, pod: Pod, err?: unknown): void {
    const Verb = verb[0].toUpperCase() + verb.slice(1);
    const name = pod.metadata?.name;
    if (err === undefined) {
      this.recorder.event(set as KObject, 'Normal', `Successful${Verb}`, `${verb} Pod ${name} in StatefulSet ${set.metadata?.name} successful`);
    } else {
      this.recorder.event(set as KObject, 'Warning', `Failed${Verb}`, `${verb} Pod ${name} in StatefulSet ${set.metadata?.name} failed error: ${msg(err)}`);
    }
  }

  private claimEvent(set: StatefulSet, pod: Pod, claim: string, err?: unknown): void {
    const setName = set.metadata?.name;
    const podName = pod.metadata?.name;
    if (err === undefined) {
      this.recorder.event(set as KObject, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${podName} in StatefulSet ${setName} success`);
    } else {
      this.recorder.event(set as KObject, 'Warning', 'FailedCreate', `create Claim ${claim} for Pod ${podName} in StatefulSet ${setName} failed error: ${msg(err)}`);
    }
  }

  /** Creates missing claims; fails (after trying all) if any could not be created or is being deleted. */
  private async createClaims(set: StatefulSet, pod: Pod, claims: PersistentVolumeClaim[], terminating: string[]): Promise<void> {
    const errors: Error[] = [];
    for (const claim of claims) {
      const name = claim.metadata!.name!;
      try {
        const created = await this.client.create<K<PersistentVolumeClaim>>('persistentvolumeclaims', claim.metadata?.namespace, k(claim));
        this.observer?.wrote('persistentvolumeclaims', created);
        this.claimEvent(set, pod, name);
      } catch (e) {
        errors.push(new Error(`failed to create PVC ${name}: ${msg(e)}`));
        if (!isStatusError(e, 'AlreadyExists')) this.claimEvent(set, pod, name, e);
      }
    }
    for (const name of terminating) errors.push(new Error(`pvc ${name} is being deleted`));
    if (errors.length) throw aggregate(errors);
  }

  /** Rewrites claim ownerReferences for the retention policy; `podEventOnError` records FailedUpdate for the pod. */
  private async fixClaims(
    set: StatefulSet, pod: Pod, updates: PersistentVolumeClaim[], conflicting: string[], podEventOnError: boolean,
  ): Promise<void> {
    for (const name of conflicting) {
      this.recorder.event(set as KObject, 'Warning', 'ConflictingController',
        `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`);
    }
    for (const claim of updates) {
      try {
        const updated = await this.client.update<K<PersistentVolumeClaim>>('persistentvolumeclaims', claim.metadata?.namespace, k(claim));
        this.observer?.wrote('persistentvolumeclaims', updated);
      } catch (e) {
        const err = new Error(`could not update claim ${claim.metadata?.name} for delete policy ownerRefs: ${msg(e)}`);
        if (podEventOnError) this.podEvent('update', set, pod, err);
        throw err;
      }
    }
  }

  private async createPod(set: StatefulSet, a: Extract<Action, { kind: 'createPod' }>): Promise<void> {
    try {
      await this.createClaims(set, a.pod, a.createClaims, a.terminatingClaims);
    } catch (e) {
      this.podEvent('create', set, a.pod, e);
      throw e;
    }
    let created: Pod;
    try {
      created = await this.client.create<K<Pod>>('pods', a.pod.metadata?.namespace, k(a.pod));
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) this.podEvent('create', set, a.pod, e);
      throw e;
    }
    this.observer?.wrote('pods', k(created));
    await this.fixClaims(set, created, a.claimUpdates, a.conflictingClaims, true);
    this.podEvent('create', set, a.pod);
  }

  private async updatePod(set: StatefulSet, a: Extract<Action, { kind: 'updatePod' }>): Promise<void> {
    try {
      await this.createClaims(set, a.pod, a.createClaims, a.terminatingClaims);
      await this.fixClaims(set, a.pod, a.claimUpdates, a.conflictingClaims, false);
    } catch (e) {
      this.podEvent('update', set, a.pod, e);
      throw e;
    }
    let desired = a.desired;
    let err: unknown;
    for (let attempt = 0; desired && attempt < UPDATE_RETRIES; attempt++) {
      try {
        const updated = await this.client.update<K<Pod>>('pods', desired.metadata?.namespace, k(desired));
        this.observer?.wrote('pods', updated);
        err = undefined;
        break;
      } catch (e) {
        err = e;
        if (!isStatusError(e, 'Conflict')) break;
        try {
          const fresh = await this.client.get<K<Pod>>('pods', desired.metadata?.namespace, desired.metadata!.name!);
          desired = conform(set, fresh);
        } catch (getErr) {
          if (isStatusError(getErr, 'NotFound')) break;
        }
      }
    }
    this.podEvent('update', set, a.pod, err);
    if (err !== undefined) throw err;
  }

  private async deletePod(set: StatefulSet, pod: Pod, why: 'failed' | 'condemned' | 'update'): Promise<void> {
    const m = pod.metadata!;
    try {
      const res = await this.client.delete<K<Pod>>('pods', m.namespace, m.name!, { preconditions: { uid: m.uid } });
      this.observer?.wrote('pods', res, { namespace: m.namespace, name: m.name!, uid: m.uid });
      this.podEvent('delete', set, pod);
    } catch (e) {
      this.podEvent('delete', set, pod, e);
      if (why === 'update' && isStatusError(e, 'NotFound')) return;
      throw e;
    }
  }

  /** Writes the whole status through /status, retrying conflicts on a fresh copy of the set. */
  async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    let cur = set;
    for (let attempt = 0; ; attempt++) {
      const collisionCount = Math.max(status.collisionCount ?? 0, cur.status?.collisionCount ?? 0);
      try {
        const updated = await this.client.update<K<StatefulSet>>('statefulsets.apps', cur.metadata?.namespace,
          k({ ...cur, status: { ...status, collisionCount } }), { subresource: 'status' });
        this.observer?.wrote('statefulsets.apps', updated);
        return;
      } catch (e) {
        if (!isStatusError(e, 'Conflict') || attempt >= UPDATE_RETRIES) throw e;
        cur = await this.client.get<K<StatefulSet>>('statefulsets.apps', cur.metadata?.namespace, cur.metadata!.name!);
        if (cur.metadata?.uid !== set.metadata?.uid) throw e;
      }
    }
  }
}

/** A fresh copy of a member pod with the identity labels and claim volumes of the set. */
function conform(set: StatefulSet, pod: Pod): Pod {
  const ordinal = getOrdinal(pod);
  let out = pod;
  if (!identityMatches(set, out)) {
    out = { ...out, metadata: { ...out.metadata, labels: identityLabels(set, ordinal, out.metadata?.labels ?? {}) } };
  }
  if (!storageMatches(set, out)) out = { ...out, spec: { ...out.spec!, volumes: updatedVolumes(set, ordinal, out.spec?.volumes) } };
  return out;
}
