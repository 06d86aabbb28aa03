// The linux runtime (root only): per-pod UTS, mount, PID and IPC namespaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linuxRuntimeAvailable } from '../../src/node/runtime/linux.js';
import { startEnv, podSpec, waitPod, isReady, runSession, readAll } from './helpers.js';

const avail = linuxRuntimeAvailable();
const opts = avail.ok ? {} : { skip: avail.why };

test('linux runtime: hostname, /etc files, volumes at their mountPath, PID namespace, exec', opts, async () => {
  const env = await startEnv({ runtime: 'linux' });
  try {
    assert.equal(env.kubelet.runtime.name, 'linux');
    const claim = join(env.dataDir, 'claim');
    mkdirSync(claim);
    await env.api.client.create('pods', 'default', podSpec('web-0', [{
      name: 'nginx', image: 'nginx:1.9.1',
      command: ['sh', '-c', 'echo pid=$$$$; hostname; exec sleep 60'], // $$ is an escaped $ in Kubernetes
      volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }, { name: 'cfg', mountPath: '/etc/ordinal-test', readOnly: true }],
    }], {
      hostname: 'web-0', subdomain: 'nginx',
      volumes: [{ name: 'www', hostPath: { path: claim } }, { name: 'cfg', emptyDir: {} }],
    }));
    const pod = (await waitPod(env, 'web-0', isReady))!;
    const ip = pod.status!.podIP!;
    const exec = async (script: string) => runSession(await env.kubelet.streams.prepareExec('default', 'web-0', { command: ['sh', '-c', script], stdin: false, stdout: true, stderr: true, tty: false }));

    assert.equal((await exec('hostname')).stdout, 'web-0\n');
    const hosts = (await exec('cat /etc/hosts')).stdout;
    assert.match(hosts, new RegExp(`\\n${ip.replace(/\./g, '\\.')}\\tweb-0\\.nginx\\.default\\.svc\\.cluster\\.local\\tweb-0\\n`));
    assert.equal((await exec('cat /etc/resolv.conf')).stdout, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n'.replace('cluster.local\n', `cluster.local${hostSearch()}\n`));
    const w = await exec('echo hello > /usr/share/nginx/html/index.html && cat /usr/share/nginx/html/index.html');
    assert.equal(w.stdout, 'hello\n');
    assert.equal(readFileSync(join(claim, 'index.html'), 'utf8'), 'hello\n', 'written into the volume on the host');
    assert.ok(!existsSync('/usr/share/nginx/html') || existsSync('/usr/share/nginx/html/index.html') === false, 'the mount point was not created on the host');
    const ro = await exec('touch /etc/ordinal-test/x');
    assert.equal(ro.status?.reason, 'NonZeroExitCode', 'readOnly mount refuses writes');
    // Writes outside volumes stay in the container's own layer.
    await exec('echo layer > /etc/ordinal-layer-test');
    assert.ok(!existsSync('/etc/ordinal-layer-test'));
    assert.equal((await exec('cat /etc/ordinal-layer-test')).stdout, 'layer\n');
    // PID namespace: the container init is PID 1, the command its child.
    const ps = await exec('ls /proc | grep -E "^[0-9]+$" | sort -n | head -1');
    assert.equal(ps.stdout, '1\n');
    assert.equal((await exec('tr -d "\\0" < /proc/1/cmdline')).stdout, 'ordinal-init');
    const logs = await readAll(await env.kubelet.streams.logs('default', 'web-0', {}));
    assert.match(logs, /^pid=\d+\nweb-0\n$/);
  } finally {
    await env.close();
  }
});

test('linux runtime: a data dir whose path has a space, a comma and a colon (fstab escapes, overlay escapes)', opts, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ordinal-node a,b:c-'));
  const env = await startEnv({ runtime: 'linux', dataDir });
  try {
    await env.api.client.create('pods', 'default', podSpec('odd-0', [{
      name: 'c', image: 'busybox', command: ['sh', '-c', 'exec sleep 60'],
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'ro', mountPath: '/ro', readOnly: true }],
    }], { volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'ro', emptyDir: {} }] }));
    await waitPod(env, 'odd-0', isReady);
    const exec = async (script: string) => runSession(await env.kubelet.streams.prepareExec('default', 'odd-0', { command: ['sh', '-c', script], stdin: false, stdout: true, stderr: true, tty: false }));
    assert.equal((await exec('echo x > /scratch/f && cat /scratch/f && hostname')).stdout, 'x\nodd-0\n');
    assert.equal((await exec('touch /ro/f')).status?.reason, 'NonZeroExitCode', 'the read-only bind stays read-only');
  } finally {
    await env.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function hostSearch(): string {
  try {
    const line = readFileSync('/etc/resolv.conf', 'utf8').split('\n').find((l) => /^(search|domain)\s/.test(l));
    return line ? ' ' + line.trim().split(/\s+/).slice(1).join(' ') : '';
  } catch {
    return '';
  }
}
