import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { desiredEndpoints, desiredSubsets, truncateSubsets } from '../../src/controllers/endpoints/endpoints.js';
import { findPort } from '../../src/controllers/endpoints/pods.js';
import { podToEndpoint, reconcileSlices } from '../../src/controllers/endpoints/slices.js';

function svc(over: Partial<NonNullable<Service['spec']>> = {}, labels?: Record<string, string>): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'nginx', namespace: 'default', uid: 'svc-uid', labels },
    spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 80, protocol: 'TCP' }], ...over },
  };
}

function pod(name: string, ip: string | undefined, ready: boolean, extra: { deleting?: boolean; phase?: string; hostname?: string; subdomain?: string; ports?: { name: string; containerPort: number }[] } = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'nginx' }, deletionTimestamp: extra.deleting ? '2026-01-01T00:00:00Z' : undefined },
    spec: {
      hostname: extra.hostname, subdomain: extra.subdomain, nodeName: 'node1',
      containers: [{ name: 'nginx', ports: extra.ports?.map((p) => ({ ...p, protocol: 'TCP' })) }],
    },
    status: {
      phase: extra.phase ?? 'Running',
      podIP: ip, podIPs: ip ? [{ ip }] : undefined,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

test('ready and not-ready pods land in addresses and notReadyAddresses, sorted by IP', () => {
  const subsets = desiredSubsets(svc(), [pod('web-1', '127.0.1.3', true), pod('web-0', '127.0.1.2', true), pod('web-2', '127.0.1.4', false)]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['127.0.1.2', '127.0.1.3']);
  assert.deepEqual(subsets[0].notReadyAddresses!.map((a) => a.ip), ['127.0.1.4']);
  assert.deepEqual(subsets[0].ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0].addresses![0].targetRef, { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0' });
  assert.equal(subsets[0].addresses![0].nodeName, 'node1');
});

test('pods without an IP, finished pods, and (by default) terminating pods are left out', () => {
  const subsets = desiredSubsets(svc(), [
    pod('a', undefined, false), pod('b', '127.0.1.2', false, { phase: 'Failed' }), pod('c', '127.0.1.3', true, { deleting: true }),
  ]);
  assert.deepEqual(subsets, []);
});

test('publishNotReadyAddresses makes every address ready and keeps terminating pods', () => {
  const subsets = desiredSubsets(svc({ publishNotReadyAddresses: true }), [pod('a', '127.0.1.2', false), pod('c', '127.0.1.3', true, { deleting: true })]);
  assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['127.0.1.2', '127.0.1.3']);
  assert.equal(subsets[0].notReadyAddresses, undefined);
});

test('hostname is set only when the pod subdomain names the service', () => {
  const subsets = desiredSubsets(svc(), [
    pod('web-0', '127.0.1.2', true, { hostname: 'web-0', subdomain: 'nginx' }),
    pod('web-1', '127.0.1.3', true, { hostname: 'web-1', subdomain: 'other' }),
  ]);
  assert.equal(subsets[0].addresses![0].hostname, 'web-0');
  assert.equal(subsets[0].addresses![1].hostname, undefined);
});

test('named target ports resolve per pod; pods without the port are skipped', () => {
  const s = svc({ ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }] });
  assert.equal(findPort(pod('a', '1.1.1.1', true, { ports: [{ name: 'http', containerPort: 8080 }] }), s.spec!.ports![0]), 8080);
  const subsets = desiredSubsets(s, [
    pod('a', '127.0.1.2', true, { ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', '127.0.1.3', true),
  ]);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0].addresses!.map((a) => a.ip), ['127.0.1.2']);
  assert.equal(subsets[0].ports![0].port, 8080);
});

test('headless service without ports still lists its addresses', () => {
  const subsets = desiredSubsets(svc({ ports: [] }), [pod('a', '127.0.1.2', true)]);
  assert.deepEqual(subsets, [{ addresses: [{ ip: '127.0.1.2', nodeName: 'node1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] }]);
});

test('desiredEndpoints: new object carries the service labels and the headless label; unchanged world means no write', () => {
  const s = svc({}, { app: 'nginx' });
  const pods = [pod('web-0', '127.0.1.2', true)];
  const ep = desiredEndpoints(s, pods, undefined)!;
  assert.equal(ep.metadata!.name, 'nginx');
  assert.deepEqual(ep.metadata!.labels, { app: 'nginx', 'service.kubernetes.io/headless': '' });
  assert.equal(ep.metadata!.ownerReferences, undefined);
  const stored: Endpoints = { ...structuredClone(ep), metadata: { ...ep.metadata, resourceVersion: '7', uid: 'x' } };
  assert.equal(desiredEndpoints(s, pods, stored), undefined);
  const changed = desiredEndpoints(s, [pod('web-0', '127.0.1.2', false)], stored)!;
  assert.equal(changed.metadata!.resourceVersion, '7');
  assert.equal(changed.subsets![0].notReadyAddresses!.length, 1);
});

test('desiredEndpoints: an empty service still gets an Endpoints object without subsets', () => {
  const ep = desiredEndpoints(svc({ clusterIP: '10.96.0.20' }), [], undefined)!;
  assert.equal(ep.subsets, undefined);
  assert.equal(ep.metadata!.labels, undefined);
});

test('truncation keeps 1000 addresses, ready ones first, and is annotated', () => {
  const pods: Pod[] = [];
  for (let i = 0; i < 1005; i++) pods.push(pod(`p${i}`, `10.0.${i >> 8}.${i & 255}`, i % 2 === 0));
  const ep = desiredEndpoints(svc(), pods, undefined)!;
  const s = ep.subsets![0];
  assert.equal((s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 1000);
  assert.equal(s.addresses!.length, 503);
  assert.equal(ep.metadata!.annotations!['endpoints.kubernetes.io/over-capacity'], 'truncated');
  assert.equal(truncateSubsets([{ addresses: [{ ip: '1.1.1.1' }] }]), false);
});

test('podToEndpoint: ready/serving/terminating as Kubernetes sets them', () => {
  const p = pod('web-0', '127.0.1.2', true, { deleting: true, hostname: 'web-0', subdomain: 'nginx' });
  assert.deepEqual(podToEndpoint(p, svc(), 'IPv4'), {
    addresses: ['127.0.1.2'],
    conditions: { ready: false, serving: true, terminating: true },
    hostname: 'web-0',
    targetRef: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-web-0' },
    nodeName: 'node1',
  });
  assert.equal(podToEndpoint(p, svc({ publishNotReadyAddresses: true }), 'IPv4').conditions!.ready, true);
});

function stored(slice: EndpointSlice, name: string, rv = '5'): EndpointSlice {
  const { generateName: _g, ...meta } = slice.metadata!;
  return { ...structuredClone(slice), metadata: { ...meta, name, resourceVersion: rv } };
}

test('reconcileSlices: a new service gets one slice with its labels, owner and ports; then nothing changes', () => {
  const s = svc({}, { app: 'nginx' });
  const pods = [pod('web-0', '127.0.1.2', true, { hostname: 'web-0', subdomain: 'nginx' }), pod('web-1', '127.0.1.3', false)];
  const plan = reconcileSlices(s, pods, []);
  assert.equal(plan.create.length, 1);
  assert.equal(plan.update.length + plan.delete.length, 0);
  const slice = plan.create[0];
  assert.equal(slice.metadata!.generateName, 'nginx-');
  assert.deepEqual(slice.metadata!.labels, {
    app: 'nginx', 'service.kubernetes.io/headless': '', 'kubernetes.io/service-name': 'nginx',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  });
  assert.deepEqual(slice.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: 'web', protocol: 'TCP', port: 80 }]);
  assert.deepEqual(slice.endpoints.map((e) => [e.addresses[0], e.conditions!.ready, e.hostname]), [['127.0.1.2', true, 'web-0'], ['127.0.1.3', false, undefined]]);
  const again = reconcileSlices(s, pods, [stored(slice, 'nginx-abcde')]);
  assert.deepEqual(again, { create: [], update: [], delete: [] });
});

test('reconcileSlices: readiness change updates the slice in place; losing all pods leaves a placeholder', () => {
  const s = svc();
  const first = reconcileSlices(s, [pod('web-0', '127.0.1.2', false)], []).create[0];
  const existing = stored(first, 'nginx-abcde');
  const upd = reconcileSlices(s, [pod('web-0', '127.0.1.2', true)], [existing]);
  assert.equal(upd.update.length, 1);
  assert.equal(upd.update[0].metadata!.name, 'nginx-abcde');
  assert.equal(upd.update[0].endpoints[0].conditions!.ready, true);
  const empty = reconcileSlices(s, [], [existing]);
  // The emptied slice becomes the placeholder by update, not delete + create.
  assert.equal(empty.create.length + empty.delete.length, 0);
  assert.equal(empty.update.length, 1);
  assert.deepEqual(empty.update[0].endpoints, []);
  assert.deepEqual(empty.update[0].ports, []);
  const placeholder = stored(empty.update[0], 'nginx-abcde', '6');
  assert.deepEqual(reconcileSlices(s, [], [placeholder]), { create: [], update: [], delete: [] });
});

test('reconcileSlices: a service with no pods creates a placeholder slice', () => {
  const plan = reconcileSlices(svc(), [], []);
  assert.equal(plan.create.length, 1);
  assert.deepEqual(plan.create[0].endpoints, []);
  assert.deepEqual(plan.create[0].ports, []);
});

test('reconcileSlices: more than maxEndpointsPerSlice pods spread over several slices', () => {
  const pods: Pod[] = [];
  for (let i = 0; i < 250; i++) pods.push(pod(`p${String(i).padStart(3, '0')}`, `10.1.${i >> 8}.${i & 255}`, true));
  const plan = reconcileSlices(svc(), pods, []);
  assert.deepEqual(plan.create.map((s) => s.endpoints.length), [100, 100, 50]);
  const existing = plan.create.map((s, i) => stored(s, `nginx-${i}`));
  assert.deepEqual(reconcileSlices(svc(), pods, existing), { create: [], update: [], delete: [] });
  // One more pod fits into the slice with room, by update.
  const more = reconcileSlices(svc(), [...pods, pod('zzz', '10.2.0.1', true)], existing);
  assert.equal(more.create.length, 0);
  assert.equal(more.update.length, 1);
  assert.equal(more.update[0].metadata!.name, 'nginx-2');
  assert.equal(more.update[0].endpoints.length, 51);
});

test('reconcileSlices: slices owned by an older service of the same name are replaced; service label changes propagate', () => {
  const s = svc({}, { tier: 'a' });
  const mine = stored(reconcileSlices(s, [pod('a', '127.0.1.2', true)], []).create[0], 'nginx-mine');
  const foreign = { ...structuredClone(mine), metadata: { ...structuredClone(mine.metadata), name: 'nginx-old', ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'nginx', uid: 'old-uid' }] } };
  const plan = reconcileSlices(s, [pod('a', '127.0.1.2', true)], [mine, foreign as EndpointSlice]);
  assert.deepEqual(plan.delete.map((x) => x.metadata!.name), ['nginx-old']);
  const relabel = reconcileSlices(svc({}, { tier: 'b' }), [pod('a', '127.0.1.2', true)], [mine]);
  assert.equal(relabel.update.length, 1);
  assert.equal(relabel.update[0].metadata!.labels!.tier, 'b');
});

test('reconcileSlices: terminating pods stay listed with terminating=true', () => {
  const plan = reconcileSlices(svc(), [pod('a', '127.0.1.2', true, { deleting: true })], []);
  assert.deepEqual(plan.create[0].endpoints[0].conditions, { ready: false, serving: true, terminating: true });
});
