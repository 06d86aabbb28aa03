// Runs every benchmark and writes bench/RESULTS.md with the machine and date.
// `npm run bench` runs all; `npm run bench -- api dns` runs some.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { ROOT, type Section } from './lib.js';
import { runApiBench } from './api.js';

const BENCHES: Record<string, () => Promise<Section>> = {
  api: runApiBench,
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
