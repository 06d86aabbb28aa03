// Holds the final removal of an object that a client is about to wait for.
//
// A client that waits for an object to be deleted (`kubectl delete`,
// `kubectl wait --for=delete`: client-go's watchtools.UntilWithSync) reads
// the object by name, then lists it by name (a metadata.name field selector),
// watches from that list's resourceVersion, and is done when, once its
// informer has synced, the object is not in its cache, or when a DELETED
// event comes. If the object is removed and another one is created under the
// same name (a StatefulSet's pod, recreated at once) before that watch, the
// new object's ADDED may reach the cache before the check (client-go polls
// the sync every 100 ms), no DELETED comes after the list's version, and the
// client waits until its timeout (minutes).
//
// So when a client reads an object that is being deleted, its final removal
// waits until a watch that names the object has been opened (the client then
// gets DELETED), or until a short deadline after the read. Removals nobody
// read the object for are never held. Nothing blocks: a held removal is a
// callback, run on release, at the deadline, or when the API server stops.
import type { ResourceInfo } from '../api/resources.js';
import type { FieldRequirement } from '../api/selectors.js';
import { keyFor, prefixFor } from './storage.js';

/** How long after a read a removal may be held at most. */
export const DEFAULT_REMOVAL_HOLD_MS = 500;

interface Hold {
  uid: string;
  timer: NodeJS.Timeout;
  /** The removal waiting for this hold's release, once one was attempted. */
  removal?: () => void;
}

export class RemovalHolds {
  private readonly holds = new Map<string, Hold>();

  /** `holdMs` <= 0 turns holding off. */
  constructor(private readonly holdMs = DEFAULT_REMOVAL_HOLD_MS) {}

  /** Objects currently read and not yet released (each expires after holdMs). */
  get size(): number {
    return this.holds.size;
  }

  /**
   * A client read the object at `key` (with `uid`) while it was being
   * deleted: hold its removal until release(key) or holdMs from now. Reading
   * it again does not extend the hold, so a client that keeps reading cannot
   * hold a removal for longer than holdMs.
   */
  read(key: string, uid: string): void {
    if (this.holdMs <= 0) return;
    const h = this.holds.get(key);
    if (h?.uid === uid) return;
    if (h) this.release(key);
    const timer = setTimeout(() => this.release(key), this.holdMs);
    timer.unref();
    this.holds.set(key, { uid, timer });
  }

  /**
   * The object at `key` (with `uid`) is to be removed now. Returns false when
   * no client is waiting for it (remove at once); true when the removal is
   * held, `removal` then runs once the hold is released (a later attempt
   * replaces an earlier one: the removal runs once).
   */
  hold(key: string, uid: string, removal: () => void): boolean {
    const h = this.holds.get(key);
    if (!h || h.uid !== uid) return false;
    h.removal = removal;
    return true;
  }

  /** A watch that names the object at `key` has been opened: its held removal runs now. */
  release(key: string): void {
    const h = this.holds.get(key);
    if (!h) return;
    this.holds.delete(key);
    clearTimeout(h.timer);
    h.removal?.();
  }

  /**
   * A watch of `ri` in `ns` (undefined: all namespaces) with these field
   * requirements has been opened: when they name an object
   * (metadata.name=...), its held removal runs now.
   */
  releaseNamed(ri: ResourceInfo, ns: string | undefined, fields: FieldRequirement[]): void {
    if (!this.holds.size) return;
    const name = fields.find((f) => f.field === 'metadata.name' && f.op === 'eq')?.value;
    if (!name) return;
    const namespace = ri.namespaced ? ns ?? fields.find((f) => f.field === 'metadata.namespace' && f.op === 'eq')?.value : undefined;
    if (!ri.namespaced || namespace) {
      this.release(keyFor(ri, namespace, name));
      return;
    }
    // Across namespaces: <prefix><namespace>/<name>.
    const prefix = prefixFor(ri);
    this.releaseWhere((k) => k.startsWith(prefix) && k.endsWith(`/${name}`) && !k.slice(prefix.length, -name.length - 1).includes('/'));
  }

  /** Releases everything: held removals run now (the API server stops; no client will come). */
  releaseAll(): void {
    this.releaseWhere(() => true);
  }

  private releaseWhere(pred: (key: string) => boolean): void {
    for (const key of [...this.holds.keys()]) if (pred(key)) this.release(key);
  }
}
