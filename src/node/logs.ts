// Container logs, kept as the kubelet keeps them: one file per container
// start (<pod>/logs/<container>/<restartCount>.log) in the CRI logging
// format, one line per output line:
//   2024-01-02T03:04:05.123456789Z stdout F the line
// (F = full line, P = a partial line continued by the next record). The
// reader serves `kubectl logs` with every option: follow, tailLines,
// sinceSeconds/sinceTime, timestamps, previous (the caller picks the file) and
// limitBytes.
import { EventEmitter } from 'node:events';
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

export function logPath(podDir: string, container: string, restartCount: number): string {
  return join(podDir, 'logs', container, `${restartCount}.log`);
}

let lastNs = 0n;
/** RFC3339 with nine fraction digits, as the kubelet prints with --timestamps; strictly increasing. */
export function nanoTimestamp(now = Date.now()): string {
  let ns = BigInt(now) * 1_000_000n;
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.123Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

const PARTIAL_FLUSH_MS = 50;
const MAX_LINE = 16 * 1024;
/** The kubelet's containerLogMaxSize: past it the log rotates (one older file, <n>.log.1, is kept). */
export const MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * Writes a container's stdout and stderr to its log file, and passes the raw
 * bytes to attached sessions. Emits 'write' after every append and 'close'
 * once every stream has ended.
 */
export class ContainerLogWriter extends EventEmitter {
  private fd: number;
  private open = 0;
  private closed = false;
  private readonly kept: ['stdout' | 'stderr', Buffer][] = [];
  private keptBytes = 0;

  private size: number;

  /** `replayLimit`: how many bytes of output to keep in memory for replay() (0: none). */
  constructor(readonly path: string, private readonly replayLimit = 0, private readonly maxBytes = MAX_LOG_BYTES) {
    super();
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  /** Follows one output stream until it ends. */
  attach(stream: Readable, name: 'stdout' | 'stderr'): void {
    this.open++;
    let pending = '';
    let timer: NodeJS.Timeout | undefined;
    const flushPartial = () => {
      timer = undefined;
      if (pending) {
        this.record(name, 'P', pending);
        pending = '';
      }
    };
    stream.on('data', (chunk: Buffer) => {
      if (this.keptBytes < this.replayLimit) {
        this.kept.push([name, chunk]);
        this.keptBytes += chunk.length;
      }
      this.emit('output', name, chunk);
      let text = pending + chunk.toString('utf8');
      pending = '';
      let nl: number;
      while ((nl = text.indexOf('\n')) >= 0) {
        this.record(name, 'F', text.slice(0, nl));
        text = text.slice(nl + 1);
      }
      while (text.length > MAX_LINE) {
        this.record(name, 'P', text.slice(0, MAX_LINE));
        text = text.slice(MAX_LINE);
      }
      pending = text;
      if (timer) clearTimeout(timer);
      if (pending) timer = setTimeout(flushPartial, PARTIAL_FLUSH_MS);
    });
    const done = () => {
      if (timer) clearTimeout(timer);
      flushPartial();
      stream.removeAllListeners('data');
      if (--this.open === 0) this.close();
    };
    stream.once('end', done);
    stream.once('error', () => stream.destroyed || stream.destroy());
    stream.once('close', () => {
      if (stream.listenerCount('end') > 0) {
        stream.removeListener('end', done);
        done();
      }
    });
  }

  private record(stream: string, tag: 'F' | 'P', text: string): void {
    if (this.closed) return;
    this.size += writeSync(this.fd, `${nanoTimestamp()} ${stream} ${tag} ${text}\n`);
    if (this.size > this.maxBytes) {
      closeSync(this.fd);
      renameSync(this.path, `${this.path}.1`);
      this.fd = openSync(this.path, 'a');
      this.size = 0;
    }
    this.emit('write');
  }

  /** The output kept so far (the first replayLimit bytes), in order. */
  replay(): ['stdout' | 'stderr', Buffer][] {
    return this.kept.slice();
  }

  /** True once every attached stream has ended (the container's output is complete). */
  get done(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    this.emit('close');
  }
}

export interface LogQuery {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  limitBytes?: number;
}

interface LogRecord {
  ts: string;
  tsMs: number;
  text: string;
  full: boolean;
}

export function parseLogLine(line: string): LogRecord | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  const c = line.indexOf(' ', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  const ts = line.slice(0, a);
  return { ts, tsMs: Date.parse(ts), text: line.slice(c + 1), full: line.slice(b + 1, c) === 'F' };
}

function render(r: LogRecord, timestamps: boolean, atLineStart: boolean): string {
  return (timestamps && atLineStart ? r.ts + ' ' : '') + r.text + (r.full ? '\n' : '');
}

/**
 * The log as `kubectl logs` gets it. With follow and a live writer, the
 * stream stays open and carries new lines until the writer closes.
 */
export function readLog(path: string, q: LogQuery, live?: ContainerLogWriter, now = Date.now()): Readable {
  const out = new PassThrough();
  let budget = q.limitBytes && q.limitBytes > 0 ? q.limitBytes : Infinity;
  let since = -Infinity;
  if (q.sinceSeconds !== undefined) since = now - q.sinceSeconds * 1000;
  if (q.sinceTime) since = Math.max(since, Date.parse(q.sinceTime));
  const timestamps = !!q.timestamps;
  let atLineStart = true;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    live?.removeListener('write', onWrite);
    live?.removeListener('close', onWrite);
    out.end();
  };
  const emit = (recs: LogRecord[]): void => {
    let s = '';
    for (const r of recs) {
      if (r.tsMs < since) continue;
      s += render(r, timestamps, atLineStart);
      atLineStart = r.full;
    }
    if (!s) return;
    let buf = Buffer.from(s, 'utf8');
    if (buf.length > budget) buf = buf.subarray(0, budget);
    budget -= buf.length;
    out.write(buf);
    if (budget <= 0) finish();
  };
  let offset = 0;
  let ino = 0;
  let reading = false;
  let again = false;
  /** Emits the complete lines of `file` from `offset`; returns the new offset. */
  const readFrom = async (file: string, from: number, expectIno?: number): Promise<{ offset: number; ino: number } | undefined> => {
    const fh = await open(file, 'r').catch(() => undefined);
    if (!fh) return undefined;
    try {
      const st = await fh.stat();
      if (expectIno !== undefined && st.ino !== expectIno) return undefined;
      let at = from;
      if (st.size > at) {
        const buf = Buffer.alloc(st.size - at);
        await fh.read(buf, 0, buf.length, at);
        const end = buf.lastIndexOf(0x0a);
        if (end >= 0) {
          at += end + 1;
          emit(buf.subarray(0, end).toString('utf8').split('\n').map(parseLogLine).filter((r): r is LogRecord => !!r));
        }
      }
      return { offset: at, ino: st.ino };
    } finally {
      await fh.close();
    }
  };
  const readMore = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const st = await stat(path).catch(() => undefined);
        if (st && ino && st.ino !== ino) {
          // Rotated: finish the previous file (now <path>.1), then start the new one.
          await readFrom(`${path}.1`, offset, ino);
          offset = 0;
        }
        const r = await readFrom(path, offset);
        if (r) ({ offset, ino } = r);
      } while (again && !finished);
    } finally {
      reading = false;
    }
    if (live?.done && !finished) {
      // The writer closed while we read: one last pass picks up its final lines.
      if (again) return readMore();
      finish();
    }
  };
  const onWrite = () => void readMore();
  const start = async () => {
    ino = (await stat(path).catch(() => undefined))?.ino ?? 0;
    const text = await readFile(path, 'utf8').catch(() => '');
    const end = text.lastIndexOf('\n');
    const complete = end >= 0 ? text.slice(0, end) : '';
    offset = Buffer.byteLength(text.slice(0, end + 1), 'utf8');
    let recs = complete ? complete.split('\n').map(parseLogLine).filter((r): r is LogRecord => !!r) : [];
    recs = recs.filter((r) => r.tsMs >= since);
    if (q.tailLines !== undefined && q.tailLines >= 0) recs = tail(recs, q.tailLines);
    emit(recs);
    if (finished) return;
    if (!q.follow || !live || live.done) return finish();
    live.on('write', onWrite);
    live.once('close', onWrite);
    void readMore();
  };
  out.on('close', finish);
  void start();
  return out;
}

/** The last n lines; a run of partial records and the record that ends it are one line. */
function tail(recs: LogRecord[], n: number): LogRecord[] {
  const lines: LogRecord[][] = [];
  let cur: LogRecord[] = [];
  for (const r of recs) {
    cur.push(r);
    if (r.full) {
      lines.push(cur);
      cur = [];
    }
  }
  if (cur.length) lines.push(cur);
  return n === 0 ? [] : lines.slice(-n).flat();
}
