// The disruption controller's arithmetic as pure functions: expected counts,
// recorded disruptions and their timeout, healthy pods, the next status, and
// stale DisruptionTarget conditions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import {
  DELETION_TIMEOUT_MS, STALE_POD_DISRUPTION_TIMEOUT_MS, buildDisruptedPodMap, countHealthyPods, expectedPodCount, labelSelectorString,
  nextStatus, scaledValue, staleDisruptionWait, type ScaleFinder,
} from '../../src/controllers/disruption/budget.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, opts: { ready?: boolean; owner?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name, namespace: 'default',
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: opts.owner, controller: true }] } : {}),
      ...(opts.deleting ? { deletionTimestamp: at(T0) } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

const pdb = (spec: PodDisruptionBudget['spec'], status: Partial<NonNullable<PodDisruptionBudget['status']>> = {}, generation = 1): PodDisruptionBudget =>
  ({ metadata: { name: 'b', namespace: 'default', generation }, spec, status: status as PodDisruptionBudget['status'] });

test('scaledValue rounds percentages up, as GetScaledValueFromIntOrPercent(…, true)', () => {
  assert.equal(scaledValue(2, 10, true), 2);
  assert.equal(scaledValue('25%', 3, true), 1);
  assert.equal(scaledValue('50%', 3, true), 2);
  assert.equal(scaledValue('50%', 3, false), 1);
  assert.throws(() => scaledValue('5', 3, true), /string is not a percentage/);
});

test('expected pods: integer minAvailable counts the pods, percentages and maxUnavailable ask the controllers', async () => {
  const pods = [pod('a', { owner: 'u1' }), pod('b', { owner: 'u1' }), pod('lonely')];
  const calls: string[] = [];
  const find: ScaleFinder = async (ref) => { calls.push(ref.uid); return { uid: ref.uid, scale: 5 }; };
  assert.deepEqual(await expectedPodCount(pdb({ minAvailable: 2 }), pods, find), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
  assert.deepEqual(calls, []);
  assert.deepEqual(await expectedPodCount(pdb({ minAvailable: '50%' }), pods, find), { expectedCount: 5, desiredHealthy: 3, unmanagedPods: ['lonely'] });
  assert.deepEqual(calls, ['u1'], 'one lookup per controller');
  assert.deepEqual(await expectedPodCount(pdb({ maxUnavailable: 7 }), pods, find), { expectedCount: 5, desiredHealthy: 0, unmanagedPods: ['lonely'] });
  await assert.rejects(expectedPodCount(pdb({ maxUnavailable: 1 }), pods, async () => undefined), /found no controllers for pod "a"/);
});

test('recorded disruptions hold until the pod is seen deleting or the timeout passes', () => {
  const b = pdb({ minAvailable: 1 }, { disruptedPods: { a: at(T0), b: at(T0), gone: at(T0), c: at(T0 - DELETION_TIMEOUT_MS - 1000) } });
  const pods = [pod('a', { deleting: true }), pod('b'), pod('c'), pod('d')];
  const m = buildDisruptedPodMap(pods, b, T0 + 1000);
  assert.deepEqual(m.disruptedPods, { b: at(T0) });
  assert.equal(m.recheckAt, T0 + DELETION_TIMEOUT_MS);
  assert.deepEqual(m.notDeleted.map((p) => p.metadata?.name), ['c']);
  // a is deleting, b is about to be: neither counts; c and d do.
  assert.equal(countHealthyPods(pods, m.disruptedPods, T0 + 1000), 2);
  assert.equal(countHealthyPods([pod('x', { ready: false })], {}, T0), 0);
});

test('nextStatus: allowed = healthy - desired when pods are expected; nothing when already current', () => {
  const now = new Date(T0);
  const st = nextStatus(pdb({ minAvailable: 2 }), 3, 2, 3, {}, now)!;
  assert.deepEqual(st, {
    observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: at(T0), reason: 'SufficientPods', message: '' }],
  });
  assert.equal(nextStatus({ ...pdb({ minAvailable: 2 }), status: st as never }, 3, 2, 3, {}, new Date(T0 + 5000)), undefined);
  const none = nextStatus({ ...pdb({ minAvailable: 2 }), status: st as never }, 5, 2, 0, {}, new Date(T0 + 5000))!;
  assert.equal(none.disruptionsAllowed, 0, 'no expected pods, no disruption');
  assert.deepEqual(none.conditions, [{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: at(T0 + 5000), reason: 'InsufficientPods', message: '' }]);
});

test('a DisruptionTarget condition on a pod that is not deleting goes stale after two minutes', () => {
  const p = pod('a');
  p.status!.conditions!.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', lastTransitionTime: at(T0) });
  assert.equal(staleDisruptionWait(p, T0 + 1000), STALE_POD_DISRUPTION_TIMEOUT_MS - 1000);
  assert.equal(staleDisruptionWait(p, T0 + STALE_POD_DISRUPTION_TIMEOUT_MS + 1), 0);
  assert.equal(staleDisruptionWait(pod('b'), T0), undefined);
  assert.equal(staleDisruptionWait({ ...p, metadata: { ...p.metadata, deletionTimestamp: at(T0) } }, T0), undefined);
});

test('a selector printed as Go prints a *metav1.LabelSelector', () => {
  assert.equal(labelSelectorString({ matchLabels: { app: 'web', tier: 'db' } }),
    '&LabelSelector{MatchLabels:map[string]string{app: web,tier: db,},MatchExpressions:[]LabelSelectorRequirement{},}');
});
