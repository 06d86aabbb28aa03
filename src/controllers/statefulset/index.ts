// The StatefulSet controller: informers on StatefulSets, Pods, claims and
// ControllerRevisions; a work queue of set keys; per sync, adopt orphan
// revisions and pods that match the set (and release owned pods that no
// longer match), decide with planSync (control.ts), and perform the plan
// through the API (pod_control.ts). Expectations make each sync wait until
// the caches have seen the previous sync's writes.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isStatusError } from '../../api/errors.js';
import type { ResourceKey } from '../../api/resources.js';
import { fromLabelSelector, matchesLabels, type Selector } from '../../api/selectors.js';
import { Informer, cacheKey } from '../../client/informer.js';
import type { Client, KObject } from '../../client/types.js';
import { EventRecorder, type Recorder } from '../events.js';
import { WorkQueue } from '../workqueue.js';
import { planSync } from './control.js';
import { Expectations } from './expectations.js';
import { StatefulPodControl } from './pod_control.js';
import { controllerRef, controllerRefOf, isMemberOf, isRunningAndReady, parseOrdinal } from './utils.js';

export { planSync, type SyncInput } from './control.js';
export type { Action, SyncPlan } from './actions.js';
export { StatefulPodControl } from './pod_control.js';

type K<T> = T & KObject;

export interface StatefulSetControllerDeps {
  client: Client;
  clock?: { now(): Date };
  /** Events about sets; by default written through the API as `statefulset-controller`. */
  recorder?: Recorder;
  /** Concurrent syncs of different sets (Kubernetes' default is 5). */
  workers?: number;
  /** Re-examine every set this often (0 disables). */
  resyncMs?: number;
  /** The MaxUnavailableStatefulSet behaviour (default on, as in Kubernetes 1.35). */
  maxUnavailableStatefulSet?: boolean;
  /** Drop unmet expectations after this long. */
  expectationsTimeoutMs?: number;
  log?: (msg: string) => void;
}

export class StatefulSetController {
  private readonly client: Client;
  private readonly clock: { now(): Date };
  private readonly recorder: Recorder;
  private readonly log: (msg: string) => void;
  private readonly gate: boolean;
  private readonly sets: Informer<K<StatefulSet>>;
  private readonly pods: Informer<K<Pod>>;
  private readonly claims: Informer<K<PersistentVolumeClaim>>;
  private readonly revisions: Informer<K<ControllerRevision>>;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  /** ns/parent-name -> pod keys whose names are `<parent>-<ordinal>` (members and adoption candidates). */
  private readonly podsByParent = new Map<string, Set<string>>();
  /** Controller UID -> pod keys, to find owned pods whose names no longer parse as members. */
  private readonly podsByOwner = new Map<string, Set<string>>();
  /** Controller UID -> revision keys; revisions without a controller under ''. */
  private readonly revisionsByOwner = new Map<string, Set<string>>();
  private started = false;
  private syncs = 0;
  private syncMs = 0;

  constructor(deps: StatefulSetControllerDeps) {
    this.client = deps.client;
    this.clock = deps.clock ?? { now: () => new Date() };
    this.recorder = deps.recorder ?? new EventRecorder(this.client, { component: 'statefulset-controller' }, () => this.clock.now());
    this.log = deps.log ?? (() => {});
    this.gate = deps.maxUnavailableStatefulSet ?? true;
    this.sets = new Informer(this.client, 'statefulsets.apps', { resyncMs: deps.resyncMs ?? 300_000 });
    this.pods = new Informer(this.client, 'pods');
    this.claims = new Informer(this.client, 'persistentvolumeclaims');
    this.revisions = new Informer(this.client, 'controllerrevisions.apps');
    const caches = new Map<ResourceKey, Informer<K<KObject>>>([
      ['statefulsets.apps', this.sets], ['pods', this.pods], ['persistentvolumeclaims', this.claims],
      ['controllerrevisions.apps', this.revisions],
    ] as [ResourceKey, Informer<K<KObject>>][]);
    this.expectations = new Expectations((res) => caches.get(res), () => this.clock.now().getTime(), deps.expectationsTimeoutMs);
    this.queue = new WorkQueue((key) => this.sync(key), {
      workers: deps.workers ?? 5,
      onError: (key, err) => this.log(`statefulset ${key}: ${(err as Error).message ?? err}`),
    });
    this.wire();
  }

  async start(): Promise<void> {
    await Promise.all([this.sets.start(), this.pods.start(), this.claims.start(), this.revisions.start()]);
    this.started = true;
    for (const s of this.sets.list()) this.queue.add(cacheKey(s));
  }

  stop(): void {
    this.queue.stop();
    this.sets.stop();
    this.pods.stop();
    this.claims.stop();
    this.revisions.stop();
  }

  /** Syncs run so far and the wall time spent in them (benchmarks). */
  stats(): { syncs: number; syncMs: number } {
    return { syncs: this.syncs, syncMs: this.syncMs };
  }

  /** Resolves when no set is waiting to be synced (tests, benchmarks). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  // ------------------------------------------------------------ event wiring

  private enqueue(set: KObject): void {
    if (this.started) this.queue.add(cacheKey(set));
  }

  /** The set a controller reference points at, if it is a set we know with that UID. */
  private owner(ns: string | undefined, ref: OwnerReference | undefined): K<StatefulSet> | undefined {
    if (!ref || ref.kind !== 'StatefulSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const set = this.sets.get(ns, ref.name);
    return set && set.metadata?.uid === ref.uid ? set : undefined;
  }

  /** Sets in the namespace whose selector matches these labels (candidates to adopt an orphan). */
  private matchingSets(ns: string | undefined, labels: Record<string, string> | undefined): K<StatefulSet>[] {
    return this.sets.list(ns).filter((s) => {
      const sel = safeSelector(s);
      return !!sel && sel.length > 0 && matchesLabels(sel, labels);
    });
  }

  private enqueueOwnerOrMatches(obj: KObject): void {
    const ns = obj.metadata?.namespace;
    const ref = controllerRefOf(obj as { metadata?: { ownerReferences?: OwnerReference[] } });
    if (ref) {
      const set = this.owner(ns, ref);
      if (set) this.enqueue(set);
      return;
    }
    for (const s of this.matchingSets(ns, obj.metadata?.labels)) this.enqueue(s);
  }

  private wire(): void {
    // Indexes first, so every later handler and sync sees them current.
    this.pods.addHandlers({
      add: (p) => this.indexPod(p, true),
      update: (o, p) => { this.indexPod(o, false); this.indexPod(p, true); },
      delete: (p) => this.indexPod(p, false),
    });
    this.revisions.addHandlers({
      add: (r) => this.indexRevision(r, true),
      update: (o, r) => { this.indexRevision(o, false); this.indexRevision(r, true); },
      delete: (r) => this.indexRevision(r, false),
    });
    this.sets.addHandlers({
      add: (s) => this.enqueue(s),
      update: (_o, s) => this.enqueue(s),
      delete: (s) => {
        this.expectations.forget(cacheKey(s));
        this.enqueue(s);
      },
    });
    this.pods.addHandlers({
      add: (p) => this.enqueueOwnerOrMatches(p),
      update: (old, p) => {
        if (old.metadata?.resourceVersion === p.metadata?.resourceVersion) return;
        const ns = p.metadata?.namespace;
        const oldRef = controllerRefOf(old);
        const ref = controllerRefOf(p);
        if (oldRef && oldRef.uid !== ref?.uid) {
          const prev = this.owner(ns, oldRef);
          if (prev) this.enqueue(prev);
        }
        if (ref) {
          const set = this.owner(ns, ref);
          if (!set) return;
          this.enqueue(set);
          const mrs = set.spec?.minReadySeconds ?? 0;
          if (mrs > 0 && !isRunningAndReady(old) && isRunningAndReady(p)) this.queue.addAfter(cacheKey(set), mrs * 1000 + 1000);
          return;
        }
        if (oldRef || JSON.stringify(old.metadata?.labels) !== JSON.stringify(p.metadata?.labels)) {
          for (const s of this.matchingSets(ns, p.metadata?.labels)) this.enqueue(s);
        }
      },
      delete: (p) => {
        const set = this.owner(p.metadata?.namespace, controllerRefOf(p));
        if (set) this.enqueue(set);
      },
    });
    // Claims and revisions wake their sets too: a deleted stale claim unblocks a pod,
    // and both let expectations be met promptly.
    const wake = { add: (o: KObject) => this.enqueueOwnerOrMatches(o), update: (_o: KObject, o: KObject) => this.enqueueOwnerOrMatches(o), delete: (o: KObject) => this.enqueueOwnerOrMatches(o) };
    this.claims.addHandlers(wake);
    this.revisions.addHandlers(wake);
  }

  private indexPod(p: KObject, add: boolean): void {
    const key = cacheKey(p);
    const parent = parseOrdinal(p.metadata?.name ?? '').parent;
    if (parent) index(this.podsByParent, `${p.metadata?.namespace}/${parent}`, key, add);
    const ref = controllerRefOf(p as { metadata?: { ownerReferences?: OwnerReference[] } });
    if (ref) index(this.podsByOwner, ref.uid, key, add);
  }

  private indexRevision(r: KObject, add: boolean): void {
    const ref = controllerRefOf(r as { metadata?: { ownerReferences?: OwnerReference[] } });
    index(this.revisionsByOwner, ref?.uid ?? '', cacheKey(r), add);
  }

  /** Cached objects for keys of an index (skipping keys whose object is gone or moved). */
  private fromIndex<T extends KObject>(informer: Informer<T>, keys: Iterable<string>): T[] {
    const out: T[] = [];
    for (const key of keys) {
      const i = key.indexOf('/');
      const o = i < 0 ? informer.get(undefined, key) : informer.get(key.slice(0, i), key.slice(i + 1));
      if (o) out.push(o);
    }
    return out;
  }

  // ------------------------------------------------------------ sync

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const t0 = performance.now();
    try {
      return await this.syncSet(key);
    } finally {
      this.syncs++;
      this.syncMs += performance.now() - t0;
    }
  }

  private async syncSet(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const [ns, name] = key.includes('/') ? key.split('/') : [undefined, key];
    const set = this.sets.get(ns, name);
    if (!set) {
      this.expectations.forget(key);
      return;
    }
    if (!this.expectations.satisfied(key)) return { requeueAfterMs: 1000 };
    const selector = safeSelector(set);
    if (!selector) {
      this.log(`statefulset ${key}: invalid selector; not retrying`);
      return;
    }
    const revisions = await this.adoptRevisions(set, selector);
    const pods = await this.claimPods(set, selector);
    const plan = planSync({
      set,
      pods,
      claim: (n) => this.claims.get(ns, n),
      revisions,
      now: this.clock.now().getTime(),
      maxUnavailableStatefulSet: this.gate,
    });
    const control = new StatefulPodControl(this.client, this.recorder, {
      wrote: (res, obj, deleted) => {
        if (obj) this.expectations.wrote(key, res, obj.metadata?.resourceVersion);
        else if (deleted) this.expectations.deleted(key, res, deleted.namespace, deleted.name, deleted.uid);
      },
    });
    await control.execute(set, plan);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  /** Refuses to adopt if the set is being deleted or was replaced (checked against the API, not the cache). */
  private async canAdopt(set: K<StatefulSet>): Promise<boolean> {
    const fresh = await this.client.get<K<StatefulSet>>('statefulsets.apps', set.metadata?.namespace, set.metadata!.name!);
    return fresh.metadata?.uid === set.metadata?.uid && !fresh.metadata?.deletionTimestamp;
  }

  private async adopt<T extends KObject>(res: ResourceKey, set: K<StatefulSet>, obj: T): Promise<T | undefined> {
    const refs = obj.metadata?.ownerReferences;
    const ops = [
      { op: 'test', path: '/metadata/uid', value: obj.metadata?.uid },
      refs ? { op: 'add', path: '/metadata/ownerReferences/-', value: controllerRef(set) } : { op: 'add', path: '/metadata/ownerReferences', value: [controllerRef(set)] },
    ];
    try {
      const patched = await this.client.patch<T>(res, obj.metadata?.namespace, obj.metadata!.name!, 'json', ops);
      this.expectations.wrote(cacheKey(set), res, patched.metadata?.resourceVersion);
      return patched;
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  private async release(set: K<StatefulSet>, pod: K<Pod>): Promise<void> {
    const refs = pod.metadata?.ownerReferences ?? [];
    const i = refs.findIndex((r) => r.uid === set.metadata?.uid);
    if (i < 0) return;
    const ops = [
      { op: 'test', path: '/metadata/uid', value: pod.metadata?.uid },
      { op: 'test', path: `/metadata/ownerReferences/${i}/uid`, value: set.metadata?.uid },
      { op: 'remove', path: `/metadata/ownerReferences/${i}` },
    ];
    try {
      const patched = await this.client.patch<K<Pod>>('pods', pod.metadata?.namespace, pod.metadata!.name!, 'json', ops);
      this.expectations.wrote(cacheKey(set), 'pods', patched.metadata?.resourceVersion);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }

  /** Revisions of the set (owned, or orphans matching its selector, which are adopted). */
  private async adoptRevisions(set: K<StatefulSet>, selector: Selector): Promise<ControllerRevision[]> {
    const uid = set.metadata?.uid;
    const out: ControllerRevision[] = [];
    let checked: boolean | undefined;
    const keys = [...(this.revisionsByOwner.get(uid ?? '') ?? []), ...(this.revisionsByOwner.get('') ?? [])];
    for (const rev of this.fromIndex(this.revisions, keys)) {
      if (rev.metadata?.namespace !== set.metadata?.namespace || !matchesLabels(selector, rev.metadata?.labels)) continue;
      const ref = controllerRefOf(rev);
      if (ref) {
        if (ref.uid === uid) out.push(rev);
        continue;
      }
      checked ??= await this.canAdopt(set);
      if (!checked) continue;
      const adopted = await this.adopt('controllerrevisions.apps', set, rev);
      if (adopted) out.push(adopted);
    }
    return out;
  }

  /** The pods the set owns after adopting matching orphans and releasing owned pods that no longer match. */
  private async claimPods(set: K<StatefulSet>, selector: Selector): Promise<Pod[]> {
    const uid = set.metadata?.uid;
    const deleting = !!set.metadata?.deletionTimestamp;
    const owned: Pod[] = [];
    let checked: boolean | undefined;
    const keys = new Set([
      ...(this.podsByParent.get(`${set.metadata?.namespace}/${set.metadata?.name}`) ?? []),
      ...(this.podsByOwner.get(uid ?? '') ?? []),
    ]);
    for (const pod of this.fromIndex(this.pods, keys)) {
      if (pod.metadata?.namespace !== set.metadata?.namespace) continue;
      const match = matchesLabels(selector, pod.metadata?.labels) && isMemberOf(set, pod);
      const ref = controllerRefOf(pod);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (match) owned.push(pod);
        else if (!deleting) await this.release(set, pod);
        continue;
      }
      if (deleting || !match || pod.metadata?.deletionTimestamp) continue;
      checked ??= await this.canAdopt(set);
      if (!checked) continue;
      const adopted = await this.adopt('pods', set, pod);
      if (adopted) owned.push(adopted);
    }
    return owned;
  }
}

function index(m: Map<string, Set<string>>, k: string, key: string, add: boolean): void {
  let s = m.get(k);
  if (add) {
    if (!s) m.set(k, (s = new Set()));
    s.add(key);
  } else if (s) {
    s.delete(key);
    if (!s.size) m.delete(k);
  }
}

/** The set's selector, or undefined if it cannot be converted. An empty selector selects nothing here. */
function safeSelector(set: StatefulSet): Selector | undefined {
  try {
    const sel = fromLabelSelector(set.spec?.selector);
    return sel ?? undefined;
  } catch {
    return undefined;
  }
}
