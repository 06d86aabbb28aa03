import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, stat, symlink, writeFile, lstat, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import {
  defaultLocalPathClass, defaultStorageClassFor, findMatchingVolume, parseQuantity, podUsesClaim, provisionedVolume,
} from '../../src/controllers/volumes/binding.js';
import { storageAdmission } from '../../src/controllers/volumes/admission.js';
import { createVolumeDir, isInsideVolumes, removeVolumeDir, volumeDirName, UnsafeVolumePath } from '../../src/controllers/volumes/paths.js';
import { resourceByKey } from '../../src/api/resources.js';

function claim(extra: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}, name = 'www-web-0'): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'default', uid: 'c-uid', resourceVersion: '9' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...extra },
  };
}

function volume(name: string, size: string, extra: Partial<NonNullable<PersistentVolume['spec']>> = {}, labels?: Record<string, string>): PersistentVolume {
  return {
    metadata: { name, labels },
    spec: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], capacity: { storage: size }, hostPath: { path: `/srv/${name}` }, ...extra },
    status: { phase: 'Available' },
  };
}

test('quantities parse as Kubernetes writes them', () => {
  assert.equal(parseQuantity('1Gi'), 2 ** 30);
  assert.equal(parseQuantity('500Mi'), 500 * 2 ** 20);
  assert.equal(parseQuantity('1G'), 1e9);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('100m'), 0.1);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.ok(Number.isNaN(parseQuantity('1 GB')));
});

test('default class: the newest marked default wins; an explicit "" is left alone', () => {
  const sc = (name: string, created: string, def: boolean): StorageClass => ({
    metadata: { name, creationTimestamp: created, annotations: def ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} }, provisioner: 'x',
  });
  const classes = [sc('old', '2026-01-01T00:00:00Z', true), sc('new', '2026-02-01T00:00:00Z', true), sc('plain', '2026-03-01T00:00:00Z', false)];
  assert.equal(defaultStorageClassFor(claim(), classes), 'new');
  assert.equal(defaultStorageClassFor(claim({ storageClassName: '' }), classes), undefined);
  assert.equal(defaultStorageClassFor(claim({ storageClassName: 'plain' }), classes), undefined);
  assert.equal(defaultStorageClassFor(claim(), [classes[2]]), undefined);
});

test('admission: default class and protection finalizers on create only', () => {
  const adm = storageAdmission(() => [defaultLocalPathClass()]);
  const pvc = claim() as { metadata: { finalizers?: string[] }; spec: { storageClassName?: string } };
  adm('CREATE', resourceByKey('persistentvolumeclaims'), pvc as never, undefined);
  assert.equal(pvc.spec.storageClassName, 'local-path');
  assert.deepEqual(pvc.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const pv = volume('pv1', '1Gi') as { metadata: { finalizers?: string[] } };
  adm('CREATE', resourceByKey('persistentvolumes'), pv as never, undefined);
  assert.deepEqual(pv.metadata.finalizers, ['kubernetes.io/pv-protection']);
  const later = claim();
  adm('UPDATE', resourceByKey('persistentvolumeclaims'), later as never, undefined);
  assert.equal(later.spec?.storageClassName, undefined);
});

test('matching: smallest sufficient volume of the same class and mode, access modes and selector respected', () => {
  const pvs = [
    volume('big', '10Gi'), volume('small', '2Gi'), volume('tiny', '500Mi'),
    volume('rwx', '1Gi', { accessModes: ['ReadWriteMany'] }),
    volume('classed', '1Gi', { storageClassName: 'fast' }),
    volume('block', '1Gi', { volumeMode: 'Block' }),
    volume('taken', '1Gi', { claimRef: { name: 'other', namespace: 'default', uid: 'o' } }),
  ];
  assert.equal(findMatchingVolume(claim({ storageClassName: '' }), pvs)?.metadata?.name, 'small');
  assert.equal(findMatchingVolume(claim({ storageClassName: 'fast' }), pvs)?.metadata?.name, 'classed');
  assert.equal(findMatchingVolume(claim({ storageClassName: '', accessModes: ['ReadWriteMany'] }), pvs)?.metadata?.name, 'rwx');
  assert.equal(findMatchingVolume(claim({ storageClassName: '', resources: { requests: { storage: '20Gi' } } }), pvs), undefined);
  const labelled = [volume('a', '1Gi', {}, { disk: 'hdd' }), volume('b', '5Gi', {}, { disk: 'ssd' })];
  assert.equal(findMatchingVolume(claim({ storageClassName: '', selector: { matchLabels: { disk: 'ssd' } } }), labelled)?.metadata?.name, 'b');
  // A volume pre-bound to the claim wins even if bigger.
  const pre = volume('pre', '50Gi', { claimRef: { name: 'www-web-0', namespace: 'default' } });
  assert.equal(findMatchingVolume(claim({ storageClassName: '' }), [...pvs, pre])?.metadata?.name, 'pre');
});

test('provisioned volume: named after the claim uid, pre-bound, hostPath, reclaim policy and node affinity', () => {
  const pv = provisionedVolume(claim({ storageClassName: 'local-path' }), defaultLocalPathClass(), '/data/volumes/pvc-c-uid_default_www-web-0', 'node1');
  assert.equal(pv.metadata?.name, 'pvc-c-uid');
  assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'ordinal.dev/local-path');
  assert.deepEqual(pv.spec?.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-0', uid: 'c-uid', apiVersion: 'v1', resourceVersion: '9' });
  assert.deepEqual(pv.spec?.capacity, { storage: '1Gi' });
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.equal(pv.spec?.storageClassName, 'local-path');
  assert.deepEqual(pv.spec?.hostPath, { path: '/data/volumes/pvc-c-uid_default_www-web-0', type: 'DirectoryOrCreate' });
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions?.[0], { key: 'kubernetes.io/hostname', operator: 'In', values: ['node1'] });
});

test('a claim is in use by scheduled, unfinished pods that mount it', () => {
  const p = { metadata: { name: 'web-0' }, spec: { nodeName: 'n', containers: [], volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }] }, status: { phase: 'Running' } };
  assert.equal(podUsesClaim(p, 'www-web-0'), true);
  assert.equal(podUsesClaim(p, 'other'), false);
  assert.equal(podUsesClaim({ ...p, status: { phase: 'Succeeded' } }, 'www-web-0'), false);
  assert.equal(podUsesClaim({ ...p, spec: { ...p.spec, nodeName: undefined } }, 'www-web-0'), false);
});

test('volume paths never leave <dataDir>/volumes, and symlinks are refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ordinal-vol-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  await mkdir(data);
  assert.throws(() => volumeDirName('pvc-1', 'default', '../../etc'), UnsafeVolumePath);
  assert.throws(() => volumeDirName('..', 'a', 'b'), UnsafeVolumePath);
  assert.equal(isInsideVolumes(data, join(data, 'volumes', 'pvc-1_default_www')), true);
  assert.equal(isInsideVolumes(data, join(data, 'volumes')), false);
  assert.equal(isInsideVolumes(data, join(data, 'volumes', 'a', 'b')), false);
  assert.equal(isInsideVolumes(data, join(data, 'volumes', '..', 'x')), false);
  assert.equal(isInsideVolumes(data, '/etc'), false);

  const path = await createVolumeDir(data, volumeDirName('pvc-1', 'default', 'www-web-0'));
  assert.equal(path, join(data, 'volumes', 'pvc-1_default_www-web-0'));
  assert.equal((await stat(path)).mode & 0o777, 0o777);
  await writeFile(join(path, 'index.html'), 'hello');
  // A symlink inside the volume is removed, not followed.
  const outside = join(dir, 'precious');
  await mkdir(outside);
  await writeFile(join(outside, 'keep'), 'x');
  await symlink(outside, join(path, 'link'));
  await removeVolumeDir(data, path);
  await assert.rejects(lstat(path));
  assert.deepEqual(await readdir(outside), ['keep']);
  await removeVolumeDir(data, path); // already gone: fine

  // The volume directory itself being a symlink is refused, for create and delete.
  await symlink(outside, join(data, 'volumes', 'pvc-2_default_x'));
  await assert.rejects(removeVolumeDir(data, join(data, 'volumes', 'pvc-2_default_x')), UnsafeVolumePath);
  await assert.rejects(createVolumeDir(data, 'pvc-2_default_x'), UnsafeVolumePath);
  await assert.rejects(removeVolumeDir(data, outside), UnsafeVolumePath);
  assert.deepEqual(await readdir(outside), ['keep']);

  // A volumes directory that is a symlink out of the data dir is refused.
  const data2 = join(dir, 'data2');
  await mkdir(data2);
  await symlink(outside, join(data2, 'volumes'));
  await assert.rejects(createVolumeDir(data2, 'pvc-3_default_x'), UnsafeVolumePath);
});
