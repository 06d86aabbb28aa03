import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { validateCreate, validateUpdate } from '../../src/api/validation/index.js';
import { claim, defaulted, lines } from './helpers.js';

const IMMUTABLE = 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

test('PersistentVolumeClaim create', () => {
  assert.deepEqual(lines(validateCreate('persistentvolumeclaims', claim())), []);
  assert.deepEqual(lines(validateCreate('persistentvolumeclaims', claim((c) => { c.spec = {}; }))), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  assert.deepEqual(lines(validateCreate('persistentvolumeclaims', claim((c) => {
    c.spec.accessModes = ['ReadWriteAlways'];
    c.spec.resources.requests.storage = '0';
    c.spec.volumeMode = 'Raw';
  }))), [
    'spec.accessModes: Unsupported value: "ReadWriteAlways": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
    'spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"',
  ]);
});

test('a claim spec is immutable, except binding once and growing a bound claim', () => {
  const old = claim();
  const bind = claim((c) => { c.spec.volumeName = 'pv-1'; });
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', bind, old)), []);
  const change = claim((c) => { c.spec.accessModes = ['ReadWriteMany']; });
  const errs = lines(validateUpdate('persistentvolumeclaims', change, old));
  assert.equal(errs.length, 1);
  assert.equal(errs[0].split('\n')[0], IMMUTABLE);
  const pendingGrow = claim((c) => { c.spec.resources.requests.storage = '2Gi'; });
  assert.equal(lines(validateUpdate('persistentvolumeclaims', pendingGrow, old))[0].split('\n')[0], IMMUTABLE);
  const boundOld = claim((c) => { c.spec.volumeName = 'pv-1'; c.status = { phase: 'Bound', capacity: { storage: '1Gi' } }; });
  const grow = structuredClone(boundOld);
  grow.spec.resources.requests.storage = '2Gi';
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', grow, boundOld)), []);
  const shrink = structuredClone(boundOld);
  shrink.spec.resources.requests.storage = '512Mi';
  assert.deepEqual(lines(validateUpdate('persistentvolumeclaims', shrink, boundOld)), [
    'spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
  ]);
});

test('PersistentVolume create and update', () => {
  const pv = defaulted<PersistentVolume>('persistentvolumes', {
    metadata: { name: 'pv-1' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/var/lib/ordinal/pv-1' } },
  });
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec?.volumeMode, 'Filesystem');
  assert.equal(pv.spec?.hostPath?.type, '');
  assert.deepEqual(lines(validateCreate('persistentvolumes', pv)), []);
  const bad = defaulted('persistentvolumes', { metadata: { name: 'pv/2', namespace: 'x' }, spec: {} });
  assert.deepEqual(lines(validateCreate('persistentvolumes', bad)), [
    "metadata.name: Invalid value: \"pv/2\": may not contain '/'",
    'metadata.namespace: Forbidden: not allowed on this type',
    'spec.accessModes: Required value',
    'spec.capacity: Required value',
    'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
    'spec: Required value: must specify a volume type',
  ]);
  const moved = structuredClone(pv);
  moved.spec!.hostPath!.path = '/elsewhere';
  assert.match(lines(validateUpdate('persistentvolumes', moved, pv))[0], /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/);
});

test('StorageClass: provisioner required; parameters, provisioner, reclaimPolicy frozen', () => {
  const sc = defaulted<StorageClass>('storageclasses.storage.k8s.io', { metadata: { name: 'standard' }, provisioner: 'ordinal.dev/hostpath' });
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  assert.deepEqual(lines(validateCreate('storageclasses.storage.k8s.io', sc)), []);
  const none = defaulted('storageclasses.storage.k8s.io', { metadata: { name: 'x' } });
  assert.deepEqual(lines(validateCreate('storageclasses.storage.k8s.io', none)), ['provisioner: Required value']);
  const changed = { ...sc, provisioner: 'other.dev/x', parameters: { a: 'b' }, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' };
  assert.deepEqual(lines(validateUpdate('storageclasses.storage.k8s.io', changed, sc)), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
});
