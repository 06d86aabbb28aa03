// Crash safety: containers outlive the node agent and are re-adopted after a
// restart, by pid and kernel start time; nothing runs twice; pods deleted
// meanwhile lose their processes; a graceful stop stops pods gracefully.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSameProcess } from '../../src/node/runtime/procfs.js';
import { waitFor } from '../helpers/eventually.js';
import { startEnv, podSpec, waitPod, isReady, readAll, runSession, countProcesses } from './helpers.js';

function statePid(dir: string): { pid: number; startTime: number } {
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
}


test('after a restart the node agent re-adopts running containers instead of starting them again', async () => {
  const env = await startEnv();
  try {
    const marker = `marker-${process.pid}-${Date.now()}`;
    await env.api.client.create('pods', 'default', podSpec('keep', [{ name: 'c', image: 'x', command: ['sh', '-c', 'echo before; exec sleep 300'], env: [{ name: 'MARKER', value: marker }] }]));
    const pod = (await waitPod(env, 'keep', isReady))!;
    const dir = join(env.dataDir, 'pods', pod.metadata!.uid!, 'containers', 'c', '0');
    const before = statePid(dir);
    const running = countProcesses(marker);
    assert.ok(running >= 1);

    // The node agent goes away without stopping pods (as when ordinal is killed).
    await env.kubelet.stop({ stopPods: false });
    assert.ok(isSameProcess(before.pid, before.startTime), 'the container outlived the node agent');
    await env.restart();
    const adopted = `re-adopted default/keep container c (pid ${before.pid})`;
    await waitFor(() => env.logs.some((l) => l.includes(adopted)), 'the container re-adopted', 10_000, 20);
    assert.equal(countProcesses(marker), running, 'not started twice');
    const after = (await waitPod(env, 'keep', isReady))!;
    const cs = after.status!.containerStatuses![0];
    assert.equal(cs.restartCount, 0);
    assert.equal(cs.state?.running?.startedAt, pod.status!.containerStatuses![0].state?.running?.startedAt);
    assert.equal(after.status!.podIP, pod.status!.podIP, 'the pod keeps its IP');
    // Logs and exec work on the re-adopted container; graceful deletion still works.
    assert.equal(await readAll(await env.kubelet.streams.logs('default', 'keep', {})), 'before\n');
    const ex = await runSession(await env.kubelet.streams.prepareExec('default', 'keep', { command: ['echo', 'hi'], stdin: false, stdout: true, stderr: true, tty: false }));
    assert.equal(ex.stdout, 'hi\n');
    await env.api.client.delete('pods', 'default', 'keep');
    await waitPod(env, 'keep', (p) => p === undefined);
    assert.equal(countProcesses(marker), 0);
  } finally {
    await env.close();
  }
});

test('a recorded pid whose start time does not match is never adopted; pods deleted while down are killed', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('a', [{ name: 'c', image: 'x', command: ['sleep', '300'] }], { restartPolicy: 'Always' }));
    await env.api.client.create('pods', 'default', podSpec('b', [{ name: 'c', image: 'x', command: ['sleep', '300'] }]));
    const a = (await waitPod(env, 'a', isReady))!;
    const b = (await waitPod(env, 'b', isReady))!;
    const dirA = join(env.dataDir, 'pods', a.metadata!.uid!, 'containers', 'c', '0');
    const dirB = join(env.dataDir, 'pods', b.metadata!.uid!, 'containers', 'c', '0');
    const recA = statePid(dirA);
    const recB = statePid(dirB);
    await env.kubelet.stop({ stopPods: false });
    // Pretend a's process is a stranger that reused the pid: its start time differs from the record.
    process.kill(recA.pid, 'SIGKILL');
    writeFileSync(join(dirA, 'state.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dirA, 'state.json'), 'utf8')), pid: process.pid }));
    // b is deleted while the node agent is down (grace 0: gone from the API at once).
    await env.api.client.delete('pods', 'default', 'b', { gracePeriodSeconds: 0 });
    await env.restart();
    await waitPod(env, 'a', (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && isReady(p), 10_000, 'a restarted');
    assert.ok(isSameProcess(process.pid, readStatStart()), 'our own process was left alone');
    await waitFor(() => !isSameProcess(recB.pid, recB.startTime), "the deleted pod's container killed", 10_000, 20);
  } finally {
    await env.close();
  }
});

function readStatStart(): number {
  const t = readFileSync('/proc/self/stat', 'utf8');
  return Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]);
}

test('a graceful stop of the node agent stops containers; the next start runs them again', async () => {
  const env = await startEnv();
  try {
    // A grace period far longer than the bound below, so the bound tells SIGTERM from its end.
    await env.api.client.create('pods', 'default', podSpec('svc', [{ name: 'c', image: 'x', command: ['sh', '-c', 'trap "exit 0" TERM; echo trapping; while :; do sleep 0.05; done'] }], { terminationGracePeriodSeconds: 60 }));
    const pod = (await waitPod(env, 'svc', isReady))!;
    // The trap is in place once the container says so.
    await waitFor(async () => (await readAll(await env.kubelet.streams.logs('default', 'svc', {}))) === 'trapping\n', 'the trap in place', 10_000, 10);
    const rec = statePid(join(env.dataDir, 'pods', pod.metadata!.uid!, 'containers', 'c', '0'));
    const t0 = Date.now();
    await env.kubelet.stop({ stopPods: true });
    assert.ok(Date.now() - t0 < 15_000, 'stopped on SIGTERM, not after the grace period');
    assert.ok(!isSameProcess(rec.pid, rec.startTime));
    await env.restart();
    const again = (await waitPod(env, 'svc', (p) => isReady(p) && (p!.status!.containerStatuses![0].restartCount ?? 0) === 1))!;
    assert.equal(again.status!.containerStatuses![0].lastState?.terminated?.exitCode, 0);
  } finally {
    await env.close();
  }
});
