// The node agent against the real registry (memory API) with the process
// runtime: pods become processes with Kubernetes' status, events, logs,
// exec, restarts, graceful deletion and volumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostBusybox } from '../../src/node/images.js';
import { startEnv, podSpec, waitPod, isReady, events, readAll, runSession, getPod, NODE } from './helpers.js';

const busybox = hostBusybox();
const needsBusybox = busybox ? {} : { skip: 'busybox (Debian busybox-static) is not installed' };

test('a pod running busybox httpd comes Running and Ready with its own IP, logs and exec', needsBusybox, async () => {
  const env = await startEnv();
  try {
    const www = join(env.dataDir, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'hello\n');
    await env.api.client.create('pods', 'default', podSpec('web-0', [{
      name: 'nginx', image: 'nginx:1.9.1',
      command: ['busybox', 'sh', '-c', `echo starting on $(POD_IP); exec busybox httpd -f -p $(POD_IP):8080 -h ${www}`],
      ports: [{ name: 'web', containerPort: 8080 }],
      readinessProbe: { httpGet: { port: 'web', path: '/index.html' }, periodSeconds: 1 },
    }]));
    const pod = (await waitPod(env, 'web-0', isReady, 10_000, 'Ready'))!;
    const st = pod.status!;
    assert.equal(st.phase, 'Running');
    assert.match(st.podIP!, /^127\.0\.1\.\d+$/);
    assert.deepEqual(st.podIPs, [{ ip: st.podIP }]);
    assert.ok(st.hostIP);
    assert.ok(st.startTime);
    const cs = st.containerStatuses![0];
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.ok(cs.state?.running?.startedAt);
    assert.match(cs.containerID!, /^process:\/\//);
    assert.deepEqual(st.conditions!.map((c) => [c.type, c.status]), [
      ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
    ]);
    // The server answers on the pod's own address.
    const res = await fetch(`http://${st.podIP}:8080/index.html`);
    assert.equal(await res.text(), 'hello\n');

    const evs = await events(env, 'web-0');
    const kubelet = evs.filter((e) => e.source === 'kubelet').map((e) => `${e.reason}: ${e.message}`);
    assert.deepEqual(kubelet.slice(0, 3), [
      'Pulled: Container image "nginx:1.9.1" already present on machine',
      'Created: Created container: nginx',
      'Started: Started container nginx',
    ]);

    assert.equal(await readAll(await env.kubelet.streams.logs('default', 'web-0', {})), `starting on ${st.podIP}\n`);
    const ts = await readAll(await env.kubelet.streams.logs('default', 'web-0', { timestamps: true }));
    assert.match(ts, /^\d{4}-\d\d-\d\dT[\d:.]+Z starting on /);

    const ok = await runSession(await env.kubelet.streams.prepareExec('default', 'web-0', { command: ['sh', '-c', 'echo $HOSTNAME $POD_IP; echo err >&2'], stdin: false, stdout: true, stderr: true, tty: false }));
    assert.equal(ok.stdout, `web-0 ${st.podIP}\n`);
    assert.equal(ok.stderr, 'err\n');
    assert.deepEqual(ok.status, { metadata: {}, status: 'Success' });
    assert.equal(ok.closeCode, 1000);

    const failed = await runSession(await env.kubelet.streams.prepareExec('default', 'web-0', { command: ['sh', '-c', 'exit 3'], stdin: false, stdout: true, stderr: true, tty: false }));
    assert.equal(failed.status?.reason, 'NonZeroExitCode');
    assert.deepEqual(failed.status?.details, { causes: [{ reason: 'ExitCode', message: '3' }] });
    assert.equal(failed.closeCode, 1000);

    const cat = await runSession(await env.kubelet.streams.prepareExec('default', 'web-0', { command: ['cat'], stdin: true, stdout: true, stderr: true, tty: false }), 'piped\n');
    assert.equal(cat.stdout, 'piped\n');
    assert.equal(cat.status?.status, 'Success');

    const missing = await runSession(await env.kubelet.streams.prepareExec('default', 'web-0', { command: ['no-such-binary'], stdin: false, stdout: true, stderr: true, tty: false }));
    assert.equal(missing.status?.status, 'Failure');
    assert.match(missing.status?.message, /executable file not found in \$PATH/);

    // kubectl exec -it: a pseudo-terminal echoes the keys (Enter is \r) and the shell prompts; the exit code comes back.
    const tty = await runSession(await env.kubelet.streams.prepareExec('default', 'web-0', { command: ['sh'], stdin: true, stdout: true, stderr: false, tty: true }), 'echo tty-$((6*7))\rexit 4\r');
    assert.match(tty.stdout, /echo tty-\$\(\(6\*7\)\)\r\n/);
    assert.match(tty.stdout, /tty-42\r\n/);
    assert.equal(tty.status?.reason, 'NonZeroExitCode');
    assert.deepEqual(tty.status?.details, { causes: [{ reason: 'ExitCode', message: '4' }] });
    await assert.rejects(env.kubelet.streams.prepareExec('default', 'nope', { command: ['sh'], stdin: false, stdout: true, stderr: true, tty: false }), (e: any) => e.code === 404);
    await assert.rejects(env.kubelet.streams.logs('default', 'web-0', { container: 'other' }), (e: any) => e.code === 400 && e.message === 'container other is not valid for pod web-0');
  } finally {
    await env.close();
  }
});

test('a crash-looping container shows CrashLoopBackOff with a growing delay and its previous log', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('crash', [{ name: 'app', image: 'app', command: ['sh', '-c', 'echo run; exit 2'] }]));
    const seen: string[] = [];
    await waitPod(env, 'crash', (p) => {
      const w = p?.status?.containerStatuses?.[0]?.state?.waiting;
      if (w?.reason === 'CrashLoopBackOff' && !seen.includes(w.message!)) seen.push(w.message!);
      return seen.length >= 2;
    }, 15_000, 'two back-off delays');
    assert.match(seen[0], /^back-off 300ms restarting failed container=app pod=crash_default\(.+\)$/);
    assert.match(seen[1], /^back-off 600ms restarting failed container=app pod=crash_default/);
    const pod = (await getPod(env, 'crash'))!;
    const cs = pod.status!.containerStatuses![0];
    assert.ok(cs.restartCount >= 2);
    assert.equal(cs.lastState?.terminated?.exitCode, 2);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.equal(pod.status!.phase, 'Running');
    const evs = await events(env, 'crash');
    const backoff = evs.find((e) => e.reason === 'BackOff')!;
    assert.equal(backoff.type, 'Warning');
    assert.match(backoff.message, /^Back-off restarting failed container app in pod crash_default\(/);
    assert.equal(await readAll(await env.kubelet.streams.logs('default', 'crash', { previous: true })), 'run\n');
  } finally {
    await env.close();
  }
});

test('restartPolicy Never: the pod ends Succeeded or Failed with the exit code', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('ok', [{ name: 'c', image: 'x', command: ['sh', '-c', 'echo done'] }], { restartPolicy: 'Never' }));
    await env.api.client.create('pods', 'default', podSpec('bad', [{ name: 'c', image: 'x', command: ['sh', '-c', 'exit 7'] }], { restartPolicy: 'Never' }));
    const ok = (await waitPod(env, 'ok', (p) => p?.status?.phase === 'Succeeded'))!;
    assert.equal(ok.status!.containerStatuses![0].state?.terminated?.exitCode, 0);
    assert.equal(ok.status!.containerStatuses![0].state?.terminated?.reason, 'Completed');
    assert.equal(ok.status!.conditions!.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
    const bad = (await waitPod(env, 'bad', (p) => p?.status?.phase === 'Failed'))!;
    assert.equal(bad.status!.containerStatuses![0].state?.terminated?.exitCode, 7);
    assert.equal(await readAll(await env.kubelet.streams.logs('default', 'ok', {})), 'done\n');
    // A finished pod is deleted at once (grace 0) and its directory goes with it.
    await env.api.client.delete('pods', 'default', 'ok');
    assert.equal(await getPod(env, 'ok'), undefined);
  } finally {
    await env.close();
  }
});

test('init containers run in order before the containers, sharing an emptyDir', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('init', [{ name: 'main', image: 'x', command: ['sh', '-c', 'cat work/a work/b; sleep 30'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }], {
      initContainers: [
        { name: 'first', image: 'x', command: ['sh', '-c', 'echo one > work/a'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        { name: 'second', image: 'x', command: ['sh', '-c', 'test -f work/a && echo two > work/b'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
      ],
      volumes: [{ name: 'work', emptyDir: {} }],
    }));
    const pod = (await waitPod(env, 'init', (p) => p?.status?.phase === 'Running' && isReady(p)))!;
    assert.deepEqual(pod.status!.initContainerStatuses!.map((s) => [s.name, s.state?.terminated?.reason]), [['first', 'Completed'], ['second', 'Completed']]);
    await waitPod(env, 'init', () => true);
    const deadline = Date.now() + 10_000;
    let out = '';
    while (Date.now() < deadline && out !== 'one\ntwo\n') {
      out = await readAll(await env.kubelet.streams.logs('default', 'init', {}));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(out, 'one\ntwo\n');
  } finally {
    await env.close();
  }
});

test('graceful deletion: SIGTERM, preStop, then the pod object is removed once the processes are gone', async () => {
  const env = await startEnv();
  try {
    const marker = join(env.dataDir, 'prestop-ran');
    await env.api.client.create('pods', 'default', podSpec('graceful', [{
      name: 'c', image: 'x', command: ['sh', '-c', 'trap "echo got TERM; exit 0" TERM; while :; do sleep 0.05; done'],
      lifecycle: { preStop: { exec: { command: ['sh', '-c', `touch ${marker}`] } } },
    }], { terminationGracePeriodSeconds: 30 }));
    await waitPod(env, 'graceful', isReady);
    const t0 = Date.now();
    await env.api.client.delete('pods', 'default', 'graceful');
    const deleting = await getPod(env, 'graceful');
    assert.ok(deleting?.metadata?.deletionTimestamp, 'the pod is Terminating first');
    await waitPod(env, 'graceful', (p) => p === undefined, 20_000, 'deleted');
    assert.ok(Date.now() - t0 < 15_000, 'it did not wait out the grace period');
    const { existsSync } = await import('node:fs');
    assert.ok(existsSync(marker), 'preStop ran');
    const evs = await events(env, 'graceful');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Stopping container c'));

    // A container that ignores SIGTERM is killed when the grace period ends.
    await env.api.client.create('pods', 'default', podSpec('stubborn', [{ name: 'c', image: 'x', command: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.05; done'] }], { terminationGracePeriodSeconds: 1 }));
    await waitPod(env, 'stubborn', isReady);
    const t1 = Date.now();
    await env.api.client.delete('pods', 'default', 'stubborn');
    await waitPod(env, 'stubborn', (p) => p === undefined, 20_000, 'deleted');
    const took = Date.now() - t1;
    assert.ok(took >= 900 && took < 15_000, `killed after the 1s grace period (took ${took} ms)`);
  } finally {
    await env.close();
  }
});

test('a container without a command waits with a reason and an event that say why', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('web', [{ name: 'nginx', image: 'nginx:1.9.1' }]));
    const pod = (await waitPod(env, 'web', (p) => !!p?.status?.containerStatuses?.[0]?.state?.waiting?.message))!;
    const w = pod.status!.containerStatuses![0].state!.waiting!;
    assert.equal(w.reason, 'CreateContainerError');
    assert.match(w.message!, /no command specified: .*must set command/);
    assert.equal(pod.status!.phase, 'Pending');
    const evs = await events(env, 'web');
    assert.ok(evs.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.message.startsWith('Error: no command specified')));
  } finally {
    await env.close();
  }
});

test('a missing ConfigMap is CreateContainerConfigError; env and $(VAR) reach the command', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('cfg', [{
      name: 'c', image: 'x', command: ['sh', '-c', 'echo $(GREETING) $MODE; sleep 30'],
      env: [{ name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'GREETING', value: 'hi-$(NAME)' }, { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }],
    }]));
    const pod = (await waitPod(env, 'cfg', (p) => p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError'))!;
    assert.equal(pod.status!.containerStatuses![0].state!.waiting!.message, 'configmap "settings" not found');
    await env.api.client.create('configmaps', 'default', { metadata: { name: 'settings' }, data: { mode: 'fast' } });
    await waitPod(env, 'cfg', (p) => p?.status?.phase === 'Running', 20_000);
    const deadline = Date.now() + 10_000;
    let out = '';
    while (Date.now() < deadline && !out) {
      out = await readAll(await env.kubelet.streams.logs('default', 'cfg', {}));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(out, 'hi-cfg fast\n');
  } finally {
    await env.close();
  }
});

test('node registration: Ready, capacity, addresses, kubelet version', async () => {
  const env = await startEnv();
  try {
    const node = (await env.api.client.get('nodes', undefined, NODE)) as any;
    assert.equal(node.metadata.labels['kubernetes.io/hostname'], NODE);
    assert.equal(node.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    assert.equal(node.status.conditions.find((c: any) => c.type === 'Ready').reason, 'KubeletReady');
    assert.match(node.status.nodeInfo.kubeletVersion, /^v1\.32\./);
    assert.ok(Number(node.status.capacity.cpu) >= 1);
    assert.match(node.status.capacity.memory, /^\d+Ki$/);
    assert.deepEqual(node.status.addresses.map((a: any) => a.type), ['InternalIP', 'Hostname']);
    assert.equal(node.spec.podCIDR, '127.0.1.0/24');
  } finally {
    await env.close();
  }
});

test('scheduling: an unscheduled pod is bound to this node with a Scheduled event; a missing claim is reported after a while', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', { metadata: { name: 'free' }, spec: { containers: [{ name: 'c', image: 'x', command: ['sleep', '30'] }] } });
    const pod = (await waitPod(env, 'free', isReady))!;
    assert.equal(pod.spec!.nodeName, NODE);
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'PodScheduled')?.status, 'True');
    const scheduled = (await events(env, 'free')).find((e) => e.reason === 'Scheduled')!;
    assert.equal(scheduled.source, 'default-scheduler');
    assert.equal(scheduled.message, `Successfully assigned default/free to ${NODE}`);

    // The warning is due a second after the agent first found the pod
    // unschedulable (which is after its creation): a read done within 900 ms
    // of the creation must find none. A stalled machine may read later; then
    // there is nothing to say about "at once".
    const created = Date.now();
    await env.api.client.create('pods', 'default', { metadata: { name: 'claimless' }, spec: { containers: [{ name: 'c', image: 'x', command: ['sleep', '30'] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'nope' } }] } });
    await new Promise((r) => setTimeout(r, 300));
    const early = await events(env, 'claimless');
    if (Date.now() - created < 900) assert.equal(early.length, 0, 'no warning at once');
    const end = Date.now() + 15_000;
    let failed;
    while (Date.now() < end && !failed) {
      failed = (await events(env, 'claimless')).find((e) => e.reason === 'FailedScheduling');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(failed!.message, /^0\/1 nodes are available: persistentvolumeclaim "nope" not found\./);
    assert.equal((await getPod(env, 'claimless'))!.spec!.nodeName, undefined);
  } finally {
    await env.close();
  }
});

test('postStart: the container is running once the hook returns; a failing hook kills it', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('hooked', [{
      name: 'c', image: 'x', command: ['sh', '-c', 'while [ ! -f hooked ]; do sleep 0.02; done; echo saw-hook; exec sleep 60'],
      lifecycle: { postStart: { exec: { command: ['sh', '-c', 'sleep 0.2; touch hooked'] } } },
    }]));
    const creating = await waitPod(env, 'hooked', (p) => !!p?.status?.containerStatuses);
    assert.equal(creating!.status!.containerStatuses![0].state?.waiting?.reason, 'ContainerCreating', 'not running during the hook');
    await waitPod(env, 'hooked', isReady);
    const end = Date.now() + 10_000;
    let out = '';
    while (Date.now() < end && out !== 'saw-hook\n') {
      out = await readAll(await env.kubelet.streams.logs('default', 'hooked', {}));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(out, 'saw-hook\n');

    await env.api.client.create('pods', 'default', podSpec('badhook', [{
      name: 'c', image: 'x', command: ['sleep', '60'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 1'] } } },
    }], { terminationGracePeriodSeconds: 1 }));
    await waitPod(env, 'badhook', (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 10_000, 'restarted after the failed hook');
    const evs = await events(env, 'badhook');
    assert.ok(evs.some((e) => e.reason === 'FailedPostStartHook' && e.type === 'Warning' && e.message === 'PostStartHook failed: nope'), JSON.stringify(evs));
  } finally {
    await env.close();
  }
});

test('a new image for a container restarts it with the new definition', async () => {
  const env = await startEnv();
  try {
    await env.api.client.create('pods', 'default', podSpec('img', [{ name: 'c', image: 'app:v1', command: ['sleep', '60'] }], { terminationGracePeriodSeconds: 1 }));
    await waitPod(env, 'img', isReady);
    await env.api.client.patch('pods', 'default', 'img', 'strategic', { spec: { containers: [{ name: 'c', image: 'app:v2' }] } });
    const pod = (await waitPod(env, 'img', (p) => isReady(p) && p!.status!.containerStatuses![0].restartCount === 1, 10_000, 'restarted'))!;
    assert.equal(pod.status!.containerStatuses![0].image, 'app:v2');
    const evs = await events(env, 'img');
    assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container c definition changed, will be restarted'));
    assert.ok(evs.some((e) => e.reason === 'Pulled' && e.message === 'Container image "app:v2" already present on machine'));
  } finally {
    await env.close();
  }
});
