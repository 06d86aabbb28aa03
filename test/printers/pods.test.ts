import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellsFor, columnsFor } from '../../src/api/printers/index.js';
import { H, M, NOW, S, ago } from './fixtures.js';

function pod(over: { metadata?: any; spec?: any; status?: any } = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', creationTimestamp: ago(5 * M), ...over.metadata },
    spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8' }], nodeName: 'node-1', ...over.spec },
    status: over.status ?? {},
  };
}

const running = (name = 'nginx', restartCount = 0, extra: any = {}) => ({
  name, ready: true, restartCount, started: true, image: 'nginx', imageID: '',
  state: { running: { startedAt: ago(4 * M) } }, ...extra,
});

const row = (p: any) => cellsFor('pods', p, NOW);

test('pod columns are the real ones, wide columns at priority 1', () => {
  const cols = columnsFor('pods');
  assert.deepEqual(cols.map((c) => [c.name, c.type, c.format, c.priority]), [
    ['Name', 'string', 'name', 0],
    ['Ready', 'string', '', 0],
    ['Status', 'string', '', 0],
    ['Restarts', 'string', '', 0],
    ['Age', 'string', '', 0],
    ['IP', 'string', '', 1],
    ['Node', 'string', '', 1],
    ['Nominated Node', 'string', '', 1],
    ['Readiness Gates', 'string', '', 1],
  ]);
  for (const c of cols) assert.ok(c.description.length > 10, c.name);
});

test('a running, ready pod', () => {
  const p = pod({
    status: {
      phase: 'Running', podIP: '10.244.0.10', podIPs: [{ ip: '10.244.0.10' }],
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      containerStatuses: [running()],
    },
  });
  assert.deepEqual(row(p), ['web-0', '1/1', 'Running', '0', '5m', '10.244.0.10', 'node-1', '<none>', '<none>']);
});

test('a pod whose container is being created, and one not yet scheduled', () => {
  const creating = pod({
    metadata: { name: 'web-1', creationTimestamp: ago(3 * S) },
    status: {
      phase: 'Pending',
      containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, image: 'nginx', imageID: '', state: { waiting: { reason: 'ContainerCreating' } } }],
    },
  });
  assert.deepEqual(row(creating), ['web-1', '0/1', 'ContainerCreating', '0', '3s', '<none>', 'node-1', '<none>', '<none>']);

  const pending = pod({ metadata: { name: 'web-2', creationTimestamp: ago(0) }, spec: { nodeName: undefined }, status: { phase: 'Pending' } });
  assert.deepEqual(row(pending), ['web-2', '0/1', 'Pending', '0', '0s', '<none>', '<none>', '<none>', '<none>']);

  const gated = pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } });
  assert.equal(row(gated)[2], 'SchedulingGated');
});

test('a pod being deleted is Terminating, or Unknown when its node was lost', () => {
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running()] };
  const terminating = pod({ metadata: { deletionTimestamp: ago(-30 * S), deletionGracePeriodSeconds: 30 }, status });
  assert.deepEqual(row(terminating).slice(0, 5), ['web-0', '1/1', 'Terminating', '0', '5m']);

  const lost = pod({ metadata: { deletionTimestamp: ago(0) }, status: { ...status, reason: 'NodeLost' } });
  assert.equal(row(lost)[2], 'Unknown');

  // A pod that already finished keeps its terminal status while it is deleted.
  const done = pod({
    metadata: { deletionTimestamp: ago(0) },
    status: { phase: 'Succeeded', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
  });
  assert.equal(row(done)[2], 'Completed');
});

test('a crash-looping pod shows the restart count and when the last restart was', () => {
  const p = pod({
    metadata: { creationTimestamp: ago(3 * H) },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{
        name: 'nginx', ready: false, restartCount: 5, image: 'nginx', imageID: '',
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(5 * M + 2 * S), finishedAt: ago(5 * M) } },
      }],
    },
  });
  assert.deepEqual(row(p).slice(0, 5), ['web-0', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '3h']);
});

test('terminated containers: reason, exit code or signal', () => {
  const term = (terminated: any) => pod({
    status: { phase: 'Failed', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated } }] },
  });
  assert.equal(row(term({ exitCode: 1, reason: 'Error' }))[2], 'Error');
  assert.equal(row(term({ exitCode: 137, reason: 'OOMKilled' }))[2], 'OOMKilled');
  assert.equal(row(term({ exitCode: 137 }))[2], 'ExitCode:137');
  assert.equal(row(term({ exitCode: 143, signal: 15 }))[2], 'Signal:15');
});

test('init containers: Init:n/m, Init:<reason>, Init:ExitCode', () => {
  const initContainers = [{ name: 'init-a', image: 'busybox' }, { name: 'init-b', image: 'busybox' }];
  const withInit = (initContainerStatuses: any[]) => pod({
    spec: { initContainers },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses,
      containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, image: '', imageID: '', state: { waiting: { reason: 'PodInitializing' } } }],
    },
  });
  const st = (name: string, state: any, restartCount = 0, lastState: any = {}) => ({ name, ready: false, restartCount, image: '', imageID: '', state, lastState });
  const waitInit = { waiting: { reason: 'PodInitializing' } };
  const done = { terminated: { exitCode: 0, reason: 'Completed' } };

  assert.equal(row(withInit([st('init-a', waitInit), st('init-b', waitInit)]))[2], 'Init:0/2');
  assert.equal(row(withInit([st('init-a', done), st('init-b', { running: {} })]))[2], 'Init:1/2');
  assert.equal(row(withInit([st('init-a', { terminated: { exitCode: 1, reason: 'Error' } }), st('init-b', waitInit)]))[2], 'Init:Error');
  assert.equal(row(withInit([st('init-a', { terminated: { exitCode: 2 } }), st('init-b', waitInit)]))[2], 'Init:ExitCode:2');

  const looping = row(withInit([
    st('init-a', { waiting: { reason: 'CrashLoopBackOff' } }, 3, { terminated: { exitCode: 1, finishedAt: ago(90 * S) } }),
    st('init-b', waitInit),
  ]));
  assert.deepEqual(looping.slice(1, 4), ['0/1', 'Init:CrashLoopBackOff', '3 (90s ago)']);
});

test('sidecar init containers count towards READY', () => {
  const p = pod({
    spec: { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [running('proxy', 1, { lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * H) } } })], // under 3h reads in minutes
      containerStatuses: [running()],
    },
  });
  assert.deepEqual(row(p).slice(1, 4), ['2/2', 'Running', '1 (120m ago)']);
});

test('a completed container beside a running one reads Running or NotReady', () => {
  const status = (ready: boolean) => ({
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [
      running('app'),
      { name: 'job', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ],
  });
  const spec = { containers: [{ name: 'app' }, { name: 'job' }] };
  assert.deepEqual(row(pod({ spec, status: status(true) })).slice(1, 3), ['1/2', 'Running']);
  assert.deepEqual(row(pod({ spec, status: status(false) })).slice(1, 3), ['1/2', 'NotReady']);
});

test('wide cells: nominated node and readiness gates', () => {
  const p = pod({
    spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/other' }] },
    status: {
      phase: 'Running', podIP: '10.244.0.12', nominatedNodeName: 'node-2',
      conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/other', status: 'False' }],
      containerStatuses: [running()],
    },
  });
  assert.deepEqual(row(p).slice(5), ['10.244.0.12', 'node-1', 'node-2', '1/2']);
});
