// A PUT of an object that does not exist creates it for the kinds whose
// strategy allows create on update (Lease, Endpoints, both Events, Service),
// with the generic store's semantics: a resourceVersion in the body is
// dropped, a uid in it is a precondition that cannot hold, the name must be
// the URL's. Every other kind answers NotFound, as do subresources.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceByKey } from '../../src/api/resources.js';
import { StatusError } from '../../src/api/errors.js';
import type { KObject } from '../../src/client/types.js';
import { Registry } from '../../src/registry/registry.js';
import { bootstrap } from '../../src/registry/bootstrap.js';
import { MemoryStore } from '../../src/store/memory.js';

const leases = resourceByKey('leases.coordination.k8s.io');

let r: Registry;
beforeEach(() => {
  r = new Registry({ store: new MemoryStore() });
  bootstrap(r);
});

const lease = (meta: Record<string, unknown> = {}): KObject => ({
  apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
  metadata: { name: 'leader', ...meta }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15 },
});

function statusError(code: number, message: RegExp) {
  return (e: unknown) => e instanceof StatusError && e.code === code && message.test(e.message);
}

test('a PUT of a Lease that does not exist creates it, with its own uid, version and managed fields', () => {
  const out = r.update(leases, 'default', 'leader', lease({ resourceVersion: '12345' }), { fieldManager: 'elector' });
  assert.equal(out.created, true);
  const m = out.object.metadata!;
  assert.ok(m.uid);
  assert.ok(m.creationTimestamp);
  assert.notEqual(m.resourceVersion, '12345', 'the body\'s version is not the stored one');
  assert.equal(m.managedFields?.[0].manager, 'elector');
  assert.equal(m.managedFields?.[0].operation, 'Update');
  assert.deepEqual(r.get(leases, 'default', 'leader').metadata!.uid, m.uid);
  // Now it exists: the next PUT updates it (and says so).
  const again = r.update(leases, 'default', 'leader', { ...out.object, spec: { holderIdentity: 'b' } });
  assert.equal(again.created, false);
  assert.equal((again.object.spec as any).holderIdentity, 'b');
});

test('every kind whose strategy allows create on update, and no other', () => {
  const allowed: [string, KObject][] = [
    ['endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'x' } }],
    ['events', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'x' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R', type: 'Normal' } as KObject],
    ['events.events.k8s.io', { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'x' }, eventTime: '2026-01-02T03:04:05.000000Z', reportingController: 'c', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', regarding: { kind: 'Pod', name: 'p', namespace: 'default' } } as KObject],
    ['services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 80 }] } }],
  ];
  for (const [key, obj] of allowed) {
    const out = r.update(resourceByKey(key), 'default', 'x', obj);
    assert.equal(out.created, true, key);
  }
  // A Service created by PUT gets its cluster IP, as one created by POST.
  assert.match((r.get(resourceByKey('services'), 'default', 'x').spec as any).clusterIP, /^10\./);
  const refused: [string, KObject][] = [
    ['configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }],
    ['secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }],
    ['pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i' }] } }],
    ['endpointslices.discovery.k8s.io', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'x' }, addressType: 'IPv4', endpoints: [] } as KObject],
  ];
  for (const [key, obj] of refused) {
    assert.throws(() => r.update(resourceByKey(key), 'default', 'x', obj), statusError(404, /not found/), key);
  }
});

test('a subresource PUT never creates', () => {
  assert.throws(
    () => r.update(resourceByKey('services'), 'default', 'nope', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nope' } }, { subresource: 'status' }),
    statusError(404, /services "nope" not found/),
  );
});

test('a uid in the body is a precondition: Conflict when the object does not exist or is another one', () => {
  assert.throws(() => r.update(leases, 'default', 'leader', lease({ uid: 'u-1' })),
    statusError(409, /Precondition failed: UID in precondition: u-1, UID in object meta: $/));
  assert.throws(() => r.get(leases, 'default', 'leader'), statusError(404, /not found/), 'nothing created');
  const created = r.update(leases, 'default', 'leader', lease()).object;
  assert.throws(() => r.update(leases, 'default', 'leader', lease({ uid: 'u-1' })),
    statusError(409, new RegExp(`UID in precondition: u-1, UID in object meta: ${created.metadata!.uid}`)));
  // An update of an existing Lease also needs its resourceVersion (AllowUnconditionalUpdate is false).
  const same = lease({ uid: created.metadata!.uid });
  same.metadata!.resourceVersion = created.metadata!.resourceVersion;
  assert.equal(r.update(leases, 'default', 'leader', same).created, false);
});

test('name and namespace checks come first', () => {
  assert.throws(() => r.update(leases, 'default', 'leader', lease({ name: 'other' })),
    statusError(400, /the name of the object \(other\) does not match the name on the URL \(leader\)/));
  assert.throws(() => r.update(leases, 'default', 'leader', lease({ namespace: 'kube-system' })),
    statusError(400, /the namespace of the object \(kube-system\) does not match the namespace on the request \(default\)/));
  const { metadata: _m, ...nameless } = lease();
  assert.throws(() => r.update(leases, 'default', 'leader', nameless as KObject),
    statusError(400, /the name of the object \(leader based on URL\) was undeterminable: name must be provided/));
  assert.throws(() => r.update(leases, 'missing', 'leader', lease()), statusError(404, /namespaces "missing" not found/));
});

test('a dry-run PUT that would create stores nothing', () => {
  const out = r.update(leases, 'default', 'leader', lease(), { dryRun: true });
  assert.equal(out.created, true);
  assert.throws(() => r.get(leases, 'default', 'leader'), statusError(404, /not found/));
});
