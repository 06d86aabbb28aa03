// Attach over a real WebSocket pair, as `kubectl run -i --rm --restart=Never`
// uses it: stdin to the container, its output back, a Status on channel 3,
// close 1000, and the pod ending Succeeded/Failed with the exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, podSpec, waitPod, runSession } from './helpers.js';

const runPod = (name: string, script: string) => podSpec(name, [{
  name, image: 'x', command: ['sh', '-c', script], stdin: true, stdinOnce: true,
}], { restartPolicy: 'Never' });

test('attach: stdin reaches the container, output comes back, the pod ends with the exit code', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', runPod('dns-test', 'echo ready; read line; echo "got $line"; exit 3'));
    await waitPod(env, 'dns-test', (p) => p?.status?.phase === 'Running');
    const session = await env.kubelet.streams.prepareAttach('default', 'dns-test', { stdin: true, stdout: true, stderr: true, tty: false });
    const res = await runSession(session, 'hello\n');
    // Output printed before the first attach of a stdinOnce container is replayed.
    assert.equal(res.stdout, 'ready\ngot hello\n');
    assert.deepEqual(res.status, { metadata: {}, status: 'Success' });
    assert.equal(res.closeCode, 1000);
    const pod = (await waitPod(env, 'dns-test', (p) => p?.status?.phase === 'Failed'))!;
    assert.equal(pod.status!.containerStatuses![0].state?.terminated?.exitCode, 3);
  } finally {
    await env.close();
  }
});

test('attach: closing stdin (v5 close frame) ends a stdinOnce container reading to EOF; v4 framing works', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', runPod('cat', 'cat; echo eof'));
    await waitPod(env, 'cat', (p) => p?.status?.phase === 'Running');
    const res = await runSession(await env.kubelet.streams.prepareAttach('default', 'cat', { stdin: true, stdout: true, stderr: false, tty: false }), 'a\nb\n');
    assert.equal(res.stdout, 'a\nb\neof\n');
    await waitPod(env, 'cat', (p) => p?.status?.phase === 'Succeeded');

    await env.api.client.create('pods', 'default', runPod('v4', 'echo from-v4; sleep 0.2'));
    await waitPod(env, 'v4', (p) => p?.status?.phase === 'Running');
    const v4 = await runSession(await env.kubelet.streams.prepareAttach('default', 'v4', { stdin: false, stdout: true, stderr: true, tty: false }), undefined, 'v4.channel.k8s.io');
    assert.equal(v4.stdout, 'from-v4\n');
    assert.equal(v4.status?.status, 'Success');
    await assert.rejects(
      env.kubelet.streams.prepareAttach('default', 'cat', { stdin: true, stdout: true, stderr: true, tty: false }),
      (e: any) => e.code === 400 && /completed pod/.test(e.message),
      'attaching to a finished pod fails before the upgrade (kubectl then shows the logs)',
    );
  } finally {
    await env.close();
  }
});

test('attach with a TTY: kubectl run -it gets a shell on a pseudo-terminal', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('shell', [{ name: 'shell', image: 'x', command: ['sh'], stdin: true, stdinOnce: true, tty: true }], { restartPolicy: 'Never' }));
    await waitPod(env, 'shell', (p) => p?.status?.phase === 'Running');
    const res = await runSession(await env.kubelet.streams.prepareAttach('default', 'shell', { stdin: true, stdout: true, stderr: false, tty: true }), 'echo $((1+2))\rexit\r');
    // The terminal echoes typed input at once. When the input arrives before sh
    // reads it (typeahead, on a loaded machine), the prompt precedes the answer.
    assert.match(res.stdout, /\r\n(?:[#$] )?3\r\n/);
    assert.equal(res.status?.status, 'Success');
    const pod = (await waitPod(env, 'shell', (p) => p?.status?.phase === 'Succeeded'))!;
    assert.equal(pod.status!.containerStatuses![0].state?.terminated?.exitCode, 0);
  } finally {
    await env.close();
  }
});
