// The disruption controller and the eviction subresource together, in process:
// the real registry over the memory store, a StatefulSet's pods made Running
// and Ready by hand (no node agent), and evictions through the registry as the
// HTTP layer makes them.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { resourceByKey } from '../../src/api/resources.js';
import { StatusError } from '../../src/api/errors.js';
import { DisruptionController } from '../../src/controllers/disruption/index.js';
import { createMemoryApi, type MemoryApi } from '../../src/testing/api.js';
import type { KObject } from '../../src/client/types.js';
import { waitFor } from '../helpers/eventually.js';

const PODS = resourceByKey('pods');
const PDB = resourceByKey('poddisruptionbudgets.policy');
const STS = resourceByKey('statefulsets.apps');

let api: MemoryApi;
let dc: DisruptionController;

beforeEach(async () => {
  api = await createMemoryApi();
  dc = new DisruptionController({ client: api.client, resyncMs: 0 });
  await dc.start();
});

afterEach(() => {
  dc.stop();
  api.stop();
});

const eventually = <T>(fn: () => T | undefined | false, what: string) => waitFor(async () => fn(), what, 3000, 5);

function statefulSet(name: string, replicas: number): KObject {
  return api.registry.create(STS, 'default', {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      replicas, serviceName: name, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  }).object;
}

/** A pod of the set, bound to a node and Running; Ready unless told otherwise. */
function pod(set: KObject, ordinal: number, ready = true): KObject {
  const name = `${set.metadata!.name}-${ordinal}`;
  api.registry.create(PODS, 'default', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, labels: { app: set.metadata!.name! },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata!.name!, uid: set.metadata!.uid!, controller: true }],
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'busybox' }] },
  });
  return setReady(name, ready);
}

function setReady(name: string, ready: boolean): KObject {
  const at = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return api.registry.patch(PODS, 'default', name, 'merge', {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at }] },
  }, { subresource: 'status' }).object;
}

function budget(name: string, spec: Record<string, unknown>): KObject {
  return api.registry.create(PDB, 'default', { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec }).object;
}

type Status = { disruptionsAllowed: number; currentHealthy: number; desiredHealthy: number; expectedPods: number; observedGeneration?: number; disruptedPods?: Record<string, string>; conditions?: { type: string; status: string; reason: string }[] };
const statusOf = (name: string) => api.registry.get(PDB, 'default', name).status as Status;

function evict(name: string, extra: Record<string, unknown> = {}, dryRun = false) {
  return api.registry.evict('default', name, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...extra }, { dryRun });
}

function evictionError(name: string): StatusError {
  try {
    evict(name);
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail(`evicting ${name} succeeded`);
}

test('minAvailable 2 of 3: one eviction is allowed, the next is refused with 429 until the pod is back and Ready', async () => {
  const set = statefulSet('web', 3);
  for (let i = 0; i < 3; i++) pod(set, i);
  budget('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } });
  await eventually(() => statusOf('web').disruptionsAllowed === 1, 'one disruption allowed');
  const st = statusOf('web');
  assert.deepEqual([st.expectedPods, st.currentHealthy, st.desiredHealthy, st.observedGeneration], [3, 3, 2, 1]);
  assert.deepEqual(st.conditions?.map((c) => [c.type, c.status, c.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);

  assert.deepEqual(evict('web-1'), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  const evicted = api.registry.get(PODS, 'default', 'web-1');
  assert.ok(evicted.metadata?.deletionTimestamp, 'the pod is being deleted');
  const target = (evicted.status as { conditions: { type: string; status: string; reason?: string; message?: string }[] }).conditions.find((c) => c.type === 'DisruptionTarget');
  assert.deepEqual([target?.status, target?.reason, target?.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
  const spent = statusOf('web');
  assert.equal(spent.disruptionsAllowed, 0);
  assert.ok(spent.disruptedPods?.['web-1'], 'the eviction recorded the pod');
  assert.deepEqual(spent.conditions?.map((c) => [c.status, c.reason]), [['False', 'InsufficientPods']]);

  const refused = evictionError('web-2');
  assert.equal(refused.code, 429);
  assert.equal(refused.reason, 'TooManyRequests');
  assert.equal(refused.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.equal(refused.details?.causes?.[0].reason, 'DisruptionBudget');
  assert.match(refused.details!.causes![0].message!, /^The disruption budget web needs 2 healthy pods and has [23] currently$/);
  assert.ok(!api.registry.get(PODS, 'default', 'web-2').metadata?.deletionTimestamp, 'web-2 stays');

  // The controller sees web-1 deleting: the recorded disruption is dropped and the pod not counted.
  await eventually(() => { const s = statusOf('web'); return s.currentHealthy === 2 && !s.disruptedPods; }, 'web-1 seen deleting');
  // web-1 is gone and comes back (the StatefulSet controller's job), not ready yet.
  api.registry.delete(PODS, 'default', 'web-1', { gracePeriodSeconds: 0 });
  pod(set, 1, false);
  await eventually(() => statusOf('web').expectedPods === 3, 'the new pod counted');
  assert.equal(statusOf('web').disruptionsAllowed, 0);
  setReady('web-1', true);
  await eventually(() => statusOf('web').disruptionsAllowed === 1, 'allowed again once Ready');
  assert.deepEqual(statusOf('web').conditions?.map((c) => [c.status, c.reason]), [['True', 'SufficientPods']]);
});

test('maxUnavailable as a percentage of the StatefulSet\'s replicas', async () => {
  const set = statefulSet('db', 4);
  for (let i = 0; i < 3; i++) pod(set, i); // one replica missing
  budget('db', { maxUnavailable: '25%', selector: { matchLabels: { app: 'db' } } });
  // expected 4 (spec.replicas), maxUnavailable ceil(1) -> desired 3, healthy 3 -> none allowed.
  await eventually(() => statusOf('db').expectedPods === 4, 'expected from the scale');
  assert.deepEqual([statusOf('db').desiredHealthy, statusOf('db').currentHealthy, statusOf('db').disruptionsAllowed], [3, 3, 0]);
  pod(set, 3);
  await eventually(() => statusOf('db').disruptionsAllowed === 1, 'one allowed with all four');
});

test('a pod under two budgets gets a 500 Failure Status; unready pods and pending ones as Kubernetes decides', async () => {
  const set = statefulSet('kv', 3);
  for (let i = 0; i < 3; i++) pod(set, i);
  budget('kv', { minAvailable: 2, selector: { matchLabels: { app: 'kv' } } });
  budget('everything', { maxUnavailable: 0, selector: {} });
  assert.deepEqual(evict('kv-0'), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500,
  });
  api.registry.delete(PDB, 'default', 'everything');
  await eventually(() => statusOf('kv').disruptionsAllowed === 1, 'kv synced');

  // An unready pod while the application has its healthy pods goes without spending the budget.
  setReady('kv-2', false);
  await eventually(() => statusOf('kv').currentHealthy === 2, 'kv-2 unready seen');
  assert.equal(statusOf('kv').disruptionsAllowed, 0);
  assert.equal(evict('kv-2').status, 'Success');
  assert.equal(statusOf('kv').disruptionsAllowed, 0);
  assert.ok(api.registry.get(PODS, 'default', 'kv-2').metadata?.deletionTimestamp);

  // Below the budget an unready pod is protected, unless the policy is AlwaysAllow.
  setReady('kv-1', false);
  await eventually(() => statusOf('kv').currentHealthy === 1, 'kv-1 unready seen');
  assert.equal(evictionError('kv-1').code, 429);
  api.registry.patch(PDB, 'default', 'kv', 'merge', { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
  assert.equal(evict('kv-1').status, 'Success');

  // A Pending pod is deleted without asking the budget.
  api.registry.create(PODS, 'default', { metadata: { name: 'kv-pending', labels: { app: 'kv' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  assert.equal(evict('kv-pending').status, 'Success');
  assert.throws(() => api.registry.get(PODS, 'default', 'kv-pending'), /not found/);
});

test('a budget not yet observed at its generation answers 429 "still being processed"; dry run changes nothing', async () => {
  const set = statefulSet('q', 2);
  pod(set, 0);
  pod(set, 1);
  budget('q', { minAvailable: 1, selector: { matchLabels: { app: 'q' } } });
  await eventually(() => statusOf('q').disruptionsAllowed === 1, 'q synced');
  dc.stop();
  api.registry.patch(PDB, 'default', 'q', 'merge', { spec: { minAvailable: 0 } });
  const e = evictionError('q-0');
  assert.equal(e.code, 429);
  assert.equal(e.details?.retryAfterSeconds, 10);
  assert.equal(e.details?.causes?.[0].message, 'The disruption budget q is still being processed by the server.');
  // Back to the observed spec: a dry-run eviction spends nothing and deletes nothing.
  api.registry.patch(PDB, 'default', 'q', 'merge', { spec: { minAvailable: 1 } });
  api.registry.patch(PDB, 'default', 'q', 'merge', { status: { observedGeneration: 3 } }, { subresource: 'status' });
  assert.equal(evict('q-0', {}, true).status, 'Success');
  assert.equal(statusOf('q').disruptionsAllowed, 1);
  assert.ok(!api.registry.get(PODS, 'default', 'q-0').metadata?.deletionTimestamp);
  assert.throws(() => api.registry.evict('default', 'q-0', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'q-1' } }),
    /name in URL does not match name in Eviction object/);
  assert.throws(() => api.registry.evict('default', 'q-0', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'q-0', namespace: 'other' } }),
    /the namespace of the provided object does not match the namespace sent on the request/);
});

test('a budget whose pods name a controller that is gone fails safe: SyncFailed, nothing allowed', async () => {
  const set = statefulSet('gone', 2);
  pod(set, 0);
  pod(set, 1);
  budget('gone', { minAvailable: '50%', selector: { matchLabels: { app: 'gone' } } });
  await eventually(() => statusOf('gone').disruptionsAllowed === 1, 'synced');
  api.registry.delete(STS, 'default', 'gone', { propagationPolicy: 'Background' }); // no garbage collector here: the pods stay
  api.registry.patch(PDB, 'default', 'gone', 'merge', { spec: { minAvailable: '49%' } });
  await eventually(() => statusOf('gone').conditions?.some((c) => c.reason === 'SyncFailed'), 'fail safe');
  const st = statusOf('gone');
  assert.equal(st.disruptionsAllowed, 0);
  assert.deepEqual(st.conditions?.map((c) => [c.type, c.status, c.reason, (c as { message?: string }).message]), [
    ['DisruptionAllowed', 'False', 'SyncFailed', 'found no controllers for pod "gone-0"'],
  ]);
});
