// Expectations: after a sync writes, the next sync of that set waits until the
// informer caches have seen those writes. Decisions are then never made from a
// cache older than the controller's own last actions (a pod it just created,
// deleted or relabelled), so a lagging watch cannot make it act twice or act
// out of order. Resource versions are one global sequence (as etcd's), so "the
// cache has seen my write" is "the cache's resourceVersion is at least the
// write's". An expectation that is not met in time is dropped.
import type { ResourceKey } from '../../api/resources.js';

export interface CacheView {
  /** The resourceVersion up to which the cache is current. */
  resourceVersion(): string;
  /** The cached object with this name, if any. */
  get(namespace: string | undefined, name: string): { metadata?: { uid?: string; deletionTimestamp?: string } } | undefined;
}

interface Pending {
  /** Minimum cache resourceVersion per resource. */
  versions: Map<ResourceKey, number>;
  /** Objects that must be gone (or terminating) from a cache: deleted objects the API no longer returned. */
  gone: { res: ResourceKey; namespace?: string; name: string; uid?: string }[];
  since: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly caches: (res: ResourceKey) => CacheView | undefined,
    private readonly now: () => number,
    private readonly timeoutMs = 30_000,
  ) {}

  private entry(key: string): Pending {
    let p = this.pending.get(key);
    if (!p) this.pending.set(key, (p = { versions: new Map(), gone: [], since: this.now() }));
    return p;
  }

  /** The set `key` wrote an object of `res` at resourceVersion `rv`. */
  wrote(key: string, res: ResourceKey, rv: string | undefined): void {
    const n = Number(rv);
    if (!rv || !Number.isFinite(n) || !this.caches(res)) return;
    const p = this.entry(key);
    p.versions.set(res, Math.max(p.versions.get(res) ?? 0, n));
  }

  /** The set `key` deleted an object that is already gone from the API. */
  deleted(key: string, res: ResourceKey, namespace: string | undefined, name: string, uid?: string): void {
    if (!this.caches(res)) return;
    this.entry(key).gone.push({ res, namespace, name, uid });
  }

  /** True when every cache has caught up with the set's writes (or they timed out). */
  satisfied(key: string): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if (this.now() - p.since > this.timeoutMs) {
      this.pending.delete(key);
      return true;
    }
    for (const [res, rv] of p.versions) {
      const seen = Number(this.caches(res)?.resourceVersion());
      if (Number.isFinite(seen) && seen < rv) return false;
    }
    for (const g of p.gone) {
      const cached = this.caches(g.res)?.get(g.namespace, g.name);
      if (cached && (!g.uid || cached.metadata?.uid === g.uid) && !cached.metadata?.deletionTimestamp) return false;
    }
    this.pending.delete(key);
    return true;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
