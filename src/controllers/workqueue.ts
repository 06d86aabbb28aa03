// A work queue in the manner of client-go / controller-runtime: keys are
// deduplicated (a key waiting is not added twice, a key being processed is
// marked dirty and comes back once it is done), failures are retried with
// per-key exponential backoff, and a reconciler may ask to be called again
// after a delay.

export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  /** Concurrent reconciles (different keys only; a key is never processed twice at once). */
  workers?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Hook for errors, for logging. */
  onError?(key: string, err: unknown): void;
  /** Timer functions, replaceable by a fake clock in simulations. */
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; handle: unknown }>();
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly workers: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(private readonly reconcile: Reconciler, private readonly opts: WorkQueueOptions = {}) {
    this.workers = opts.workers ?? 1;
    this.setTimer = opts.setTimer ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      t.unref?.();
      return t;
    });
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.waiting.has(key)) return;
    const d = this.delayed.get(key);
    if (d) {
      this.clearTimer(d.handle);
      this.delayed.delete(key);
    }
    this.waiting.add(key);
    this.queue.push(key);
    this.pump();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const existing = this.delayed.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clearTimer(existing.handle);
    const handle = this.setTimer(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, handle });
  }

  /** Forget a key's failure history (after success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  len(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is queued or being processed (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    for (const d of this.delayed.values()) this.clearTimer(d.handle);
    this.delayed.clear();
    this.queue.length = 0;
    this.waiting.clear();
  }

  private pump(): void {
    while (!this.stopped && this.active < this.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.waiting.delete(key);
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (this.queue.length === 0 && this.active === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async run(key: string): Promise<void> {
    try {
      const res = await this.reconcile(key);
      this.failures.delete(key);
      if (res && res.requeueAfterMs !== undefined) this.addAfter(key, res.requeueAfterMs);
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.opts.onError?.(key, err);
      const base = this.opts.baseDelayMs ?? 5;
      const max = this.opts.maxDelayMs ?? 60_000;
      this.addAfter(key, Math.min(max, base * 2 ** (n - 1)));
    } finally {
      this.processing.delete(key);
      this.active--;
      if (this.dirty.delete(key)) this.add(key);
      this.pump();
    }
  }
}
