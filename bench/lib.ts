// Shared pieces of the benchmarks: a result section, percentiles, and a real
// `ordinal serve` process to measure against.
import { spawn, type ChildProcess } from 'node:child_process';
import { request, type Agent } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface Row {
  metric: string;
  value: string;
  target?: string;
  /** undefined when there is no target. */
  met?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
  notes?: string[];
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;

export const ROOT = resolve(import.meta.dirname, '..');

export interface Served {
  proc: ChildProcess;
  dataDir: string;
  server: string;
  token: string;
  ca: string;
  readyMs: number;
  /** What the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `ordinal serve` on ephemeral ports and waits for its ready line. */
export async function serve(args: string[] = [], dataDir?: string): Promise<Served> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'ordinal-bench-'));
  const t0 = performance.now();
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'ordinal.js'), 'serve', '--data-dir', dir, '--api-port', '0', '--dns-port', '0', '--dashboard-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('KUBECONFIG=')) res();
    });
    proc.on('exit', (code) => rej(new Error(`ordinal exited ${code}: ${out}`)));
  });
  const readyMs = performance.now() - t0;
  const kc = parse(readFileSync(join(dir, 'kubeconfig'), 'utf8'));
  return {
    proc,
    dataDir: dir,
    server: kc.clusters[0].cluster.server,
    token: kc.users[0].user.token,
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
    readyMs,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = status.match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One JSON request to a served API over HTTPS with its token. */
export function call(s: Served, agent: Agent, method: string, path: string, body?: unknown): Promise<{ code: number; json: any }> {
  const url = new URL(path, s.server);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, ca: s.ca,
      headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}
