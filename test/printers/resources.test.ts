import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RESOURCES, keyOf } from '../../src/api/resources.js';
import { cellsFor, columnsFor, hasPrinter } from '../../src/api/printers/index.js';
import { H, M, NOW, S, ago } from './fixtures.js';

const names = (key: string) => columnsFor(key).map((c) => (c.priority ? `${c.name}*` : c.name));

test('every served resource has its own printer, and a bare object still fills every column', () => {
  for (const ri of RESOURCES) {
    const key = keyOf(ri);
    assert.ok(hasPrinter(key), key);
    const cols = columnsFor(key);
    const cells = cellsFor(key, { metadata: { name: 'x' } }, NOW);
    assert.equal(cells.length, cols.length, key);
    assert.ok(cells.every((c) => typeof c === 'string' || typeof c === 'number' || typeof c === 'boolean'), key);
    for (const c of cols) assert.ok(c.description.length > 0, `${key} ${c.name}`);
  }
});

test('unknown resources get the apiserver default: Name and Created At', () => {
  assert.deepEqual(columnsFor('widgets.example.com').map((c) => [c.name, c.type, c.format]), [
    ['Name', 'string', 'name'],
    ['Created At', 'date', ''],
  ]);
  assert.deepEqual(cellsFor('widgets.example.com', { metadata: { name: 'w', creationTimestamp: ago(H) } }, NOW), ['w', '2024-05-01T11:00:00Z']);
});

test('statefulsets: READY ready/desired, wide containers and images', () => {
  assert.deepEqual(names('statefulsets.apps'), ['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
  const sts = {
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(45 * S) },
    spec: {
      replicas: 2, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [
        { name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8' }, { name: 'sidecar', image: 'busybox:1.36' },
      ] } },
    },
    status: { replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2 },
  };
  assert.deepEqual(cellsFor('statefulsets.apps', sts, NOW), ['web', '2/2', '45s', 'nginx,sidecar', 'registry.k8s.io/nginx-slim:0.8,busybox:1.36']);
  const scaling = { ...sts, spec: { ...sts.spec, replicas: 3 }, status: { replicas: 0 } };
  assert.equal(cellsFor('statefulsets.apps', scaling, NOW)[1], '0/3');
});

test('services: headless, ClusterIP with several ports, NodePort, LoadBalancer', () => {
  assert.deepEqual(names('services'), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
  const svc = (name: string, spec: any, status: any = {}) => ({ metadata: { name, creationTimestamp: ago(51 * H) }, spec, status });

  const headless = svc('nginx', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 80 }] });
  assert.deepEqual(cellsFor('services', headless, NOW), ['nginx', 'ClusterIP', 'None', '<none>', '80/TCP', '2d3h', 'app=nginx']);

  const dns = svc('kube-dns', {
    type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { 'k8s-app': 'kube-dns' },
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }],
  });
  assert.deepEqual(cellsFor('services', dns, NOW), ['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '2d3h', 'k8s-app=kube-dns']);

  const nodePort = svc('web', { type: 'NodePort', clusterIP: '10.96.12.7', selector: { tier: 'web', app: 'shop' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] });
  assert.deepEqual(cellsFor('services', nodePort, NOW), ['web', 'NodePort', '10.96.12.7', '<none>', '80:30080/TCP', '2d3h', 'app=shop,tier=web']);

  const lb = svc('lb', { type: 'LoadBalancer', clusterIPs: ['10.96.0.20'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] });
  assert.deepEqual(cellsFor('services', lb, NOW).slice(1, 5), ['LoadBalancer', '10.96.0.20', '<pending>', '443:31443/TCP']);
  const lbReady = { ...lb, status: { loadBalancer: { ingress: [{ ip: '192.0.2.9' }, { ip: '192.0.2.3' }] } } };
  assert.equal(cellsFor('services', lbReady, NOW)[3], '192.0.2.3,192.0.2.9');

  const external = svc('ext', { type: 'ExternalName', externalName: 'db.example.com' });
  assert.deepEqual(cellsFor('services', external, NOW), ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '2d3h', '<none>']);
});

test('persistentvolumeclaims: bound, pending, terminating', () => {
  assert.deepEqual(names('persistentvolumeclaims'),
    ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*']);
  const bound = {
    metadata: { name: 'www-web-0', namespace: 'default', creationTimestamp: ago(10 * M), labels: { app: 'nginx' } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', volumeName: 'pvc-5f1c' },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } },
  };
  assert.deepEqual(cellsFor('persistentvolumeclaims', bound, NOW), ['www-web-0', 'Bound', 'pvc-5f1c', '1Gi', 'RWO', 'standard', '<unset>', '10m', 'Filesystem']);

  const pending = {
    metadata: { name: 'www-web-1', creationTimestamp: ago(S) },
    spec: { accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Pending' },
  };
  assert.deepEqual(cellsFor('persistentvolumeclaims', pending, NOW), ['www-web-1', 'Pending', '', '', '', '', '<unset>', '1s', '<unset>']);

  const deleting = { ...bound, metadata: { ...bound.metadata, deletionTimestamp: ago(0) }, spec: { ...bound.spec, accessModes: ['ReadWriteOncePod'] },
    status: { ...bound.status, accessModes: ['ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOnce', 'ReadWriteOncePod'] } };
  assert.deepEqual(cellsFor('persistentvolumeclaims', deleting, NOW).slice(1, 5), ['Terminating', 'pvc-5f1c', '1Gi', 'RWO,ROX,RWX,RWOP']);
});

test('persistentvolumes', () => {
  assert.deepEqual(names('persistentvolumes'), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass',
    'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode*']);
  const pv = {
    metadata: { name: 'pvc-5f1c', creationTimestamp: ago(10 * M) },
    spec: {
      capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'standard',
      volumeMode: 'Filesystem', hostPath: { path: '/var/lib/ordinal/pv/pvc-5f1c' },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'www-web-0', uid: 'u1' },
    },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(cellsFor('persistentvolumes', pv, NOW),
    ['pvc-5f1c', '1Gi', 'RWO', 'Delete', 'Bound', 'default/www-web-0', 'standard', '<unset>', '', '10m', 'Filesystem']);
  const released = { ...pv, metadata: { ...pv.metadata, annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } },
    spec: { ...pv.spec, claimRef: undefined, persistentVolumeReclaimPolicy: 'Retain' }, status: { phase: 'Failed', reason: 'VolumeFailedRecycle' } };
  assert.deepEqual(cellsFor('persistentvolumes', released, NOW).slice(3, 9), ['Retain', 'Failed', '', 'legacy', '<unset>', 'VolumeFailedRecycle']);
});

test('storageclasses: default marker and defaults of unset fields', () => {
  const sc = { metadata: { name: 'standard', creationTimestamp: ago(H), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'ordinal.dev/hostpath' };
  assert.deepEqual(cellsFor('storageclasses.storage.k8s.io', sc, NOW), ['standard (default)', 'ordinal.dev/hostpath', 'Delete', 'Immediate', false, '60m']);
});

test('events (core/v1): columns, OBJECT, SOURCE, counts and fallbacks', () => {
  assert.deepEqual(names('events'), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  assert.equal(columnsFor('events').find((c) => c.name === 'Name')!.format, 'name');
  const ev = {
    metadata: { name: 'web.17c2a', namespace: 'default' },
    involvedObject: { kind: 'StatefulSet', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
    reason: 'SuccessfulCreate', message: 'create Pod web-1 in StatefulSet web successful\n', type: 'Normal',
    source: { component: 'statefulset-controller' }, firstTimestamp: ago(23 * M), lastTimestamp: ago(11 * M), count: 13,
  };
  assert.deepEqual(cellsFor('events', ev, NOW),
    ['11m', 'Normal', 'SuccessfulCreate', 'statefulset/web', '', 'statefulset-controller', 'create Pod web-1 in StatefulSet web successful', '23m', 13, 'web.17c2a']);

  const pulled = {
    metadata: { name: 'web-0.17c2b' },
    involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled', message: 'Container image "nginx" already present on machine', type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(40 * S),
  };
  assert.deepEqual(cellsFor('events', pulled, NOW).slice(0, 9),
    ['40s', 'Normal', 'Pulled', 'pod/web-0', 'spec.containers{nginx}', 'kubelet, node-1', 'Container image "nginx" already present on machine', '40s', 1]);

  // Written through the new API: only eventTime and reporting fields are set.
  const fresh = {
    metadata: { name: 'web-1.17c2c' }, involvedObject: { kind: 'Pod', name: 'web-1' }, reason: 'Scheduled', type: 'Normal',
    message: 'Successfully assigned default/web-1 to node-1', eventTime: '2024-05-01T11:59:58.123456Z',
    reportingComponent: 'default-scheduler', reportingInstance: 'default-scheduler-node-1',
  };
  assert.deepEqual(cellsFor('events', fresh, NOW).slice(0, 9),
    ['1s', 'Normal', 'Scheduled', 'pod/web-1', '', 'default-scheduler, default-scheduler-node-1', 'Successfully assigned default/web-1 to node-1', '1s', 1]);

  const unnamed = { metadata: { name: 'n.1' }, involvedObject: { kind: 'Node' }, reason: 'Starting', type: 'Normal' };
  assert.deepEqual(cellsFor('events', unnamed, NOW).slice(0, 4), ['<unknown>', 'Normal', 'Starting', 'node']);
});

test('events (events.k8s.io/v1) print like their core/v1 form, series included', () => {
  assert.deepEqual(columnsFor('events.events.k8s.io'), columnsFor('events'));
  const ev = {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'web-0.backoff', namespace: 'default' },
    eventTime: ago(10 * M), reportingController: 'kubelet', reportingInstance: 'node-1', action: 'Restarting',
    reason: 'BackOff', regarding: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{app}' }, type: 'Warning',
    note: 'Back-off restarting failed container app', series: { count: 7, lastObservedTime: ago(20 * S) },
  };
  assert.deepEqual(cellsFor('events.events.k8s.io', ev, NOW),
    ['20s', 'Warning', 'BackOff', 'pod/web-0', 'spec.containers{app}', 'kubelet, node-1', 'Back-off restarting failed container app', '10m', 7, 'web-0.backoff']);
});

test('controllerrevisions: CONTROLLER is kind.group/name, REVISION a number', () => {
  assert.deepEqual(names('controllerrevisions.apps'), ['Name', 'Controller', 'Revision', 'Age']);
  const rev = {
    metadata: { name: 'web-6c5f7d8b9', creationTimestamp: ago(M), ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true, blockOwnerDeletion: true },
    ] },
    revision: 2,
  };
  assert.deepEqual(cellsFor('controllerrevisions.apps', rev, NOW), ['web-6c5f7d8b9', 'statefulset.apps/web', 2, '60s']);
  const orphan = { metadata: { name: 'web-1', creationTimestamp: ago(M) }, revision: 1 };
  assert.equal(cellsFor('controllerrevisions.apps', orphan, NOW)[1], '<none>');
});

test('endpoints and endpointslices', () => {
  const ep = (subsets: any) => ({ metadata: { name: 'nginx', creationTimestamp: ago(M) }, subsets });
  assert.deepEqual(cellsFor('endpoints', ep([{ addresses: [{ ip: '10.244.0.10' }, { ip: '10.244.0.11' }], ports: [{ name: 'web', port: 80, protocol: 'TCP' }] }]), NOW),
    ['nginx', '10.244.0.10:80,10.244.0.11:80', '60s']);
  const five = [1, 2, 3, 4, 5].map((i) => ({ ip: `10.244.0.${i}` }));
  assert.equal(cellsFor('endpoints', ep([{ addresses: five, ports: [{ port: 80 }] }]), NOW)[1], '10.244.0.1:80,10.244.0.2:80,10.244.0.3:80 + 2 more...');
  assert.equal(cellsFor('endpoints', ep([{ addresses: [{ ip: '10.244.0.1' }, { ip: 'fd00::2' }] }]), NOW)[1], '10.244.0.1,fd00::2');
  assert.equal(cellsFor('endpoints', ep([{ addresses: [{ ip: 'fd00::2' }], ports: [{ port: 53 }] }]), NOW)[1], '[fd00::2]:53');
  assert.equal(cellsFor('endpoints', ep(undefined), NOW)[1], '<none>');

  assert.deepEqual(names('endpointslices.discovery.k8s.io'), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  const slice = {
    metadata: { name: 'nginx-x7k2p', creationTimestamp: ago(M) }, addressType: 'IPv4',
    ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.0.10'], conditions: { ready: true } }, { addresses: ['10.244.0.11'] }],
  };
  assert.deepEqual(cellsFor('endpointslices.discovery.k8s.io', slice, NOW), ['nginx-x7k2p', 'IPv4', '80', '10.244.0.10,10.244.0.11', '60s']);
  assert.deepEqual(cellsFor('endpointslices.discovery.k8s.io', { ...slice, ports: [{ name: 'dns' }, {}], endpoints: [] }, NOW).slice(2, 4), ['dns,*', '<unset>']);
});

test('namespaces, nodes, configmaps, secrets, serviceaccounts', () => {
  assert.deepEqual(cellsFor('namespaces', { metadata: { name: 'default', creationTimestamp: ago(2 * H) }, status: { phase: 'Active' } }, NOW), ['default', 'Active', '120m']);

  const node = {
    metadata: { name: 'node-1', creationTimestamp: ago(8 * 24 * H), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker' } },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '192.168.1.5' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-ordinal', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: '' },
    },
  };
  assert.deepEqual(cellsFor('nodes', node, NOW),
    ['node-1', 'Ready,SchedulingDisabled', 'control-plane,worker', '8d', 'v1.32.0-ordinal', '192.168.1.5', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', '<unknown>']);
  assert.equal(cellsFor('nodes', { metadata: { name: 'n' } }, NOW)[1], 'Unknown');

  assert.deepEqual(cellsFor('configmaps', { metadata: { name: 'kube-root-ca.crt', creationTimestamp: ago(5 * S) }, data: { 'ca.crt': 'x' }, binaryData: { b: 'AA==' } }, NOW),
    ['kube-root-ca.crt', 2, '5s']);
  assert.deepEqual(cellsFor('secrets', { metadata: { name: 's', creationTimestamp: ago(5 * S) }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, NOW),
    ['s', 'kubernetes.io/tls', 2, '5s']);
  assert.deepEqual(cellsFor('serviceaccounts', { metadata: { name: 'default', creationTimestamp: ago(5 * S) } }, NOW), ['default', 0, '5s']);
});
