// An informer keeps an in-memory cache of one resource current through
// list + watch, and tells handlers what changed. It relists when the watch
// ends or reports 410 Gone, and emits a periodic resync so level-triggered
// controllers re-examine everything now and then.
import type { Client, KObject, Watch, WatchEvent } from './types.js';
import type { ResourceKey } from '../api/resources.js';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Calls update(obj, obj) for every cached object this often; 0 disables. */
  resyncMs?: number;
  /** Delay before relisting after a failed list or a broken watch. */
  retryMs?: number;
}

export function cacheKey(obj: KObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

export class Informer<T extends KObject = KObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private watch?: Watch;
  private resyncTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private lastRV = '';

  constructor(
    private readonly client: Client,
    readonly resource: ResourceKey,
    private readonly opts: InformerOptions = {},
  ) {}

  addHandlers(h: InformerHandlers<T>): this {
    this.handlers.push(h);
    // A handler added after sync sees the current state as adds.
    if (this.synced) for (const o of this.cache.values()) h.add?.(o);
    return this;
  }

  /** Starts list + watch; resolves once the first list has been delivered. */
  start(): Promise<void> {
    this.stopped = false;
    void this.relist();
    return this.waitForSync();
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.watch = undefined;
    clearInterval(this.resyncTimer);
    clearTimeout(this.retryTimer);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): T[] {
    const out: T[] = [];
    for (const o of this.cache.values()) if (!namespace || o.metadata?.namespace === namespace) out.push(o);
    return out;
  }

  /** The resourceVersion the cache reflects. */
  resourceVersion(): string {
    return this.lastRV;
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    this.watch?.stop();
    this.watch = undefined;
    let list;
    try {
      list = await this.client.list<T>(this.resource, this.opts.namespace, {
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      });
    } catch {
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    const seen = new Set<string>();
    for (const obj of list.items) {
      const k = cacheKey(obj);
      seen.add(k);
      const old = this.cache.get(k);
      this.cache.set(k, obj);
      if (!old) this.emit('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('update', obj, old);
    }
    for (const [k, old] of [...this.cache]) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        this.emit('delete', old);
      }
    }
    this.lastRV = list.resourceVersion;
    this.startWatch(list.resourceVersion);
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters.splice(0)) w();
      if (this.opts.resyncMs) this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
    }
  }

  private startWatch(fromRV: string): void {
    let ended = false;
    const w = this.client.watch<T>(this.resource, this.opts.namespace, {
      resourceVersion: fromRV,
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
    }, (ev: WatchEvent<T>) => {
      if (ended || this.stopped) return;
      if (ev.type === 'ERROR') {
        ended = true;
        w.stop();
        this.retryLater(0);
        return;
      }
      if (ev.type === 'BOOKMARK') {
        this.lastRV = ev.object.metadata?.resourceVersion ?? this.lastRV;
        return;
      }
      this.apply(ev);
    });
    this.watch = w;
  }

  private apply(ev: WatchEvent<T>): void {
    const obj = ev.object;
    const k = cacheKey(obj);
    this.lastRV = obj.metadata?.resourceVersion ?? this.lastRV;
    const old = this.cache.get(k);
    if (ev.type === 'DELETED') {
      this.cache.delete(k);
      this.emit('delete', old ?? obj);
      return;
    }
    this.cache.set(k, obj);
    if (old) this.emit('update', obj, old);
    else this.emit('add', obj);
  }

  private resync(): void {
    for (const o of this.cache.values()) this.emit('update', o, o);
  }

  private retryLater(ms = this.opts.retryMs ?? 1000): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.relist(), ms);
    this.retryTimer.unref?.();
  }

  private emit(kind: 'add' | 'update' | 'delete', obj: T, old?: T): void {
    for (const h of this.handlers) {
      try {
        if (kind === 'add') h.add?.(obj);
        else if (kind === 'update') h.update?.(old as T, obj);
        else h.delete?.(obj);
      } catch (e) {
        // A handler bug must not stop the cache from staying current.
        console.error(`informer ${this.resource}: handler failed:`, e);
      }
    }
  }
}
