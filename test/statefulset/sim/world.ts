// A small, deterministic fake of the API for the StatefulSet simulation: one
// namespace, objects versioned by a global resourceVersion, a change log that
// lagging informer caches replay, optimistic concurrency, graceful pod
// deletion, claim protection (a claim in use is removed only once no pod uses
// it), a garbage collector for ownerReferences, and a fake kubelet that moves
// pods Pending -> Running -> Ready after random delays. Faults (conflicts,
// server errors, a controller killed after N writes) are injected here.
import type { Client, KObject, ObjectList, Watch } from '../../../src/client/types.js';
import type { ResourceKey } from '../../../src/api/resources.js';
import { alreadyExists, conflict, internalError, notFound, staleConflict, StatusError } from '../../../src/api/errors.js';
import type { Pod, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { EventType, Recorder } from '../../../src/controllers/events.js';

/** Keeps events in memory. */
export class MemoryRecorder implements Recorder {
  readonly events: { object: string; type: EventType; reason: string; message: string }[] = [];
  event(obj: KObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object: `${obj.kind}/${obj.metadata?.name}`, type, reason, message });
  }
}

export type Obj = KObject & { metadata: NonNullable<KObject['metadata']> };

export const NS = 'default';

export { mulberry32 as rng } from '../../helpers/prng.js';

interface LogEntry {
  rv: number;
  res: ResourceKey;
  name: string;
  obj?: Obj;
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
}

/** Thrown by the world when the simulated controller process dies mid-sync. */
export class ControllerKilled extends Error {}

const GR: Record<string, { group: string; resource: string }> = {
  pods: { group: '', resource: 'pods' },
  persistentvolumeclaims: { group: '', resource: 'persistentvolumeclaims' },
  'statefulsets.apps': { group: 'apps', resource: 'statefulsets' },
  'controllerrevisions.apps': { group: 'apps', resource: 'controllerrevisions' },
  events: { group: '', resource: 'events' },
};

export interface KubeletTiming {
  /** Pending -> Running (not Ready), ms. */
  startMs: [number, number];
  /** Running -> Ready, ms. */
  readyMs: [number, number];
  /** Graceful termination, ms. */
  terminateMs: [number, number];
}

export interface WorldFaults {
  conflictRate: number;
  errorRate: number;
}

export class World implements Client {
  now: number;
  rv = 1;
  private uidSeq = 0;
  readonly objects = new Map<ResourceKey, Map<string, Obj>>();
  readonly log: LogEntry[] = [];
  private timers: Timer[] = [];
  private timerSeq = 0;
  faults: WorldFaults = { conflictRate: 0, errorRate: 0 };
  /** Writes left before the controller "dies" (undefined: never). */
  killAfterWrites?: number;
  /** Claims the garbage collector deleted because their owner was gone. */
  readonly gcDeletedClaims: string[] = [];
  /** Observers of every mutation (for invariants). */
  /** Called before an API delete is performed. */
  beforeDelete?: (res: ResourceKey, name: string) => void;
  onChange?: (res: ResourceKey, before: Obj | undefined, after: Obj | undefined, by: 'api' | 'kubelet' | 'gc') => void;

  constructor(readonly random: () => number, readonly timing: KubeletTiming, start = Date.UTC(2025, 0, 1)) {
    this.now = start;
  }

  // -------------------------------------------------------------------------
  // Storage

  store(res: ResourceKey): Map<string, Obj> {
    let m = this.objects.get(res);
    if (!m) this.objects.set(res, (m = new Map()));
    return m;
  }

  peek<T = Obj>(res: ResourceKey, name: string): T | undefined {
    return this.store(res).get(name) as T | undefined;
  }

  all<T = Obj>(res: ResourceKey): T[] {
    return [...this.store(res).values()] as T[];
  }

  /** Writes a new version of an object (or removes it) and logs the change. */
  put(res: ResourceKey, name: string, obj: Obj | undefined, by: 'api' | 'kubelet' | 'gc' = 'api'): Obj | undefined {
    const before = this.store(res).get(name);
    const rv = ++this.rv;
    let stored: Obj | undefined;
    if (obj) {
      stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
      this.store(res).set(name, stored);
    } else {
      this.store(res).delete(name);
    }
    if (res !== 'events') this.log.push({ rv, res, name, obj: stored });
    this.onChange?.(res, before, stored, by);
    if (!stored && res === 'pods' && before) this.afterPodRemoved(before);
    if (stored && res === 'persistentvolumeclaims' && by === 'api') this.collectClaim(name);
    return stored;
  }

  isoNow(): string {
    return new Date(Math.floor(this.now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }

  private newUid(): string {
    return `uid-${++this.uidSeq}`;
  }

  private fault(res: ResourceKey, name: string, write: 'create' | 'update' | 'delete'): void {
    if (this.killAfterWrites !== undefined) {
      if (this.killAfterWrites <= 0) throw new ControllerKilled('controller killed');
      this.killAfterWrites--;
    }
    if (res === 'events') return;
    const r = this.random();
    if (r < this.faults.errorRate) throw internalError('injected fault');
    if (write === 'update' && r < this.faults.errorRate + this.faults.conflictRate) {
      throw staleConflict(GR[res] ?? { group: '', resource: res }, name);
    }
  }

  // -------------------------------------------------------------------------
  // Client

  async get<T extends KObject = KObject>(res: ResourceKey, _ns: string | undefined, name: string): Promise<T> {
    const o = this.peek(res, name);
    if (!o) throw notFound(GR[res] ?? { group: '', resource: res }, name);
    return o as unknown as T;
  }

  async list<T extends KObject = KObject>(res: ResourceKey): Promise<ObjectList<T>> {
    return { items: this.all(res) as unknown as T[], resourceVersion: String(this.rv) };
  }

  async create<T extends KObject = KObject>(res: ResourceKey, _ns: string | undefined, obj: T): Promise<T> {
    const name = obj.metadata?.name ?? '';
    this.fault(res, name, 'create');
    if (this.peek(res, name)) throw alreadyExists(GR[res] ?? { group: '', resource: res }, name);
    const o: Obj = {
      ...obj,
      metadata: { ...obj.metadata, namespace: NS, uid: this.newUid(), creationTimestamp: this.isoNow(), generation: 1 },
    };
    if (res === 'pods') o.status = { phase: 'Pending' } satisfies Pod['status'];
    if (res === 'persistentvolumeclaims') o.status = { phase: 'Bound' } satisfies PersistentVolumeClaim['status'];
    const stored = this.put(res, name, o)!;
    if (res === 'pods') this.kubeletStart(name, stored.metadata.uid!);
    return stored as unknown as T;
  }

  async update<T extends KObject = KObject>(res: ResourceKey, _ns: string | undefined, obj: T, opts: { subresource?: string } = {}): Promise<T> {
    const name = obj.metadata?.name ?? '';
    this.fault(res, name, 'update');
    const cur = this.peek(res, name);
    const gr = GR[res] ?? { group: '', resource: res };
    if (!cur) throw notFound(gr, name);
    if (obj.metadata?.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw staleConflict(gr, name);
    if (obj.metadata?.uid && obj.metadata.uid !== cur.metadata.uid) throw conflict(gr, name, 'uid mismatch');
    let next: Obj;
    if (opts.subresource === 'status') {
      next = { ...cur, status: obj.status };
    } else {
      next = {
        ...obj,
        metadata: {
          ...obj.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp,
          deletionTimestamp: cur.metadata.deletionTimestamp, generation: cur.metadata.generation,
        },
        status: cur.status,
      };
    }
    return this.put(res, name, next) as unknown as T;
  }

  async patch<T extends KObject = KObject>(): Promise<T> {
    throw new StatusError(405, 'MethodNotAllowed', 'patch is not simulated');
  }

  async delete<T extends KObject = KObject>(res: ResourceKey, _ns: string | undefined, name: string, opts: { preconditions?: { uid?: string } } = {}): Promise<T | undefined> {
    this.fault(res, name, 'delete');
    const cur = this.peek(res, name);
    const gr = GR[res] ?? { group: '', resource: res };
    if (!cur) throw notFound(gr, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) {
      throw conflict(gr, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    this.beforeDelete?.(res, name);
    return this.deleteObject(res, name, 'api') as unknown as T | undefined;
  }

  watch(): Watch {
    throw new Error('watch is not simulated; caches replay the change log');
  }

  /** Graceful deletion: pods terminate through the kubelet, claims wait until unused. */
  deleteObject(res: ResourceKey, name: string, by: 'api' | 'gc'): Obj | undefined {
    const cur = this.peek(res, name)!;
    if (res === 'pods') {
      if (cur.metadata.deletionTimestamp) return cur;
      const p = cur as Pod;
      const done = p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
      const stored = this.put(res, name, { ...cur, metadata: { ...cur.metadata, deletionTimestamp: this.isoNow() } }, by)!;
      const uid = cur.metadata.uid;
      this.after(done ? 0 : this.between(this.timing.terminateMs), () => {
        if (this.peek(res, name)?.metadata.uid === uid) this.put(res, name, undefined, 'kubelet');
      });
      return stored;
    }
    if (res === 'persistentvolumeclaims') {
      const stored = cur.metadata.deletionTimestamp
        ? cur
        : this.put(res, name, { ...cur, metadata: { ...cur.metadata, deletionTimestamp: this.isoNow() } }, by)!;
      this.releaseClaimIfUnused(name);
      return this.peek(res, name) ? stored : undefined;
    }
    this.put(res, name, undefined, by);
    return undefined;
  }

  private releaseClaimIfUnused(name: string): void {
    const claim = this.peek('persistentvolumeclaims', name);
    if (!claim?.metadata.deletionTimestamp) return;
    const used = this.all<Pod>('pods').some((p) => p.spec?.volumes?.some((v) => v.persistentVolumeClaim?.claimName === name));
    if (!used) this.put('persistentvolumeclaims', name, undefined, 'gc');
  }

  /** Garbage collection: a claim all of whose owners are gone is deleted. */
  private collectClaim(name: string): void {
    const c = this.peek('persistentvolumeclaims', name);
    const owners = c?.metadata.ownerReferences ?? [];
    if (!c || c.metadata.deletionTimestamp || !owners.length) return;
    const exists = (kind: string, uid: string) =>
      this.all(kind === 'StatefulSet' ? 'statefulsets.apps' : 'pods').some((o) => o.metadata.uid === uid);
    if (owners.some((r) => exists(r.kind, r.uid))) return;
    this.gcDeletedClaims.push(name);
    this.deleteObject('persistentvolumeclaims', name, 'gc');
  }

  private afterPodRemoved(pod: Obj): void {
    for (const c of this.all('persistentvolumeclaims')) this.collectClaim(c.metadata.name!);
    for (const v of (pod as Pod).spec?.volumes ?? []) {
      if (v.persistentVolumeClaim) this.releaseClaimIfUnused(v.persistentVolumeClaim.claimName);
    }
  }

  // -------------------------------------------------------------------------
  // Time and the fake kubelet

  between([lo, hi]: [number, number]): number {
    return Math.floor(lo + this.random() * (hi - lo + 1));
  }

  after(ms: number, fn: () => void): void {
    this.timers.push({ at: this.now + ms, seq: this.timerSeq++, fn });
  }

  nextTimerAt(): number | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best?.at;
  }

  /** Runs every timer due at or before `until`, in order, moving the clock. */
  advance(until: number): void {
    for (;;) {
      let idx = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const t = this.timers[i];
        if (t.at <= until && (idx < 0 || t.at < this.timers[idx].at || (t.at === this.timers[idx].at && t.seq < this.timers[idx].seq))) idx = i;
      }
      if (idx < 0) break;
      const [t] = this.timers.splice(idx, 1);
      this.now = Math.max(this.now, t.at);
      t.fn();
    }
    this.now = Math.max(this.now, until);
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  private livePod(name: string, uid: string): Pod | undefined {
    const p = this.peek<Pod>('pods', name);
    return p && p.metadata?.uid === uid && !p.metadata.deletionTimestamp ? p : undefined;
  }

  private setPodStatus(name: string, status: Pod['status']): void {
    const p = this.peek('pods', name)!;
    this.put('pods', name, { ...p, status }, 'kubelet');
  }

  private readyCondition(ready: boolean): NonNullable<Pod['status']>['conditions'] {
    return [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: this.isoNow() }];
  }

  /** Volumes mount only when every claim the pod uses exists and is not being deleted. */
  private volumesReady(p: Pod): boolean {
    return (p.spec?.volumes ?? []).every((v) => {
      if (!v.persistentVolumeClaim) return true;
      const c = this.peek('persistentvolumeclaims', v.persistentVolumeClaim.claimName);
      return !!c && !c.metadata.deletionTimestamp;
    });
  }

  private kubeletStart(name: string, uid: string, retry = false): void {
    this.after(retry ? 250 : this.between(this.timing.startMs), () => {
      const p = this.livePod(name, uid);
      if (!p || p.status?.phase !== 'Pending') return;
      if (!this.volumesReady(p)) {
        this.kubeletStart(name, uid, true);
        return;
      }
      this.setPodStatus(name, { phase: 'Running', conditions: this.readyCondition(false) });
      this.kubeletReady(name, uid);
    });
  }

  private kubeletReady(name: string, uid: string): void {
    this.after(this.between(this.timing.readyMs), () => {
      const p = this.livePod(name, uid);
      if (!p || p.status?.phase !== 'Running') return;
      this.setPodStatus(name, { phase: 'Running', conditions: this.readyCondition(true) });
    });
  }

  /** A container crash: the pod turns not Ready and recovers later. */
  crashContainer(name: string): void {
    const p = this.peek<Pod>('pods', name);
    if (!p || p.metadata?.deletionTimestamp || p.status?.phase !== 'Running') return;
    this.setPodStatus(name, { phase: 'Running', conditions: this.readyCondition(false) });
    this.kubeletReady(name, p.metadata!.uid!);
  }

  /** The pod fails for good (evicted, node lost): the controller must replace it. */
  failPod(name: string): void {
    const p = this.peek<Pod>('pods', name);
    if (!p || p.metadata?.deletionTimestamp || p.status?.phase === 'Failed') return;
    this.setPodStatus(name, { phase: 'Failed', conditions: this.readyCondition(false) });
  }
}

/** An informer cache replaying the world's change log up to a chosen resourceVersion. */
export class LaggingCache {
  readonly objects = new Map<string, Obj>();
  private cursor = 0;
  rv = 0;

  constructor(private readonly world: World, readonly res: ResourceKey) {}

  catchUp(toRv: number): void {
    const log = this.world.log;
    while (this.cursor < log.length && log[this.cursor].rv <= toRv) {
      const e = log[this.cursor++];
      if (e.res !== this.res) continue;
      if (e.obj) this.objects.set(e.name, e.obj);
      else this.objects.delete(e.name);
    }
    this.rv = Math.max(this.rv, Math.min(toRv, this.world.rv));
  }

  list<T>(): T[] {
    return [...this.objects.values()] as T[];
  }

  get<T>(name: string): T | undefined {
    return this.objects.get(name) as T | undefined;
  }
}
