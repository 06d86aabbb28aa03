// The node agent as a user reaches it: kubectl logs, exec, run -i, crash
// loops, probes and refused containers, against a real `ordinal serve` with
// the process runtime (it needs no root; the linux runtime is covered by the
// seeds' walkthrough).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;

before(async () => {
  c = await startCluster(['--runtime', 'process']);
});

after(async () => {
  await c?.stop();
});

const ok = (args: string[], input?: string): string => c.ok(args, input);

function pod(name: string, spec: object): string {
  return c.write(`${name}.json`, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec }));
}

const phase = (name: string) => JSON.parse(c.kubectl(['get', 'pod', name, '-o', 'json']).stdout || '{}').status?.phase;

test('logs: whole, --tail, --timestamps, -f following new lines', async () => {
  ok(['create', '-f', pod('talker', {
    containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo one; echo two; echo three; read x; echo four; sleep 3600'], stdin: true }],
  })]);
  ok(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=60s']);
  await eventually(() => c.kubectl(['logs', 'talker']).stdout === 'one\ntwo\nthree\n', 10_000, 'three lines');
  assert.equal(ok(['logs', 'talker', '--tail=1']), 'three\n');
  assert.match(ok(['logs', 'talker', '--timestamps', '--tail=1']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/);
  const follow = c.kubectlBackground(['logs', '-f', 'talker']);
  await eventually(() => follow.output().includes('three'), 10_000, 'follow shows the past');
  // Feed the container's stdin through attach, so it prints one more line
  // (attach stays attached to the output afterwards, as in Kubernetes).
  const attach = c.kubectlAsync(['attach', '-i', 'talker', '-c', 'main'], { input: 'go\n', timeoutMs: 8_000 });
  await eventually(() => follow.output().includes('four'), 10_000, 'follow shows a new line');
  await follow.stop();
  assert.match((await attach).stdout, /four/);
  const missing = c.kubectl(['logs', 'nope']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /pods "nope" not found/);
});

test('exec: output, exit codes, stdin, a missing program, a terminal', () => {
  ok(['create', '-f', pod('shell', { containers: [{ name: 'sh', image: 'busybox', command: ['sleep', '3600'] }] })]);
  ok(['wait', '--for=condition=Ready', 'pod/shell', '--timeout=60s']);
  assert.equal(ok(['exec', 'shell', '--', 'sh', '-c', 'echo out; echo err >&2']), 'out\n');
  const failed = c.kubectl(['exec', 'shell', '--', 'sh', '-c', 'exit 3']);
  assert.equal(failed.code, 3);
  assert.match(failed.stderr, /command terminated with exit code 3/);
  assert.equal(ok(['exec', '-i', 'shell', '--', 'cat'], 'hello from stdin\n'), 'hello from stdin\n');
  const missing = c.kubectl(['exec', 'shell', '--', 'no-such-program-xyz']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /executable file not found in \$PATH/);
  // With a terminal (script gives kubectl a pty), the command gets one too.
  const tty = spawnSync('script', ['-qec', `kubectl exec -it shell -- sh -c 'test -t 0 && echo has-a-tty'`, '/dev/null'], {
    env: { ...process.env, HOME: c.home, KUBECONFIG: c.kubeconfig }, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(tty.status, 0, tty.stdout + tty.stderr);
  assert.match(tty.stdout, /has-a-tty/);
});

test('run -i --rm --restart=Never returns the container\'s output and exit code', async () => {
  const r = await c.kubectlAsync(['run', '-i', '--rm', '--restart=Never', '--image=busybox', 'once', '--', 'sh', '-c', 'echo ran; exit 4'], { timeoutMs: 60_000 });
  assert.match(r.stdout, /ran/);
  assert.equal(r.code, 4);
  await eventually(() => c.kubectl(['get', 'pod', 'once']).code !== 0, 20_000, 'pod removed');
});

test('a crashing container goes into CrashLoopBackOff with a BackOff event', async () => {
  ok(['create', '-f', pod('crasher', { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo dying; exit 2'] }] })]);
  await eventually(() => /crasher\s+0\/1\s+CrashLoopBackOff\s+\d/.test(c.kubectl(['get', 'pod', 'crasher']).stdout), 60_000, 'CrashLoopBackOff');
  const d = ok(['describe', 'pod', 'crasher']);
  assert.match(d, /Warning\s+BackOff\s+.*Back-off restarting failed container c in pod crasher/);
  assert.match(d, /Last State:\s+Terminated/);
  assert.match(d, /Exit Code:\s+2/);
  await eventually(() => c.kubectl(['logs', 'crasher', '--previous']).stdout === 'dying\n', 20_000, 'the previous instance\'s log');
});

test('readiness probes gate Ready, with Unhealthy events', async () => {
  ok(['create', '-f', pod('probed', {
    containers: [{
      name: 'p', image: 'busybox', command: ['sleep', '3600'],
      readinessProbe: { exec: { command: ['sh', '-c', 'test -f ready'] }, periodSeconds: 1 },
    }],
  })]);
  await eventually(() => /probed\s+0\/1\s+Running/.test(c.kubectl(['get', 'pod', 'probed']).stdout), 30_000, 'Running, not Ready');
  await eventually(() => /Warning\s+Unhealthy\s+.*Readiness probe failed/.test(c.kubectl(['describe', 'pod', 'probed']).stdout), 30_000, 'Unhealthy event');
  ok(['exec', 'probed', '--', 'touch', 'ready']);
  await eventually(() => /probed\s+1\/1\s+Running/.test(c.kubectl(['get', 'pod', 'probed']).stdout), 30_000, 'Ready');
});

test('an image without a command is refused with a reason, never run', async () => {
  ok(['create', '-f', pod('imageonly', { containers: [{ name: 'web', image: 'nginx:1.9.1' }] })]);
  await eventually(() => /imageonly\s+0\/1\s+\w*Error/.test(c.kubectl(['get', 'pod', 'imageonly']).stdout), 30_000, 'a waiting reason');
  assert.equal(phase('imageonly'), 'Pending');
  assert.match(ok(['describe', 'pod', 'imageonly']), /must set command/);
});
