// The kubelet's crash-loop back-off (client-go flowcontrol.Backoff as the
// kubelet uses it): the first restart is immediate; a container that fails
// again within the current delay waits it out, the delay doubling from 10 s
// up to 5 min; an entry unused for twice the maximum (10 min) starts over.

export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  delay: number;
  lastUpdate: number;
}

export class CrashBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initial = INITIAL_BACKOFF_MS,
    private readonly max = MAX_BACKOFF_MS,
    private readonly now: () => number = Date.now,
  ) {}

  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.max;
  }

  /** How long the container that finished at `finishedAt` must still wait (0: it may start now). */
  remaining(key: string, finishedAt: number): number {
    const e = this.entries.get(key);
    const now = this.now();
    if (!e || this.expired(now, e)) return 0;
    const left = finishedAt + e.delay - now;
    return left > 0 ? left : 0;
  }

  /** The current delay of `key` (for the CrashLoopBackOff message). */
  delay(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }

  /** Records a restart: the next failure waits for the (doubled) delay. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e)) this.entries.set(key, { delay: this.initial, lastUpdate: this.now() });
    else {
      e.delay = Math.min(e.delay * 2, this.max);
      e.lastUpdate = this.now();
    }
  }

  forget(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}

/** Go's time.Duration String() for the values back-off takes: 10s, 1m20s, 5m0s (and 200ms in tests). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h}h${m}m${sec}s` : `${m}m${sec}s`;
}
