// Revision encoding, hashing, naming, equality and truncation; ordinal parsing
// and the retention-policy ownerReferences of claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import {
  applyRevision, equalRevision, fnv1_32, goJSON, hashRevision, newRevision, revisionData, revisionsToTruncate,
  safeEncode, sortRevisions,
} from '../../src/controllers/statefulset/history.js';
import {
  claimIsStale, claimOwnerRefsFor, isClaimOwnerUpToDate, parseOrdinal, podClaims, newStatefulSetPod,
} from '../../src/controllers/statefulset/utils.js';
import { webSet } from './fixtures.js';

test('FNV-1 32 and the safe alphabet match Go', () => {
  assert.equal(fnv1_32(Buffer.from('')), 0x811c9dc5);
  assert.equal(fnv1_32(Buffer.from('a')), 0x050c5d7e);
  assert.equal(fnv1_32(Buffer.from('foobar')), 0x31f0b262);
  assert.equal(safeEncode('0123456789'), '456789bcdf');
  // The collision count is hashed after the data, as a continuation.
  assert.equal(hashRevision('foo', 0), safeEncode(String(fnv1_32(Buffer.from('foo0')))));
});

test('revision data is the template patch as kubectl encodes it: sorted keys, Go zero values, $patch first', () => {
  const data = goJSON(revisionData(webSet()));
  assert.equal(data,
    '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"nginx"}},' +
    '"spec":{"containers":[{"image":"registry.k8s.io/nginx-slim:0.8","name":"nginx","ports":[{"containerPort":80,"name":"web"}],' +
    '"resources":{},"volumeMounts":[{"mountPath":"/usr/share/nginx/html","name":"www"}]}]}}}}');
  // Serialising the stored object gives the same bytes (what kubectl compares against).
  assert.equal(JSON.stringify(revisionData(webSet())), data);
  assert.equal(goJSON({ a: '<&>' }), '{"a":"\\u003c\\u0026\\u003e"}');
});

test('a revision: name <set>-<hash>, hash label, template labels, set annotations, controller ownerReference', () => {
  const set = webSet();
  set.metadata!.annotations = { 'kubernetes.io/change-cause': 'kubectl apply' };
  const rev = newRevision(set, 1, 0);
  const hash = rev.metadata!.labels!['controller.kubernetes.io/hash'];
  assert.equal(rev.metadata!.name, `web-${hash}`);
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rev.metadata!.labels!.app, 'nginx');
  assert.equal(rev.metadata!.annotations!['kubernetes.io/change-cause'], 'kubectl apply');
  assert.equal(rev.revision, 1);
  assert.notEqual(newRevision(set, 1, 1).metadata!.name, rev.metadata!.name, 'the collision count changes the name');
  assert.equal(newRevision(structuredClone(set), 7, 0).metadata!.name, rev.metadata!.name, 'deterministic');
  // Applying it restores the template.
  const other = webSet();
  other.spec!.template.spec!.containers[0].image = 'x';
  assert.equal(applyRevision(other, rev).spec!.template.spec!.containers[0].image, 'registry.k8s.io/nginx-slim:0.8');
});

test('equality compares data bytes; sorting by number, then time, then name; truncation keeps live revisions', () => {
  const a = newRevision(webSet(), 1, 0);
  const b = newRevision(webSet(), 5, 0);
  assert.ok(equalRevision(a, b));
  const other = webSet();
  other.spec!.template.spec!.containers[0].image = 'x';
  const c = newRevision(other, 2, 0);
  assert.ok(!equalRevision(a, c));
  const revs: ControllerRevision[] = [
    { ...c, revision: 3, metadata: { ...c.metadata, name: 'web-c' } },
    { ...a, revision: 1, metadata: { ...a.metadata, name: 'web-b', creationTimestamp: '2025-01-01T00:00:01Z' } },
    { ...a, revision: 1, metadata: { ...a.metadata, name: 'web-a', creationTimestamp: '2025-01-01T00:00:02Z' } },
    { ...a, revision: 2, metadata: { ...a.metadata, name: 'web-d' } },
  ];
  const sorted = sortRevisions(revs);
  assert.deepEqual(sorted.map((r) => r.metadata!.name), ['web-b', 'web-a', 'web-d', 'web-c']);
  const pod = { metadata: { name: 'web-0', labels: { 'controller-revision-hash': 'web-b' } } } as Pod;
  const set = webSet({ revisionHistoryLimit: 1 });
  assert.deepEqual(revisionsToTruncate(set, [pod], sorted, ['web-c']).map((r) => r.metadata!.name), ['web-a']);
  assert.deepEqual(revisionsToTruncate(webSet({ revisionHistoryLimit: -1 }), [], sorted, []), []);
});

test('ordinals: greedy prefix, 32-bit range', () => {
  assert.deepEqual(parseOrdinal('web-0'), { parent: 'web', ordinal: 0 });
  assert.deepEqual(parseOrdinal('web-1-2'), { parent: 'web-1', ordinal: 2 });
  assert.deepEqual(parseOrdinal('web'), { parent: '', ordinal: -1 });
  assert.equal(parseOrdinal('web-99999999999').ordinal, -1);
});

test('claims: name, selector labels over template labels, spec copied', () => {
  const set = webSet();
  set.spec!.volumeClaimTemplates![0].metadata!.labels = { app: 'ignored', tier: 'db' };
  const [c] = podClaims(set, 3);
  assert.equal(c.metadata!.name, 'www-web-3');
  assert.deepEqual(c.metadata!.labels, { app: 'nginx', tier: 'db' });
  assert.deepEqual(c.spec!.resources, { requests: { storage: '1Gi' } });
});

test('a template volume named like a claim template is replaced by the claim', () => {
  const set = webSet();
  set.spec!.template.spec!.volumes = [{ name: 'www', emptyDir: {} }, { name: 'config', configMap: { name: 'cfg' } }];
  const pod = newStatefulSetPod(set, 1, 'web-abc');
  assert.deepEqual(pod.spec!.volumes, [
    { name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } },
    { name: 'config', configMap: { name: 'cfg' } },
  ]);
});

test('retention ownerReferences: each policy, stale refs left alone, other controllers respected', () => {
  const pod = { metadata: { name: 'web-2', uid: 'pod-uid' } } as Pod;
  const claim = { metadata: { name: 'www-web-2' } } as PersistentVolumeClaim;
  const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true };
  const podRef = { apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: 'pod-uid', controller: true, blockOwnerDeletion: true };
  const policy = (whenDeleted: string, whenScaled: string, replicas: number) =>
    webSet({ persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } }, replicas);
  // In range (3 replicas) and scaled down (2 replicas).
  assert.deepEqual(claimOwnerRefsFor(claim, policy('Retain', 'Retain', 3), pod), []);
  assert.deepEqual(claimOwnerRefsFor(claim, policy('Delete', 'Retain', 2), pod), [setRef]);
  assert.deepEqual(claimOwnerRefsFor(claim, policy('Retain', 'Delete', 3), pod), []);
  assert.deepEqual(claimOwnerRefsFor(claim, policy('Retain', 'Delete', 2), pod), [podRef]);
  assert.deepEqual(claimOwnerRefsFor(claim, policy('Delete', 'Delete', 3), pod), [setRef]);
  assert.deepEqual(claimOwnerRefsFor(claim, policy('Delete', 'Delete', 2), pod), [podRef]);
  assert.ok(isClaimOwnerUpToDate({ metadata: { ownerReferences: [podRef] } }, policy('Delete', 'Delete', 2), pod));
  assert.ok(!isClaimOwnerUpToDate({ metadata: { ownerReferences: [setRef, podRef] } }, policy('Delete', 'Delete', 2), pod));
  // A ref to a previous web-2: stale, the claim is left to the garbage collector and blocks a new web-2.
  const stale = { metadata: { ownerReferences: [{ ...podRef, uid: 'old' }] } } as PersistentVolumeClaim;
  assert.ok(isClaimOwnerUpToDate(stale, policy('Retain', 'Retain', 3), pod));
  assert.ok(claimIsStale(stale, policy('Retain', 'Delete', 3), { metadata: { name: 'web-2' } } as Pod));
  assert.ok(!claimIsStale(stale, policy('Retain', 'Retain', 3), { metadata: { name: 'web-2' } } as Pod));
  // Another controller: our refs go, none are added.
  const foreign = { apiVersion: 'v1', kind: 'Foo', name: 'x', uid: 'x', controller: true };
  assert.deepEqual(claimOwnerRefsFor({ metadata: { ownerReferences: [foreign, setRef] } }, policy('Delete', 'Retain', 3), pod), [foreign]);
  assert.ok(isClaimOwnerUpToDate({ metadata: { ownerReferences: [foreign] } }, policy('Delete', 'Retain', 3), pod));
});
