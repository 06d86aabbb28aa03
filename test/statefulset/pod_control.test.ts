// The executor: what it writes, in which order, and the Events it records,
// with Kubernetes' reasons and messages, on success and on failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Client } from '../../src/client/types.js';
import type { ResourceKey } from '../../src/api/resources.js';
import { alreadyExists, forbidden, staleConflict, type StatusError } from '../../src/api/errors.js';
import { StatefulPodControl } from '../../src/controllers/statefulset/pod_control.js';
import { planSync } from '../../src/controllers/statefulset/control.js';
import { newRevision } from '../../src/controllers/statefulset/history.js';
import { MemoryRecorder, World, rng, type Obj } from './sim/world.js';
import { webSet, T0 } from './fixtures.js';

type Verb = 'create' | 'update' | 'delete';

/** The fake world, with chosen calls failing. */
function setup(failures: Partial<Record<`${Verb} ${string}`, StatusError[]>> = {}) {
  const world = new World(rng(1), { startMs: [0, 0], readyMs: [0, 0], terminateMs: [0, 0] }, T0);
  const calls: string[] = [];
  const fail = (verb: Verb, res: ResourceKey, name: string) => {
    calls.push(`${verb} ${res} ${name}`);
    const q = failures[`${verb} ${res}/${name}`];
    const e = q?.shift();
    if (e) throw e;
  };
  const client: Client = {
    get: (res, ns, name) => world.get(res, ns, name),
    list: (res) => world.list(res),
    create: async (res, ns, obj) => { fail('create', res, obj.metadata!.name!); return world.create(res, ns, obj); },
    update: async (res, ns, obj, opts) => { fail('update', res, obj.metadata!.name!); return world.update(res, ns, obj, opts); },
    patch: () => world.patch(),
    delete: async (res, ns, name, opts) => { fail('delete', res, name); return world.delete(res, ns, name, opts); },
    watch: () => world.watch(),
  };
  const recorder = new MemoryRecorder();
  const set = world.put('statefulsets.apps', 'web', { ...webSet(), metadata: { ...webSet().metadata, resourceVersion: '1' } } as unknown as Obj)! as StatefulSet;
  const control = new StatefulPodControl(client, recorder);
  const sync = async () => {
    const cur = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
    const plan = planSync({
      set: cur,
      pods: world.all('pods'),
      claim: (n) => world.peek('persistentvolumeclaims', n),
      revisions: world.all('controllerrevisions.apps'),
      now: world.now,
    });
    await control.execute(cur, plan);
    return plan;
  };
  const events = () => recorder.events.map((e) => `${e.type} ${e.reason} ${e.message}`);
  return { world, calls, sync, events, set, control };
}

const gr = (resource: string, group = '') => ({ group, resource });

test('create: revision, claim, pod, status, in that order, with Kubernetes events', async () => {
  const { calls, sync, events } = setup();
  await sync();
  assert.deepEqual(calls.map((c) => c.replace(/web-[a-z0-9]{6,}$/, 'web-<hash>')), [
    'create controllerrevisions.apps web-<hash>',
    'create persistentvolumeclaims www-web-0',
    'create pods web-0',
    'update statefulsets.apps web',
  ]);
  assert.deepEqual(events(), [
    'Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success',
    'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful',
  ]);
});

test('a claim that cannot be created: FailedCreate for the claim and for the pod, no pod, status still written', async () => {
  const err = forbidden(gr('persistentvolumeclaims'), 'www-web-0', 'exceeded quota');
  const { calls, sync, events, world } = setup({ 'create persistentvolumeclaims/www-web-0': [err] });
  await assert.rejects(sync(), /failed to create PVC www-web-0/);
  assert.ok(!world.peek('pods', 'web-0'));
  assert.ok(calls.includes('update statefulsets.apps web'), 'status written after the failure');
  assert.deepEqual(events(), [
    `Warning FailedCreate create Claim www-web-0 for Pod web-0 in StatefulSet web failed error: ${err.message}`,
    `Warning FailedCreate create Pod web-0 in StatefulSet web failed error: failed to create PVC www-web-0: ${err.message}`,
  ]);
});

test('a pod that already exists: no event, the sync fails and is retried', async () => {
  const { sync, events } = setup({ 'create pods/web-0': [alreadyExists(gr('pods'), 'web-0')] });
  await assert.rejects(sync(), /already exists/);
  assert.deepEqual(events(), ['Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success']);
});

test('a claim being deleted blocks the pod', async () => {
  const { sync, events, world } = setup();
  world.put('persistentvolumeclaims', 'www-web-0', { metadata: { name: 'www-web-0', deletionTimestamp: '2025-01-01T00:00:00Z' } } as Obj);
  await assert.rejects(sync(), /pvc www-web-0 is being deleted/);
  assert.deepEqual(events(), ['Warning FailedCreate create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted']);
});

test('scale-down deletes with SuccessfulDelete; a failed delete records FailedDelete', async () => {
  const { sync, events, world } = setup({ 'delete pods/web-1': [forbidden(gr('pods'), 'web-1', 'no')] });
  world.put('statefulsets.apps', 'web', { ...world.peek('statefulsets.apps', 'web')!, spec: { ...webSet().spec, replicas: 2 } } as Obj);
  for (let i = 0; i < 10; i++) {
    await sync().catch(() => undefined);
    for (const p of world.all<Obj>('pods')) {
      if (p.status && (p.status as { phase: string }).phase === 'Pending') {
        world.put('pods', p.metadata.name!, { ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
      }
    }
  }
  assert.equal(world.all('pods').length, 2);
  world.put('statefulsets.apps', 'web', { ...world.peek('statefulsets.apps', 'web')!, spec: { ...webSet().spec, replicas: 1 } } as Obj);
  await assert.rejects(sync(), /forbidden/);
  await sync(); // the kubelet is instant here: the pod is gone at once
  assert.ok(events().includes('Warning FailedDelete delete Pod web-1 in StatefulSet web failed error: pods "web-1" is forbidden: no'));
  assert.ok(events().includes('Normal SuccessfulDelete delete Pod web-1 in StatefulSet web successful'));
});

test('status writes retry on conflict against a fresh copy', async () => {
  const { sync, world } = setup({ 'update statefulsets.apps/web': [staleConflict(gr('statefulsets', 'apps'), 'web')] });
  await sync();
  const s = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
  assert.equal(s.status?.observedGeneration, 1);
  assert.ok(s.status?.updateRevision);
});

test('a hash collision with a different revision bumps status.collisionCount; the next sync uses a new name', async () => {
  const { world, set } = setup();
  const mine = newRevision(set, 1, 0);
  // A different revision already has that name.
  world.put('controllerrevisions.apps', mine.metadata!.name!, { ...mine, data: { spec: { template: { $patch: 'replace' } } }, metadata: { ...mine.metadata, ownerReferences: [] } } as unknown as Obj);
  // Not in the snapshot the planner decides from (a cache that has not seen it yet).
  const hidden = world.peek('controllerrevisions.apps', mine.metadata!.name!)!;
  world.store('controllerrevisions.apps').delete(mine.metadata!.name!);
  const plan = planSync({ set, pods: [], claim: () => undefined, revisions: [], now: T0 });
  world.store('controllerrevisions.apps').set(mine.metadata!.name!, hidden);
  const control = new StatefulPodControl(world, new MemoryRecorder());
  await assert.rejects(control.execute(set, plan), /hash collision/);
  const s = world.peek<StatefulSet>('statefulsets.apps', 'web')!;
  assert.equal(s.status?.collisionCount, 1);
  const next = newRevision(s, 1, 1);
  assert.notEqual(next.metadata!.name, mine.metadata!.name);
});

