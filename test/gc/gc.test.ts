import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GarbageCollector } from '../../src/controllers/gc/index.js';
import { Graph } from '../../src/controllers/gc/graph.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import type { Client, KObject } from '../../src/client/types.js';
import { eventually, memoryApi } from '../simnode/harness.js';

async function setup(t: { after(fn: () => void): void }, opts: { startGC?: boolean; terminate?: number } = {}) {
  const api = await memoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0, terminate: opts.terminate ?? 0 }, events: false });
  const gc = new GarbageCollector({ client: api.client });
  t.after(() => { gc.stop(); node.stop(); api.stop(); });
  await node.start();
  if (opts.startGC ?? true) await gc.start();
  return { client: api.client, gc, node };
}

async function owner(client: Client, name: string): Promise<KObject> {
  return client.create('configmaps', 'default', { metadata: { name }, data: { a: 'b' } } as KObject);
}

function ref(o: KObject, block = true) {
  return { apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true, blockOwnerDeletion: block };
}

async function pod(client: Client, name: string, owners: ReturnType<typeof ref>[]): Promise<KObject> {
  return client.create('pods', 'default', { metadata: { name, ownerReferences: owners }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KObject);
}

async function exists(client: Client, res: string, name: string): Promise<KObject | undefined> {
  try {
    return await client.get(res, 'default', name);
  } catch {
    return undefined;
  }
}

test('gc: background deletion removes the dependents after the owner is gone', async (t) => {
  const { client } = await setup(t);
  const o = await owner(client, 'web');
  for (const n of ['web-0', 'web-1', 'web-2']) await pod(client, n, [ref(o)]);
  await client.create('secrets', 'default', { metadata: { name: 's', ownerReferences: [ref(o, false)] } } as KObject);
  await eventually(async () => (await client.list<KObject>('pods', 'default')).items.every((p) => (p.status as { phase?: string })?.phase === 'Running'), 'pods running');
  const gone = await client.delete('configmaps', 'default', 'web', { propagationPolicy: 'Background' });
  assert.equal(gone, undefined, 'the owner goes at once');
  await eventually(async () => (await client.list('pods', 'default')).items.length === 0, 'pods deleted', 5000);
  await eventually(async () => !(await exists(client, 'secrets', 's')), 'secret deleted');
});

test('gc: foreground deletion deletes blocking dependents first, then the owner', async (t) => {
  const { client } = await setup(t, { terminate: 150 });
  const o = await owner(client, 'web');
  await pod(client, 'web-0', [ref(o)]);
  await pod(client, 'web-1', [ref(o)]);
  await client.create('secrets', 'default', { metadata: { name: 'loose', ownerReferences: [ref(o, false)] } } as KObject);
  await eventually(async () => (await client.list<KObject>('pods', 'default')).items.every((p) => (p.status as { phase?: string })?.phase === 'Running'), 'pods running');
  const after = await client.delete('configmaps', 'default', 'web', { propagationPolicy: 'Foreground' });
  assert.ok(after?.metadata?.deletionTimestamp);
  assert.deepEqual(after?.metadata?.finalizers, ['foregroundDeletion']);
  // While the pods terminate, the owner waits.
  await eventually(async () => (await client.list<KObject>('pods', 'default')).items.every((p) => p.metadata?.deletionTimestamp), 'pods terminating');
  assert.ok(await exists(client, 'configmaps', 'web'), 'owner still there while pods terminate');
  await eventually(async () => !(await exists(client, 'configmaps', 'web')), 'owner gone after its pods', 5000);
  assert.equal((await client.list('pods', 'default')).items.length, 0);
  await eventually(async () => !(await exists(client, 'secrets', 'loose')), 'non-blocking dependent deleted too');
});

test('gc: orphan deletion strips the owner reference and keeps the dependents', async (t) => {
  const { client } = await setup(t);
  const o = await owner(client, 'web');
  const other = await owner(client, 'keep');
  await pod(client, 'web-0', [ref(o)]);
  await client.create('secrets', 'default', { metadata: { name: 's', ownerReferences: [ref(o, false), { ...ref(other, false), controller: false }] } } as KObject);
  const after = await client.delete('configmaps', 'default', 'web', { propagationPolicy: 'Orphan' });
  assert.deepEqual(after?.metadata?.finalizers, ['orphan']);
  await eventually(async () => !(await exists(client, 'configmaps', 'web')), 'owner gone');
  const p = (await exists(client, 'pods', 'web-0'))!;
  assert.equal(p.metadata?.ownerReferences, undefined);
  const s = (await exists(client, 'secrets', 's'))!;
  assert.deepEqual(s.metadata?.ownerReferences?.map((r) => r.name), ['keep']);
});

test('gc: dangling references at creation or left from before a restart are collected; other owners keep an object', async (t) => {
  const { client, gc } = await setup(t, { startGC: false });
  const o = await owner(client, 'old');
  const survivor = await owner(client, 'survivor');
  await pod(client, 'orphaned', [ref(o)]);
  await client.create('secrets', 'default', { metadata: { name: 'shared', ownerReferences: [ref(o, false), { ...ref(survivor, false), controller: false }] } } as KObject);
  await client.delete('configmaps', 'default', 'old');
  // The collector was not running when the owner went.
  await gc.start();
  await eventually(async () => !(await exists(client, 'pods', 'orphaned')), 'orphaned pod collected', 5000);
  const shared = await eventually(async () => {
    const s = await exists(client, 'secrets', 'shared');
    return s && s.metadata?.ownerReferences?.length === 1 && s;
  }, 'dangling reference removed');
  assert.equal(shared.metadata?.ownerReferences?.[0].name, 'survivor');
  // A reference to an owner that never existed.
  await client.create('secrets', 'default', { metadata: { name: 'bogus', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nope', uid: '00000000-0000-0000-0000-000000000000' }] } } as KObject);
  await eventually(async () => !(await exists(client, 'secrets', 'bogus')), 'bogus collected');
  // A dependent created right after its owner is not mistaken for an orphan.
  const fresh = await owner(client, 'fresh');
  await client.create('secrets', 'default', { metadata: { name: 'child', ownerReferences: [ref(fresh)] } } as KObject);
  await new Promise((r) => setTimeout(r, 50));
  await gc.idle();
  assert.ok(await exists(client, 'secrets', 'child'));
});

test('gc: foreground deletion cascades through a chain', async (t) => {
  const { client } = await setup(t);
  const a = await owner(client, 'a');
  const b = await client.create<KObject>('configmaps', 'default', { metadata: { name: 'b', ownerReferences: [ref(a)] } } as KObject);
  await client.create('configmaps', 'default', { metadata: { name: 'c', ownerReferences: [ref(b)] } } as KObject);
  await client.delete('configmaps', 'default', 'a', { propagationPolicy: 'Foreground' });
  await eventually(async () => !(await exists(client, 'configmaps', 'a')), 'a gone', 5000);
  assert.equal(await exists(client, 'configmaps', 'b'), undefined);
  assert.equal(await exists(client, 'configmaps', 'c'), undefined);
});

test('graph: edges, virtual owners and foreground transitions', () => {
  const g = new Graph();
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'o' } };
  const dep = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', uid: 'd', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'o', blockOwnerDeletion: true }] },
  };
  const w1 = g.upsert(dep, 'pods');
  assert.deepEqual(w1.attemptToDelete, ['o'], 'an unobserved owner is checked');
  assert.equal(g.get('o')?.virtual, true);
  assert.equal(g.get('o')?.identity.resource, 'statefulsets.apps');
  assert.equal(g.get('o')?.identity.namespace, 'default');
  g.upsert(owner, 'statefulsets.apps');
  assert.equal(g.get('o')?.virtual, false);
  const w2 = g.upsert({ ...owner, metadata: { ...owner.metadata, deletionTimestamp: 'x', finalizers: ['foregroundDeletion'] } }, 'statefulsets.apps');
  assert.deepEqual(w2.attemptToDelete.sort(), ['d', 'o']);
  assert.deepEqual(g.blockingDependents('o').map((n) => n.uid), ['d']);
  const w3 = g.remove(dep);
  assert.deepEqual(w3.attemptToDelete, ['o'], 'the waiting owner is looked at again');
  assert.deepEqual(g.blockingDependents('o'), []);
  const w4 = g.upsert({ ...owner, metadata: { ...owner.metadata, deletionTimestamp: 'x', finalizers: ['orphan'] } }, 'statefulsets.apps');
  assert.deepEqual(w4.attemptToOrphan, ['o']);
});
