// Writes through the status subresource, as the apiserver's status strategies
// make them: server-side apply, update and patch change status and metadata
// but never the spec, their managed-fields entries record `subresource:
// status`, and the main resource never changes the status.
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceByKey } from '../../src/api/resources.js';
import { StatusError } from '../../src/api/errors.js';
import type { KObject } from '../../src/client/types.js';
import { Registry } from '../../src/registry/registry.js';
import { bootstrap } from '../../src/registry/bootstrap.js';
import { MemoryStore } from '../../src/store/memory.js';

const services = resourceByKey('services');
const pods = resourceByKey('pods');
const sets = resourceByKey('statefulsets.apps');

let r: Registry;
beforeEach(() => {
  r = new Registry({ store: new MemoryStore() });
  bootstrap(r);
});

function service(): KObject {
  return r.create(services, 'default', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'front' },
    spec: { type: 'LoadBalancer', selector: { app: 'front' }, ports: [{ port: 80 }] },
  }, { fieldManager: 'creator' }).object;
}

const statusConfig = (ip: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'front' },
  status: { loadBalancer: { ingress: [{ ip }] } }, ...extra,
});

const entries = (o: KObject) => (o.metadata!.managedFields ?? []).map((e) => `${e.manager}/${e.operation}/${e.subresource ?? ''}`).sort();
const entry = (o: KObject, manager: string, subresource?: string) =>
  o.metadata!.managedFields!.find((e) => e.manager === manager && e.subresource === subresource)!;

test('apply to status: status stored, spec ignored, the entry records subresource status', () => {
  service();
  const out = r.patch(services, 'default', 'front', 'apply', statusConfig('192.0.2.10', { spec: { ports: [{ port: 9 }] } }),
    { subresource: 'status', fieldManager: 'lb' }).object;
  assert.deepEqual((out.status as any).loadBalancer.ingress, [{ ip: '192.0.2.10' }]);
  assert.equal((out.spec as any).ports[0].port, 80);
  const e = entry(out, 'lb', 'status');
  assert.equal(e.operation, 'Apply');
  assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } });
  assert.deepEqual(r.get(services, 'default', 'front').status, out.status, 'stored');
});

test('the same manager applying to the main resource and to status keeps two entries', () => {
  service();
  r.patch(services, 'default', 'front', 'apply', statusConfig('192.0.2.10'), { subresource: 'status', fieldManager: 'lb' });
  const out = r.patch(services, 'default', 'front', 'apply', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'front', annotations: { owner: 'lb' } },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.99' }] } },
  }, { fieldManager: 'lb' }).object;
  assert.deepEqual((out.status as any).loadBalancer.ingress, [{ ip: '192.0.2.10' }], 'the main resource leaves status alone');
  assert.deepEqual(entries(out).filter((e) => e.startsWith('lb/')), ['lb/Apply/', 'lb/Apply/status']);
  assert.equal((entry(out, 'lb').fieldsV1 as Record<string, unknown> | undefined)?.['f:status'], undefined);
  // Re-applying the status with another address updates the status entry, not a new one.
  const again = r.patch(services, 'default', 'front', 'apply', statusConfig('192.0.2.11'), { subresource: 'status', fieldManager: 'lb' }).object;
  assert.deepEqual((again.status as any).loadBalancer.ingress, [{ ip: '192.0.2.11' }]);
  assert.deepEqual(entries(again).filter((e) => e.startsWith('lb/')), ['lb/Apply/', 'lb/Apply/status']);
});

test('a status apply conflicts with a status field another manager updated, unless forced', () => {
  const svc = service();
  r.update(services, 'default', 'front', { ...svc, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
    { subresource: 'status', fieldManager: 'cloud' });
  assert.throws(
    () => r.patch(services, 'default', 'front', 'apply', statusConfig('192.0.2.10'), { subresource: 'status', fieldManager: 'lb' }),
    (e: unknown) => e instanceof StatusError && e.code === 409 && /conflict with "cloud" with subresource "status" using v1: \.status\.loadBalancer\.ingress/.test(e.message),
  );
  const forced = r.patch(services, 'default', 'front', 'apply', statusConfig('192.0.2.10'), { subresource: 'status', fieldManager: 'lb', force: true }).object;
  assert.deepEqual((forced.status as any).loadBalancer.ingress, [{ ip: '192.0.2.10' }]);
});

test('a status update records an Update entry of subresource status, and writes labels but not the spec', () => {
  const svc = service();
  const out = r.update(services, 'default', 'front', {
    ...svc, metadata: { ...svc.metadata, labels: { lb: 'ready' } },
    spec: { ...(svc.spec as object), ports: [{ port: 9 }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  }, { subresource: 'status', fieldManager: 'cloud' }).object;
  assert.equal((out.spec as any).ports[0].port, 80);
  assert.deepEqual(out.metadata!.labels, { lb: 'ready' });
  const e = entry(out, 'cloud', 'status');
  assert.equal(e.operation, 'Update');
  assert.deepEqual(Object.keys(e.fieldsV1 ?? {}).sort(), ['f:metadata', 'f:status']);
  assert.equal(entry(out, 'creator').operation, 'Update', 'the creator keeps its main-resource entry');
});

test('a pod status write keeps the owner references; managed fields the request leaves out stay', () => {
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-1', controller: true };
  const pod = r.create<KObject>(pods, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', ownerReferences: [owner] },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  }, { fieldManager: 'creator' }).object;
  const { managedFields: _m, ...meta } = pod.metadata!;
  const out = r.update<KObject>(pods, 'default', 'web-0', {
    ...pod, metadata: { ...meta, ownerReferences: [] }, status: { ...(pod.status as object), phase: 'Running' },
  }, { subresource: 'status' }).object;
  assert.equal((out.status as any).phase, 'Running');
  assert.deepEqual(out.metadata!.ownerReferences, [owner]);
  assert.deepEqual(out.metadata!.managedFields, pod.metadata!.managedFields);
});

test('a scale write records its entry under subresource scale', () => {
  r.create(sets, 'default', {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, serviceName: 'web',
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  }, { fieldManager: 'creator' });
  const out = r.update(sets, 'default', 'web', { metadata: { name: 'web' }, spec: { replicas: 3 } } as KObject,
    { subresource: 'scale', fieldManager: 'kubectl' }).object;
  const e = entry(out, 'kubectl', 'scale');
  assert.deepEqual(e.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});
