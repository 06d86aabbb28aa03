import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admitPod, applyDefaults, imageTag, prepareForUpdate } from '../../src/api/defaults/index.js';
import { canonicalResourceQuantity, compareQuantities, formatQuantity, parseQuantity } from '../../src/api/validation/index.js';
import { claim, defaulted, pod, statefulSet } from './helpers.js';

test('a pod gets what describe shows', () => {
  const p = pod((x) => {
    x.spec.containers[0].readinessProbe = { httpGet: { port: 80 } };
    x.spec.containers[0].resources = { limits: { cpu: '0.5', memory: '1024Mi' } };
    x.spec.volumes = [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }];
  });
  assert.deepEqual(p.spec, {
    containers: [{
      name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }],
      readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
      imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    }],
    volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } }],
    enableServiceLinks: true, dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', securityContext: {},
    terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler',
  });
});

test('imagePullPolicy: Always for latest or untagged, else IfNotPresent', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['localhost:5000/nginx', 'Always'],
    ['nginx:1.25', 'IfNotPresent'], ['localhost:5000/nginx:1', 'IfNotPresent'], ['nginx@sha256:abcd', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) {
    assert.equal(pod((x) => { x.spec.containers[0].image = image; }).spec.containers[0].imagePullPolicy, want, image);
  }
  assert.equal(imageTag('busybox:1.28.4'), '1.28.4');
});

test('a StatefulSet template gets pod-spec defaults but not pod-only ones', () => {
  const s = statefulSet();
  assert.equal(s.spec.replicas, 3);
  assert.equal(s.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(s.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(s.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(s.spec.revisionHistoryLimit, 10);
  assert.equal(s.spec.template.spec.restartPolicy, 'Always');
  assert.equal(s.spec.template.spec.enableServiceLinks, undefined);
  assert.equal(s.spec.template.spec.containers[0].ports[0].protocol, 'TCP');
  assert.deepEqual(s.spec.volumeClaimTemplates[0], {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'www' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
    status: { phase: 'Pending' },
  });
  const explicit = statefulSet((x) => { x.spec.updateStrategy = { type: 'RollingUpdate' }; delete x.spec.replicas; });
  assert.deepEqual(explicit.spec.updateStrategy, { type: 'RollingUpdate' });
  assert.equal(explicit.spec.replicas, 1);
});

test('defaulting is idempotent for every kind', () => {
  const objects: [string, any][] = [
    ['pods', pod()], ['statefulsets.apps', statefulSet()], ['persistentvolumeclaims', claim()],
    ['services', defaulted('services', { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }] } })],
    ['namespaces', defaulted('namespaces', { metadata: { name: 'a' } })],
    ['secrets', defaulted('secrets', { metadata: { name: 's' }, stringData: { a: 'b' } })],
  ];
  for (const [key, obj] of objects) {
    const again = structuredClone(obj);
    applyDefaults(key, again);
    assert.deepEqual(again, obj, key);
  }
});

test('namespaces: metadata.name label, kubernetes finalizer, Active phase; finalizers survive updates', () => {
  const ns = defaulted('namespaces', { metadata: { name: 'team-a', labels: { x: 'y' } } });
  assert.deepEqual(ns, {
    metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'team-a' } },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  });
  const finalized = { ...ns, spec: { finalizers: [] } };
  const put: any = { metadata: { name: 'team-a' } };
  prepareForUpdate('namespaces', put, finalized);
  applyDefaults('namespaces', put);
  assert.deepEqual(put.spec.finalizers, []);
});

test('quantities are written back in canonical form', () => {
  const cases: [string, string][] = [
    ['0.5', '500m'], ['1000m', '1'], ['1500m', '1500m'], ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'], ['1G', '1G'],
    ['1000M', '1G'], ['2048Ki', '2Mi'], ['100', '100'], ['0.5Ki', '512'], ['1e3', '1e3'], ['0.0001', '1m'], ['0', '0'],
    ['128974848', '128974848'], ['129e6', '129e6'], ['12e3', '12e3'], ['123Mi', '123Mi'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalResourceQuantity(input), want, input);
  assert.equal(formatQuantity(parseQuantity('10Gi')!), '10Gi');
  assert.equal(compareQuantities('1Gi', '1024Mi'), 0);
  assert.equal(compareQuantities('1G', '1Gi'), -1);
  assert.equal(parseQuantity('1GB'), null);
});

test('admission adds the service account, priority and NoExecute tolerations to pods', () => {
  const p = pod();
  admitPod(p);
  assert.equal(p.spec.serviceAccountName, 'default');
  assert.equal(p.spec.serviceAccount, 'default');
  assert.equal(p.spec.priority, 0);
  assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(p.spec.tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
});
