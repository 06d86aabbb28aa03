// Volumes: a claim's data survives pod deletion and recreation byte for
// byte, a ReadWriteOnce claim serves one pod at a time, and configMap,
// secret, downwardAPI and projected volumes hold the right files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startEnv, podSpec, waitPod, isReady, events, getPod, readAll, type Env } from './helpers.js';


async function boundClaim(env: Env, name: string, dir: string): Promise<void> {
  const c = env.api.client;
  await c.create('persistentvolumes', undefined, {
    metadata: { name: `pv-${name}` },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: dir }, persistentVolumeReclaimPolicy: 'Retain', storageClassName: 'manual' },
  });
  await c.create('persistentvolumeclaims', 'default', {
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'manual', volumeName: `pv-${name}` },
  });
  await c.patch('persistentvolumeclaims', 'default', name, 'merge', { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } }, { subresource: 'status' });
}

const writer = (name: string, claim: string, script: string) => podSpec(name, [{
  name: 'c', image: 'x', command: ['sh', '-c', script],
  volumeMounts: [{ name: 'data', mountPath: '/usr/share/nginx/html' }],
  workingDir: '/usr/share/nginx/html',
}], { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }], terminationGracePeriodSeconds: 1 });

test('claim data survives pod deletion and recreation; a ReadWriteOnce claim serves one pod at a time', async () => {
  const env = await startEnv();
  try {
    const dir = join(env.dataDir, 'pv', 'www-web-0');
    mkdirSync(dir, { recursive: true });
    await boundClaim(env, 'www-web-0', dir);
    const payload = randomBytes(4096).toString('base64');
    await env.api.client.create('pods', 'default', writer('web-0', 'www-web-0', `printf %s '${payload}' > index.html; exec sleep 60`));
    const first = (await waitPod(env, 'web-0', isReady))!;
    await waitPod(env, 'web-0', () => {
      try {
        return readFileSync(join(dir, 'index.html'), 'utf8') === payload;
      } catch {
        return false;
      }
    }, 5000, 'file written into the claim');

    // A second pod on the same ReadWriteOnce claim waits while web-0 holds it.
    await env.api.client.create('pods', 'default', writer('other', 'www-web-0', 'exec sleep 60'));
    await waitPod(env, 'other', () => true);
    const deadline = Date.now() + 3000;
    let refused;
    while (Date.now() < deadline && !refused) {
      refused = (await events(env, 'other')).find((e) => e.reason === 'FailedAttachVolume');
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.ok(refused, 'a Multi-Attach event');
    assert.match(refused.message, /^Multi-Attach error for volume "pv-www-web-0" Volume is already used by pod\(s\) web-0$/);
    assert.equal((await getPod(env, 'other'))!.status?.containerStatuses?.[0]?.state?.running, undefined);
    await env.api.client.delete('pods', 'default', 'other');
    await waitPod(env, 'other', (p) => p === undefined);

    await env.api.client.delete('pods', 'default', 'web-0');
    await waitPod(env, 'web-0', (p) => p === undefined);
    await env.api.client.create('pods', 'default', writer('web-0', 'www-web-0', 'cat index.html; exec sleep 60'));
    const second = (await waitPod(env, 'web-0', (p) => isReady(p) && p!.metadata!.uid !== first.metadata!.uid))!;
    assert.notEqual(second.status!.podIP, first.status!.podIP, 'a recreated pod gets a new IP');
    const end = Date.now() + 3000;
    let out = '';
    while (Date.now() < end && out !== payload) {
      out = await readAll(await env.kubelet.streams.logs('default', 'web-0', {}));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(out, payload, 'the same bytes, read through the recreated pod');
  } finally {
    await env.close();
  }
});

test('configMap, secret, downwardAPI and projected volumes, subPath, and a missing ConfigMap as FailedMount', async () => {
  const env = await startEnv();
  try {
    const c = env.api.client;
    await c.create('configmaps', 'default', { metadata: { name: 'cfg' }, data: { 'app.conf': 'mode=fast\n', other: 'x' } });
    await c.create('secrets', 'default', { metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') } });
    await c.create('pods', 'default', podSpec('vols', [{
      name: 'c', image: 'x', command: ['sh', '-c', 'sleep 60'],
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/app' }, { name: 'sec', mountPath: '/etc/secret' },
        { name: 'info', mountPath: '/etc/podinfo' }, { name: 'all', mountPath: '/etc/all' },
        { name: 'scratch', mountPath: '/scratch/sub', subPath: 'a/b' },
      ],
    }], {
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
        { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
        { name: 'all', projected: { sources: [{ configMap: { name: 'cfg', items: [{ key: 'other', path: 'other' }] } }, { secret: { name: 'sec' } }] } },
        { name: 'scratch', emptyDir: {} },
      ],
    }));
    const pod = (await waitPod(env, 'vols', isReady))!;
    const podDir = join(env.dataDir, 'pods', pod.metadata!.uid!);
    const vol = (plugin: string, name: string, file: string) => readFileSync(join(podDir, 'volumes', `kubernetes.io~${plugin}`, name, file), 'utf8');
    assert.equal(vol('configmap', 'cfg', 'conf/app.conf'), 'mode=fast\n');
    assert.equal(vol('secret', 'sec', 'password'), 's3cret');
    assert.equal(vol('downward-api', 'info', 'name'), 'vols');
    assert.equal(vol('projected', 'all', 'other'), 'x');
    assert.equal(vol('projected', 'all', 'password'), 's3cret');
    // The process runtime shows each mount inside the container's directory.
    const root = join(podDir, 'rootfs', 'c');
    assert.equal(readFileSync(join(root, 'etc/app/conf/app.conf'), 'utf8'), 'mode=fast\n');
    const { statSync } = await import('node:fs');
    assert.ok(statSync(join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'scratch', 'a', 'b')).isDirectory(), 'subPath created in the volume');

    await c.create('pods', 'default', podSpec('nocfg', [{ name: 'c', image: 'x', command: ['sh', '-c', 'sleep 60'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }], { volumes: [{ name: 'v', configMap: { name: 'absent' } }] }));
    const end = Date.now() + 3000;
    let ev;
    while (Date.now() < end && !ev) {
      ev = (await events(env, 'nocfg')).find((e) => e.reason === 'FailedMount');
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(ev?.message, 'MountVolume.SetUp failed for volume "v" : configmap "absent" not found');
    const waiting = (await getPod(env, 'nocfg'))!.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    assert.equal(waiting, 'ContainerCreating');
  } finally {
    await env.close();
  }
});
