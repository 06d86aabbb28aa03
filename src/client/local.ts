// The in-process Client: the registry without the HTTP hop. Calls are
// asynchronous like a remote client's, so in-process parts could later talk
// to a remote API unchanged, and watch events are delivered on a later tick
// (never re-entrantly inside the write that caused them).
import { resourceByKey, type ResourceKey } from '../api/resources.js';
import { StatusError } from '../api/errors.js';
import type { Registry } from '../registry/registry.js';
import type {
  Client, DeleteOptions, KObject, ListOptions, ObjectList, PatchType, Watch, WatchEvent, WatchOptions, WriteOptions,
} from './types.js';

export class LocalClient implements Client {
  constructor(private readonly registry: Registry, private readonly defaultFieldManager = 'ordinal') {}

  async get<T extends KObject = KObject>(res: ResourceKey, ns: string | undefined, name: string, opts: { subresource?: string } = {}): Promise<T> {
    const ri = resourceByKey(res);
    const obj = this.registry.get<T>(ri, ns, name);
    return (opts.subresource === 'scale' ? this.registry.toScale(ri, obj) : obj) as T;
  }

  async list<T extends KObject = KObject>(res: ResourceKey, ns?: string, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const r = this.registry.list<T>(resourceByKey(res), ns, opts);
    return { items: r.items, resourceVersion: r.resourceVersion, continue: r.continue };
  }

  async create<T extends KObject = KObject>(res: ResourceKey, ns: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.registry.create<T>(resourceByKey(res), ns, obj, this.writeOpts(opts)).object;
  }

  async update<T extends KObject = KObject>(res: ResourceKey, ns: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new StatusError(400, 'BadRequest', 'name is required for update');
    return this.registry.update<T>(resourceByKey(res), ns, name, obj, this.writeOpts(opts)).object;
  }

  async patch<T extends KObject = KObject>(res: ResourceKey, ns: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): Promise<T> {
    return this.registry.patch<T>(resourceByKey(res), ns, name, type, patch, this.writeOpts(opts)).object;
  }

  async delete<T extends KObject = KObject>(res: ResourceKey, ns: string | undefined, name: string, opts: DeleteOptions = {}): Promise<T | undefined> {
    const r = this.registry.delete<T>(resourceByKey(res), ns, name, opts);
    return r.deleted ? undefined : r.object;
  }

  watch<T extends KObject = KObject>(res: ResourceKey, ns: string | undefined, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch {
    let stopped = false;
    const queue: WatchEvent<T>[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      for (const ev of queue.splice(0)) {
        if (stopped) return;
        onEvent(ev);
      }
    };
    const deliver = (ev: WatchEvent<T>) => {
      queue.push(ev);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(flush);
      }
    };
    let w: { stop(): void } | undefined;
    try {
      w = this.registry.watch<T>(resourceByKey(res), ns, opts, deliver);
    } catch (e) {
      if (e instanceof StatusError) {
        deliver({ type: 'ERROR', object: e.toStatus() as unknown as T });
        return { stop: () => { stopped = true; } };
      }
      throw e;
    }
    return {
      stop: () => {
        stopped = true;
        w?.stop();
      },
    };
  }

  private writeOpts(o: WriteOptions) {
    return { subresource: o.subresource, dryRun: o.dryRun, force: o.force, fieldManager: o.fieldManager ?? this.defaultFieldManager, fieldValidation: 'Ignore' };
  }
}
