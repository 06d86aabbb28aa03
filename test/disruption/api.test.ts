// PodDisruptionBudget and Lease as API objects: validation worded as
// Kubernetes words it, defaulting, generation, the status subresource and the
// Table printers, through the real registry over the memory store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resourceByKey } from '../../src/api/resources.js';
import { StatusError } from '../../src/api/errors.js';
import { cellsFor, columnsFor } from '../../src/api/printers/index.js';
import { createMemoryApi, type MemoryApi } from '../../src/testing/api.js';
import type { KObject } from '../../src/client/types.js';

const PDB = resourceByKey('poddisruptionbudgets.policy');
const LEASE = resourceByKey('leases.coordination.k8s.io');
let api: MemoryApi;

before(async () => {
  api = await createMemoryApi();
});
after(() => api.stop());

function pdb(name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec };
}

function invalidMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 422, e.message);
    return e.message;
  }
  assert.fail('expected 422 Invalid');
}

test('a PodDisruptionBudget is created with generation 1 and zero status counters', () => {
  const created = api.registry.create(PDB, 'default', pdb('web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } })).object;
  assert.equal(created.metadata?.generation, 1);
  assert.deepEqual(created.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  // A spec change bumps generation; a status write does not and keeps the spec.
  const updated = api.registry.patch(PDB, 'default', 'web', 'merge', { spec: { minAvailable: '50%' } }).object;
  assert.equal(updated.metadata?.generation, 2);
  const st = api.registry.patch(PDB, 'default', 'web', 'merge', { spec: { minAvailable: 9 }, status: { expectedPods: 3, observedGeneration: 2 } }, { subresource: 'status' }).object;
  assert.equal(st.metadata?.generation, 2);
  assert.equal((st.spec as { minAvailable: unknown }).minAvailable, '50%');
  assert.equal((st.status as { expectedPods: number }).expectedPods, 3);
});

test('PodDisruptionBudget validation as pkg/apis/policy/validation words it', () => {
  assert.equal(
    invalidMessage(() => api.registry.create(PDB, 'default', pdb('both', { minAvailable: 1, maxUnavailable: 1, selector: {} }))),
    'PodDisruptionBudget.policy "both" is invalid: spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000a1e010), Selector:(*v1.LabelSelector)(0xc000a1e020), MaxUnavailable:(*intstr.IntOrString)(0xc000a1e030), UnhealthyPodEvictionPolicy:(*policy.UnhealthyPodEvictionPolicyType)(nil)}: minAvailable and maxUnavailable cannot be both set',
  );
  assert.equal(
    invalidMessage(() => api.registry.create(PDB, 'default', pdb('neg', { minAvailable: -1 }))),
    'PodDisruptionBudget.policy "neg" is invalid: spec.minAvailable: Invalid value: -1: must be greater than or equal to 0',
  );
  assert.equal(
    invalidMessage(() => api.registry.create(PDB, 'default', pdb('pct', { maxUnavailable: '120%' }))),
    'PodDisruptionBudget.policy "pct" is invalid: spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
  );
  assert.match(
    invalidMessage(() => api.registry.create(PDB, 'default', pdb('str', { minAvailable: 'two' }))),
    /spec\.minAvailable: Invalid value: intstr\.IntOrString\{Type:1, IntVal:0, StrVal:"two"\}: a valid percent string must be a numeric string followed by an ending '%'/,
  );
  assert.equal(
    invalidMessage(() => api.registry.create(PDB, 'default', pdb('policy', { minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' }))),
    'PodDisruptionBudget.policy "policy" is invalid: spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
  );
  assert.match(
    invalidMessage(() => api.registry.create(PDB, 'default', pdb('sel', { minAvailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }))),
    /spec\.selector\.matchExpressions\[0\]\.values: Required value/,
  );
  // Names are path segments (ValidatePathSegmentName), checked once the spec is valid.
  assert.match(invalidMessage(() => api.registry.create(PDB, 'default', pdb('a%b', { minAvailable: 1 }))), /metadata\.name: Invalid value: "a%b": may not contain '%'/);
  // Status counters must not be negative.
  api.registry.create(PDB, 'default', pdb('st', { minAvailable: 1 }));
  assert.match(
    invalidMessage(() => api.registry.patch(PDB, 'default', 'st', 'merge', { status: { disruptionsAllowed: -1 } }, { subresource: 'status' })),
    /status\.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0/,
  );
  assert.match(
    invalidMessage(() => api.registry.patch(PDB, 'default', 'st', 'merge', { status: { conditions: [{ type: 'DisruptionAllowed', status: 'Maybe', reason: 'x y', lastTransitionTime: '2026-01-01T00:00:00Z', message: '' }] } }, { subresource: 'status' })),
    /status\.conditions\[0\]\.status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"/,
  );
});

test('a Lease keeps its MicroTimes in RFC 3339 micro form and drops gated fields', () => {
  const created = api.registry.create<KObject>(LEASE, 'kube-node-lease', {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-a' },
    spec: { holderIdentity: 'node-a', leaseDurationSeconds: 40, renewTime: '2026-01-02T03:04:05.123Z', acquireTime: '2026-01-02T05:04:05+02:00', strategy: 'OldestEmulationVersion' },
  }).object;
  const spec = created.spec as Record<string, unknown>;
  assert.equal(spec.renewTime, '2026-01-02T03:04:05.123000Z');
  assert.equal(spec.acquireTime, '2026-01-02T03:04:05.000000Z');
  assert.equal(spec.strategy, undefined);
  assert.equal(created.metadata?.generation, undefined);
  const bare = api.registry.create<KObject>(LEASE, 'default', { metadata: { name: 'bare' } }).object;
  assert.deepEqual(bare.spec, {});
  assert.throws(() => api.registry.create(LEASE, 'default', { metadata: { name: 'bad-time' }, spec: { renewTime: 'yesterday' } }), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.match(e.message, /^Lease in version "v1" cannot be handled as a Lease: parsing time "yesterday"/);
    return true;
  });
});

test('Lease validation as pkg/apis/coordination/validation words it', () => {
  assert.equal(
    invalidMessage(() => api.registry.create(LEASE, 'default', { metadata: { name: 'l1' }, spec: { leaseDurationSeconds: 0 } })),
    'Lease.coordination.k8s.io "l1" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
  );
  assert.equal(
    invalidMessage(() => api.registry.create(LEASE, 'default', { metadata: { name: 'L_1' }, spec: { leaseTransitions: -2 } })),
    'Lease.coordination.k8s.io "L_1" is invalid: [metadata.name: Invalid value: "L_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\'), spec.leaseTransitions: Invalid value: -2: must be greater than or equal to 0]',
  );
});

test('Table columns and cells as the apiserver prints them', () => {
  const now = new Date('2026-01-01T00:10:00Z');
  assert.deepEqual(columnsFor('poddisruptionbudgets.policy').map((c) => [c.name, c.type]), [
    ['Name', 'string'], ['Min Available', 'string'], ['Max Unavailable', 'string'], ['Allowed Disruptions', 'integer'], ['Age', 'string'],
  ]);
  const created = { name: 'web', creationTimestamp: '2026-01-01T00:00:00Z' };
  assert.deepEqual(cellsFor('poddisruptionbudgets.policy', { metadata: created, spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, now), ['web', '2', 'N/A', 1, '10m']);
  assert.deepEqual(cellsFor('poddisruptionbudgets.policy', { metadata: created, spec: { maxUnavailable: '25%' } }, now), ['web', 'N/A', '25%', 0, '10m']);
  assert.deepEqual(columnsFor('leases.coordination.k8s.io').map((c) => c.name), ['Name', 'Holder', 'Age']);
  assert.deepEqual(cellsFor('leases.coordination.k8s.io', { metadata: created, spec: { holderIdentity: 'node-a' } }, now), ['web', 'node-a', '10m']);
  assert.deepEqual(cellsFor('leases.coordination.k8s.io', { metadata: created, spec: {} }, now), ['web', '', '10m']);
});
