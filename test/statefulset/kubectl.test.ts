// The StatefulSet's topology and update semantics through the real kubectl
// against a real `ordinal serve`, with the simulated node and with real
// processes: ordered scaling, rollout status/history/undo/restart,
// partitions, OnDelete, Parallel and a kill -9 mid-rollout, asserting what
// kubectl prints against a real cluster. Each test uses its own set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import {
  createSet, getSet, historyOf, imageOf, isRunningReady, ok, parseWatch, podsOf, readyColumn, revisionOf, rolledOut, sleep,
  statusSequence, watchPods, type WatchEvent,
} from './kubectl-helpers.js';

let c: TestCluster;

/** The index of the first matching watch row; the row must exist. */
function first(ev: WatchEvent[], f: (e: WatchEvent) => boolean, what: string): number {
  const i = ev.findIndex(f);
  assert.ok(i >= 0, `no watch row for ${what}`);
  return i;
}
const runningReady = (name: string, label?: string) => (e: WatchEvent) =>
  e.name === name && e.status === 'Running' && e.ready === '1/1' && (label === undefined || e.label === label);

// Pods as the simulated node plays them, and as real processes.
for (const runtime of ['simulated', 'process'] as const) describe(`${runtime} runtime`, () => {
  before(async () => {
    c = await startCluster(['--runtime', runtime]);
  });
  after(async () => {
    await c?.stop();
  });

  test('OrderedReady: scale 2 -> 4 creates each ordinal after its predecessor is Running and Ready; 4 -> 1 deletes the highest first, one at a time', async () => {
    const w = await watchPods(c, 'nginx', 0);
    createSet(c, 'web', { replicas: 2, app: 'nginx' });
    await rolledOut(c, 'web', 2);
    assert.equal(readyColumn(c, 'web'), '2/2');

    assert.equal(ok(c, ['scale', 'sts', 'web', '--replicas=4']).trim(), 'statefulset.apps/web scaled');
    await rolledOut(c, 'web', 4);
    assert.equal(readyColumn(c, 'web'), '4/4');
    await eventually(() => parseWatch(w.output(), 'web').some(runningReady('web-3')), 20_000, 'web-3 Running in the watch');
    const up = parseWatch(w.output(), 'web');
    for (let i = 1; i < 4; i++) {
      const appears = first(up, (e) => e.name === `web-${i}`, `web-${i}`);
      const predecessorReady = first(up, runningReady(`web-${i - 1}`), `web-${i - 1} Running`);
      assert.ok(predecessorReady < appears, `web-${i} appeared before web-${i - 1} was Running 1/1:\n${w.output()}`);
    }
    // (Only the pods made by the scale: the watch surely saw them from their start.)
    for (let i = 2; i < 4; i++) {
      assert.deepEqual(statusSequence(up, `web-${i}`), ['Pending', 'ContainerCreating', 'Running'], `web-${i}:\n${w.output()}`);
    }

    const mark = up.length;
    assert.equal(ok(c, ['scale', 'sts', 'web', '--replicas=1']).trim(), 'statefulset.apps/web scaled');
    await eventually(() => parseWatch(w.output(), 'web').slice(mark).some((e) => e.name === 'web-1' && e.type === 'DELETED'), 30_000, 'web-1 deleted');
    await w.stop();
    const down = parseWatch(w.output(), 'web').slice(mark);
    const terminating = down.filter((e) => e.status === 'Terminating').map((e) => e.name);
    assert.deepEqual([...new Set(terminating)], ['web-3', 'web-2', 'web-1'], `scale-down order:\n${w.output()}`);
    for (const [gone, next] of [['web-3', 'web-2'], ['web-2', 'web-1']]) {
      const deleted = first(down, (e) => e.name === gone && e.type === 'DELETED', `${gone} DELETED`);
      const nextTerminating = first(down, (e) => e.name === next && e.status === 'Terminating', `${next} Terminating`);
      assert.ok(deleted < nextTerminating, `${next} was deleted before ${gone} was gone:\n${w.output()}`);
    }
    assert.ok(!down.some((e) => e.name === 'web-0'), 'web-0 untouched');
    assert.equal(ok(c, ['get', 'pods', '-l', 'app=nginx', '-o', 'name']).trim(), 'pod/web-0');
    await eventually(() => readyColumn(c, 'web') === '1/1', 10_000, 'READY 1/1');
    await rolledOut(c, 'web', 1);
  });

  test('RollingUpdate: set image replaces pods in reverse ordinal order, one at a time; rollout history, undo and restart', async () => {
    createSet(c, 'roll', { replicas: 3 });
    await rolledOut(c, 'roll', 3);
    const rev1 = getSet(c, 'roll').status!.updateRevision!;
    assert.match(rev1, /^roll-[a-z0-9]+$/);
    assert.deepEqual(historyOf(c, 'roll'), ['1']);

    const w = await watchPods(c, 'roll', 3, 'controller-revision-hash');
    assert.equal(ok(c, ['set', 'image', 'sts/roll', 'nginx=nginx:1.10']).trim(), 'statefulset.apps/roll image updated');
    await rolledOut(c, 'roll', 3);
    const set = getSet(c, 'roll');
    const rev2 = set.status!.updateRevision!;
    assert.notEqual(rev2, rev1);
    assert.equal(set.status!.currentRevision, rev2, 'a finished rolling update makes the update revision current');
    await eventually(() => parseWatch(w.output(), 'roll', true).some(runningReady('roll-0', rev2)), 20_000, 'roll-0 updated in the watch');
    await w.stop();
    const ev = parseWatch(w.output(), 'roll', true);
    const updated = (n: string) => first(ev, (e) => e.name === n && e.label === rev2, `${n} at ${rev2}`);
    assert.ok(updated('roll-2') < updated('roll-1') && updated('roll-1') < updated('roll-0'), `reverse ordinal order:\n${w.output()}`);
    for (const [done, next] of [['roll-2', 'roll-1'], ['roll-1', 'roll-0']]) {
      const nextTerminating = first(ev, (e) => e.name === next && e.status === 'Terminating', `${next} Terminating`);
      assert.ok(first(ev, runningReady(done, rev2), `${done} Running at ${rev2}`) < nextTerminating, `${next} went down before the new ${done} was Ready:\n${w.output()}`);
    }
    for (const p of Object.values(podsOf(c, 'roll'))) {
      assert.equal(imageOf(p), 'nginx:1.10');
      assert.equal(revisionOf(p), rev2);
    }
    assert.deepEqual(historyOf(c, 'roll'), ['1', '2']);

    // Undo returns to the first template: Kubernetes reuses its revision object
    // (same name, so the same pod label) and renumbers it 3.
    assert.equal(ok(c, ['rollout', 'undo', 'statefulset/roll']).trim(), 'statefulset.apps/roll rolled back');
    await rolledOut(c, 'roll', 3);
    assert.equal(getSet(c, 'roll').status!.updateRevision, rev1);
    await eventually(() => Object.values(podsOf(c, 'roll')).every((p) => imageOf(p) === 'nginx:1.9.1' && revisionOf(p) === rev1 && isRunningReady(p)), 20_000, 'pods back on nginx:1.9.1');
    assert.deepEqual(historyOf(c, 'roll'), ['2', '3']);
    const revisions = ok(c, ['get', 'controllerrevisions', '-l', 'app=roll']);
    assert.match(revisions, new RegExp(`^${rev1}\\s+statefulset\\.apps/roll\\s+3\\s+\\d+s$`, 'm'));
    assert.match(revisions, new RegExp(`^${rev2}\\s+statefulset\\.apps/roll\\s+2\\s+\\d+s$`, 'm'));

    const uids = Object.fromEntries(Object.entries(podsOf(c, 'roll')).map(([n, p]) => [n, p.metadata!.uid]));
    assert.equal(ok(c, ['rollout', 'restart', 'statefulset/roll']).trim(), 'statefulset.apps/roll restarted');
    await rolledOut(c, 'roll', 3);
    const rev4 = getSet(c, 'roll').status!.updateRevision!;
    assert.ok(rev4 !== rev1 && rev4 !== rev2, 'restart makes a new revision');
    await eventually(() => {
      const pods = podsOf(c, 'roll');
      return Object.keys(pods).length === 3 && Object.entries(pods).every(([n, p]) => p.metadata!.uid !== uids[n] && revisionOf(p) === rev4
        && !!p.metadata!.annotations?.['kubectl.kubernetes.io/restartedAt'] && isRunningReady(p));
    }, 20_000, 'every pod recreated by the restart');
    assert.deepEqual(historyOf(c, 'roll'), ['2', '3', '4']);
  });

  test('partition: an image change updates only the ordinals at or above it; lowering it finishes the rollout', async () => {
    createSet(c, 'part', { replicas: 4 });
    await rolledOut(c, 'part', 4);
    const before = podsOf(c, 'part');
    const rev1 = revisionOf(before['part-0']);
    assert.equal(ok(c, ['patch', 'sts', 'part', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}']).trim(), 'statefulset.apps/part patched');
    assert.match(ok(c, ['describe', 'sts', 'part']), /^Update Strategy:\s+RollingUpdate\n\s+Partition:\s+2$/m);
    assert.equal(ok(c, ['set', 'image', 'sts/part', 'nginx=nginx:1.10']).trim(), 'statefulset.apps/part image updated');
    await rolledOut(c, 'part', 2);
    const rev2 = getSet(c, 'part').status!.updateRevision!;
    await eventually(() => ['part-2', 'part-3'].every((n) => revisionOf(podsOf(c, 'part')[n]) === rev2), 10_000, 'part-2 and part-3 updated');
    await sleep(500);
    const after = podsOf(c, 'part');
    for (const n of ['part-2', 'part-3']) assert.equal(imageOf(after[n]), 'nginx:1.10', n);
    for (const n of ['part-0', 'part-1']) {
      assert.equal(imageOf(after[n]), 'nginx:1.9.1', `${n} below the partition keeps the old image`);
      assert.equal(revisionOf(after[n]), rev1);
      assert.equal(after[n].metadata!.uid, before[n].metadata!.uid, `${n} was not recreated`);
    }
    const status = getSet(c, 'part').status!;
    assert.equal(status.currentRevision, rev1, 'a partitioned rollout does not make the update revision current');
    assert.equal(status.updatedReplicas, 2);
    assert.equal(status.currentReplicas, 2);

    // A pod recreated below the partition gets the current revision, above it the update revision.
    const del = ok(c, ['delete', 'pod', 'part-0', 'part-3']);
    assert.match(del, /^pod "part-0" deleted\npod "part-3" deleted\n$/);
    await eventually(() => {
      const pods = podsOf(c, 'part');
      return ['part-0', 'part-3'].every((n) => pods[n] && pods[n].metadata!.uid !== after[n].metadata!.uid && isRunningReady(pods[n]));
    }, 20_000, 'part-0 and part-3 recreated');
    const recreated = podsOf(c, 'part');
    assert.equal(imageOf(recreated['part-0']), 'nginx:1.9.1');
    assert.equal(revisionOf(recreated['part-0']), rev1);
    assert.equal(imageOf(recreated['part-3']), 'nginx:1.10');
    assert.equal(revisionOf(recreated['part-3']), rev2);

    assert.equal(ok(c, ['patch', 'sts', 'part', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}']).trim(), 'statefulset.apps/part patched');
    await rolledOut(c, 'part', 4);
    await eventually(() => Object.values(podsOf(c, 'part')).every((p) => imageOf(p) === 'nginx:1.10'), 10_000, 'every pod updated');
    await eventually(() => getSet(c, 'part').status!.currentRevision === rev2, 10_000, 'currentRevision moves to the update revision');
  });

  test('OnDelete: an image change reaches only the pods that are deleted', async () => {
    createSet(c, 'ondel', { replicas: 3, spec: { updateStrategy: { type: 'OnDelete' } } });
    await eventually(() => readyColumn(c, 'ondel') === '3/3', 20_000, 'READY 3/3');
    const status = c.kubectl(['rollout', 'status', 'statefulset/ondel']);
    assert.equal(status.code, 1);
    assert.equal(status.stderr.trim(), 'error: rollout status is only available for RollingUpdate strategy type');

    const before = podsOf(c, 'ondel');
    const rev1 = revisionOf(before['ondel-0']);
    assert.equal(ok(c, ['set', 'image', 'sts/ondel', 'nginx=nginx:1.10']).trim(), 'statefulset.apps/ondel image updated');
    const rev2 = await eventually(() => {
      const s = getSet(c, 'ondel');
      return s.status?.observedGeneration === s.metadata!.generation && s.status!.updateRevision !== rev1 && s.status!.updateRevision;
    }, 10_000, 'the new revision observed');
    await sleep(1000);
    for (const [n, p] of Object.entries(podsOf(c, 'ondel'))) {
      assert.equal(p.metadata!.uid, before[n].metadata!.uid, `${n} left alone`);
      assert.equal(imageOf(p), 'nginx:1.9.1');
    }

    assert.equal(ok(c, ['delete', 'pod', 'ondel-1']).trim(), 'pod "ondel-1" deleted');
    await eventually(() => {
      const p = podsOf(c, 'ondel')['ondel-1'];
      return p && p.metadata!.uid !== before['ondel-1'].metadata!.uid && isRunningReady(p);
    }, 20_000, 'ondel-1 recreated');
    const after = podsOf(c, 'ondel');
    assert.equal(imageOf(after['ondel-1']), 'nginx:1.10');
    assert.equal(revisionOf(after['ondel-1']), rev2);
    for (const n of ['ondel-0', 'ondel-2']) {
      assert.equal(after[n].metadata!.uid, before[n].metadata!.uid, `${n} left alone`);
      assert.equal(imageOf(after[n]), 'nginx:1.9.1');
    }
    await eventually(() => {
      const s = getSet(c, 'ondel').status!;
      return s.updatedReplicas === 1 && s.currentReplicas === 2 && s.currentRevision === rev1 && s.updateRevision === rev2;
    }, 10_000, 'status counts 1 updated, 2 current');
  });

  test('Parallel creates and deletes every pod at once, where OrderedReady halts on an unhealthy pod', async () => {
    // Pods that can never be scheduled stay Pending: OrderedReady stops at the
    // first, Parallel makes them all, and deletes them all on scale-down.
    const nowhere = { 'ordinal.test/nowhere': 'true' };
    createSet(c, 'par', { replicas: 3, nodeSelector: nowhere, spec: { podManagementPolicy: 'Parallel' } });
    createSet(c, 'ord', { replicas: 3, nodeSelector: nowhere });
    await eventually(() => Object.keys(podsOf(c, 'par')).length === 3, 10_000, 'all three Parallel pods');
    await eventually(() => 'ord-0' in podsOf(c, 'ord'), 10_000, 'ord-0 created');
    // Time for the controller to (wrongly) go on to ord-1.
    await sleep(1000);
    assert.deepEqual(Object.keys(podsOf(c, 'ord')), ['ord-0'], 'OrderedReady waits for ord-0');
    const rows = ok(c, ['get', 'pods', '-l', 'app=par']).trim().split('\n').slice(1);
    assert.equal(rows.length, 3);
    for (const r of rows) assert.match(r, /^par-[012]\s+0\/1\s+Pending\s+0\s+\d+s$/);
    assert.equal(readyColumn(c, 'par'), '0/3');
    assert.equal(readyColumn(c, 'ord'), '0/3');

    assert.equal(ok(c, ['scale', 'sts', 'par', '--replicas=0']).trim(), 'statefulset.apps/par scaled');
    assert.equal(ok(c, ['scale', 'sts', 'ord', '--replicas=0']).trim(), 'statefulset.apps/ord scaled');
    await eventually(() => Object.keys(podsOf(c, 'par')).length === 0, 10_000, 'Parallel pods deleted');
    await eventually(() => readyColumn(c, 'par') === '0/0', 10_000, 'READY 0/0');
    // Under OrderedReady two or more unhealthy condemned pods would halt the
    // scale-down; a single one may go (it is the first unavailable pod).
    await eventually(() => Object.keys(podsOf(c, 'ord')).length === 0, 10_000, 'ord-0 deleted');

    // Healthy pods under Parallel roll out as usual.
    createSet(c, 'fast', { replicas: 3, spec: { podManagementPolicy: 'Parallel' } });
    await rolledOut(c, 'fast', 3);
    assert.equal(readyColumn(c, 'fast'), '3/3');
  });

  // Last: it restarts the cluster under the other sets too.
  test('kill -9 in the middle of a rolling update: after a restart the rollout finishes and every set is whole', async () => {
    createSet(c, 'crash', { replicas: 3 });
    await rolledOut(c, 'crash', 3);
    const rev1 = getSet(c, 'crash').status!.updateRevision!;
    ok(c, ['set', 'image', 'sts/crash', 'nginx=nginx:1.10']);
    await eventually(() => {
      const p = podsOf(c, 'crash')['crash-2'];
      return p && revisionOf(p) !== rev1;
    }, 10_000, 'crash-2 recreated at the new revision');
    await c.kill9();
    await c.restart();
    await rolledOut(c, 'crash', 3);
    const rev2 = getSet(c, 'crash').status!.updateRevision!;
    await eventually(() => {
      const pods = podsOf(c, 'crash');
      return Object.keys(pods).length === 3 && Object.values(pods).every((p) => revisionOf(p) === rev2 && isRunningReady(p));
    }, 20_000, 'every pod at the new revision');
    assert.deepEqual(Object.keys(podsOf(c, 'crash')).sort(), ['crash-0', 'crash-1', 'crash-2']);
    await eventually(() => readyColumn(c, 'web') === '1/1' && readyColumn(c, 'roll') === '3/3' && readyColumn(c, 'part') === '4/4', 20_000, 'the other sets Ready after the restart');
  });
});
