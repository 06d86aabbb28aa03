// The node's heartbeat Lease, on a fake clock over the memory API: created in
// kube-node-lease, held by the node, owned by the Node, renewed every 10 s,
// and recovered after someone else wrote or deleted it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { FakeClock } from '../../src/node/simulated/timeline.js';
import { NodeLease } from '../../src/node/lease.js';
import { rfc3339Micro } from '../../src/api/time.js';
import { createMemoryApi, type MemoryApi } from '../../src/testing/api.js';
import type { KObject } from '../../src/client/types.js';
import { waitFor } from '../helpers/eventually.js';

let api: MemoryApi;
let clock: FakeClock;
let lease: NodeLease;

const read = () => api.client.get<Lease & KObject>('leases.coordination.k8s.io', 'kube-node-lease', 'node-a');

beforeEach(async () => {
  api = await createMemoryApi();
  clock = new FakeClock(Date.UTC(2026, 0, 1));
  await api.client.create('nodes', undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
  lease = new NodeLease({ client: api.client, nodeName: 'node-a', clock });
});

afterEach(async () => {
  await lease.stop();
  api.stop();
});

/** Moves the clock and waits for the renewal it fires to land. */
async function tickTo(ms: number, want: string): Promise<Lease & KObject> {
  clock.advance(ms);
  return waitFor(async () => {
    const l = await read();
    return l.spec?.renewTime === want ? l : undefined;
  }, `renewTime ${want}`, 3000, 5);
}

test('the node lease is created at start and renewed every 10 s', async () => {
  await lease.start();
  const l = await read();
  const node = await api.client.get('nodes', undefined, 'node-a');
  assert.deepEqual(l.spec, { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });
  assert.deepEqual(l.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: node.metadata!.uid }]);
  assert.equal(rfc3339Micro(Date.UTC(2026, 0, 1, 0, 0, 10, 5)), '2026-01-01T00:00:10.005000Z');
  await tickTo(9_999, '2026-01-01T00:00:00.000000Z');
  await tickTo(1, '2026-01-01T00:00:10.000000Z');
  await tickTo(10_000, '2026-01-01T00:00:20.000000Z');
});

test('a renewal after another writer changed the lease, or deleted it, still lands', async () => {
  await lease.start();
  const cur = await read();
  await api.client.update('leases.coordination.k8s.io', 'kube-node-lease', { ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } } });
  const after = await tickTo(10_000, '2026-01-01T00:00:10.000000Z');
  assert.equal(after.metadata?.labels?.touched, 'yes', 'renewed on top of the other write');
  await api.client.delete('leases.coordination.k8s.io', 'kube-node-lease', 'node-a');
  const again = await tickTo(10_000, '2026-01-01T00:00:20.000000Z');
  assert.equal(again.spec?.holderIdentity, 'node-a');
});
