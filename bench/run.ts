// Runs every benchmark and writes bench/RESULTS.md with the machine and date.
// `npm run bench` runs all; `npm run bench -- api dns` runs some.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { ROOT, type Section } from './lib.js';
import { runApiBench } from './api.js';
import { runStatefulSetBench } from './statefulset/bench.js';
import { runNodeBench } from './node/bench.js';
import { runDnsBench } from './dns/dnsperf.js';

async function dnsSection(): Promise<Section> {
  const r = await runDnsBench({ log: (l: string) => process.stderr.write(`  ${l}\n`) });
  const f = (n: number) => n.toFixed(0);
  return {
    title: 'Cluster DNS vs dnsmasq, same names, one run (issue 5)',
    rows: [
      { metric: `ordinal qps (${r.workers} worker process(es))`, value: f(r.ordinal.qps) },
      { metric: 'dnsmasq qps', value: f(r.dnsmasq.qps) },
      { metric: 'ratio ordinal / dnsmasq', value: r.ratio.toFixed(2), target: '>= 1.0', met: r.ratio >= 1 },
      { metric: `ordinal p99 at ${r.ordinal.latency.rate} qps`, value: `${r.ordinal.latency.p99.toFixed(2)} ms`, target: '< 1 ms', met: r.p99UnderOneMs },
      { metric: `dnsmasq p99 at ${r.dnsmasq.latency.rate} qps`, value: `${r.dnsmasq.latency.p99.toFixed(2)} ms` },
    ],
  };
}

const BENCHES: Record<string, () => Promise<Section>> = {
  api: runApiBench,
  statefulset: () => runStatefulSetBench(),
  node: runNodeBench,
  dns: dnsSection,
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(BENCHES);
  const sections: Section[] = [];
  for (const name of names) {
    const run = BENCHES[name];
    if (!run) throw new Error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.stderr.write(`bench: ${name}...\n`);
    try {
      sections.push(await run());
    } catch (e) {
      sections.push({ title: name, rows: [], notes: [`FAILED: ${(e as Error).stack ?? e}`] });
    }
  }
  const cpu = cpus();
  const lines = [
    '# Benchmark results',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, Node ${process.version}`,
    '- the machine is shared and noisy: compare ratios within one run, not absolute figures across runs.',
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', '| metric | value | target | met |', '|---|---|---|---|');
    for (const r of s.rows) lines.push(`| ${r.metric} | ${r.value} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'no'} |`);
    for (const n of s.notes ?? []) lines.push('', n);
    lines.push('');
  }
  const text = lines.join('\n');
  writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), text);
  process.stdout.write(text);
}

await main();
