// The API server's own figures: latency of create/get/update over HTTPS on
// loopback (one client, keep-alive), durable writes per second with requests
// in flight, cold start to ready, the first OpenAPI request's document build,
// and idle memory.
import { Agent } from 'node:https';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT, call, ms, percentile, rssMb, serve, type Section } from './lib.js';

const cm = (name: string, v = '1') => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });

async function timed(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * The OpenAPI index and every group version's document, built in a fresh
 * process (what the first /openapi/v3 request after a start pays: generation
 * is lazy, apiserver/openapi/index.ts); the compiled module when built.
 */
async function openapiColdBuildMs(): Promise<number> {
  const compiled = join(ROOT, 'dist', 'apiserver', 'openapi', 'index.js');
  const built = existsSync(compiled);
  const mod = pathToFileURL(built ? compiled : join(ROOT, 'src', 'apiserver', 'openapi', 'index.ts')).href;
  const script = `const m = await import(${JSON.stringify(mod)});
    const t = performance.now();
    const idx = m.openapiV3Index();
    if (!Object.keys(idx.paths).length) throw new Error('no OpenAPI documents');
    console.log(performance.now() - t);`;
  const { stdout } = await promisify(execFile)(process.execPath, [...(built ? [] : ['--import', 'tsx']), '--input-type=module', '-e', script], { timeout: 60_000 });
  return Number(stdout.trim().split('\n').pop());
}

export async function runApiBench(): Promise<Section> {
  const rows: Section['rows'] = [];
  const openapi: number[] = [];
  for (let i = 0; i < 5; i++) openapi.push(await openapiColdBuildMs());
  openapi.sort((a, b) => a - b);
  const slowest = openapi[openapi.length - 1];
  rows.push({
    metric: 'OpenAPI index + every document, first build in a fresh process (median / slowest of 5)',
    value: `${ms(percentile(openapi, 50))} / ${ms(slowest)}`, target: '<= 500 ms', met: slowest <= 500,
  });
  // Cold start: a fresh data dir (CA and certificate made), then a warm restart.
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-bench-'));
  const first = await serve(['--runtime', 'simulated'], dir);
  await first.stop();
  const s = await serve(['--runtime', 'simulated'], dir);
  rows.push({ metric: 'cold start to ready (first start, new CA)', value: ms(first.readyMs) });
  rows.push({ metric: 'start to ready (existing data dir)', value: ms(s.readyMs), target: '<= 1000 ms', met: s.readyMs <= 1000 });
  await new Promise((r) => setTimeout(r, 2000));
  const idle = rssMb(s.proc.pid!);
  rows.push({ metric: 'idle RSS (2 s after ready)', value: `${idle.toFixed(1)} MB`, target: '<= 80 MB', met: idle <= 80 });
  // V8's memory reducer returns the start-up garbage some seconds later.
  await new Promise((r) => setTimeout(r, 13_000));
  const settled = rssMb(s.proc.pid!);
  rows.push({ metric: 'idle RSS (15 s after ready, settled)', value: `${settled.toFixed(1)} MB`, target: '<= 80 MB', met: settled <= 80 });

  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const N = 2000;
  const base = '/api/v1/namespaces/default/configmaps';
  // Warm up the connection and the JIT.
  for (let i = 0; i < 200; i++) await call(s, agent, 'POST', base, cm(`warm-${i}`));
  const create = await timed(N, async (i) => {
    const r = await call(s, agent, 'POST', base, cm(`c-${i}`));
    if (r.code !== 201) throw new Error(`create: ${r.code}`);
  });
  const get = await timed(N, async (i) => {
    const r = await call(s, agent, 'GET', `${base}/c-${i}`);
    if (r.code !== 200) throw new Error(`get: ${r.code}`);
  });
  const update = await timed(N, async (i) => {
    const r = await call(s, agent, 'PUT', `${base}/c-${i}`, cm(`c-${i}`, '2'));
    if (r.code !== 200) throw new Error(`update: ${r.code}`);
  });
  for (const [name, xs] of [['create', create], ['get', get], ['update', update]] as const) {
    const p99 = percentile(xs, 99);
    rows.push({ metric: `${name} p50 / p99 (sequential, HTTPS, keep-alive)`, value: `${ms(percentile(xs, 50))} / ${ms(p99)}`, target: 'p99 <= 5 ms', met: p99 <= 5 });
  }
  // Durable write throughput: 32 requests in flight.
  const W = 6000;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (;;) {
      const i = next++;
      if (i >= W) return;
      const r = await call(s, agent, 'POST', base, cm(`t-${i}`));
      if (r.code !== 201) throw new Error(`create: ${r.code}`);
    }
  }));
  const wps = W / ((performance.now() - t0) / 1000);
  rows.push({ metric: 'durable writes/s (creates, 32 in flight; WAL, survives kill -9)', value: wps.toFixed(0), target: '>= 3000', met: wps >= 3000 });
  const loaded = rssMb(s.proc.pid!);
  rows.push({ metric: `RSS after ${N * 2 + W + 200} objects`, value: `${loaded.toFixed(1)} MB` });
  agent.destroy();
  await s.stop();
  rmSync(dir, { recursive: true, force: true });
  return { title: 'API server (issue 2)', rows };
}
