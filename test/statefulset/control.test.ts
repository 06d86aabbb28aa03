// The update algorithm on the seed scenario's traces (web, 3 replicas,
// serviceName nginx, claim template www) and the rules around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  T0, actions, allReady, apply, failed, plan, podNames, ready, running, summary, terminating, webSet, withImage,
  type Snapshot,
} from './fixtures.js';
import { getPodRevision } from '../../src/controllers/statefulset/utils.js';

function fresh(set = webSet()): Snapshot {
  return { set, pods: [], claims: [], revisions: [] };
}

/** Runs syncs, making every pod Ready between them, until nothing is left to do. */
function settle(s: Snapshot, max = 50): Snapshot {
  for (let i = 0; i < max; i++) {
    const p = plan(s);
    if (!p.steps.length && !p.revision.length && !p.status && !p.truncate.length) return s;
    s = allReady(apply(s, p));
  }
  throw new Error('did not settle');
}

test('create: the first sync stores revision 1, claim www-web-0, then pod web-0, and stops', () => {
  const s = fresh();
  const p = plan(s);
  assert.equal(p.revision.length, 1);
  const rev = p.revision[0];
  assert.equal(rev.kind, 'createRevision');
  if (rev.kind !== 'createRevision') return;
  assert.equal(rev.revision.revision, 1);
  assert.match(rev.revision.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rev.revision.metadata!.labels!['controller.kubernetes.io/hash'], rev.revision.metadata!.name!.slice(4));
  assert.equal(rev.revision.metadata!.labels!.app, 'nginx');
  assert.deepEqual(rev.revision.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(summary(p), ['+web-0']);
  const create = p.steps[0][0][0];
  assert.equal(create.kind, 'createPod');
  if (create.kind !== 'createPod') return;
  const pod = create.pod;
  assert.equal(pod.metadata!.name, 'web-0');
  assert.equal(pod.metadata!.generateName, 'web-');
  assert.equal(pod.spec!.hostname, 'web-0');
  assert.equal(pod.spec!.subdomain, 'nginx');
  assert.deepEqual(pod.metadata!.labels, {
    app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0',
    'controller-revision-hash': rev.revision.metadata!.name,
  });
  assert.deepEqual(pod.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(pod.spec!.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
  assert.equal(create.createClaims.length, 1);
  assert.equal(create.createClaims[0].metadata!.name, 'www-web-0');
  assert.deepEqual(create.createClaims[0].metadata!.labels, { app: 'nginx' });
  assert.equal(create.createClaims[0].metadata!.ownerReferences, undefined, 'Retain/Retain: no ownerReferences');
  assert.deepEqual(create.createClaims[0].spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  assert.deepEqual(p.status, {
    replicas: 0, observedGeneration: 1, availableReplicas: 0,
    currentRevision: rev.revision.metadata!.name, updateRevision: rev.revision.metadata!.name, collisionCount: 0,
  });
});

test('create: web-1 waits until web-0 is Running and Ready, then web-2 likewise', () => {
  let s = apply(fresh(), plan(fresh()));
  assert.deepEqual(podNames(s), ['web-0']);
  // Pending: nothing more.
  let p = plan(s);
  assert.deepEqual(summary(p), []);
  assert.match(p.waiting ?? '', /web-0 to be Running and Ready/);
  s = apply(s, p);
  // Running but not Ready: still nothing.
  s = { ...s, pods: s.pods.map((x) => running(x)) };
  assert.deepEqual(summary(plan(s)), []);
  // Ready: web-1 comes, and only web-1.
  s = allReady(s);
  p = plan(s);
  assert.deepEqual(summary(p), ['+web-1']);
  s = apply(s, p);
  assert.deepEqual(summary(plan(s)), [], 'web-1 is Pending');
  s = allReady(s);
  p = plan(s);
  assert.deepEqual(summary(p), ['+web-2']);
  s = settle(allReady(apply(s, p)));
  assert.deepEqual(podNames(s), ['web-0', 'web-1', 'web-2']);
  assert.equal(s.set.status!.replicas, 3);
  assert.equal(s.set.status!.readyReplicas, 3);
  assert.equal(s.set.status!.currentRevision, s.set.status!.updateRevision);
  assert.equal(s.claims.map((c) => c.metadata!.name).sort().join(','), 'www-web-0,www-web-1,www-web-2');
});

test('minReadySeconds: the next pod waits until the previous one has been Ready long enough; requeue says when', () => {
  let s = apply(fresh(webSet({ minReadySeconds: 10 })), plan(fresh(webSet({ minReadySeconds: 10 }))));
  s = { ...s, pods: s.pods.map((x) => ready(x, T0 - 4_000)) };
  let p = plan(s);
  assert.deepEqual(summary(p), []);
  assert.match(p.waiting ?? '', /available/);
  assert.equal(p.requeueAfterMs, 6_001);
  p = plan({ ...s, now: T0 + 6_001 });
  assert.deepEqual(summary(p), ['+web-1']);
});

test('delete all pods: OrderedReady recreates web-0 first, with the same claim, only once the old object is gone', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  const claimsBefore = s.claims.map((c) => c.metadata!.uid);
  s = { ...s, pods: s.pods.map(terminating) };
  let p = plan(s);
  assert.deepEqual(summary(p), []);
  assert.match(p.waiting ?? '', /web-0 to terminate/);
  // web-0's object is gone; web-1 and web-2 still terminating.
  s = { ...s, pods: s.pods.filter((x) => x.metadata!.name !== 'web-0') };
  p = plan(s);
  assert.deepEqual(summary(p), ['+web-0']);
  const c = p.steps[0][0][0];
  assert.ok(c.kind === 'createPod' && c.createClaims.length === 0, 'the claim is reused');
  s = apply(s, p);
  assert.deepEqual(summary(plan(s)), [], 'web-1 is not touched until web-0 is Ready');
  s = { ...s, pods: s.pods.filter((x) => x.metadata!.name === 'web-0') };
  s = settle(allReady(s));
  assert.deepEqual(podNames(s), ['web-0', 'web-1', 'web-2']);
  assert.deepEqual(s.claims.map((x) => x.metadata!.uid), claimsBefore);
});

test('Parallel: creates every pod at once (slow-start batches 1, 2) and does not wait', () => {
  const s = fresh(webSet({ podManagementPolicy: 'Parallel' }, 5));
  const p = plan(s);
  assert.deepEqual(summary(p), ['+web-0', '+web-1', '+web-2', '+web-3', '+web-4']);
  assert.deepEqual(p.steps.map((st) => st.length), [1, 2, 2]);
  const deleted = apply(s, p);
  const p2 = plan({ ...deleted, pods: deleted.pods.filter((x) => x.metadata!.name !== 'web-1').map((x) => running(x)) });
  assert.deepEqual(summary(p2), ['+web-1'], 'a missing pod is recreated while the others are not Ready');
});

test('scale 3 -> 1 deletes web-2, waits for it to be gone, then deletes web-1; claims stay', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, replicas: 1 }, metadata: { ...s.set.metadata, generation: 2 } } };
  let p = plan(s);
  assert.deepEqual(summary(p), ['-web-2(condemned)']);
  s = { ...s, pods: s.pods.map((x) => (x.metadata!.name === 'web-2' ? terminating(x) : x)) };
  p = plan(s);
  assert.deepEqual(summary(p), []);
  assert.match(p.waiting ?? '', /web-2 to terminate prior to scale down/);
  s = { ...s, pods: s.pods.filter((x) => x.metadata!.name !== 'web-2') };
  p = plan(s);
  assert.deepEqual(summary(p), ['-web-1(condemned)']);
  s = settle(apply(s, p));
  assert.deepEqual(podNames(s), ['web-0']);
  assert.equal(s.claims.length, 3);
});

test('scale-down halts while two condemned pods are unhealthy', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, replicas: 0 } } };
  const unready = (names: string[]) => ({ ...s, pods: s.pods.map((x) => (names.includes(x.metadata!.name!) ? running(x) : x)) });
  // web-1 is the first unavailable pod; web-2 is unhealthy too and is next in line: halt.
  const p = plan(unready(['web-1', 'web-2']));
  assert.deepEqual(summary(p), []);
  assert.match(p.waiting ?? '', /web-1 to be Running and Available prior to scale down/);
  // Only web-1 unhealthy: web-2 (healthy, highest) goes first.
  assert.deepEqual(summary(plan(unready(['web-1']))), ['-web-2(condemned)']);
});

test('scale-down: the lowest unhealthy condemned pod is the one allowed to go', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, replicas: 0 } } };
  // Only web-2 unhealthy: it is the first unavailable pod, so it is deleted.
  const p = plan({ ...s, pods: s.pods.map((x) => (x.metadata!.name === 'web-2' ? running(x) : x)) });
  assert.deepEqual(summary(p), ['-web-2(condemned)']);
});

test('image change: one new revision; web-2, then web-1, then web-0 are replaced, each once the previous is Ready', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  const r1 = s.set.status!.currentRevision!;
  s = { ...s, set: withImage(s.set, 'registry.k8s.io/nginx-slim:0.9') };
  let p = plan(s);
  assert.equal(p.revision.length, 1);
  const r2 = p.updateRevision;
  assert.notEqual(r2, r1);
  assert.deepEqual(summary(p), ['-web-2(update)']);
  const order: string[] = [];
  for (let i = 0; i < 30; i++) {
    p = plan(s);
    for (const a of actions(p)) if (a.kind === 'deletePod') order.push(a.pod.metadata!.name!);
    for (const a of actions(p)) if (a.kind === 'createPod') assert.equal(getPodRevision(a.pod), r2);
    if (!p.steps.length && !p.status && !p.revision.length) break;
    s = allReady(apply(s, p));
  }
  assert.deepEqual(order, ['web-2', 'web-1', 'web-0']);
  assert.deepEqual(s.pods.map(getPodRevision), [r2, r2, r2]);
  assert.equal(s.set.status!.currentRevision, r2);
  assert.equal(s.set.status!.updateRevision, r2);
  assert.equal(s.set.status!.currentReplicas, 3);
  assert.equal(s.set.status!.updatedReplicas, 3);
});

test('partition 2: only web-2 is updated; a recreated web-0 keeps the current revision', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  const r1 = s.set.status!.currentRevision!;
  s = { ...s, set: withImage(s.set, 'nginx:new') };
  s.set.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
  s = settle(s);
  const byName = Object.fromEntries(s.pods.map((x) => [x.metadata!.name, getPodRevision(x)]));
  assert.equal(byName['web-0'], r1);
  assert.equal(byName['web-1'], r1);
  assert.notEqual(byName['web-2'], r1);
  assert.equal(s.set.status!.currentRevision, r1, 'the rollout is not complete');
  assert.equal(s.set.status!.updatedReplicas, 1);
  s = { ...s, pods: s.pods.filter((x) => x.metadata!.name !== 'web-0') };
  const p = plan(s);
  const c = actions(p).find((a) => a.kind === 'createPod');
  assert.ok(c && c.kind === 'createPod' && getPodRevision(c.pod) === r1);
  assert.equal(c.kind === 'createPod' && c.pod.spec!.containers[0].image, 'registry.k8s.io/nginx-slim:0.8');
});

test('rollback to the previous template reuses its revision object with a new number', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  const r1 = s.set.status!.currentRevision!;
  const original = s.set;
  s = settle({ ...s, set: withImage(s.set, 'nginx:2') });
  const r2 = s.set.status!.updateRevision!;
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, template: structuredClone(original.spec!.template) }, metadata: { ...s.set.metadata, generation: 3 } } };
  const p = plan(s);
  assert.deepEqual(p.revision.map((a) => a.kind), ['bumpRevision']);
  assert.equal(p.updateRevision, r1);
  assert.equal(p.revision[0].kind === 'bumpRevision' && p.revision[0].to, 3);
  s = settle(s);
  assert.equal(s.revisions.length, 2);
  assert.deepEqual(s.revisions.map((r) => [r.metadata!.name, r.revision]).sort(), [[r1, 3], [r2, 2]].sort());
  assert.deepEqual(s.pods.map(getPodRevision), [r1, r1, r1]);
});

test('broken rollout: an updated pod that never becomes Ready halts everything, even after reverting the template', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  const original = s.set;
  s = { ...s, set: withImage(s.set, 'nginx:broken') };
  s = apply(s, plan(s)); // deletes web-2
  s = apply(s, plan(s)); // recreates web-2 at the new revision
  s = { ...s, pods: s.pods.map((x) => (x.metadata!.name === 'web-2' ? running(x) : x)) };
  for (let i = 0; i < 3; i++) {
    const p = plan(s);
    assert.deepEqual(summary(p), []);
    s = apply(s, p);
  }
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, template: structuredClone(original.spec!.template) } } };
  const p = plan(s);
  assert.equal(p.updateRevision, original && s.revisions.find((r) => r.revision === 1)!.metadata!.name);
  assert.deepEqual(summary(p), [], 'web-2 is never deleted by the controller (forced rollback is manual)');
});

test('a failed pod is deleted and recreated on a later sync, before anything else', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  s = { ...s, pods: s.pods.map((x) => (x.metadata!.name === 'web-1' ? failed(x) : x)) };
  let p = plan(s);
  assert.deepEqual(summary(p), ['-web-1(failed)']);
  s = { ...s, pods: s.pods.map((x) => (x.metadata!.name === 'web-1' ? terminating(x) : x)) };
  assert.deepEqual(summary(plan(s)), [], 'no second delete while it terminates');
  s = { ...s, pods: s.pods.filter((x) => x.metadata!.name !== 'web-1') };
  p = plan(s);
  assert.deepEqual(summary(p), ['+web-1']);
});

test('whenDeleted=Delete: claims are created owned by the set', () => {
  const set = webSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } });
  const p = plan(fresh(set));
  const c = p.steps[0][0][0];
  assert.ok(c.kind === 'createPod');
  assert.deepEqual(c.createClaims[0].metadata!.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true },
  ]);
});

test('whenScaled=Delete: a condemned pod\'s claim is handed to the pod before the pod is deleted; a stale claim blocks re-creation', () => {
  const set = webSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
  let s = settle(apply(fresh(set), plan(fresh(set))));
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, replicas: 2 } } };
  const p = plan(s);
  assert.deepEqual(summary(p), ['updateClaims web-2', '-web-2(condemned)']);
  const u = p.steps[0][0][0];
  assert.ok(u.kind === 'updateClaims');
  const web2 = s.pods.find((x) => x.metadata!.name === 'web-2')!;
  assert.deepEqual(u.claimUpdates[0].metadata!.ownerReferences, [
    { apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: web2.metadata!.uid, controller: true, blockOwnerDeletion: true },
  ]);
  s = apply(s, p);
  // Scaled back up before the garbage collector removed the claim: wait for it.
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, replicas: 3 } } };
  const p2 = plan(s);
  assert.deepEqual(summary(p2), []);
  assert.match(p2.waiting ?? '', /stale claim www-web-2/);
  s = { ...s, claims: s.claims.filter((c) => c.metadata!.name !== 'www-web-2') };
  const p3 = plan(s);
  assert.deepEqual(summary(p3), ['+web-2']);
});

test('whenScaled=Delete: a pod scaled back into range gets its claim back from the pod', () => {
  const set = webSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
  let s = settle(apply(fresh(set), plan(fresh(set))));
  const web2 = s.pods.find((x) => x.metadata!.name === 'web-2')!;
  s = {
    ...s,
    claims: s.claims.map((c) => (c.metadata!.name === 'www-web-2'
      ? { ...c, metadata: { ...c.metadata, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: web2.metadata!.uid!, controller: true }] } }
      : c)),
  };
  const p = plan(s);
  assert.deepEqual(summary(p), ['updatePod web-2']);
  const u = p.steps[0][0][0];
  assert.ok(u.kind === 'updatePod' && u.desired === undefined && u.claimUpdates[0].metadata!.ownerReferences === undefined);
});

test('a pod that lost its identity label is repaired in place', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  s = {
    ...s,
    pods: s.pods.map((x) => (x.metadata!.name === 'web-1'
      ? { ...x, metadata: { ...x.metadata, labels: { app: 'nginx', 'controller-revision-hash': getPodRevision(x) } } }
      : x)),
  };
  const p = plan(s);
  assert.deepEqual(summary(p), ['updatePod web-1']);
  const u = p.steps[0][0][0];
  assert.ok(u.kind === 'updatePod');
  assert.equal(u.desired?.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(u.desired?.metadata!.labels!['apps.kubernetes.io/pod-index'], '1');
});

test('ordinals.start: pods are numbered from it; moving it creates the new range first, then removes the old from the top', () => {
  let s = settle(apply(fresh(webSet({ ordinals: { start: 1 } }, 2)), plan(fresh(webSet({ ordinals: { start: 1 } }, 2)))));
  assert.deepEqual(podNames(s), ['web-1', 'web-2']);
  s = { ...s, set: { ...s.set, spec: { ...s.set.spec!, ordinals: { start: 3 } } } };
  const seen: string[] = [];
  for (let i = 0; i < 30; i++) {
    const p = plan(s);
    seen.push(...summary(p));
    if (!p.steps.length && !p.status) break;
    s = allReady(apply(s, p));
  }
  assert.deepEqual(seen, ['+web-3', '+web-4', '-web-2(condemned)', '-web-1(condemned)']);
});

test('maxUnavailable 2: two outdated pods are deleted at once, highest first', () => {
  let s = settle(apply(fresh(), plan(fresh())));
  s = { ...s, set: withImage(s.set, 'nginx:2') };
  s.set.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } as never };
  assert.deepEqual(summary(plan(s)), ['-web-2(update)', '-web-1(update)']);
  assert.deepEqual(summary(plan({ ...s, gate: false })), ['-web-2(update)'], 'without the gate: one at a time');
});

test('OnDelete: nothing is deleted for an update; a pod deleted by the user comes back at the new revision', () => {
  let s = settle(apply(fresh(webSet({ updateStrategy: { type: 'OnDelete' } })), plan(fresh(webSet({ updateStrategy: { type: 'OnDelete' } })))));
  const r1 = s.set.status!.currentRevision!;
  s = { ...s, set: withImage(s.set, 'nginx:2') };
  let p = plan(s);
  assert.deepEqual(summary(p), []);
  s = apply(s, p);
  s = { ...s, pods: s.pods.filter((x) => x.metadata!.name !== 'web-1') };
  p = plan(s);
  const c = actions(p).find((a) => a.kind === 'createPod');
  assert.ok(c && c.kind === 'createPod');
  assert.notEqual(getPodRevision(c.pod), r1);
  s = settle(allReady(apply(s, p)));
  assert.equal(s.set.status!.currentRevision, r1, 'OnDelete never completes the rollout (as upstream)');
});

test('revision history is truncated to revisionHistoryLimit, oldest first, keeping live revisions', () => {
  let s = settle(apply(fresh(webSet({ revisionHistoryLimit: 1 })), plan(fresh(webSet({ revisionHistoryLimit: 1 })))));
  for (const image of ['a', 'b', 'c', 'd']) s = settle({ ...s, set: withImage(s.set, `nginx:${image}`) });
  assert.equal(s.revisions.length, 2, 'the live revision and one more');
  assert.deepEqual(s.revisions.map((r) => r.revision).sort(), [4, 5]);
});

test('a set being deleted gets its status but no pod work', () => {
  const s = fresh();
  s.set = { ...s.set, metadata: { ...s.set.metadata, deletionTimestamp: new Date(T0).toISOString() } };
  const p = plan(s);
  assert.deepEqual(p.steps, []);
  assert.ok(p.status);
});

test('status counts ready, available, current and updated pods, terminating ones for replicas and ready only', () => {
  let s = settle(apply(fresh(webSet({ minReadySeconds: 30 })), plan(fresh(webSet({ minReadySeconds: 30 })))));
  const pods: Pod[] = s.pods.map((x) => ready(x, T0 - 120_000));
  pods[2] = terminating(ready(pods[2], T0 - 10_000));
  s = { ...s, pods };
  const p = plan(s);
  assert.equal(p.status!.replicas, 3);
  assert.equal(p.status!.readyReplicas, 3);
  assert.equal(p.status!.availableReplicas, 2);
  assert.equal(p.status!.currentReplicas, 2);
  assert.equal(p.status!.updatedReplicas, 2);
});
