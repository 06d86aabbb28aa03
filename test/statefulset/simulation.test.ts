// The deterministic simulation: many seeds of random scenarios with faults,
// invariants checked on every decision and step, convergence required once
// the faults stop. STS_SIM_SEEDS overrides the number of seeds (default 1000);
// scripts/sts-sim.ts runs 100,000 and replays a seed with its trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from './sim/simulate.js';
import { planSync, type SyncInput } from '../../src/controllers/statefulset/control.js';
import type { SyncPlan } from '../../src/controllers/statefulset/actions.js';
import { getOrdinal, specReplicas, startOrdinal } from '../../src/controllers/statefulset/utils.js';

const SEEDS = Number(process.env.STS_SIM_SEEDS ?? 1000);

test(`simulation: ${SEEDS} seeds keep every invariant and converge`, { timeout: 300_000 }, async () => {
  const failures: string[] = [];
  let syncs = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = await simulate(seed);
    syncs += r.syncs;
    if (r.violations.length) failures.push(`seed ${seed} (${r.scenario}): ${r.violations.slice(0, 3).join('; ')}`);
  }
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} seeds failed; replay with scripts/sts-sim.ts --trace <seed>`);
  assert.ok(syncs > SEEDS * 50, 'the controller actually ran');
});

test('simulation: the same seed gives the same run', async () => {
  const a = await simulate(42, { trace: true });
  const b = await simulate(42, { trace: true });
  assert.deepEqual(a.trace, b.trace);
  assert.ok(a.trace.length > 100);
});

/** A controller that believes every pod is Ready must be caught breaking OrderedReady. */
const ignoresReadiness = (input: SyncInput): SyncPlan => planSync({
  ...input,
  pods: input.pods.map((p) => ({
    ...p,
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2000-01-01T00:00:00Z' }] },
  })),
});

/** A controller that scales down from the lowest ordinal must be caught. */
const lowestFirst = (input: SyncInput): SyncPlan => {
  const plan = planSync(input);
  const start = startOrdinal(input.set);
  const end = start + specReplicas(input.set) - 1;
  const condemned = input.pods.filter((p) => getOrdinal(p) < start || getOrdinal(p) > end)
    .sort((a, b) => getOrdinal(a) - getOrdinal(b));
  for (const step of plan.steps) {
    for (const lane of step) {
      for (let i = 0; i < lane.length; i++) {
        const a = lane[i];
        if (a.kind === 'deletePod' && a.why === 'condemned' && condemned.length) lane[i] = { ...a, pod: condemned[0] };
      }
    }
  }
  return plan;
};

for (const [name, planner, pattern] of [
  ['ignores readiness', ignoresReadiness, /OrderedReady created web-\d+ while web-\d+ was not Running, Ready and available/],
  ['scales down lowest first', lowestFirst, /scale-down deleted web-\d+ before higher ordinal/],
] as const) {
  test(`simulation catches a controller that ${name}`, async () => {
    const seen: string[] = [];
    for (let seed = 1; seed <= 200 && !seen.some((v) => pattern.test(v)); seed++) {
      seen.push(...(await simulate(seed, { planner })).violations);
    }
    assert.ok(seen.some((v) => pattern.test(v)), `no violation matched ${pattern}: ${seen.slice(0, 3).join('; ')}`);
  });
}
