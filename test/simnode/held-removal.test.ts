// The simulated node and held removals: when a client read a terminating pod,
// the API server holds its final removal (registry/removalHolds.ts), so the
// object stays listed after the node is done with it. Like the real node
// agent, the simulated node finishes such a pod once (one stopped status, one
// final delete) and ignores its updates until the pod's DELETED; a new pod of
// the same name then runs as usual.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually } from './harness.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import { resourceByKey } from '../../src/api/resources.js';
import { LocalClient } from '../../src/client/local.js';
import type { Client, KObject } from '../../src/client/types.js';
import { Registry } from '../../src/registry/registry.js';
import { bootstrap } from '../../src/registry/bootstrap.js';
import { MemoryStore } from '../../src/store/memory.js';

type P = Pod & KObject;

/** The client the node uses, recording its pod writes. */
function recording(client: Client, writes: string[]): Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      const fn = v as (...args: unknown[]) => unknown;
      if (prop !== 'update' && prop !== 'patch' && prop !== 'delete') return fn.bind(target);
      return (res: string, ...args: unknown[]) => {
        if (res === 'pods') {
          if (prop === 'delete') writes.push(`delete ${String(args[1])}`);
          else if (prop === 'update') writes.push(`update ${(args[1] as P).metadata?.name} ${(args[1] as P).status?.phase}`);
          else writes.push(`patch ${String(args[1])}`);
        }
        return fn.call(target, res, ...args);
      };
    },
  });
}

const pod = (name: string): P => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
} as P);

async function settle(node: SimulatedNode): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 20));
    await node.idle();
  }
}

/** A registry with the given removal hold and a started simulated node, all stopped after the test. */
async function startNode(t: TestContext, removalHoldMs: number) {
  const store = new MemoryStore();
  const registry = new Registry({ store, removalHoldMs });
  bootstrap(registry);
  const api = new LocalClient(registry);
  const writes: string[] = [];
  const node = new SimulatedNode({ client: recording(api, writes), nodeName: 'sim-1', delays: { start: 0, terminate: 10 }, events: false, nodeLease: false });
  t.after(() => { node.stop(); registry.releaseHeldRemovals(); store.close(); });
  await node.start();
  return { registry, api, writes, node };
}

test('a pod whose removal is held is finished once; its updates are ignored until DELETED', async (t) => {
  const { registry, api, writes, node } = await startNode(t, 60_000);

  await api.create('pods', 'default', pod('web-0'));
  await eventually(async () => (await api.get<P>('pods', 'default', 'web-0')).status?.phase === 'Running', 'running');
  const deleting = await api.delete<P>('pods', 'default', 'web-0');
  assert.ok(deleting, 'the pod is terminating, not gone');
  // A client reads the terminating pod (kubectl delete waiting for it): its removal is held.
  registry.noteTerminatingRead(resourceByKey('pods'), deleting);
  writes.length = 0;

  await eventually(async () => writes.includes('delete web-0'), 'the node deletes the stopped pod');
  await settle(node);
  const held = await api.get<P>('pods', 'default', 'web-0');
  assert.equal(held.status?.phase, 'Succeeded');
  assert.ok(held.metadata?.deletionTimestamp, 'still listed: its removal is held');

  // Updates arrive while it is held: a label, twice, and a finalizer removed by its owner.
  await api.patch('pods', 'default', 'web-0', 'merge', { metadata: { labels: { seen: 'once' } } });
  await api.patch('pods', 'default', 'web-0', 'merge', { metadata: { labels: { seen: 'twice' } } });
  await settle(node);
  assert.deepEqual(writes, ['update web-0 Succeeded', 'delete web-0'], 'one stopped status, one final delete');
  assert.equal(node.addressesInUse(), 1, 'its address goes with the object');

  // The hold ends: DELETED, and the node forgets the pod.
  registry.releaseHeldRemovals();
  await eventually(async () => node.addressesInUse() === 0, 'address released on DELETED');
  await assert.rejects(api.get('pods', 'default', 'web-0'), /not found/);

  // A new pod of the same name is a new pod.
  writes.length = 0;
  await api.create('pods', 'default', pod('web-0'));
  await eventually(async () => (await api.get<P>('pods', 'default', 'web-0')).status?.phase === 'Running', 'the new web-0 runs');
});

test('a pod with a finalizer is finished once too, and removed when its finalizer goes', async (t) => {
  const { api, writes, node } = await startNode(t, 0);

  await api.create('pods', 'default', { ...pod('db-0'), metadata: { name: 'db-0', namespace: 'default', finalizers: ['example.com/keep'] } } as P);
  await eventually(async () => (await api.get<P>('pods', 'default', 'db-0')).status?.phase === 'Running', 'running');
  writes.length = 0;
  await api.delete('pods', 'default', 'db-0');
  await eventually(async () => writes.includes('delete db-0'), 'the node deletes the stopped pod');
  await api.patch('pods', 'default', 'db-0', 'merge', { metadata: { labels: { seen: 'yes' } } });
  await settle(node);
  assert.deepEqual(writes, ['update db-0 Succeeded', 'delete db-0']);

  await api.patch('pods', 'default', 'db-0', 'merge', { metadata: { finalizers: null } });
  await eventually(async () => node.addressesInUse() === 0, 'removed and forgotten');
  await assert.rejects(api.get('pods', 'default', 'db-0'), /not found/);
});
