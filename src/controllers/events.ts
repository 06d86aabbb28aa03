// An event recorder in the manner of client-go's record.EventRecorder: it
// writes core/v1 Events about an object, and aggregates repeats (same source,
// object, type, reason and message) into one Event whose count and
// lastTimestamp grow, as `kubectl describe` shows with "(x3 over 2m)".
// Recording never blocks or fails the caller; errors are dropped, as the
// real broadcaster drops them after its retries.
import type { Client, KObject } from '../client/types.js';
import { rfc3339 } from '../api/time.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  /** `kubelet`, `default-scheduler`, `statefulset-controller`, ... */
  component: string;
  /** The node name for node components. */
  host?: string;
}

export interface Recorder {
  event(obj: KObject, type: EventType, reason: string, message: string, opts?: { fieldPath?: string }): void;
}

interface Aggregate {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

const MAX_AGGREGATES = 4096;


/** Shared by every recorder in the process, so two recorders never mint the same event name. */
let sequence = 0;

export class EventRecorder implements Recorder {
  private readonly seen = new Map<string, Aggregate>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly source: EventSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  event(obj: KObject, type: EventType, reason: string, message: string, opts: { fieldPath?: string } = {}): void {
    const p = this.record(obj, type, reason, message, opts.fieldPath).catch(() => undefined);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves once every event recorded so far has been written (for tests and shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async record(obj: KObject, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const m = obj.metadata ?? {};
    const namespace = m.namespace || 'default';
    const involvedObject: Record<string, unknown> = {
      kind: obj.kind,
      namespace: m.namespace,
      name: m.name,
      uid: m.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: m.resourceVersion,
    };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const key = [this.source.component, this.source.host ?? '', obj.kind, namespace, m.name, m.uid, fieldPath ?? '', type, reason, message].join('\0');
    const now = rfc3339(this.now());
    const agg = this.seen.get(key);
    if (agg) {
      agg.count++;
      this.seen.delete(key);
      this.seen.set(key, agg); // most recently used last
      try {
        await this.client.patch('events', agg.namespace, agg.name, 'merge', { count: agg.count, lastTimestamp: now });
        return;
      } catch {
        // The aggregate is gone (expired or deleted): start a new one below.
        this.seen.delete(key);
      }
    }
    const ev: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: '', namespace },
      involvedObject,
      reason,
      message,
      source: this.source.host ? { component: this.source.component, host: this.source.host } : { component: this.source.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
    };
    let name = '';
    for (let attempt = 0; ; attempt++) {
      name = `${m.name}.${this.uniqueNanos().toString(16)}`;
      ev.metadata = { name, namespace };
      try {
        await this.client.create('events', namespace, ev);
        break;
      } catch (e) {
        if (attempt > 2 || !(e instanceof Error && (e as { reason?: string }).reason === 'AlreadyExists')) throw e;
      }
    }
    this.seen.set(key, { name, namespace, count: 1, firstTimestamp: now });
    if (this.seen.size > MAX_AGGREGATES) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** Event names are `<object>.<hex nanoseconds>`; a counter keeps them unique within a millisecond. */
  private uniqueNanos(): bigint {
    sequence = (sequence + 1) % 1_000_000;
    return BigInt(this.now().getTime()) * 1_000_000n + BigInt(sequence);
  }
}

/** A recorder that drops everything (benchmarks, tests that do not look at events). */
export const discardEvents: Recorder = { event() {} };
