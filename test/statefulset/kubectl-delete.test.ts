// A StatefulSet's storage and its deletion through the real kubectl against a
// real `ordinal serve` (simulated node and real processes): per-pod claims www-<set>-N Bound and
// kept across pod deletion and scale-down, the three cascade policies of
// `kubectl delete`, and persistentVolumeClaimRetentionPolicy. Each test uses
// its own set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import {
  claimsOf, createSet, getSet, isRunningReady, ok, parseWatch, podsOf, readyColumn, rolledOut, sleep, watchPods,
} from './kubectl-helpers.js';

let c: TestCluster;

const names = (o: Record<string, unknown>) => Object.keys(o).sort();
const exists = (kind: string, name: string) => c.kubectl(['get', kind, name, '-o', 'name']).code === 0;

// Pods as the simulated node plays them, and as real processes.
for (const runtime of ['simulated', 'process'] as const) describe(`${runtime} runtime`, () => {
  before(async () => {
    c = await startCluster(['--runtime', runtime]);
  });
  after(async () => {
    await c?.stop();
  });

  test('claims: www-<set>-N Bound, shown in describe, kept across pod deletion, scale-down and a background delete of the set', async () => {
    createSet(c, 'st', { replicas: 2, claims: true });
    await rolledOut(c, 'st', 2);
    const pvc = ok(c, ['get', 'pvc', '-l', 'app=st']).trim().split('\n');
    assert.match(pvc[0], /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/);
    assert.match(pvc[1], /^www-st-0\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+local-path\s+<unset>\s+\d+s$/);
    assert.match(pvc[2], /^www-st-1\s+Bound\s+pvc-[0-9a-f-]{36}\s+1Gi\s+RWO\s+local-path\s+<unset>\s+\d+s$/);
    assert.equal(pvc.length, 3);
    const claims = claimsOf(c, 'st');
    for (const claim of Object.values(claims)) assert.equal(claim.metadata!.ownerReferences, undefined, 'Retain/Retain: no owner on a claim');

    const d = ok(c, ['describe', 'statefulset', 'st']);
    assert.match(d, /^Volume Claims:\n\s+Name:\s+www\n\s+StorageClass:\s*\n\s+Labels:\s+<none>\n\s+Annotations:\s+<none>\n\s+Capacity:\s+1Gi\n\s+Access Modes:\s+\[ReadWriteOnce\]$/m);
    for (const i of [0, 1]) {
      assert.match(d, new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+statefulset-controller\\s+create Claim www-st-${i} Pod st-${i} in StatefulSet st success\\n`));
      assert.match(d, new RegExp(`Normal\\s+SuccessfulCreate\\s+\\S+\\s+statefulset-controller\\s+create Pod st-${i} in StatefulSet st successful\\n`));
    }

    // A deleted pod comes back with the same claim.
    const uid0 = podsOf(c, 'st')['st-0'].metadata!.uid;
    assert.equal(ok(c, ['delete', 'pod', 'st-0']).trim(), 'pod "st-0" deleted');
    await eventually(() => {
      const p = podsOf(c, 'st')['st-0'];
      return p && p.metadata!.uid !== uid0 && isRunningReady(p);
    }, 20_000, 'st-0 back');
    const vol = podsOf(c, 'st')['st-0'].spec!.volumes!.find((v) => v.name === 'www');
    assert.equal(vol?.persistentVolumeClaim?.claimName, 'www-st-0');
    assert.equal(claimsOf(c, 'st')['www-st-0'].metadata!.uid, claims['www-st-0'].metadata!.uid, 'the same claim object');

    // Scale-down keeps the claim (whenScaled Retain); scaling up again reuses it.
    ok(c, ['scale', 'sts', 'st', '--replicas=1']);
    await eventually(() => names(podsOf(c, 'st')).join() === 'st-0', 20_000, 'st-1 gone');
    assert.deepEqual(names(claimsOf(c, 'st')), ['www-st-0', 'www-st-1']);
    ok(c, ['scale', 'sts', 'st', '--replicas=2']);
    await rolledOut(c, 'st', 2);
    assert.equal(claimsOf(c, 'st')['www-st-1'].metadata!.uid, claims['www-st-1'].metadata!.uid, 'st-1 mounts its old claim');

    // Background cascade: the set goes at once, the GC removes its pods, claims stay.
    assert.equal(ok(c, ['delete', 'sts', 'st']).trim(), 'statefulset.apps "st" deleted');
    assert.ok(!exists('sts', 'st'));
    await eventually(() => names(podsOf(c, 'st')).length === 0, 20_000, 'pods removed');
    await eventually(() => ok(c, ['get', 'controllerrevisions', '-l', 'app=st', '-o', 'name']).trim() === '', 10_000, 'revisions removed');
    await sleep(500);
    const left = claimsOf(c, 'st');
    assert.deepEqual(names(left), ['www-st-0', 'www-st-1']);
    for (const claim of Object.values(left)) assert.equal(claim.status!.phase, 'Bound');
  });

  test('delete --cascade=orphan leaves the pods running without an owner; a new set adopts them', async () => {
    createSet(c, 'orph', { replicas: 2 });
    await rolledOut(c, 'orph', 2);
    const before = podsOf(c, 'orph');
    assert.equal(ok(c, ['delete', 'sts', 'orph', '--cascade=orphan']).trim(), 'statefulset.apps "orph" deleted');
    assert.ok(!exists('sts', 'orph'));
    // kubectl waited for the set to be gone; the orphan finalizer had stripped the references by then.
    let pods = podsOf(c, 'orph');
    assert.deepEqual(names(pods), ['orph-0', 'orph-1']);
    for (const p of Object.values(pods)) assert.equal(p.metadata!.ownerReferences, undefined, `${p.metadata!.name} has no owner`);
    await sleep(1000);
    pods = podsOf(c, 'orph');
    for (const [n, p] of Object.entries(pods)) {
      assert.equal(p.metadata!.uid, before[n].metadata!.uid, `${n} kept`);
      assert.ok(isRunningReady(p), `${n} still running`);
    }

    const revisions = (JSON.parse(ok(c, ['get', 'controllerrevisions', '-l', 'app=orph', '-o', 'json'])) as {
      items: { metadata: { name: string; ownerReferences?: unknown[] } }[];
    }).items;
    assert.equal(revisions.length, 1);
    assert.equal(revisions[0].metadata.ownerReferences, undefined, 'the revision is orphaned too');

    createSet(c, 'orph', { replicas: 2 });
    const set = getSet(c, 'orph');
    await eventually(() => Object.values(podsOf(c, 'orph')).every((p) => p.metadata!.ownerReferences?.some((r) => r.uid === set.metadata!.uid && r.controller)), 10_000, 'orphans adopted');
    for (const [n, p] of Object.entries(podsOf(c, 'orph'))) assert.equal(p.metadata!.uid, before[n].metadata!.uid, `${n} adopted, not recreated`);
    await eventually(() => readyColumn(c, 'orph') === '2/2', 10_000, 'READY 2/2');
    assert.equal(getSet(c, 'orph').status!.updateRevision, revisions[0].metadata.name, 'the orphaned revision is adopted, not remade');
    assert.match(ok(c, ['get', 'controllerrevisions', '-l', 'app=orph']), new RegExp(`^${revisions[0].metadata.name}\\s+statefulset\\.apps/orph\\s+1\\s`, 'm'));
  });

  test('delete --cascade=foreground removes the pods before the set disappears, and no pod is recreated meanwhile', async () => {
    createSet(c, 'fg', { replicas: 2 });
    await rolledOut(c, 'fg', 2);
    // A finalizer on each pod holds it in Terminating, so the order is observable.
    for (const n of ['fg-0', 'fg-1']) ok(c, ['patch', 'pod', n, '--type=merge', '-p', '{"metadata":{"finalizers":["ordinal.test/hold"]}}']);
    const w = await watchPods(c, 'fg', 2);
    assert.equal(ok(c, ['delete', 'sts', 'fg', '--cascade=foreground', '--wait=false']).trim(), 'statefulset.apps "fg" deleted');
    await eventually(() => Object.values(podsOf(c, 'fg')).filter((p) => p.metadata!.deletionTimestamp).length === 2, 10_000, 'pods terminating');
    const set = getSet(c, 'fg');
    assert.ok(set.metadata!.deletionTimestamp, 'the set is being deleted');
    assert.deepEqual(set.metadata!.finalizers, ['foregroundDeletion']);
    const rows = ok(c, ['get', 'pods', '-l', 'app=fg']).trim().split('\n').slice(1);
    for (const r of rows) assert.match(r, /^fg-[01]\s+\d\/1\s+(Terminating|Completed|Error)\s/);
    await sleep(500);
    assert.ok(exists('sts', 'fg'), 'the set waits for its pods');

    for (const n of ['fg-0', 'fg-1']) ok(c, ['patch', 'pod', n, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    await eventually(() => !exists('sts', 'fg'), 10_000, 'the set gone after its pods');
    await eventually(() => parseWatch(w.output(), 'fg').filter((e) => e.type === 'DELETED').length >= 2, 10_000, 'both DELETED rows in the watch');
    // Time for any row after those (a recreated pod) to show too.
    await sleep(500);
    await w.stop();
    const ev = parseWatch(w.output(), 'fg');
    assert.deepEqual(ev.filter((e) => e.type === 'ADDED').map((e) => e.name), ['fg-0', 'fg-1'], `no pod recreated:\n${w.output()}`);
    assert.deepEqual(ev.filter((e) => e.type === 'DELETED').map((e) => e.name).sort(), ['fg-0', 'fg-1']);
    assert.deepEqual(names(podsOf(c, 'fg')), []);
  });

  test('persistentVolumeClaimRetentionPolicy Delete/Delete: claims go on scale-down and with the set', async () => {
    const retention: Partial<StatefulSet['spec']> = { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } };
    createSet(c, 'ret', { replicas: 3, claims: true, spec: retention });
    await rolledOut(c, 'ret', 3);
    const set = getSet(c, 'ret');
    const claims = claimsOf(c, 'ret');
    assert.deepEqual(names(claims), ['www-ret-0', 'www-ret-1', 'www-ret-2']);
    for (const claim of Object.values(claims)) {
      assert.equal(claim.status!.phase, 'Bound');
      assert.deepEqual(claim.metadata!.ownerReferences, [{
        apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'ret', uid: set.metadata!.uid, controller: true, blockOwnerDeletion: true,
      }]);
    }
    const volumes = Object.values(claims).map((x) => x.spec!.volumeName!);

    assert.equal(ok(c, ['scale', 'sts', 'ret', '--replicas=1']).trim(), 'statefulset.apps/ret scaled');
    await eventually(() => names(claimsOf(c, 'ret')).join() === 'www-ret-0', 20_000, 'claims of ret-1 and ret-2 deleted');
    assert.deepEqual(names(podsOf(c, 'ret')), ['ret-0']);
    // The local-path class reclaims with Delete: the volumes follow their claims.
    await eventually(() => !exists('pv', volumes[1]) && !exists('pv', volumes[2]), 10_000, 'their volumes deleted');
    assert.ok(exists('pv', volumes[0]));

    assert.equal(ok(c, ['delete', 'sts', 'ret']).trim(), 'statefulset.apps "ret" deleted');
    await eventually(() => names(podsOf(c, 'ret')).length === 0 && names(claimsOf(c, 'ret')).length === 0, 20_000, 'pod and claim deleted with the set');
    await eventually(() => !exists('pv', volumes[0]), 10_000, 'its volume deleted');
  });
});
