// Crash safety through the real server: `ordinal serve` killed with -9 leaves
// its pods' processes running; the next ordinal re-adopts them (same pid,
// same start), runs nothing twice, and they stay manageable.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcess } from '../../src/node/runtime/procfs.js';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import { countProcesses } from './helpers.js';

let c: TestCluster;

before(async () => {
  c = await startCluster(['--runtime', 'process']);
});

after(async () => {
  await c?.stop();
});

const ok = (args: string[]): string => c.ok(args);


test('kill -9 of ordinal: containers keep running, are re-adopted, and nothing runs twice', async () => {
  const marker = `kill9-${process.pid}-${Date.now()}`;
  const manifest = c.write('keeper.json', JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'keeper' },
    spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo up; exec sleep 3600'], env: [{ name: 'MARKER', value: marker }] }] },
  }));
  ok(['create', '-f', manifest]);
  ok(['wait', '--for=condition=Ready', 'pod/keeper', '--timeout=60s']);
  const pod = JSON.parse(ok(['get', 'pod', 'keeper', '-o', 'json']));
  const state = JSON.parse(readFileSync(join(c.dataDir, 'pods', pod.metadata.uid, 'containers', 'c', '0', 'state.json'), 'utf8'));
  const processes = countProcesses(marker);
  assert.ok(processes >= 1);

  await c.kill9();
  assert.ok(isSameProcess(state.pid, state.startTime), 'the container outlived ordinal');
  await c.restart();
  await eventually(() => c.kubectl(['get', 'pod', 'keeper', '-o', 'jsonpath={.status.containerStatuses[0].ready}']).stdout === 'true', 30_000, 'keeper Ready again');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(countProcesses(marker), processes, 'no second copy started');
  assert.ok(isSameProcess(state.pid, state.startTime), 'the same process, re-adopted');
  const again = JSON.parse(ok(['get', 'pod', 'keeper', '-o', 'json']));
  assert.equal(again.status.containerStatuses[0].restartCount, 0);
  assert.equal(again.status.podIP, pod.status.podIP);
  assert.equal(ok(['logs', 'keeper']), 'up\n');
  assert.equal(ok(['exec', 'keeper', '--', 'sh', '-c', 'echo $MARKER']).trim(), marker);
  ok(['delete', 'pod', 'keeper', '--timeout=30s']);
  assert.equal(countProcesses(marker), 0, 'deleting the pod stops the re-adopted process');
});
