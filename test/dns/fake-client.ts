// A minimal in-memory Client for DNS tests: list and watch over objects the
// test puts and removes; every change is delivered to watchers at once.
import type { Client, KObject, ObjectList, Watch, WatchEvent } from '../../src/client/types.js';
import type { ResourceKey } from '../../src/api/resources.js';

type Handler = (ev: WatchEvent) => void;

export class FakeClient implements Client {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KObject>>();
  private readonly watchers = new Map<string, Set<Handler>>();
  /** While true, list() never resolves: the informers stay unsynced. */
  holdLists = false;
  private held: (() => void)[] = [];

  private bucket(res: string): Map<string, KObject> {
    let m = this.objects.get(res);
    if (!m) this.objects.set(res, (m = new Map()));
    return m;
  }

  put<T extends object>(res: ResourceKey, obj: T): T {
    const o = structuredClone(obj) as KObject;
    o.metadata = { ...(o.metadata ?? {}), resourceVersion: String(++this.rv) };
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const m = this.bucket(res);
    const type = m.has(key) ? 'MODIFIED' : 'ADDED';
    m.set(key, o);
    for (const h of this.watchers.get(res) ?? []) h({ type, object: structuredClone(o) });
    return o as T;
  }

  remove(res: ResourceKey, namespace: string | undefined, name: string): void {
    const key = `${namespace ?? ''}/${name}`;
    const m = this.bucket(res);
    const o = m.get(key);
    if (!o) return;
    m.delete(key);
    o.metadata = { ...o.metadata, resourceVersion: String(++this.rv) };
    for (const h of this.watchers.get(res) ?? []) h({ type: 'DELETED', object: structuredClone(o) });
  }

  release(): void {
    this.holdLists = false;
    for (const r of this.held.splice(0)) r();
  }

  async list<T extends KObject = KObject>(res: ResourceKey, namespace?: string): Promise<ObjectList<T>> {
    if (this.holdLists) await new Promise<void>((r) => this.held.push(r));
    const items = [...this.bucket(res).values()]
      .filter((o) => !namespace || o.metadata?.namespace === namespace)
      .map((o) => structuredClone(o) as T);
    return { items, resourceVersion: String(this.rv) };
  }

  watch<T extends KObject = KObject>(res: ResourceKey, _ns: string | undefined, _opts: unknown, onEvent: (ev: WatchEvent<T>) => void): Watch {
    let s = this.watchers.get(res);
    if (!s) this.watchers.set(res, (s = new Set()));
    const h = onEvent as Handler;
    s.add(h);
    return { stop: () => s!.delete(h) };
  }

  get(): never { throw new Error('not implemented'); }
  create(): never { throw new Error('not implemented'); }
  update(): never { throw new Error('not implemented'); }
  patch(): never { throw new Error('not implemented'); }
  delete(): never { throw new Error('not implemented'); }
}
