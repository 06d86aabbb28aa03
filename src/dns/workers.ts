// Worker processes that share the DNS server's UDP sockets, for throughput
// on multi-core hosts (Node 20 has no SO_REUSEPORT, but a socket handle sent
// to a child process is read by both, and the kernel hands each datagram to
// one of them). Each worker mirrors the zone index: it gets a snapshot, then
// every source change over IPC, in order. TCP stays in the main process.
import { fork, type ChildProcess } from 'node:child_process';
import type { Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Rec, ZoneIndex } from './zone.js';
import type { Upstream } from './forward.js';

export interface WorkerConfig {
  zone: string;
  ttl: number;
  upstreams: Upstream[];
  upstreamTimeoutMs?: number;
}

export type ToWorker =
  | { kind: 'init'; config: WorkerConfig; snapshot: [string, [string, Rec][]][]; synced: boolean; sockets: number }
  | { kind: 'socket' }
  | { kind: 'source'; source: string; contribution: [string, Rec][] }
  | { kind: 'synced' };

export type FromWorker = { kind: 'ready' };

/**
 * Workers worth starting on this host: one on a multi-core machine (the main
 * process keeps answering too), none on a single core. Measured with
 * bench/dns/dnsperf.ts: a second reader lifts throughput while the load
 * generator leaves a core partly free; more than one worker did not help on 2 cores.
 */
export function recommendedDnsWorkers(): number {
  return availableParallelism() > 1 ? 1 : 0;
}

function workerEntry(): { path: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./worker-main.js', import.meta.url));
  if (existsSync(js)) return { path: js, execArgv: process.execArgv };
  // Running from TypeScript sources: the worker needs the same loader.
  const ts = fileURLToPath(new URL('./worker-main.ts', import.meta.url));
  const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
  return { path: ts, execArgv: hasTsx ? process.execArgv : [...process.execArgv, '--import', 'tsx'] };
}

export class DnsWorkers {
  private children: ChildProcess[] = [];

  constructor(private readonly count: number, private readonly zone: ZoneIndex, private readonly config: WorkerConfig) {}

  /** Forks the workers, hands them the sockets and the index, and resolves once each serves. */
  async start(sockets: UdpSocket[], synced: boolean): Promise<void> {
    const entry = workerEntry();
    this.zone.onSourceChange = (source, contribution) => this.broadcast({ kind: 'source', source, contribution });
    const snapshot = this.zone.snapshot();
    await Promise.all(Array.from({ length: this.count }, async () => {
      const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.children.push(child);
      const ready = new Promise<void>((resolve, reject) => {
        child.on('message', (m: FromWorker) => { if (m.kind === 'ready') resolve(); });
        child.once('exit', (code) => reject(new Error(`DNS worker exited with ${code}`)));
      });
      child.send({ kind: 'init', config: this.config, snapshot, synced, sockets: sockets.length } satisfies ToWorker);
      for (const s of sockets) child.send({ kind: 'socket' } satisfies ToWorker, s);
      await ready;
    }));
  }

  synced(): void {
    this.broadcast({ kind: 'synced' });
  }

  async stop(): Promise<void> {
    if (this.zone.onSourceChange) this.zone.onSourceChange = undefined;
    const kids = this.children;
    this.children = [];
    await Promise.all(kids.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode) { resolve(); return; }
      const t = setTimeout(() => c.kill('SIGKILL'), 2000);
      c.once('exit', () => { clearTimeout(t); resolve(); });
      c.kill('SIGTERM');
    })));
  }

  private broadcast(m: ToWorker): void {
    for (const c of this.children) if (c.connected) c.send(m);
  }
}
