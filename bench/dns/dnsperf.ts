// DNS benchmark: dnsperf against ordinal's cluster DNS and against dnsmasq
// serving the same 100 names, in one run, on loopback. ordinal runs twice:
// with its batched UDP transport (the default on Linux) and with node:dgram.
// Throughput is measured under two loads: dnsperf's default (one thread, one
// socket, 100 queries outstanding), where dnsperf itself is the bottleneck on
// two cores, and a saturating one (two threads, four sockets, 200
// outstanding), where the server is. Rounds are interleaved between the
// servers (the machine is shared, so medians); then per-query latency is
// taken at a fixed rate.
//   node --import tsx bench/dns/dnsperf.ts [--seconds 10] [--rounds 3] [--rate 20000]
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNames } from './fixture.js';

export interface DnsBenchOptions {
  /** Length of each dnsperf run. */
  seconds?: number;
  /** Throughput runs per server and load. */
  rounds?: number;
  /** Fixed query rate for the latency run. */
  rate?: number;
  log?: (line: string) => void;
}

export type ServerName = 'ordinal' | 'ordinal-dgram' | 'dnsmasq';

export interface LoadResult {
  /** Median queries per second over the rounds. */
  qps: number;
  qpsRuns: number[];
  /** Server CPU (cores) during the runs, median. */
  cpu: number;
  lost: number;
}

export interface ServerResult {
  /** dnsperf defaults: -c 1 -T 1 -q 100. */
  light: LoadResult;
  /** -c 4 -T 2 -q 200. */
  heavy: LoadResult;
  /**
   * Latency at the fixed rate, milliseconds: the round with the median p99
   * of the interleaved rounds, and every round's p99.
   */
  latency: { rate: number; achievedQps: number; p50: number; p90: number; p99: number; p999: number; max: number; lost: number; p99Runs: number[] };
}

export interface DnsBenchResult {
  /** How ordinal's default server moved UDP (`batched` or `dgram`). */
  transport: string;
  servers: Record<ServerName, ServerResult>;
  /** ordinal qps / dnsmasq qps under each load (target >= 1.0). */
  ratio: { light: number; heavy: number };
  /** Whether ordinal's p99 at the fixed rate is under 1 ms (the target). */
  p99UnderOneMs: boolean;
}

export const LOADS = {
  light: [] as string[],
  heavy: ['-c', '4', '-T', '2', '-q', '200'],
};
type Load = keyof typeof LOADS;

const here = dirname(fileURLToPath(import.meta.url));

function which(cmd: string): Promise<boolean> {
  return new Promise((res) => execFile('sh', ['-c', `command -v ${cmd}`], (err) => res(!err)));
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime (fields 14-17), in clock ticks.
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
}

function descendants(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...kids.flatMap(descendants)];
  } catch {
    return [pid];
  }
}

function treeCpu(pid: number): number {
  let s = 0;
  for (const p of descendants(pid)) { try { s += cpuSeconds(p); } catch { /* exited */ } }
  return s;
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((res, rej) => execFile(cmd, args, { maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
    if (err) rej(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)); else res(stdout);
  }));
}

interface Server { name: ServerName; port: number; proc: ChildProcess; transport?: string }

async function startOrdinal(udp: 'auto' | 'dgram'): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixture-server.ts'), udp], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { port, transport } = await new Promise<{ port: number; transport: string }>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /port (\d+) udp (\w+)/.exec(out);
      if (m) res({ port: Number(m[1]), transport: m[2] });
    });
    proc.once('exit', (code) => rej(new Error(`ordinal DNS fixture exited with ${code}`)));
  });
  return { name: udp === 'dgram' ? 'ordinal-dgram' : 'ordinal', port, proc, transport };
}

async function startDnsmasq(dir: string): Promise<Server> {
  const port = await freePort();
  const args = [
    '--keep-in-foreground', '--conf-file=/dev/null', '--pid-file=', '--no-resolv', '--no-hosts', '--no-poll',
    '--bind-interfaces', '--listen-address=127.0.0.1', `--port=${port}`, '--local=/cluster.local/',
    ...benchNames().map((n) => `--host-record=${n.name},${n.ip}`),
  ];
  const proc = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
  // Wait until it answers.
  for (let i = 0; i < 50; i++) {
    if (proc.exitCode !== null) throw new Error(`dnsmasq exited with ${proc.exitCode}`);
    const ok = await run('dig', [`@127.0.0.1`, '-p', String(port), '+short', '+time=1', '+tries=1', benchNames()[0].name]).catch(() => '');
    if (ok.trim()) return { name: 'dnsmasq', port, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('dnsmasq did not start');
}

async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  const t = setTimeout(() => s.proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

function field(out: string, re: RegExp): number {
  const m = re.exec(out);
  return m ? Number(m[1]) : NaN;
}

async function throughput(s: Server, file: string, seconds: number, load: Load): Promise<{ qps: number; cpu: number; lost: number }> {
  const c0 = treeCpu(s.proc.pid!);
  const t0 = Date.now();
  const out = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(s.port), '-d', file, '-l', String(seconds), ...LOADS[load]]);
  const cpu = (treeCpu(s.proc.pid!) - c0) / ((Date.now() - t0) / 1000);
  return { qps: field(out, /Queries per second:\s+([\d.]+)/), cpu, lost: field(out, /Queries lost:\s+(\d+)/) };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(s: Server, file: string, seconds: number, rate: number): Promise<Omit<ServerResult['latency'], 'p99Runs'>> {
  const out = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(s.port), '-d', file, '-l', String(seconds), '-Q', String(rate), '-v']);
  const lat: number[] = [];
  for (const line of out.split('\n')) {
    if (!line.startsWith('> ')) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) lat.push(v * 1000);
  }
  lat.sort((a, b) => a - b);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    rate,
    achievedQps: field(out, /Queries per second:\s+([\d.]+)/),
    p50: r3(pct(lat, 50)), p90: r3(pct(lat, 90)), p99: r3(pct(lat, 99)), p999: r3(pct(lat, 99.9)), max: r3(lat[lat.length - 1] ?? NaN),
    lost: field(out, /Queries lost:\s+(\d+)/),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function runDnsBench(opts: DnsBenchOptions = {}): Promise<DnsBenchResult> {
  const seconds = opts.seconds ?? 10;
  const rounds = opts.rounds ?? 3;
  const rate = opts.rate ?? 20_000;
  const log = opts.log ?? (() => {});
  for (const tool of ['dnsperf', 'dnsmasq', 'dig']) {
    if (!(await which(tool))) throw new Error(`${tool} is not installed (apt-get install -y dnsperf dnsmasq dnsutils)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-dnsbench-'));
  const file = join(dir, 'queries.txt');
  writeFileSync(file, benchNames().map((n) => `${n.name} A\n`).join(''));
  const servers: Server[] = [];
  try {
    servers.push(await startOrdinal('auto'));
    servers.push(await startOrdinal('dgram'));
    servers.push(await startDnsmasq(dir));
    // Warm up every server (JIT, caches) before measuring.
    for (const s of servers) await throughput(s, file, 2, 'heavy');
    const runs = new Map<string, { qps: number; cpu: number; lost: number }[]>();
    for (const load of Object.keys(LOADS) as Load[]) {
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 ? [...servers].reverse() : servers;
        for (const s of order) {
          const t = await throughput(s, file, seconds, load);
          const key = `${s.name}/${load}`;
          runs.set(key, [...(runs.get(key) ?? []), t]);
          log(`dns bench: ${s.name} ${load} round ${r + 1}: ${Math.round(t.qps)} qps, server cpu ${t.cpu.toFixed(2)}, lost ${t.lost}`);
        }
      }
    }
    // Latency rounds are interleaved like the throughput rounds: on a shared
    // 2-core machine one round's tail can be another process's burst.
    const latRuns = new Map<ServerName, Omit<ServerResult['latency'], 'p99Runs'>[]>();
    for (let r = 0; r < rounds; r++) {
      for (const s of r % 2 ? [...servers].reverse() : servers) {
        const l = await latency(s, file, seconds, rate);
        latRuns.set(s.name, [...(latRuns.get(s.name) ?? []), l]);
        log(`dns bench: ${s.name} at ${rate} qps round ${r + 1}: p50 ${l.p50} ms, p99 ${l.p99} ms, p99.9 ${l.p999} ms`);
      }
    }
    const lat = new Map<ServerName, ServerResult['latency']>();
    for (const [name, ls] of latRuns) {
      const byP99 = [...ls].sort((a, b) => a.p99 - b.p99);
      lat.set(name, { ...byP99[(byP99.length - 1) >> 1], p99Runs: ls.map((l) => l.p99) });
    }
    const loadResult = (name: ServerName, load: Load): LoadResult => {
      const ts = runs.get(`${name}/${load}`) ?? [];
      return {
        qps: Math.round(median(ts.map((t) => t.qps))),
        qpsRuns: ts.map((t) => Math.round(t.qps)),
        cpu: Math.round(median(ts.map((t) => t.cpu)) * 100) / 100,
        lost: ts.reduce((a, t) => a + t.lost, 0),
      };
    };
    const result = (name: ServerName): ServerResult => ({ light: loadResult(name, 'light'), heavy: loadResult(name, 'heavy'), latency: lat.get(name)! });
    const all = { ordinal: result('ordinal'), 'ordinal-dgram': result('ordinal-dgram'), dnsmasq: result('dnsmasq') };
    const ratio = (load: Load): number => Math.round((all.ordinal[load].qps / all.dnsmasq[load].qps) * 100) / 100;
    return {
      transport: servers[0].transport ?? 'unknown',
      servers: all,
      ratio: { light: ratio('light'), heavy: ratio('heavy') },
      p99UnderOneMs: all.ordinal.latency.p99 < 1,
    };
  } finally {
    for (const s of servers) await stopServer(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await runDnsBench({
    seconds: arg('seconds'), rounds: arg('rounds'), rate: arg('rate'),
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(r, null, 2));
}
