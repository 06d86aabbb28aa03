// Time for the simulated node: a replaceable clock (../clock.ts), and a timeline that holds
// every pending pod transition in one heap behind a single timer, so ten
// thousand pods cost one timer, not ten thousand, and due transitions are
// handed out in batches.

import { realClock, type Clock } from '../clock.js';

export { realClock, type Clock };

interface Entry<T> {
  at: number;
  seq: number;
  item: T;
}

export class Timeline<T> {
  private readonly heap: Entry<T>[] = [];
  private seq = 0;
  private timer: unknown;
  private timerAt = Infinity;
  private stopped = false;

  constructor(private readonly clock: Clock, private readonly onDue: (items: T[]) => void) {}

  /** Schedules `item` to be handed out at `at` (clock milliseconds). */
  at(at: number, item: T): void {
    if (this.stopped) return;
    this.push({ at, seq: this.seq++, item });
    this.arm();
  }

  after(ms: number, item: T): void {
    this.at(this.clock.now() + Math.max(0, ms), item);
  }

  size(): number {
    return this.heap.length;
  }

  /** When the next item falls due (Infinity if none). */
  nextAt(): number {
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
  }

  private arm(): void {
    const next = this.nextAt();
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, next - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.clock.now();
    const due: T[] = [];
    while (this.heap.length && this.heap[0].at <= now) due.push(this.pop().item);
    this.arm();
    if (due.length) this.onDue(due);
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Entry<T> {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l], h[m])) m = l;
        if (r < h.length && less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function less<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A manual clock for tests and deterministic simulations: time moves only when told. */
export class FakeClock implements Clock {
  private t: number;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private id = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.id;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order (including ones they set that fall due). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[0] < next[0]))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
}
