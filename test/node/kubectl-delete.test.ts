// `kubectl delete pod` of StatefulSet pods against a real `ordinal serve`
// with the process runtime, where the node agent removes a deleted pod within
// milliseconds and the StatefulSet controller recreates it under the same
// name at once. kubectl waits for the deletion by GET, LIST by name, then
// WATCH for DELETED; a pod removed and recreated between its GET and its LIST
// would leave it waiting for minutes. The API server holds such a removal
// until kubectl's LIST (registry/removalHolds.ts): every delete returns at
// once, and the replacement comes up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import { createSet, isRunningReady, podsOf, rolledOut, statefulSetManifest } from '../statefulset/kubectl-helpers.js';

let c: TestCluster;

before(async () => {
  c = await startCluster(['--runtime', 'process']);
});

after(async () => {
  await c?.stop();
});

/**
 * kubectl's own wait timeout: a hung wait (the minutes-long one a removal
 * between kubectl's GET and LIST would cause) fails the test in seconds. The
 * latency target of a delete is measured in bench/node, not here.
 */
const KUBECTL_TIMEOUT = '20s';
/** How long a started wait may take to report the deletion here (termination included). */
const WAIT_DONE_MS = 15_000;

const uidOf = (p: Pod | undefined) => p?.metadata?.uid;

/** Waits until every named pod is a new one (not in `old`) and Running and Ready. */
async function replaced(app: string, old: Record<string, Pod>): Promise<Record<string, Pod>> {
  return eventually<Record<string, Pod> | undefined>(() => {
    const now = podsOf(c, app);
    const all = Object.keys(old).every((n) => now[n] && uidOf(now[n]) !== uidOf(old[n]) && isRunningReady(now[n]));
    return all ? now : undefined;
  }, 30_000, `pods of ${app} replaced and Ready`) as Promise<Record<string, Pod>>;
}

async function timedKubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const r = await c.kubectlAsync(args, { timeoutMs: 30_000 });
  return { ...r, ms: Date.now() - t0 };
}

test('kubectl delete pod web-0 returns at once, 15 times in a row, and the replacement comes back Ready each time', async () => {
  createSet(c, 'web', { replicas: 1 });
  await rolledOut(c, 'web', 1);
  let pods = podsOf(c, 'web');
  for (let i = 0; i < 15; i++) {
    const r = await timedKubectl(['delete', 'pod', 'web-0', `--timeout=${KUBECTL_TIMEOUT}`]);
    assert.equal(r.code, 0, `delete #${i} failed after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
    assert.equal(r.stdout.trim(), 'pod "web-0" deleted');
    pods = await replaced('web', pods);
  }
});

test('kubectl delete pod -l app=... waits for each of several pods, which all come back Ready', async () => {
  createSet(c, 'multi', { replicas: 3, spec: { podManagementPolicy: 'Parallel' } });
  await rolledOut(c, 'multi', 3);
  let pods = podsOf(c, 'multi');
  for (let i = 0; i < 4; i++) {
    const r = await timedKubectl(['delete', 'pod', '-l', 'app=multi', `--timeout=${KUBECTL_TIMEOUT}`]);
    assert.equal(r.code, 0, `delete -l #${i} failed after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['pod "multi-0" deleted', 'pod "multi-1" deleted', 'pod "multi-2" deleted']);
    pods = await replaced('multi', pods);
  }
});

test('kubectl wait --for=delete returns when the pod is gone, started before its deletion or while it terminates', async () => {
  // The container takes 3 s to stop after SIGTERM, so a wait started right
  // after `delete --wait=false` finds the pod still terminating, even when
  // kubectl takes a while to start on a loaded machine.
  const set = JSON.parse(statefulSetManifest('slow', { replicas: 1 }));
  set.spec.template.spec.containers[0].command = ['sh', '-c', 'trap "sleep 3; exit 0" TERM; sleep 86400 & wait'];
  assert.equal(c.ok(['apply', '-f', '-'], JSON.stringify(set)).trim(), 'statefulset.apps/slow created');
  await rolledOut(c, 'slow', 1);
  let pods = podsOf(c, 'slow');
  for (let i = 0; i < 3; i++) {
    // Before: kubectl wait has its watch open (its -v=6 log says so) when the pod is deleted.
    const w = c.kubectlBackground(['wait', '--for=delete', 'pod/slow-0', `--timeout=${KUBECTL_TIMEOUT}`, '-v=6']);
    await eventually(() => /watch=true 200 OK/.test(w.output()), 10_000, 'kubectl wait watching');
    c.ok(['delete', 'pod', 'slow-0', '--wait=false']);
    await eventually(() => w.output().includes('pod/slow-0 condition met'), WAIT_DONE_MS, `wait #${i} done`);
    await w.stop();
    pods = await replaced('slow', pods);

    // While it terminates: kubectl wait reads the terminating pod first.
    c.ok(['delete', 'pod', 'slow-0', '--wait=false']);
    const r = await timedKubectl(['wait', '--for=delete', 'pod/slow-0', `--timeout=${KUBECTL_TIMEOUT}`]);
    assert.equal(r.code, 0, `wait #${i} failed after ${r.ms} ms:\n${r.stderr}${r.stdout}`);
    assert.equal(r.stdout.trim(), 'pod/slow-0 condition met');
    pods = await replaced('slow', pods);
  }
});
