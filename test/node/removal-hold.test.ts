// The node agent with a removal the API server holds (a client read the
// terminating pod and is about to watch it): the agent's work for the pod is
// done, the object stays Terminating until the watch opens, and an update
// to the object meanwhile starts nothing again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceByKey } from '../../src/api/resources.js';
import { startEnv, podSpec, waitPod, isReady, getPod, countProcesses } from './helpers.js';

const pods = resourceByKey('pods');

test('a held removal: the pod stays Terminating with its end reported, an update starts nothing, the watch by name removes it', async () => {
  // A hold far longer than the test: only the watch by name below may release it
  // (the default hold could expire while termination runs on a loaded machine).
  const env = await startEnv({}, { removalHoldMs: 60_000 });
  try {
    const marker = `held-removal-${process.pid}`;
    await env.api.client.create('pods', 'default', podSpec('held', [{ name: 'c', image: 'x', command: ['sleep', '86400'], env: [{ name: 'MARKER', value: marker }] }]));
    await waitPod(env, 'held', isReady);
    const registry = env.api.registry;
    await env.api.client.delete('pods', 'default', 'held');
    registry.noteTerminatingRead(pods, registry.get(pods, 'default', 'held'));
    const ended = (await waitPod(env, 'held', (p) => p?.status?.phase === 'Failed' || p?.status?.phase === 'Succeeded', 10_000, 'ended'))!;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(countProcesses(marker), 0);
    // Someone labels the pod meanwhile: an update event for a pod whose worker is done.
    await env.api.client.patch('pods', 'default', 'held', 'merge', { metadata: { labels: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 200));
    const still = (await getPod(env, 'held'))!;
    assert.equal(still.metadata!.uid, ended.metadata!.uid, 'held');
    assert.deepEqual(still.status!.containerStatuses, ended.status!.containerStatuses, 'the status stays as the agent reported it');
    assert.equal(countProcesses(marker), 0, 'nothing started again');
    registry.watch(pods, 'default', { fieldSelector: 'metadata.name=held' }, () => undefined).stop();
    assert.equal(await getPod(env, 'held'), undefined);
  } finally {
    await env.close();
  }
});
