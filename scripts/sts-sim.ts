// Runs the deterministic StatefulSet simulation over many seeds.
//   node --import tsx scripts/sts-sim.ts [--seeds 100000] [--from 1] [--steps 250] [--trace SEED]
// Exits non-zero if any seed breaks an invariant; prints the first failures
// and how to replay one with its trace.
import { simulate } from '../test/statefulset/sim/simulate.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const traceSeed = arg('trace', -1);
  const steps = arg('steps', 250);
  if (traceSeed >= 0) {
    const r = await simulate(traceSeed, { steps, trace: true });
    console.log(`seed ${traceSeed}: ${r.scenario}`);
    for (const line of r.trace) console.log(line);
    console.log(r.violations.length ? `VIOLATIONS:\n  ${r.violations.join('\n  ')}` : 'ok');
    process.exitCode = r.violations.length ? 1 : 0;
    return;
  }
  const seeds = arg('seeds', 100_000);
  const from = arg('from', 1);
  const t0 = Date.now();
  let failed = 0;
  let syncs = 0;
  let creates = 0;
  for (let s = from; s < from + seeds; s++) {
    const r = await simulate(s, { steps });
    syncs += r.syncs;
    creates += r.podCreates;
    if (r.violations.length) {
      failed++;
      if (failed <= 10) console.log(`seed ${s} (${r.scenario}):\n  ${r.violations.slice(0, 5).join('\n  ')}`);
    }
    if ((s - from + 1) % 10_000 === 0) console.log(`${s - from + 1} seeds, ${failed} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`${seeds} seeds (${from}..${from + seeds - 1}), ${failed} failed, ${syncs} syncs, ${creates} pod creates, ${secs.toFixed(1)} s`);
  if (failed) console.log('replay one with: node --import tsx scripts/sts-sim.ts --trace <seed>');
  process.exitCode = failed ? 1 : 0;
}

void main();
