import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EndpointsController } from '../../src/controllers/endpoints/index.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import type { Client, KObject } from '../../src/client/types.js';
import { eventually, memoryApi } from '../simnode/harness.js';

type E = Endpoints & KObject;
type S = EndpointSlice & KObject;

async function slices(client: Client, svc = 'nginx'): Promise<S[]> {
  return (await client.list<S>('endpointslices.discovery.k8s.io', 'default', { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

function statefulPod(name: string, labels: Record<string, string> = { app: 'nginx' }): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { hostname: name, subdomain: 'nginx', containers: [{ name: 'nginx', image: 'nginx:1.9.1', ports: [{ name: 'web', containerPort: 80 }] }] },
  };
}

async function setup(t: { after(fn: () => void): void }, ready = 0) {
  const api = await memoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0, terminate: 0, ready }, events: false });
  const ctrl = new EndpointsController({ client: api.client });
  t.after(() => { ctrl.stop(); node.stop(); api.stop(); });
  await node.start();
  await ctrl.start();
  return { api, node, ctrl, client: api.client };
}

test('endpoints controller: headless service of a StatefulSet gets Endpoints and a slice with hostnames, ready state and ports', async (t) => {
  const { client, node } = await setup(t);
  await client.create('services', 'default', {
    metadata: { name: 'nginx', labels: { app: 'nginx' } },
    spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 'web' }] },
  } as KObject);
  // An empty service: an Endpoints object without subsets and a placeholder slice.
  const emptyEp = await eventually(async () => client.get<E>('endpoints', 'default', 'nginx'), 'endpoints');
  assert.equal(emptyEp.subsets, undefined);
  assert.deepEqual(emptyEp.metadata?.labels, { app: 'nginx', 'service.kubernetes.io/headless': '' });
  const placeholder = await eventually(async () => (await slices(client))[0], 'placeholder slice');
  assert.deepEqual(placeholder.endpoints, []);

  await client.create('pods', 'default', statefulPod('web-0'));
  await client.create('pods', 'default', statefulPod('web-1'));
  const ep = await eventually(async () => {
    const e = await client.get<E>('endpoints', 'default', 'nginx');
    return e.subsets?.[0]?.addresses?.length === 2 && e;
  }, 'two ready addresses');
  const pods = (await client.list<Pod & KObject>('pods', 'default')).items;
  const ipOf = (n: string) => pods.find((p) => p.metadata?.name === n)!.status!.podIP!;
  assert.deepEqual(ep.subsets![0].addresses!.map((a) => [a.hostname, a.ip, a.nodeName, a.targetRef?.name]).sort(),
    [['web-0', ipOf('web-0'), 'sim-1', 'web-0'], ['web-1', ipOf('web-1'), 'sim-1', 'web-1']]);
  assert.deepEqual(ep.subsets![0].ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);

  const all = await eventually(async () => {
    const s = await slices(client);
    return s.length === 1 && s[0].endpoints.length === 2 && s[0].endpoints.every((e) => e.conditions?.ready) && s;
  }, 'one slice with two ready endpoints');
  const slice = all[0];
  // The placeholder was filled in place, not replaced.
  assert.equal(slice.metadata?.name, placeholder.metadata?.name);
  assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata?.ownerReferences?.[0].kind, 'Service');
  assert.deepEqual(slice.ports, [{ name: 'web', protocol: 'TCP', port: 80 }]);
  assert.deepEqual(slice.endpoints.map((e) => e.hostname).sort(), ['web-0', 'web-1']);

  // Readiness lost: the address moves to notReadyAddresses and the endpoint to ready=false.
  node.setReady('default', 'web-1', false);
  await eventually(async () => (await client.get<E>('endpoints', 'default', 'nginx')).subsets?.[0]?.notReadyAddresses?.[0]?.hostname === 'web-1', 'not ready address');
  await eventually(async () => (await slices(client))[0].endpoints.find((e) => e.hostname === 'web-1')?.conditions?.ready === false, 'not ready endpoint');

  // Deleting a pod removes it from both.
  await client.delete('pods', 'default', 'web-0');
  await eventually(async () => {
    const e = await client.get<E>('endpoints', 'default', 'nginx');
    return !e.subsets?.[0]?.addresses && e.subsets?.[0]?.notReadyAddresses?.length === 1;
  }, 'web-0 gone from endpoints');
  await eventually(async () => (await slices(client))[0].endpoints.length === 1, 'web-0 gone from slice');
});

test('endpoints controller: no churn — an unchanged world makes no writes', async (t) => {
  const { client, ctrl } = await setup(t);
  await client.create('services', 'default', { metadata: { name: 'nginx' }, spec: { selector: { app: 'nginx' }, ports: [{ port: 80 }] } } as KObject);
  await client.create('pods', 'default', statefulPod('web-0'));
  await eventually(async () => (await slices(client))[0]?.endpoints[0]?.conditions?.ready, 'ready endpoint');
  await ctrl.idle();
  const epBefore = (await client.get<E>('endpoints', 'default', 'nginx')).metadata?.resourceVersion;
  const sliceBefore = (await slices(client))[0].metadata?.resourceVersion;
  // A pod change that does not matter to endpoints (an annotation) and a service resync.
  const p = await client.get<KObject>('pods', 'default', 'web-0');
  await client.update('pods', 'default', { ...p, metadata: { ...p.metadata, annotations: { x: 'y' } } });
  await new Promise((r) => setTimeout(r, 50));
  await ctrl.idle();
  assert.equal((await client.get<E>('endpoints', 'default', 'nginx')).metadata?.resourceVersion, epBefore);
  assert.equal((await slices(client))[0].metadata?.resourceVersion, sliceBefore);
  assert.equal((await slices(client)).length, 1);
});

test('endpoints controller: label changes move pods between services; deleted service loses its Endpoints', async (t) => {
  const { client } = await setup(t);
  await client.create('services', 'default', { metadata: { name: 'a' }, spec: { selector: { tier: 'a' }, ports: [{ port: 80 }] } } as KObject);
  await client.create('services', 'default', { metadata: { name: 'b' }, spec: { selector: { tier: 'b' }, ports: [{ port: 80 }] } } as KObject);
  await client.create('pods', 'default', statefulPod('p', { tier: 'a' }));
  await eventually(async () => (await client.get<E>('endpoints', 'default', 'a')).subsets?.[0]?.addresses?.length === 1, 'in a');
  const p = await client.get<KObject>('pods', 'default', 'p');
  await client.update('pods', 'default', { ...p, metadata: { ...p.metadata, labels: { tier: 'b' } } });
  await eventually(async () => (await client.get<E>('endpoints', 'default', 'b')).subsets?.[0]?.addresses?.length === 1, 'in b');
  await eventually(async () => !(await client.get<E>('endpoints', 'default', 'a')).subsets, 'out of a');
  await eventually(async () => (await slices(client, 'a'))[0]?.endpoints.length === 0, 'slice a empty');
  await client.delete('services', 'default', 'b');
  await eventually(async () => {
    try {
      await client.get('endpoints', 'default', 'b');
      return false;
    } catch {
      return true;
    }
  }, 'endpoints b deleted');
});

test('endpoints controller: publishNotReadyAddresses lists pods before they are ready; selector-less services are left alone', async (t) => {
  const { client } = await setup(t, 60_000);
  await client.create('services', 'default', {
    metadata: { name: 'nginx' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'nginx' }, ports: [{ port: 80 }] },
  } as KObject);
  await client.create('pods', 'default', {
    ...statefulPod('web-0'),
    spec: { hostname: 'web-0', subdomain: 'nginx', containers: [{ name: 'nginx', image: 'nginx', readinessProbe: { exec: { command: ['false'] } } }] },
  });
  const ep = await eventually(async () => (await client.get<E>('endpoints', 'default', 'nginx')).subsets?.[0]?.addresses?.[0], 'address');
  assert.equal(ep.hostname, 'web-0');
  const pod = await client.get<Pod & KObject>('pods', 'default', 'web-0');
  assert.equal(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  const s = (await slices(client))[0];
  assert.deepEqual(s.endpoints[0].conditions, { ready: true, serving: false, terminating: false });

  await client.create('services', 'default', { metadata: { name: 'manual' }, spec: { ports: [{ port: 80 }] } } as KObject);
  await client.create('endpoints', 'default', { metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] } as KObject);
  await new Promise((r) => setTimeout(r, 50));
  const manual = await client.get<E>('endpoints', 'default', 'manual');
  assert.equal(manual.subsets?.[0].addresses?.[0].ip, '10.0.0.1');
  assert.equal((await slices(client, 'manual')).length, 0);
});
