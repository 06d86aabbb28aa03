// Starts a real `ordinal serve` (the CLI, as a user runs it) on ephemeral
// loopback ports with a throwaway data dir, and runs the real kubectl against
// it. Every process started here is stopped by stop().
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from './eventually.js';
import { acquireHostLock } from './hostlock.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ordinal.js');

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestCluster {
  dataDir: string;
  home: string;
  kubeconfig: string;
  proc: ChildProcess;
  output(): string;
  /** The dashboard's URL from the server's `dashboard on URL` line (undefined before it, or with --no-dashboard). */
  dashboardUrl(): string | undefined;
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): KubectlResult;
  /** kubectl that must succeed (an assertion otherwise); returns its stdout. */
  ok(args: string[], input?: string): string;
  kubectlAsync(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. get -w); returns its output so far and a stop function. */
  kubectlBackground(args: string[]): { output(): string; stop(): Promise<void> };
  write(name: string, content: string): string;
  restart(extraArgs?: string[]): Promise<void>;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

async function startServe(dataDir: string, args: string[]): Promise<{ proc: ChildProcess; output: () => string }> {
  // Every port ephemeral, the dashboard's too (args may turn it off with --no-dashboard).
  const proc = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--api-port', '0', '--dns-port', '0', '--dashboard-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`ordinal did not become ready in 30s:\n${out}`)), 30_000);
    const check = () => {
      if (out.includes('KUBECONFIG=')) {
        clearTimeout(timer);
        resolvePromise();
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ordinal exited with ${code} before ready:\n${out}`));
    });
  });
  return { proc, output: () => out };
}

export async function startCluster(args: string[] = []): Promise<TestCluster> {
  const base = mkdtempSync(join(tmpdir(), 'ordinal-test-'));
  const dataDir = join(base, 'data');
  const home = join(base, 'home');
  const kubeconfig = join(dataDir, 'kubeconfig');
  // One linux-runtime cluster at a time on this host: it serves the cluster DNS address.
  const rt = args.indexOf('--runtime');
  const unlock = rt >= 0 && args[rt + 1] === 'linux' ? await acquireHostLock('cluster-dns') : () => {};
  let serve: Awaited<ReturnType<typeof startServe>>;
  try {
    serve = await startServe(dataDir, args);
  } catch (e) {
    unlock();
    throw e;
  }
  const env = () => ({ ...process.env, HOME: home, KUBECONFIG: kubeconfig });
  const background: ChildProcess[] = [];
  const waitExit = (p: ChildProcess) => new Promise<void>((r) => {
    if (p.exitCode !== null || p.signalCode !== null) return r();
    p.once('exit', () => r());
  });
  const cluster: TestCluster = {
    dataDir,
    home,
    kubeconfig,
    get proc() {
      return serve.proc;
    },
    output: () => serve.output(),
    dashboardUrl: () => /^dashboard on (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(serve.output())?.[1],
    kubectl(argv, opts = {}) {
      const r = spawnSync('kubectl', argv, { env: env(), input: opts.input, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8' });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
    },
    ok(argv, input) {
      const r = cluster.kubectl(argv, { input });
      assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    },
    kubectlAsync(argv, opts = {}) {
      return new Promise((resolvePromise) => {
        const p = spawn('kubectl', argv, { env: env(), stdio: ['pipe', 'pipe', 'pipe'] });
        background.push(p);
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
        if (opts.input !== undefined) p.stdin.end(opts.input);
        else p.stdin.end();
        p.on('exit', (code) => {
          clearTimeout(timer);
          resolvePromise({ code: code ?? -1, stdout, stderr });
        });
      });
    },
    kubectlBackground(argv) {
      const p = spawn('kubectl', argv, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      background.push(p);
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      return {
        output: () => out,
        stop: async () => {
          p.kill('SIGTERM');
          await waitExit(p);
        },
      };
    },
    write(name, content) {
      const p = join(base, name);
      writeFileSync(p, content);
      return p;
    },
    async restart(extraArgs = args) {
      serve.proc.kill('SIGTERM');
      await waitExit(serve.proc);
      serve = await startServe(dataDir, extraArgs);
    },
    async kill9() {
      serve.proc.kill('SIGKILL');
      await waitExit(serve.proc);
    },
    async stop() {
      for (const p of background) if (p.exitCode === null) p.kill('SIGKILL');
      await Promise.all(background.map(waitExit));
      if (serve.proc.exitCode === null && serve.proc.signalCode === null) {
        serve.proc.kill('SIGTERM');
        const t = setTimeout(() => serve.proc.kill('SIGKILL'), 10_000);
        await waitExit(serve.proc);
        clearTimeout(t);
      }
      killLeftovers(base);
      rmSync(base, { recursive: true, force: true });
      unlock();
    },
  };
  return cluster;
}

/**
 * Containers outlive ordinal by design (a restarted ordinal re-adopts them).
 * A test's cluster is gone for good, so anything still running in or from
 * its directory is killed: every process a test started is stopped.
 */
export function killLeftovers(dir: string): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cwd.startsWith(dir) || cmdline.includes(dir)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
}

/** Polls until fn returns a truthy value or the time runs out. */
export function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  return waitFor(fn as () => Promise<T>, what, timeoutMs, 100);
}
