// Deterministic simulation of the StatefulSet controller. One seed = one
// random scenario: a set with random policy, strategy, partition, retention
// policy, claim templates and ordinals.start; then a phase of random steps
// (controller syncs on lagging caches, kubelet progress, scale and template
// changes, pod crashes and failures, API conflicts and errors, the controller
// killed mid-sync and restarted) with invariants checked on every decision
// and after every step; then a quiet phase that must converge.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { ResourceKey } from '../../../src/api/resources.js';
import type { KObject } from '../../../src/client/types.js';
import { planSync, maxUnavailableOf, type SyncInput } from '../../../src/controllers/statefulset/control.js';
import type { Action, SyncPlan } from '../../../src/controllers/statefulset/actions.js';
import { StatefulPodControl } from '../../../src/controllers/statefulset/pod_control.js';
import { newRevision, revisionData, goJSON, dataBytes } from '../../../src/controllers/statefulset/history.js';
import {
  POD_NAME_LABEL, controllerRefOf, getOrdinal, getPodRevision, isRunningAndAvailable, isRunningAndReady,
  isTerminating, parseOrdinal, podClaims, retentionPolicy, specReplicas, startOrdinal,
} from '../../../src/controllers/statefulset/utils.js';
import { ControllerKilled, LaggingCache, MemoryRecorder, NS, World, rng, type Obj } from './world.js';

export interface SimOptions {
  /** Random steps with faults. */
  steps?: number;
  /** Upper bound on quiet-phase iterations before declaring non-convergence. */
  convergeIterations?: number;
  /** Keep a trace of the steps (for reporting a failing seed). */
  trace?: boolean;
  /** The decision function under test (a deliberately broken one proves the invariants bite). */
  planner?: (input: SyncInput) => SyncPlan;
}

export interface SimResult {
  seed: number;
  violations: string[];
  scenario: string;
  syncs: number;
  podCreates: number;
  trace: string[];
}

const RES: ResourceKey[] = ['statefulsets.apps', 'pods', 'persistentvolumeclaims', 'controllerrevisions.apps'];
const IMAGES = ['nginx:1.25', 'nginx:1.26', 'nginx:1.27'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

function makeSet(r: () => number): StatefulSet {
  const policy = r() < 0.65 ? 'OrderedReady' : 'Parallel';
  const onDelete = r() < 0.12;
  const claims = r() < 0.15 ? 0 : r() < 0.85 ? 1 : 2;
  const ru = onDelete ? undefined : r() < 0.8 ? {
    partition: r() < 0.7 ? 0 : Math.floor(r() * 3),
    ...(r() < 0.5 ? {} : { maxUnavailable: pick(r, [1, 2, '50%'] as const) }),
  } : undefined;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: NS, uid: 'set-uid-1', generation: 1, creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: {
      replicas: Math.floor(r() * 5),
      selector: { matchLabels: { app: 'nginx' } },
      serviceName: 'nginx',
      podManagementPolicy: policy,
      updateStrategy: onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', ...(ru ? { rollingUpdate: ru as never } : {}) },
      minReadySeconds: r() < 0.6 ? 0 : 1 + Math.floor(r() * 3),
      revisionHistoryLimit: r() < 0.7 ? 10 : Math.floor(r() * 3),
      ...(r() < 0.2 ? { ordinals: { start: 1 + Math.floor(r() * 3) } } : {}),
      persistentVolumeClaimRetentionPolicy: { whenDeleted: pick(r, ['Retain', 'Delete']), whenScaled: pick(r, ['Retain', 'Delete']) },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{
            name: 'nginx', image: IMAGES[0], ports: [{ containerPort: 80, name: 'web' }],
            ...(claims ? { volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] } : {}),
          }],
        },
      },
      volumeClaimTemplates: ['www', 'logs'].slice(0, claims).map((name) => ({
        metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      })),
    },
  };
}

export async function simulate(seed: number, opts: SimOptions = {}): Promise<SimResult> {
  const r = rng(seed);
  const slow = r() < 0.3;
  const world = new World(rng(seed ^ 0x5bd1e995), {
    startMs: slow ? [100, 4000] : [0, 500],
    readyMs: slow ? [100, 6000] : [0, 800],
    terminateMs: r() < 0.3 ? [0, 0] : [0, 3000],
  });
  const gate = r() < 0.85;
  const lagProbability = r() < 0.3 ? 0 : 0.5;
  const set0 = makeSet(r);
  const scenario = `${set0.spec!.podManagementPolicy} ${set0.spec!.updateStrategy!.type}` +
    ` rollingUpdate=${JSON.stringify(set0.spec!.updateStrategy!.rollingUpdate ?? null)} replicas=${set0.spec!.replicas}` +
    ` start=${startOrdinal(set0)} claims=${set0.spec!.volumeClaimTemplates!.length} mrs=${set0.spec!.minReadySeconds}` +
    ` retention=${JSON.stringify(set0.spec!.persistentVolumeClaimRetentionPolicy)} gate=${gate} lag=${lagProbability} slow=${slow}`;
  world.put('statefulsets.apps', 'web', set0 as Obj);

  const violations: string[] = [];
  const trace: string[] = [];
  const log = (s: string) => { if (opts.trace) trace.push(`[t=${world.now - Date.UTC(2025, 0, 1)}] ${s}`); };
  const violate = (s: string) => { if (violations.length < 20) violations.push(`${s} (t=${world.now - Date.UTC(2025, 0, 1)}ms)`); };

  // Retention invariants hold only while the policy is unchanged.
  let policyChanged = false;
  const policy0 = retentionPolicy(set0);
  world.onChange = (res, _before, after) => {
    if (res !== 'persistentvolumeclaims' || !after || policyChanged) return;
    if (policy0.whenDeleted === 'Retain' && after.metadata.ownerReferences?.some((o) => o.kind === 'StatefulSet')) {
      violate(`claim ${after.metadata.name} got a StatefulSet ownerReference under whenDeleted=Retain`);
    }
    if (policy0.whenScaled === 'Retain' && after.metadata.ownerReferences?.some((o) => o.kind === 'Pod')) {
      violate(`claim ${after.metadata.name} got a Pod ownerReference under whenScaled=Retain`);
    }
  };

  // The controller: caches that lag, and "expectations" (a cache is never older than our own last write to it).
  let caches = new Map(RES.map((res) => [res, new LaggingCache(world, res)]));
  let minRv = new Map<ResourceKey, number>();
  const recorder = new MemoryRecorder();
  const observer = { wrote: (res: ResourceKey) => { minRv.set(res, world.rv); } };
  const control = new StatefulPodControl(world, recorder, observer);
  let syncs = 0;
  let podCreates = 0;

  const restart = () => {
    log('controller restart');
    // A restarted controller lists everything afresh before its first sync.
    caches = new Map(RES.map((res) => [res, new LaggingCache(world, res)]));
    minRv = new Map(RES.map((res) => [res, world.rv]));
  };

  const sync = async (fresh: boolean): Promise<SyncPlan | undefined> => {
    for (const c of caches.values()) {
      const lo = Math.max(c.rv, minRv.get(c.res) ?? 0);
      const target = fresh || r() >= lagProbability ? world.rv : lo + Math.floor(r() * (world.rv - lo + 1));
      c.catchUp(target);
    }
    const set = caches.get('statefulsets.apps')!.get<StatefulSet>('web');
    if (!set) return undefined;
    const uid = set.metadata?.uid;
    const pods = caches.get('pods')!.list<Pod>().filter((p) => controllerRefOf(p)?.uid === uid);
    const claims = caches.get('persistentvolumeclaims')!;
    const revisions = caches.get('controllerrevisions.apps')!.list<ControllerRevision>()
      .filter((rv) => !controllerRefOf(rv) || controllerRefOf(rv)?.uid === uid);
    const plan = (opts.planner ?? planSync)({ set, pods, claim: (n) => claims.get<PersistentVolumeClaim>(n), revisions, now: world.now, maxUnavailableStatefulSet: gate });
    syncs++;
    checkPlan(set, pods, plan, world, violate);
    log(`sync: ${describePlan(plan)}${plan.waiting ? ` (${plan.waiting})` : ''}`);
    podCreates += flat(plan).filter((a) => a.kind === 'createPod').length;
    guardClaimsOnUpdate(world, set, plan, violate);
    try {
      await control.execute(set, plan);
    } catch (e) {
      if (e instanceof ControllerKilled) restart();
      else log(`sync error: ${(e as Error).message}`);
      failedSync = true;
    }
    return plan;
  };
  let failedSync = false;

  // -------------------------------------------------------------------------
  // Phase 1: random steps with faults.
  const steps = opts.steps ?? 250;
  world.faults = { conflictRate: r() < 0.5 ? 0.05 : 0, errorRate: r() < 0.5 ? 0.03 : 0 };
  for (let i = 0; i < steps; i++) {
    const x = r();
    if (x < 0.45) {
      if (r() < 0.04) world.killAfterWrites = Math.floor(r() * 4);
      await sync(false);
      world.killAfterWrites = undefined;
    } else if (x < 0.78) {
      const t = world.nextTimerAt();
      world.advance(t !== undefined && r() < 0.8 ? t : world.now + Math.floor(r() * 1500));
    } else if (x < 0.9) {
      const change = userChange(world, r, log);
      if (change === 'policy') policyChanged = true;
    } else if (x < 0.98) {
      injectPodFault(world, r, log);
    } else {
      restart();
    }
    checkWorld(world, violate);
  }

  // -------------------------------------------------------------------------
  // Phase 2: quiet; must converge.
  world.faults = { conflictRate: 0, errorRate: 0 };
  world.killAfterWrites = undefined;
  // Failed pods never recover by themselves, and OrderedReady (as upstream) will
  // not scale down past two unhealthy condemned pods: the operator removes
  // failed pods that are out of range, as the documentation asks.
  const final = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
  for (const p of world.all<Pod>('pods')) {
    const o = getOrdinal(p);
    const inRange = o >= startOrdinal(final) && o < startOrdinal(final) + specReplicas(final);
    if (!inRange && p.status?.phase === 'Failed' && !isTerminating(p)) {
      log(`operator: delete failed condemned pod ${p.metadata?.name}`);
      world.deleteObject('pods', p.metadata!.name!, 'api');
    }
  }
  let converged = false;
  const maxIter = opts.convergeIterations ?? 3000;
  for (let i = 0; i < maxIter; i++) {
    failedSync = false;
    const plan = await sync(true);
    checkWorld(world, violate);
    const work = plan && (plan.revision.length || plan.steps.length || plan.status || plan.truncate.length);
    if (work && !failedSync) continue;
    const t = world.nextTimerAt();
    if (t !== undefined) {
      world.advance(t);
      continue;
    }
    if (plan?.requeueAfterMs || failedSync) {
      // Availability changes with time alone; a failed sync is retried after a backoff.
      world.advance(world.now + (plan?.requeueAfterMs ?? 1000));
      continue;
    }
    converged = true;
    break;
  }
  if (!converged) violate('did not converge once faults stopped');
  else checkConverged(world, gate, violate, policyChanged);
  return { seed, violations, scenario, syncs, podCreates, trace };
}

function flat(plan: SyncPlan): Action[] {
  return plan.steps.flat(2);
}

function describePlan(plan: SyncPlan): string {
  const parts = [...plan.revision, ...flat(plan), ...plan.truncate].map((a) => {
    switch (a.kind) {
      case 'createRevision': return `+rev ${a.revision.metadata?.name}`;
      case 'bumpRevision': return `rev ${a.revision.metadata?.name}->${a.to}`;
      case 'deleteRevision': return `-rev ${a.revision.metadata?.name}`;
      case 'createPod': return `+${a.pod.metadata?.name}@${getPodRevision(a.pod)}`;
      case 'deletePod': return `-${a.pod.metadata?.name}(${a.why})`;
      default: return `${a.kind} ${a.pod.metadata?.name}`;
    }
  });
  if (plan.status) parts.push(`status r=${plan.status.replicas} ready=${plan.status.readyReplicas ?? 0} cur=${plan.status.currentRevision} upd=${plan.status.updateRevision}`);
  return parts.join(', ') || 'nothing';
}

/** Invariants of one decision, against the snapshot it was made from and the true world. */
function checkPlan(set: StatefulSet, pods: Pod[], plan: SyncPlan, world: World, violate: (s: string) => void): void {
  const start = startOrdinal(set);
  const end = start + specReplicas(set) - 1;
  const mrs = set.spec?.minReadySeconds ?? 0;
  const byOrdinal = new Map(pods.filter((p) => parseOrdinal(p.metadata!.name!).parent === 'web').map((p) => [getOrdinal(p), p]));
  const healthy = (p: Pod | undefined) => !!p && isRunningAndReady(p) && isRunningAndAvailable(p, mrs, world.now) && !isTerminating(p);
  const ordered = set.spec?.podManagementPolicy !== 'Parallel';
  const actions = flat(plan);
  const creates = actions.filter((a): a is Extract<Action, { kind: 'createPod' }> => a.kind === 'createPod');
  const deletes = actions.filter((a): a is Extract<Action, { kind: 'deletePod' }> => a.kind === 'deletePod');

  for (const c of creates) {
    const name = c.pod.metadata!.name!;
    if (world.peek('pods', name)) violate(`created ${name} while a pod with that name still exists`);
    if (c.pod.spec?.hostname !== name || c.pod.spec?.subdomain !== set.spec?.serviceName) violate(`${name} created without its hostname/subdomain`);
  }
  if (ordered) {
    if (creates.length > 1) violate(`OrderedReady created ${creates.length} pods in one sync`);
    for (const c of creates) {
      const o = getOrdinal(c.pod);
      for (let j = start; j < o; j++) {
        if (!healthy(byOrdinal.get(j))) violate(`OrderedReady created web-${o} while web-${j} was not Running, Ready and available`);
      }
    }
    const condemned = deletes.filter((d) => d.why === 'condemned');
    if (condemned.length > 1) violate(`OrderedReady deleted ${condemned.length} condemned pods in one sync`);
    for (const d of condemned) {
      const o = getOrdinal(d.pod);
      for (let j = start; j <= end; j++) if (!healthy(byOrdinal.get(j))) violate(`scale-down of web-${o} while web-${j} unhealthy`);
      for (const p of world.all<Pod>('pods')) {
        const po = getOrdinal(p);
        if (po > o && (po < start || po > end)) violate(`scale-down deleted web-${o} before higher ordinal ${p.metadata?.name}`);
      }
    }
    const updates = deletes.filter((d) => d.why === 'update');
    if (updates.length) for (let j = start; j <= end; j++) if (!healthy(byOrdinal.get(j))) violate(`rolling update deleted a pod while web-${j} unhealthy`);
  }
  const updates = deletes.filter((d) => d.why === 'update');
  if (updates.length && set.spec?.updateStrategy?.type === 'OnDelete') violate('OnDelete set had pods deleted for update');
  if (updates.length > maxUnavailableOf(set, specReplicas(set))) violate(`rolling update deleted ${updates.length} pods at once`);
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (const d of updates) {
    const name = d.pod.metadata!.name!;
    if (getOrdinal(d.pod) < start + partition) violate(`rolling update deleted ${name} below the partition`);
    if (getPodRevision(d.pod) === plan.updateRevision) violate(`rolling update deleted ${name} already at the update revision`);
  }
}

/** When the controller deletes a pod for an update, none of its claims may be owned by it (they would go too). */
function guardClaimsOnUpdate(world: World, set: StatefulSet, plan: SyncPlan, violate: (s: string) => void): void {
  const updates = new Map(flat(plan).filter((a): a is Extract<Action, { kind: 'deletePod' }> => a.kind === 'deletePod' && a.why === 'update')
    .map((a) => [a.pod.metadata!.name!, a.pod]));
  world.beforeDelete = (res, name) => {
    const pod = res === 'pods' ? updates.get(name) : undefined;
    if (!pod) return;
    for (const c of podClaims(set, getOrdinal(pod))) {
      const claim = world.peek('persistentvolumeclaims', c.metadata!.name!);
      if (claim?.metadata.ownerReferences?.some((ref) => ref.uid === pod.metadata?.uid)) {
        violate(`rolling update deleted ${name} while its claim ${c.metadata!.name} was owned by it`);
      }
    }
  };
}

/** Invariants of the true world after every step. */
function checkWorld(world: World, violate: (s: string) => void): void {
  const seen = new Set<number>();
  for (const p of world.all<Pod>('pods')) {
    const o = getOrdinal(p);
    if (seen.has(o)) violate(`two pods with ordinal ${o}`);
    seen.add(o);
    if (p.metadata?.labels?.[POD_NAME_LABEL] !== p.metadata?.name) violate(`${p.metadata?.name} lacks its pod-name label`);
  }
}

function checkConverged(world: World, gate: boolean, violate: (s: string) => void, policyChanged: boolean): void {
  const set = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
  const start = startOrdinal(set);
  const n = specReplicas(set);
  const pods = world.all<Pod>('pods');
  const ordinals = pods.map(getOrdinal).sort((a, b) => a - b);
  const want = Array.from({ length: n }, (_, i) => start + i);
  if (JSON.stringify(ordinals) !== JSON.stringify(want)) violate(`converged with ordinals ${JSON.stringify(ordinals)}, want ${JSON.stringify(want)}`);
  for (const p of pods) {
    if (isTerminating(p) || !isRunningAndReady(p)) violate(`converged with ${p.metadata?.name} not Running and Ready`);
    for (const v of p.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim && !world.peek('persistentvolumeclaims', v.persistentVolumeClaim.claimName)) {
        violate(`${p.metadata?.name} has no claim ${v.persistentVolumeClaim.claimName}`);
      }
    }
  }
  const st = set.status ?? { replicas: 0 };
  if (st.replicas !== n || (st.readyReplicas ?? 0) !== n || (st.availableReplicas ?? 0) !== n) {
    violate(`status ${JSON.stringify(st)} for ${n} replicas`);
  }
  if ((st.observedGeneration ?? 0) !== set.metadata?.generation) violate('status.observedGeneration is stale');
  const expected = newRevision(set, 0, st.collisionCount ?? 0);
  const revs = world.all<ControllerRevision>('controllerrevisions.apps');
  const update = revs.find((rv) => dataBytes(rv) === goJSON(revisionData(set)));
  if (!update) violate('no revision for the current template');
  else if (st.updateRevision !== update.metadata?.name) violate(`updateRevision ${st.updateRevision}, want ${update.metadata?.name}`);
  void expected;
  if (set.spec?.updateStrategy?.type !== 'OnDelete') {
    const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (const p of pods) {
      if (getOrdinal(p) >= start + partition && getPodRevision(p) !== st.updateRevision) {
        violate(`${p.metadata?.name} at ${getPodRevision(p)} after the rolling update to ${st.updateRevision}`);
      }
    }
    if (partition === 0 && st.currentRevision !== st.updateRevision) violate('currentRevision did not reach updateRevision');
  }
  const live = new Set([st.currentRevision, st.updateRevision, ...pods.map(getPodRevision)]);
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  const history = revs.filter((rv) => !live.has(rv.metadata?.name));
  if (history.length > limit) violate(`${history.length} old revisions kept, limit ${limit}`);
  if (!policyChanged && retentionPolicy(set).whenScaled === 'Retain' && world.gcDeletedClaims.length) {
    violate(`claims ${world.gcDeletedClaims.join(',')} deleted under whenScaled=Retain`);
  }
  void gate;
}

function bump(world: World, mutate: (s: StatefulSet) => StatefulSet, generation = true): void {
  const cur = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
  const next = mutate(structuredClone(cur));
  if (generation) next.metadata = { ...next.metadata, generation: (cur.metadata?.generation ?? 1) + 1 };
  world.put('statefulsets.apps', 'web', next as KObject as Obj);
}

/** A user's change: scale, new image, partition, maxUnavailable, pod or claim deletion, retention policy. */
function userChange(world: World, r: () => number, log: (s: string) => void): string {
  const x = r();
  const pods = world.all<Pod>('pods').filter((p) => !isTerminating(p));
  if (x < 0.3) {
    const n = Math.floor(r() * 6);
    log(`user: scale to ${n}`);
    bump(world, (s) => ({ ...s, spec: { ...s.spec!, replicas: n } }));
    return 'scale';
  }
  if (x < 0.55) {
    const image = pick(r, IMAGES);
    log(`user: image ${image}`);
    bump(world, (s) => {
      s.spec!.template.spec!.containers[0].image = image;
      return s;
    });
    return 'image';
  }
  if (x < 0.65) {
    const s = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
    if (s.spec?.updateStrategy?.type === 'OnDelete') return 'none';
    const partition = Math.floor(r() * 4);
    log(`user: partition ${partition}`);
    bump(world, (st) => {
      st.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { ...(st.spec!.updateStrategy?.rollingUpdate ?? {}), partition } };
      return st;
    });
    return 'partition';
  }
  if (x < 0.85) {
    if (!pods.length) return 'none';
    const p = pick(r, pods);
    log(`user: delete pod ${p.metadata?.name}`);
    world.deleteObject('pods', p.metadata!.name!, 'api');
    return 'deletePod';
  }
  if (x < 0.95) {
    // Deleting a claim in use: the user also deletes the pod, as the docs ask.
    const claims = world.all<PersistentVolumeClaim>('persistentvolumeclaims').filter((c) => !c.metadata?.deletionTimestamp);
    if (!claims.length) return 'none';
    const c = pick(r, claims);
    log(`user: delete claim ${c.metadata?.name} and its pod`);
    world.deleteObject('persistentvolumeclaims', c.metadata!.name!, 'api');
    const user = world.all<Pod>('pods').find((p) => p.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === c.metadata?.name));
    if (user) world.deleteObject('pods', user.metadata!.name!, 'api');
    return 'deleteClaim';
  }
  const whenDeleted = pick(r, ['Retain', 'Delete']);
  const whenScaled = pick(r, ['Retain', 'Delete']);
  log(`user: retention ${whenDeleted}/${whenScaled}`);
  bump(world, (s) => ({ ...s, spec: { ...s.spec!, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } } }));
  return 'policy';
}

function injectPodFault(world: World, r: () => number, log: (s: string) => void): void {
  const pods = world.all<Pod>('pods').filter((p) => !isTerminating(p));
  if (!pods.length) return;
  const p = pick(r, pods);
  if (r() < 0.7) {
    log(`fault: container crash in ${p.metadata?.name}`);
    world.crashContainer(p.metadata!.name!);
  } else {
    log(`fault: ${p.metadata?.name} failed`);
    world.failPod(p.metadata!.name!);
  }
}
