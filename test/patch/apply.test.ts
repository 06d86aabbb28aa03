import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, recordUpdate, serverSideApply } from '../../src/apiserver/patch/index.js';
import { StatusError } from '../../src/api/errors.js';

const T0 = new Date('2026-01-02T03:04:05.678Z');
const T1 = new Date('2026-01-02T03:05:00.000Z');

function config(extra: { replicas?: number; image?: string; labels?: Record<string, string>; ports?: unknown[] } = {}) {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: extra.image ?? 'nginx:1.9', ports: extra.ports ?? [{ containerPort: 80 }] }] },
    },
  };
  if (extra.replicas !== undefined) spec.replicas = extra.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', labels: extra.labels ?? { app: 'nginx' } },
    spec,
  };
}

/** What the registry would add after apply: defaults and server metadata. */
function stored(obj: any): any {
  const out = structuredClone(obj);
  out.metadata.uid = 'u1';
  out.metadata.resourceVersion = '7';
  for (const p of out.spec.template.spec.containers[0].ports ?? []) p.protocol ??= 'TCP';
  return out;
}

function entry(obj: any, manager: string, operation = 'Apply') {
  return obj.metadata.managedFields.find((e: any) => e.manager === manager && e.operation === operation);
}

test('apply creates: the manager owns exactly the applied fields, in FieldsV1 form', () => {
  const obj = serverSideApply('statefulsets.apps', undefined, config({ replicas: 2 }), 'kubectl', false, T0);
  assert.equal(obj.spec.replicas, 2);
  assert.equal(obj.metadata.name, 'web');
  assert.deepEqual(obj.metadata.managedFields, [{
    manager: 'kubectl',
    operation: 'Apply',
    apiVersion: 'apps/v1',
    time: '2026-01-02T03:04:05Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': { 'f:matchLabels': { 'f:app': {} } },
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    },
  }]);
});

test('re-applying without a field removes it; re-applying the same config changes nothing', () => {
  const first = stored(serverSideApply('statefulsets.apps', undefined,
    config({ replicas: 2, labels: { app: 'nginx', tier: 'web' } }), 'kubectl', false, T0));
  const second = serverSideApply('statefulsets.apps', first, config({ labels: { app: 'nginx' } }), 'kubectl', false, T1);
  assert.equal('replicas' in second.spec, false, 'replicas was applied before and is omitted now');
  assert.deepEqual(second.metadata.labels, { app: 'nginx' });
  assert.equal(second.metadata.uid, 'u1', 'server metadata stays');
  assert.equal(second.spec.template.spec.containers[0].ports[0].protocol, 'TCP', 'defaulted fields stay');
  assert.equal(entry(second, 'kubectl').time, '2026-01-02T03:05:00Z');
  assert.equal(entry(second, 'kubectl').fieldsV1['f:spec']['f:replicas'], undefined);

  const third = serverSideApply('statefulsets.apps', second, config({ labels: { app: 'nginx' } }), 'kubectl', false,
    new Date('2027-01-01T00:00:00Z'));
  assert.deepEqual(third, second, 'a no-op apply leaves the object, times included, alone');
});

test('a field another manager owns with a different value is a 409 Conflict, unless forced', () => {
  // Created by client-side apply (an Update by kubectl-client-side-apply).
  const created = stored({ ...config({ replicas: 2 }) });
  recordUpdate('statefulsets.apps', undefined, created, 'kubectl-client-side-apply', T0);
  assert.equal(entry(created, 'kubectl-client-side-apply', 'Update').fieldsV1['f:spec']['f:replicas'] !== undefined, true);

  // Same values: no conflict, shared ownership.
  const shared = serverSideApply('statefulsets.apps', created, config({ replicas: 2 }), 'kubectl', false, T1);
  assert.ok(entry(shared, 'kubectl').fieldsV1['f:spec']['f:replicas']);
  assert.ok(entry(shared, 'kubectl-client-side-apply', 'Update').fieldsV1['f:spec']['f:replicas']);

  let err: unknown;
  try {
    serverSideApply('statefulsets.apps', created, config({ replicas: 3 }), 'kubectl', false, T1);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof StatusError);
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(err.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  assert.deepEqual(err.details?.causes, [{
    reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas',
  }]);

  // Two conflicts: the plural form, grouped by manager.
  try {
    serverSideApply('statefulsets.apps', created, config({ replicas: 3, image: 'nginx:2' }), 'kubectl', false, T1);
    assert.fail('expected a conflict');
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.message, 'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
      '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
  }

  const forced = serverSideApply('statefulsets.apps', created, config({ replicas: 3 }), 'kubectl', true, T1);
  assert.equal(forced.spec.replicas, 3);
  assert.ok(entry(forced, 'kubectl').fieldsV1['f:spec']['f:replicas']);
  assert.equal(entry(forced, 'kubectl-client-side-apply', 'Update').fieldsV1['f:spec']['f:replicas'], undefined,
    'force takes the field away from the other manager');
});

test('a field omitted by the applier but owned by another manager stays', () => {
  const a = stored(serverSideApply('statefulsets.apps', undefined, config({ replicas: 2 }), 'kubectl', false, T0));
  const b = serverSideApply('statefulsets.apps', a, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: { replicas: 2 } },
    'autoscaler', false, T1);
  const c = serverSideApply('statefulsets.apps', b, config({}), 'kubectl', false, T1);
  assert.equal(c.spec.replicas, 2);
  assert.equal(entry(c, 'kubectl').fieldsV1['f:spec']['f:replicas'], undefined);
  assert.ok(entry(c, 'autoscaler').fieldsV1['f:spec']['f:replicas']);
});

test('container ports: a key without protocol matches the defaulted TCP port', () => {
  const a = stored(serverSideApply('statefulsets.apps', undefined, config({}), 'kubectl', false, T0));
  const b = serverSideApply('statefulsets.apps', a, config({ ports: [{ containerPort: 80, name: 'web' }] }), 'kubectl', false, T1);
  assert.deepEqual(b.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'web' }]);
});

test('apply ignores status and server metadata, and rejects items without keys', () => {
  const obj = serverSideApply('statefulsets.apps', undefined,
    { ...config({}), status: { replicas: 5 }, metadata: { name: 'web', uid: 'x', managedFields: [{ manager: 'evil' }] } },
    'kubectl', false, T0);
  assert.equal(obj.status, undefined);
  assert.equal(obj.metadata.managedFields.length, 1);
  assert.equal(entry(obj, 'kubectl').fieldsV1['f:metadata'], undefined);
  assert.throws(() => serverSideApply('statefulsets.apps', undefined,
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
    'kubectl', false, T0), (e: unknown) => e instanceof StatusError && e.code === 400 && /omits key field "name"/.test(e.message));
  assert.throws(() => serverSideApply('statefulsets.apps', undefined, config({}), '', false, T0),
    (e: unknown) => e instanceof StatusError && e.code === 422);
});

test('updates record ownership: create, then a patch takes changed fields from the applier', () => {
  const created = stored(serverSideApply('statefulsets.apps', undefined, config({ replicas: 2 }), 'kubectl', false, T0));
  const patched = applyPatch('statefulsets.apps', 'strategic', created,
    { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } } } });
  recordUpdate('statefulsets.apps', created, patched, 'kubectl-set', T1);
  const set = entry(patched, 'kubectl-set', 'Update');
  assert.deepEqual(set, {
    manager: 'kubectl-set', operation: 'Update', apiVersion: 'apps/v1', time: '2026-01-02T03:05:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } } } },
  });
  const applier = entry(patched, 'kubectl').fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'];
  assert.equal(applier['f:image'], undefined);
  assert.deepEqual(patched.metadata.managedFields.map((e: any) => e.operation), ['Apply', 'Update']);

  // An update that changes nothing records nothing.
  const again = structuredClone(patched);
  recordUpdate('statefulsets.apps', patched, again, 'someone', T1);
  assert.deepEqual(again.metadata.managedFields, patched.metadata.managedFields);

  // Applying the old image now conflicts with kubectl-set.
  assert.throws(() => serverSideApply('statefulsets.apps', patched, config({ replicas: 2 }), 'kubectl', false, T1),
    (e: unknown) => e instanceof StatusError && e.code === 409 &&
      e.message === 'Apply failed with 1 conflict: conflict with "kubectl-set" using apps/v1: .spec.template.spec.containers[name="nginx"].image');
});

test('create records maps with their own member, as the apiserver does', () => {
  const obj: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: '1' } }, data: { k: 'v' } };
  recordUpdate('configmaps', undefined, obj, 'kubectl-create', T0);
  assert.deepEqual(obj.metadata.managedFields[0].fieldsV1, {
    'f:data': { '.': {}, 'f:k': {} },
    'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
  });
  // Removing a field removes it from its owner.
  const next = structuredClone(obj);
  delete next.data;
  recordUpdate('configmaps', obj, next, 'kubectl-edit', T1);
  assert.deepEqual(next.metadata.managedFields.map((e: any) => e.manager), ['kubectl-create']);
  assert.deepEqual(next.metadata.managedFields[0].fieldsV1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } });
});
