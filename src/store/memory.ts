// The in-memory store: the current state in a sorted index, recent history in
// a ring for watches. The SQLite store is this plus a durable log underneath.
import { StoreError, type KeyValue, type RangeResult, type Store, type StoreEvent, type StoreWatch } from './types.js';

interface Watcher {
  prefix: string;
  onEvent: (ev: StoreEvent) => void;
}

export interface MemoryStoreOptions {
  /** How many recent events watches can replay (the watch cache window). */
  historySize?: number;
}

export class MemoryStore implements Store {
  protected readonly data = new Map<string, KeyValue>();
  /** Keys in sorted order, rebuilt lazily after inserts/deletes. */
  private sortedKeys: string[] | null = null;
  protected rev = 0;
  protected compacted = 0;
  private readonly history: StoreEvent[] = [];
  private historyStart = 0; // index of the oldest retained event in `history` (ring as array with head)
  private readonly historySize: number;
  private readonly watchers = new Set<Watcher>();

  constructor(opts: MemoryStoreOptions = {}) {
    this.historySize = opts.historySize ?? 20000;
  }

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  get(key: string): KeyValue | undefined {
    return this.data.get(key);
  }

  range(prefix: string, opts: { startKey?: string; limit?: number } = {}): RangeResult {
    const keys = this.keys();
    let i = lowerBound(keys, opts.startKey && opts.startKey > prefix ? opts.startKey : prefix);
    const items: KeyValue[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    for (; i < keys.length && keys[i].startsWith(prefix); i++) {
      if (items.length >= limit) return { items, revision: this.rev, more: true };
      items.push(this.data.get(keys[i])!);
    }
    return { items, revision: this.rev, more: false };
  }

  count(prefix: string): number {
    const keys = this.keys();
    let n = 0;
    for (let i = lowerBound(keys, prefix); i < keys.length && keys[i].startsWith(prefix); i++) n++;
    return n;
  }

  create(key: string, value: string): number {
    if (this.data.has(key)) throw new StoreError('KeyExists', `key exists: ${key}`);
    const revision = this.rev + 1;
    this.persist({ type: 'put', key, value, createRevision: revision, revision });
    return revision;
  }

  update(key: string, value: string, expectedModRevision?: number): number {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    if (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision) {
      throw new StoreError('Conflict', `revision mismatch on ${key}`, cur.modRevision);
    }
    const revision = this.rev + 1;
    this.persist({ type: 'put', key, value, prevValue: cur.value, createRevision: cur.createRevision, revision });
    return revision;
  }

  delete(key: string, expectedModRevision?: number): number {
    const cur = this.data.get(key);
    if (!cur) throw new StoreError('KeyNotFound', `key not found: ${key}`);
    if (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision) {
      throw new StoreError('Conflict', `revision mismatch on ${key}`, cur.modRevision);
    }
    const revision = this.rev + 1;
    this.persist({ type: 'delete', key, value: cur.value, prevValue: cur.value, createRevision: cur.createRevision, revision });
    return revision;
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): StoreWatch {
    const oldest = this.oldestRetained();
    if (fromRevision < this.rev && fromRevision < oldest - 1) {
      throw new StoreError('Compacted', `required revision ${fromRevision + 1} has been compacted`, oldest);
    }
    // Replay retained history after fromRevision, then go live. Both happen
    // synchronously here, so no event can slip between them.
    for (let i = this.historyStart; i < this.history.length; i++) {
      const ev = this.history[i];
      if (ev.revision > fromRevision && ev.key.startsWith(prefix)) onEvent(ev);
    }
    const w: Watcher = { prefix, onEvent };
    this.watchers.add(w);
    return { cancel: () => this.watchers.delete(w) };
  }

  compact(revision: number): void {
    if (revision <= this.compacted) return;
    this.compacted = Math.min(revision, this.rev);
    while (this.historyStart < this.history.length && this.history[this.historyStart].revision <= this.compacted) this.historyStart++;
    this.trimHistory();
  }

  close(): void {
    this.watchers.clear();
  }

  /** Applies an event to the in-memory state; durable stores write it first. */
  protected persist(ev: StoreEvent): void {
    this.applyEvent(ev);
  }

  protected applyEvent(ev: StoreEvent, notify = true): void {
    this.rev = ev.revision;
    if (ev.type === 'put') {
      if (!this.data.has(ev.key) && this.sortedKeys) this.sortedKeys.splice(lowerBound(this.sortedKeys, ev.key), 0, ev.key);
      this.data.set(ev.key, { key: ev.key, value: ev.value, createRevision: ev.createRevision, modRevision: ev.revision });
    } else {
      if (this.data.delete(ev.key) && this.sortedKeys) {
        const i = lowerBound(this.sortedKeys, ev.key);
        if (this.sortedKeys[i] === ev.key) this.sortedKeys.splice(i, 1);
      }
    }
    this.history.push(ev);
    this.trimHistory();
    if (!notify) return;
    for (const w of this.watchers) {
      if (ev.key.startsWith(w.prefix)) {
        try {
          w.onEvent(ev);
        } catch (e) {
          console.error('store watcher failed:', e);
        }
      }
    }
  }

  /** Restores history (after a restart) without notifying anyone. */
  protected seedHistory(events: StoreEvent[], compacted: number): void {
    this.history.length = 0;
    this.historyStart = 0;
    this.history.push(...events);
    this.compacted = compacted;
  }

  private oldestRetained(): number {
    return this.historyStart < this.history.length ? this.history[this.historyStart].revision : this.rev + 1;
  }

  private trimHistory(): void {
    const live = this.history.length - this.historyStart;
    if (live > this.historySize) {
      this.historyStart += live - this.historySize;
      const dropped = this.history[this.historyStart - 1];
      if (dropped) this.compacted = Math.max(this.compacted, dropped.revision);
    }
    // Reclaim the array's head now and then instead of shifting per event.
    if (this.historyStart > 4096 && this.historyStart > this.history.length / 2) {
      this.history.splice(0, this.historyStart);
      this.historyStart = 0;
    }
  }

  private keys(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.data.keys()].sort();
    return this.sortedKeys;
  }
}

function lowerBound(arr: string[], target: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
