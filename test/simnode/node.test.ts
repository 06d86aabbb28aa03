import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { eventually, memoryApi as createMemoryApi } from './harness.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import type { Client, KObject } from '../../src/client/types.js';

type P = Pod & KObject;

function podSpec(name: string, extra: Record<string, unknown> = {}): P {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.1' }], ...extra },
  } as P;
}

async function getPod(client: Client, name: string): Promise<P> {
  return client.get<P>('pods', 'default', name);
}

test('simulated node: registers a Ready node, binds, creates, runs and readies a pod, with kubelet events', async (t) => {
  const api = await createMemoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 20 } });
  t.after(() => { node.stop(); api.stop(); });
  await node.start();
  const n = await api.client.get<KObject>('nodes', undefined, 'sim-1');
  const ready = ((n.status as { conditions: { type: string; status: string }[] }).conditions).find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'True');

  const phases: string[] = [];
  const w = api.client.watch<P>('pods', 'default', { resourceVersion: '' }, (ev) => {
    const p = ev.object;
    const waiting = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    phases.push(`${p.spec?.nodeName ?? '-'}:${waiting ?? p.status?.phase}`);
  });
  t.after(() => w.stop());
  await api.client.create('pods', 'default', podSpec('web-0'));
  const pod = await eventually(async () => {
    const p = await getPod(api.client, 'web-0');
    return p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && p;
  }, 'web-0 Ready');
  assert.equal(pod.spec?.nodeName, 'sim-1');
  assert.equal(pod.status?.phase, 'Running');
  assert.match(pod.status!.podIP!, /^127\.0\.1\.\d+$/);
  assert.equal(pod.status?.hostIP, '127.0.0.1');
  assert.deepEqual(pod.status?.conditions?.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  assert.ok(pod.status?.containerStatuses?.[0].state?.running);
  // Pending (unbound) -> Pending (bound) -> ContainerCreating -> Running, as kubectl get -w shows.
  assert.deepEqual(phases.filter((x, i) => x !== phases[i - 1]), ['-:Pending', 'sim-1:Pending', 'sim-1:ContainerCreating', 'sim-1:Running']);

  const events = await eventually(async () => {
    const l = await api.client.list<KObject>('events', 'default');
    return l.items.length >= 4 && l.items;
  }, 'events');
  const byReason = new Map(events.map((e) => [e.reason as string, e]));
  assert.equal(byReason.get('Scheduled')?.message, 'Successfully assigned default/web-0 to sim-1');
  assert.deepEqual(byReason.get('Scheduled')?.source, { component: 'default-scheduler' });
  assert.equal(byReason.get('Pulled')?.message, 'Container image "nginx:1.9.1" already present on machine');
  assert.equal(byReason.get('Created')?.message, 'Created container: nginx');
  assert.equal(byReason.get('Started')?.message, 'Started container nginx');
  assert.deepEqual(byReason.get('Started')?.source, { component: 'kubelet', host: 'sim-1' });
  assert.equal((byReason.get('Started')?.involvedObject as { fieldPath?: string }).fieldPath, 'spec.containers{nginx}');
});

test('simulated node: deleting a running pod stops it, reports Succeeded, removes it and frees its IP', async (t) => {
  const api = await createMemoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0, terminate: 10 }, events: false });
  t.after(() => { node.stop(); api.stop(); });
  await node.start();
  await api.client.create('pods', 'default', podSpec('web-0'));
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.phase === 'Running', 'running');
  assert.equal(node.addressesInUse(), 1);
  const seen: string[] = [];
  const w = api.client.watch<P>('pods', 'default', { resourceVersion: (await getPod(api.client, 'web-0')).metadata!.resourceVersion }, (ev) => {
    seen.push(`${ev.type}:${ev.object.metadata?.deletionTimestamp ? 'T' : ''}${ev.object.status?.phase}`);
  });
  t.after(() => w.stop());
  const after = await api.client.delete<P>('pods', 'default', 'web-0');
  assert.ok(after?.metadata?.deletionTimestamp, 'graceful deletion of a scheduled pod');
  await eventually(async () => {
    try {
      await getPod(api.client, 'web-0');
      return false;
    } catch {
      return true;
    }
  }, 'pod removed');
  assert.deepEqual(seen, ['MODIFIED:TRunning', 'MODIFIED:TSucceeded', 'DELETED:TSucceeded']);
  assert.equal(node.addressesInUse(), 0);
});

test('simulated node: crash, crash loop with back-off, recovery, readiness flips and failure', async (t) => {
  const api = await createMemoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0, restart: 10, backoff: 20 } });
  t.after(() => { node.stop(); api.stop(); });
  await node.start();
  await api.client.create('pods', 'default', podSpec('web-0'));
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.containerStatuses?.[0]?.ready, 'ready');

  await node.crash('default', 'web-0');
  const crashed = await getPod(api.client, 'web-0');
  assert.equal(crashed.status?.containerStatuses?.[0].state?.terminated?.reason, 'Error');
  const restarted = await eventually(async () => {
    const p = await getPod(api.client, 'web-0');
    return p.status?.containerStatuses?.[0].restartCount === 1 && p.status.containerStatuses[0].ready && p;
  }, 'restarted');
  assert.equal(restarted.status?.containerStatuses?.[0].lastState?.terminated?.exitCode, 1);

  await node.crash('default', 'web-0', { loop: true, exitCode: 2 });
  const looping = await eventually(async () => {
    const p = await getPod(api.client, 'web-0');
    return p.status?.containerStatuses?.[0].state?.waiting?.reason === 'CrashLoopBackOff' && (p.status.containerStatuses[0].restartCount ?? 0) >= 3 && p;
  }, 'crash loop');
  assert.match(looping.status!.containerStatuses![0].state!.waiting!.message!, /^back-off \d+ms restarting failed container=nginx pod=web-0_default\(/);
  node.recover('default', 'web-0');
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.containerStatuses?.[0].state?.running, 'recovered', 5000);
  const backOff = (await api.client.list<KObject>('events', 'default')).items.find((e) => e.reason === 'BackOff');
  assert.equal(backOff?.type, 'Warning');
  assert.match(backOff!.message as string, /^Back-off restarting failed container nginx in pod web-0_default\(/);

  node.setReady('default', 'web-0', false);
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False', 'unready');
  const p = await getPod(api.client, 'web-0');
  assert.equal(p.status?.phase, 'Running');
  node.setReady('default', 'web-0', true);
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'ready again');

  await node.fail('default', 'web-0', { reason: 'Evicted', message: 'simulated' });
  const failed = await getPod(api.client, 'web-0');
  assert.equal(failed.status?.phase, 'Failed');
  assert.equal(failed.status?.reason, 'Evicted');
});

test('simulated node: restartPolicy Never turns a crash into a Failed pod', async (t) => {
  const api = await createMemoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0 }, events: false });
  t.after(() => { node.stop(); api.stop(); });
  await node.start();
  await api.client.create('pods', 'default', podSpec('job-0', { restartPolicy: 'Never' }));
  await eventually(async () => (await getPod(api.client, 'job-0')).status?.phase === 'Running', 'running');
  await node.crash('default', 'job-0', { exitCode: 3 });
  const p = await eventually(async () => {
    const x = await getPod(api.client, 'job-0');
    return x.status?.phase === 'Failed' && x;
  }, 'failed');
  assert.equal(p.status?.containerStatuses?.[0].state?.terminated?.exitCode, 3);
});

test('simulated node: readiness probes delay Ready; pods waiting on claims are not scheduled', async (t) => {
  const api = await createMemoryApi();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0, ready: 50 } });
  t.after(() => { node.stop(); api.stop(); });
  await node.start();
  await api.client.create('pods', 'default', podSpec('probe-0', {
    containers: [{ name: 'nginx', image: 'nginx', readinessProbe: { httpGet: { path: '/', port: 80 } } }],
  }));
  const running = await eventually(async () => {
    const p = await getPod(api.client, 'probe-0');
    return p.status?.phase === 'Running' && p;
  }, 'running');
  assert.equal(running.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
  await eventually(async () => (await getPod(api.client, 'probe-0')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 'ready');

  await api.client.create('pods', 'default', podSpec('web-0', { volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }] }));
  const ev = await eventually(async () => (await api.client.list<KObject>('events', 'default')).items.find((e) => e.reason === 'FailedScheduling'), 'FailedScheduling');
  assert.equal(ev.message, '0/1 nodes are available: persistentvolumeclaim "www-web-0" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  assert.equal((await getPod(api.client, 'web-0')).spec?.nodeName, undefined);
  // The claim appears and is bound (by hand here): the pod gets scheduled.
  await api.client.create('persistentvolumeclaims', 'default', {
    metadata: { name: 'www-web-0' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' },
  } as KObject);
  const pvc = await api.client.get<KObject>('persistentvolumeclaims', 'default', 'www-web-0');
  await api.client.update('persistentvolumeclaims', 'default', { ...pvc, status: { phase: 'Bound' } }, { subresource: 'status' });
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.phase === 'Running', 'scheduled after claim bound');
});

test('simulated node: a restart resumes pods where their status says they are', async (t) => {
  const api = await createMemoryApi();
  t.after(() => api.stop());
  const slow = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 60_000 }, events: false });
  await slow.start();
  await api.client.create('pods', 'default', podSpec('web-0'));
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating', 'creating');
  slow.stop();
  const fast = new SimulatedNode({ client: api.client, nodeName: 'sim-1', delays: { start: 0 }, events: false });
  t.after(() => fast.stop());
  await fast.start();
  await eventually(async () => (await getPod(api.client, 'web-0')).status?.phase === 'Running', 'running after restart');
  assert.equal(fast.addressesInUse(), 1);
});

test('simulated node: with a fake clock nothing moves until time is advanced', async (t) => {
  const { FakeClock } = await import('../../src/node/simulated/index.js');
  const api = await createMemoryApi();
  const clock = new FakeClock();
  const node = new SimulatedNode({ client: api.client, nodeName: 'sim-1', clock, delays: { schedule: 0, accept: 0, start: 1000 }, events: false, heartbeatMs: 0 });
  t.after(() => { node.stop(); api.stop(); });
  await node.start();
  await api.client.create('pods', 'default', podSpec('web-0'));
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(0);
      await node.idle();
    }
  };
  await settle();
  const creating = await getPod(api.client, 'web-0');
  assert.equal(creating.spec?.nodeName, 'sim-1');
  assert.equal(creating.status?.containerStatuses?.[0].state?.waiting?.reason, 'ContainerCreating');
  assert.equal(creating.status?.startTime, new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  clock.advance(999);
  await settle();
  assert.equal((await getPod(api.client, 'web-0')).status?.phase, 'Pending');
  clock.advance(1);
  await settle();
  assert.equal((await getPod(api.client, 'web-0')).status?.phase, 'Running');
});
