// Recording core/v1 Events about an object, as client-go's event recorder
// does: one Event per (object, type, reason, message), whose count and
// lastTimestamp are bumped when it repeats. Writes are queued and never block
// or fail the caller; kubectl describe reads them back.
import type { Event } from 'kubernetes-types/core/v1.js';
import type { Client, KObject } from '../../client/types.js';

type K<T> = T & KObject;

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KObject, type: EventType, reason: string, message: string): void;
}

/** Keeps events in memory (tests, simulations). */
export class MemoryRecorder implements EventRecorder {
  readonly events: { object: string; type: EventType; reason: string; message: string }[] = [];
  event(obj: KObject, type: EventType, reason: string, message: string): void {
    this.events.push({ object: `${obj.kind}/${obj.metadata?.name}`, type, reason, message });
  }
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

export interface ApiRecorderOptions {
  component: string;
  clock?: { now(): Date };
  /** Aggregated events remembered (least recently used dropped first). */
  cacheSize?: number;
}

/** Writes Events through the API, aggregating repeats. */
export class ApiEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(private readonly client: Client, private readonly opts: ApiRecorderOptions) {}

  event(obj: KObject, type: EventType, reason: string, message: string): void {
    const now = (this.opts.clock?.now() ?? new Date());
    this.chain = this.chain
      .then(() => this.write(obj, type, reason, message, now))
      .catch(() => undefined);
  }

  /** Resolves once every event recorded so far has been written (or failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(obj: KObject, type: EventType, reason: string, message: string, at: Date): Promise<void> {
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace || 'default';
    const key = `${meta.uid}\u0000${type}\u0000${reason}\u0000${message}`;
    const ts = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const prev = this.seen.get(key);
    if (prev) {
      try {
        const cur = await this.client.get<K<Event>>('events', prev.namespace, prev.name);
        const count = (cur.count ?? prev.count) + 1;
        await this.client.update<K<Event>>('events', prev.namespace, { ...cur, count, lastTimestamp: ts } as K<Event>);
        prev.count = count;
        this.touch(key, prev);
        return;
      } catch {
        this.seen.delete(key);
      }
    }
    const name = `${meta.name}.${(BigInt(at.getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
    const ev: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion, kind: obj.kind, name: meta.name, namespace: meta.namespace,
        uid: meta.uid, resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      source: { component: this.opts.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.opts.component,
      reportingInstance: '',
    };
    await this.client.create<K<Event>>('events', namespace, ev as K<Event>);
    this.touch(key, { name, namespace, count: 1, firstTimestamp: ts });
  }

  private touch(key: string, r: Recorded): void {
    this.seen.delete(key);
    this.seen.set(key, r);
    const max = this.opts.cacheSize ?? 4096;
    while (this.seen.size > max) this.seen.delete(this.seen.keys().next().value as string);
  }
}
