import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import { VolumeController, storageAdmissionFor } from '../../src/controllers/volumes/index.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import type { Client, KObject } from '../../src/client/types.js';
import { eventually, memoryApi } from '../simnode/harness.js';

type PVC = PersistentVolumeClaim & KObject;
type PV = PersistentVolume & KObject;

async function setup(t: { after(fn: () => unknown): void }, opts: { admission?: boolean } = {}) {
  const api = await memoryApi();
  if (opts.admission) api.registry.addAdmission(storageAdmissionFor(api.registry));
  const dataDir = await mkdtemp(join(tmpdir(), 'ordinal-volumes-'));
  const ctrl = new VolumeController({ client: api.client, dataDir, nodeName: 'sim-1' });
  t.after(async () => { ctrl.stop(); api.stop(); await rm(dataDir, { recursive: true, force: true }); });
  await ctrl.start();
  return { client: api.client, ctrl, dataDir, registry: api.registry };
}

function pvc(name: string, extra: Record<string, unknown> = {}): PVC {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra },
  } as PVC;
}

const getClaim = (c: Client, n: string) => c.get<PVC>('persistentvolumeclaims', 'default', n);
const gone = async (f: () => Promise<unknown>) => {
  try {
    await f();
    return false;
  } catch {
    return true;
  }
};

test('volumes: default class installed; a classless claim gets it, a volume is provisioned and both are Bound', async (t) => {
  const { client, dataDir } = await setup(t);
  const sc = await client.get<KObject>('storageclasses.storage.k8s.io', undefined, 'local-path');
  assert.equal(sc.provisioner, 'ordinal.dev/local-path');
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.equal((sc.metadata?.annotations ?? {})['storageclass.kubernetes.io/is-default-class'], 'true');

  const created = await client.create<PVC>('persistentvolumeclaims', 'default', pvc('www-web-0'));
  const bound = await eventually(async () => {
    const c = await getClaim(client, 'www-web-0');
    return c.status?.phase === 'Bound' && c;
  }, 'claim bound');
  const uid = created.metadata!.uid!;
  assert.equal(bound.spec?.storageClassName, 'local-path');
  assert.equal(bound.spec?.volumeName, `pvc-${uid}`);
  assert.deepEqual(bound.status?.capacity, { storage: '1Gi' });
  assert.deepEqual(bound.status?.accessModes, ['ReadWriteOnce']);
  assert.deepEqual(bound.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
  const ann = bound.metadata?.annotations ?? {};
  assert.equal(ann['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(ann['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(ann['volume.kubernetes.io/storage-provisioner'], 'ordinal.dev/local-path');
  assert.equal(ann['volume.beta.kubernetes.io/storage-provisioner'], 'ordinal.dev/local-path');

  const pv = await eventually(async () => {
    const v = await client.get<PV>('persistentvolumes', undefined, `pvc-${uid}`);
    return v.status?.phase === 'Bound' && v;
  }, 'volume bound');
  assert.equal(pv.spec?.claimRef?.uid, uid);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.metadata?.finalizers, ['kubernetes.io/pv-protection']);
  assert.equal(pv.spec?.hostPath?.path, join(dataDir, 'volumes', `pvc-${uid}_default_www-web-0`));
  assert.ok((await stat(pv.spec!.hostPath!.path)).isDirectory());

  const events = await eventually(async () => {
    const l = (await client.list<KObject>('events', 'default')).items;
    return l.some((e) => e.reason === 'ProvisioningSucceeded') && l;
  }, 'events');
  const msg = (r: string) => events.find((e) => e.reason === r)?.message;
  assert.equal(msg('Provisioning'), 'External provisioner is provisioning volume for claim "default/www-web-0"');
  assert.equal(msg('ProvisioningSucceeded'), `Successfully provisioned volume pvc-${uid}`);
  assert.match(msg('ExternalProvisioning') as string, /^Waiting for a volume to be created either by the external provisioner 'ordinal.dev\/local-path'/);
});

test('volumes: a claim in use stays until its pod is gone; then Delete removes the volume and its directory', async (t) => {
  const { client } = await setup(t, { admission: true });
  const node = new SimulatedNode({ client, nodeName: 'sim-1', delays: { start: 0, terminate: 0 }, events: false });
  t.after(() => node.stop());
  await node.start();
  await client.create('persistentvolumeclaims', 'default', pvc('www-web-0'));
  await client.create('pods', 'default', {
    metadata: { name: 'web-0' },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }] },
  } as KObject);
  await eventually(async () => (await client.get<KObject>('pods', 'default', 'web-0')).status && (await client.get<{ status?: { phase?: string } } & KObject>('pods', 'default', 'web-0')).status?.phase === 'Running', 'pod running');
  const claim = await getClaim(client, 'www-web-0');
  const path = (await client.get<PV>('persistentvolumes', undefined, claim.spec!.volumeName!)).spec!.hostPath!.path;
  await writeFile(join(path, 'index.html'), 'data');

  const deleting = await client.delete<PVC>('persistentvolumeclaims', 'default', 'www-web-0');
  assert.ok(deleting?.metadata?.deletionTimestamp);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok((await getClaim(client, 'www-web-0')).metadata?.deletionTimestamp, 'still there while the pod runs');

  await client.delete('pods', 'default', 'web-0');
  await eventually(() => gone(() => getClaim(client, 'www-web-0')), 'claim gone');
  await eventually(() => gone(() => client.get('persistentvolumes', undefined, claim.spec!.volumeName!)), 'volume gone');
  await eventually(() => gone(() => stat(path)), 'directory removed');
});

test('volumes: Retain keeps the volume Released and its data', async (t) => {
  const { client } = await setup(t, { admission: true });
  await client.create('storageclasses.storage.k8s.io', undefined, {
    metadata: { name: 'keep' }, provisioner: 'ordinal.dev/local-path', reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate',
  } as KObject);
  await client.create('persistentvolumeclaims', 'default', pvc('data', { storageClassName: 'keep' }));
  const bound = await eventually(async () => {
    const c = await getClaim(client, 'data');
    return c.status?.phase === 'Bound' && c;
  }, 'bound');
  const pvName = bound.spec!.volumeName!;
  const path = (await client.get<PV>('persistentvolumes', undefined, pvName)).spec!.hostPath!.path;
  await writeFile(join(path, 'keep.txt'), 'x');
  await client.delete('persistentvolumeclaims', 'default', 'data');
  const released = await eventually(async () => {
    const v = await client.get<PV>('persistentvolumes', undefined, pvName);
    return v.status?.phase === 'Released' && v;
  }, 'released');
  assert.equal(released.spec?.persistentVolumeReclaimPolicy, 'Retain');
  await new Promise((r) => setTimeout(r, 50));
  assert.ok((await stat(join(path, 'keep.txt'))).isFile());
  assert.equal((await client.get<PV>('persistentvolumes', undefined, pvName)).status?.phase, 'Released');
});

test('volumes: static volumes bind to matching claims; a deleted claim releases them', async (t) => {
  const { client } = await setup(t, { admission: true });
  await client.create('persistentvolumes', undefined, {
    metadata: { name: 'static-1', labels: { disk: 'ssd' } },
    spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' }, hostPath: { path: '/tmp/static-1' }, persistentVolumeReclaimPolicy: 'Retain' },
  } as KObject);
  await eventually(async () => (await client.get<PV>('persistentvolumes', undefined, 'static-1')).status?.phase === 'Available', 'available');
  await client.create('persistentvolumeclaims', 'default', pvc('manual', { storageClassName: '', selector: { matchLabels: { disk: 'ssd' } } }));
  const bound = await eventually(async () => {
    const c = await getClaim(client, 'manual');
    return c.status?.phase === 'Bound' && c;
  }, 'bound to static');
  assert.equal(bound.spec?.volumeName, 'static-1');
  assert.deepEqual(bound.status?.capacity, { storage: '5Gi' });
  const pv = await client.get<PV>('persistentvolumes', undefined, 'static-1');
  assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(pv.spec?.claimRef?.name, 'manual');
  await client.delete('persistentvolumeclaims', 'default', 'manual');
  await eventually(async () => (await client.get<PV>('persistentvolumes', undefined, 'static-1')).status?.phase === 'Released', 'released');

  // A Delete policy on a volume the provisioner did not make fails instead of touching its path.
  await client.create('persistentvolumes', undefined, {
    metadata: { name: 'static-2' },
    spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/etc' }, persistentVolumeReclaimPolicy: 'Delete' },
  } as KObject);
  await client.create('persistentvolumeclaims', 'default', pvc('c2', { storageClassName: '' }));
  await eventually(async () => (await getClaim(client, 'c2')).status?.phase === 'Bound', 'c2 bound');
  await client.delete('persistentvolumeclaims', 'default', 'c2');
  const failed = await eventually(async () => {
    const v = await client.get<PV>('persistentvolumes', undefined, 'static-2');
    return v.status?.phase === 'Failed' && v;
  }, 'failed');
  assert.match(failed.status!.message!, /no deletable volume plugin matched/);
  assert.ok((await stat('/etc')).isDirectory());
});

test('volumes: a classless claim created before any default class is given one retroactively', async (t) => {
  const api = await memoryApi();
  const dataDir = await mkdtemp(join(tmpdir(), 'ordinal-volumes-'));
  const ctrl = new VolumeController({ client: api.client, dataDir, installDefaultClass: false });
  t.after(async () => { ctrl.stop(); api.stop(); await rm(dataDir, { recursive: true, force: true }); });
  await ctrl.start();
  await api.client.create('persistentvolumeclaims', 'default', pvc('early'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await getClaim(api.client, 'early')).spec?.storageClassName, undefined);
  await api.client.create('storageclasses.storage.k8s.io', undefined, {
    metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'ordinal.dev/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate',
  } as KObject);
  const c = await eventually(async () => {
    const x = await getClaim(api.client, 'early');
    return x.status?.phase === 'Bound' && x;
  }, 'bound after default class appears');
  assert.equal(c.spec?.storageClassName, 'local-path');
});
