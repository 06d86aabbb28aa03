import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  crashedStatus, creatingStatus, restartedStatus, runningStatus, stageOf, stoppedStatus,
} from '../../src/node/simulated/status.js';
import { FakeClock, Timeline } from '../../src/node/simulated/timeline.js';
import { LoopbackPool } from '../../src/node/simulated/ippool.js';
import { failedSchedulingMessage, podFitsNode } from '../../src/node/simulated/scheduler.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function pod(extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name: 'web-0', namespace: 'default', uid: 'u1' },
    spec: { nodeName: 'n1', containers: [{ name: 'nginx', image: 'nginx:1.9.1' }], ...extra },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

test('stages follow the status a kubelet writes', () => {
  const p = pod();
  assert.equal(stageOf({ ...p, spec: { ...p.spec!, nodeName: undefined } }, 'n1'), 'unscheduled');
  assert.equal(stageOf(p, 'other'), 'foreign');
  assert.equal(stageOf(p, 'n1'), 'bound');
  const creating = { ...p, status: creatingStatus(p, '127.0.0.1', T0) };
  assert.equal(stageOf(creating, 'n1'), 'creating');
  const running = { ...creating, status: runningStatus(creating, '127.0.0.1', '127.0.1.1', T0 + 1000, true) };
  assert.equal(stageOf(running, 'n1'), 'running');
  const crashed = { ...running, status: crashedStatus(running, 'nginx', 1, T0 + 2000) };
  assert.equal(stageOf(crashed, 'n1'), 'crashed');
  assert.equal(stageOf({ ...running, status: stoppedStatus(running, T0 + 3000) }, 'n1'), 'finished');
  assert.equal(stageOf({ ...running, metadata: { ...running.metadata, deletionTimestamp: 'x' } }, 'n1'), 'terminating');
});

test('ContainerCreating status: Pending, waiting reason, conditions in kubelet order', () => {
  const st = creatingStatus(pod(), '127.0.0.1', T0);
  assert.equal(st.phase, 'Pending');
  assert.equal(st.hostIP, '127.0.0.1');
  assert.equal(st.startTime, '2026-01-01T12:00:00Z');
  assert.equal(st.podIP, undefined);
  assert.deepEqual(st.conditions!.map((c) => `${c.type}=${c.status}`), [
    'PodReadyToStartContainers=False', 'Initialized=True', 'Ready=False', 'ContainersReady=False', 'PodScheduled=True',
  ]);
  assert.equal(st.conditions![2].message, 'containers with unready status: [nginx]');
  assert.deepEqual(st.containerStatuses![0].state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(st.qosClass, 'BestEffort');
});

test('Running status: IPs, container running, Ready; transition times move only on change', () => {
  const p = pod();
  const creating = { ...p, status: creatingStatus(p, '127.0.0.1', T0) };
  const st = runningStatus(creating, '127.0.0.1', '127.0.1.7', T0 + 500, true);
  assert.equal(st.phase, 'Running');
  assert.deepEqual(st.podIPs, [{ ip: '127.0.1.7' }]);
  const cs = st.containerStatuses![0];
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.match(cs.containerID!, /^containerd:\/\/[0-9a-f]{64}$/);
  assert.match(cs.imageID!, /^nginx@sha256:[0-9a-f]{64}$/);
  assert.deepEqual(cs.state, { running: { startedAt: '2026-01-01T12:00:00Z' } });
  assert.ok(st.conditions!.every((c) => c.status === 'True'));
  const initialized = st.conditions!.find((c) => c.type === 'Initialized')!;
  assert.equal(initialized.lastTransitionTime, '2026-01-01T12:00:00Z');
  assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2026-01-01T12:00:00Z');
});

test('crash, back-off and restart keep restartCount and lastState as the kubelet reports them', () => {
  const p = pod();
  const running = { ...p, status: runningStatus({ ...p, status: creatingStatus(p, 'h', T0) }, 'h', '127.0.1.1', T0, true) };
  const crashed = { ...running, status: crashedStatus(running, 'nginx', 2, T0 + 5000) };
  const c1 = crashed.status!.containerStatuses![0];
  assert.equal(c1.state!.terminated!.exitCode, 2);
  assert.equal(c1.state!.terminated!.reason, 'Error');
  assert.equal(c1.restartCount, 0);
  assert.equal(crashed.status!.phase, 'Running');
  assert.equal(crashed.status!.conditions!.find((c) => c.type === 'Ready')!.status, 'False');
  const restarted = restartedStatus(crashed, 'h', '127.0.1.1', 'nginx', T0 + 6000, true);
  const c2 = restarted.containerStatuses![0];
  assert.equal(c2.restartCount, 1);
  assert.equal(c2.lastState!.terminated!.exitCode, 2);
  assert.deepEqual(c2.state, { running: { startedAt: '2026-01-01T12:00:06Z' } });
  const looping = crashedStatus({ ...crashed, status: restartedStatus(crashed, 'h', '127.0.1.1', 'nginx', T0 + 7000, false) }, 'nginx', 1, T0 + 7000, 'back-off 10s restarting failed container=nginx pod=web-0_default(u1)');
  const c3 = looping.containerStatuses![0];
  assert.equal(c3.state!.waiting!.reason, 'CrashLoopBackOff');
  assert.equal(c3.restartCount, 1);
  assert.equal(c3.lastState!.terminated!.exitCode, 1);
  assert.equal(stageOf({ ...p, status: looping }, 'n1'), 'crashed');
});

test('stopped status: Succeeded when containers exit 0, conditions say PodCompleted', () => {
  const p = pod();
  const running = { ...p, status: runningStatus({ ...p, status: creatingStatus(p, 'h', T0) }, 'h', '127.0.1.1', T0, true) };
  const st = stoppedStatus(running, T0 + 1000);
  assert.equal(st.phase, 'Succeeded');
  assert.equal(st.containerStatuses![0].state!.terminated!.reason, 'Completed');
  assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodCompleted');
  assert.equal(stoppedStatus(running, T0, 137).phase, 'Failed');
});

test('init containers: PodInitializing while creating, Completed once running', () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
  const st = creatingStatus(p, 'h', T0);
  assert.equal(st.initContainerStatuses![0].state!.waiting!.reason, 'PodInitializing');
  assert.equal(st.conditions!.find((c) => c.type === 'Initialized')!.status, 'False');
  assert.equal(stageOf({ ...p, status: st }, 'n1'), 'creating');
  const run = runningStatus({ ...p, status: st }, 'h', '127.0.1.2', T0, true);
  assert.equal(run.initContainerStatuses![0].state!.terminated!.reason, 'Completed');
});

test('timeline hands out due items in time order, with one timer', () => {
  const clock = new FakeClock(T0);
  const seen: string[][] = [];
  const tl = new Timeline<string>(clock, (items) => seen.push(items));
  tl.after(100, 'b');
  tl.after(50, 'a');
  tl.after(100, 'c');
  tl.after(0, 'now');
  clock.advance(0);
  assert.deepEqual(seen, [['now']]);
  clock.advance(60);
  clock.advance(40);
  assert.deepEqual(seen, [['now'], ['a'], ['b', 'c']]);
  assert.equal(tl.size(), 0);
});

test('loopback pool: skips .0/.255, reuses freed addresses only after the rest', () => {
  const pool = new LoopbackPool();
  pool.reserve('127.0.1.2');
  assert.equal(pool.allocate(), '127.0.1.1');
  assert.equal(pool.allocate(), '127.0.1.3');
  pool.release('127.0.1.1');
  assert.equal(pool.allocate(), '127.0.1.4');
  for (let i = 5; i <= 254; i++) pool.allocate();
  assert.equal(pool.allocate(), '127.0.2.1');
});

test('scheduling: claims must exist, not be deleting, and be bound (Immediate) first', () => {
  const node = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } };
  const p = pod({ nodeName: undefined, volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }] });
  const none = podFitsNode(p, node, () => undefined, () => undefined);
  assert.deepEqual(none, { fits: false, message: failedSchedulingMessage('persistentvolumeclaim "www-web-0" not found') });
  assert.equal((none as { message: string }).message,
    '0/1 nodes are available: persistentvolumeclaim "www-web-0" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  const pending = { metadata: { name: 'www-web-0' }, spec: { storageClassName: 'local-path' }, status: { phase: 'Pending' } };
  assert.deepEqual(podFitsNode(p, node, () => pending, () => ({ metadata: { name: 'local-path' }, provisioner: 'x', volumeBindingMode: 'Immediate' })),
    { fits: false, message: failedSchedulingMessage('pod has unbound immediate PersistentVolumeClaims') });
  assert.deepEqual(podFitsNode(p, node, () => pending, () => ({ metadata: { name: 'local-path' }, provisioner: 'x', volumeBindingMode: 'WaitForFirstConsumer' })),
    { fits: false, waitForClaims: ['www-web-0'] });
  assert.deepEqual(podFitsNode(p, node, () => ({ ...pending, status: { phase: 'Bound' } }), () => undefined), { fits: true });
  assert.equal(podFitsNode(pod({ nodeName: undefined, nodeSelector: { disk: 'ssd' } }), node, () => undefined, () => undefined).fits, false);
});

test('applyBinding: sets nodeName and PodScheduled, refuses bound or deleting pods', async () => {
  const { applyBinding, bindingFor } = await import('../../src/node/simulated/scheduler.js');
  const p = pod({ nodeName: undefined });
  const bound = applyBinding(p, bindingFor(p, 'n1'), '2026-01-01T00:00:00Z');
  assert.equal(bound.spec?.nodeName, 'n1');
  assert.deepEqual(bound.status?.conditions, [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }]);
  assert.throws(() => applyBinding(bound, bindingFor(p, 'n2'), 'x'), /Operation cannot be fulfilled on pods\/binding "web-0": pod web-0 is already assigned to node "n1"/);
  const deleting = { ...p, metadata: { ...p.metadata, deletionTimestamp: 'x' } };
  assert.throws(() => applyBinding(deleting, bindingFor(p, 'n1'), 'x'), /is being deleted, cannot be assigned to a host/);
  assert.throws(() => applyBinding(p, { ...bindingFor(p, 'n1'), metadata: { name: 'web-0', uid: 'other' } }, 'x'), /Precondition failed/);
});
