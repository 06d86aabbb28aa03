// DNS benchmark: dnsperf against ordinal's cluster DNS and against dnsmasq
// serving the same 100 names, in one run, on loopback. Throughput rounds are
// interleaved between the servers (the machine is shared, so medians), then
// per-query latency is taken at a fixed rate.
//   node --import tsx bench/dns/dnsperf.ts [--seconds 10] [--rounds 3] [--rate 20000] [--workers N]
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNames } from './fixture.js';
import { recommendedDnsWorkers } from '../../src/dns/index.js';

export interface DnsBenchOptions {
  /** Length of each dnsperf run. */
  seconds?: number;
  /** Throughput runs per server. */
  rounds?: number;
  /** Fixed query rate for the latency run. */
  rate?: number;
  /** Worker processes for ordinal's server (0: single process); default recommendedDnsWorkers(). */
  workers?: number;
  log?: (line: string) => void;
}

export interface ServerResult {
  /** Median queries per second over the throughput rounds (100 outstanding). */
  qps: number;
  qpsRuns: number[];
  /** Server CPU (cores) during the throughput runs, median. */
  cpu: number;
  lost: number;
  /** Latency at the fixed rate, milliseconds. */
  latency: { rate: number; achievedQps: number; p50: number; p90: number; p99: number; p999: number; max: number; lost: number };
}

export interface DnsBenchResult {
  /** Worker processes ordinal's server ran with. */
  workers: number;
  ordinal: ServerResult;
  dnsmasq: ServerResult;
  /** ordinal qps / dnsmasq qps (target >= 1.0). */
  ratio: number;
  /** Whether ordinal's p99 at the fixed rate is under 1 ms (the target). */
  p99UnderOneMs: boolean;
}

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

interface Server { name: 'ordinal' | 'dnsmasq'; port: number; proc: ChildProcess }

async function startOrdinal(workers: number): Promise<Server> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixture-server.ts'), String(workers)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((res, rej) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) res(Number(m[1]));
    });
    proc.once('exit', (code) => rej(new Error(`ordinal DNS fixture exited with ${code}`)));
  });
  return { name: 'ordinal', port, proc };
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

async function throughput(s: Server, file: string, seconds: number): Promise<{ qps: number; cpu: number; lost: number }> {
  const c0 = treeCpu(s.proc.pid!);
  const t0 = Date.now();
  const out = await run('dnsperf', ['-s', '127.0.0.1', '-p', String(s.port), '-d', file, '-l', String(seconds)]);
  const cpu = (treeCpu(s.proc.pid!) - c0) / ((Date.now() - t0) / 1000);
  return { qps: field(out, /Queries per second:\s+([\d.]+)/), cpu, lost: field(out, /Queries lost:\s+(\d+)/) };
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(s: Server, file: string, seconds: number, rate: number): Promise<ServerResult['latency']> {
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
    servers.push(await startOrdinal(opts.workers ?? recommendedDnsWorkers()));
    servers.push(await startDnsmasq(dir));
    const tp: Record<string, { qps: number; cpu: number; lost: number }[]> = { ordinal: [], dnsmasq: [] };
    // Warm up both (JIT, caches) before measuring.
    for (const s of servers) await throughput(s, file, 2);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [...servers].reverse() : servers;
      for (const s of order) {
        const t = await throughput(s, file, seconds);
        tp[s.name].push(t);
        log(`dns bench: ${s.name} round ${r + 1}: ${Math.round(t.qps)} qps, server cpu ${t.cpu.toFixed(2)}, lost ${t.lost}`);
      }
    }
    const lat: Record<string, ServerResult['latency']> = {};
    for (const s of servers) {
      lat[s.name] = await latency(s, file, seconds, rate);
      log(`dns bench: ${s.name} at ${rate} qps: p50 ${lat[s.name].p50} ms, p99 ${lat[s.name].p99} ms, p99.9 ${lat[s.name].p999} ms`);
    }
    const result = (name: string): ServerResult => ({
      qps: Math.round(median(tp[name].map((t) => t.qps))),
      qpsRuns: tp[name].map((t) => Math.round(t.qps)),
      cpu: Math.round(median(tp[name].map((t) => t.cpu)) * 100) / 100,
      lost: tp[name].reduce((a, t) => a + t.lost, 0),
      latency: lat[name],
    });
    const ordinal = result('ordinal');
    const dnsmasq = result('dnsmasq');
    return {
      workers: opts.workers ?? recommendedDnsWorkers(),
      ordinal, dnsmasq,
      ratio: Math.round((ordinal.qps / dnsmasq.qps) * 100) / 100,
      p99UnderOneMs: ordinal.latency.p99 < 1,
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
    seconds: arg('seconds'), rounds: arg('rounds'), rate: arg('rate'), workers: arg('workers'),
    log: (l) => console.error(l),
  });
  console.log(JSON.stringify(r, null, 2));
}
