// Strategic merge patches and the move from client-side to server-side apply, through
// the real kubectl: what the server merges, and what `kubectl apply --server-side` of an
// object that `kubectl apply -f` created does (its managed-fields migration included).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;

before(async () => {
  c = await startCluster(['--runtime', 'simulated']);
});

after(async () => {
  await c?.stop();
});

const get = (what: string): any => JSON.parse(c.ok(['get', what, '-o', 'json', '--show-managed-fields']));

test('kubectl patch --type strategic merges pod-level resources (1.32) map by map, containers by name', () => {
  const file = c.write('sized.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: sized
spec:
  resources:
    limits: {cpu: "1", memory: 128Mi}
    requests: {cpu: 500m, memory: 64Mi}
  containers:
  - {name: a, image: "busybox:1.36", command: ["sleep", "3600"]}
  - {name: b, image: "busybox:1.36", command: ["sleep", "3600"]}
`);
  c.ok(['apply', '-f', file]);
  const out = c.ok(['patch', 'pod', 'sized', '--type', 'strategic', '-p',
    '{"spec":{"resources":{"limits":{"cpu":"1"}},"containers":[{"name":"b","image":"busybox:1.37"}]}}']);
  assert.equal(out.trim(), 'pod/sized patched');
  const pod = get('pod/sized');
  assert.deepEqual(pod.spec.resources, { limits: { cpu: '1', memory: '128Mi' }, requests: { cpu: '500m', memory: '64Mi' } });
  assert.deepEqual(pod.spec.containers.map((x: any) => [x.name, x.image]), [['a', 'busybox:1.36'], ['b', 'busybox:1.37']]);
  // A real change of pod-level resources is an update validation refuses; its diff shows
  // the merge kept every other quantity.
  const r = c.kubectl(['patch', 'pod', 'sized', '--type', 'strategic', '-p', '{"spec":{"resources":{"limits":{"cpu":"2"}}}}']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pod updates may not change fields/);
  assert.match(r.stderr, /\+ \tResources: \{"limits":\{"cpu":"2","memory":"128Mi"\},"requests":\{"cpu":"500m","memory":"64Mi"\}\}/);
});

const STS = (image: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  labels: {app: web}
spec:
  serviceName: web
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: ${image}
        command: ["sleep", "3600"]
        ports: [{containerPort: 80, name: web}]
`;

const POD = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: solo
  labels: {app: solo}
spec:
  containers:
  - name: c
    image: ${image}
    command: ["sleep", "3600"]
    ports: [{containerPort: 80}]
`;

function managers(obj: any): string[] {
  return obj.metadata.managedFields.map((e: any) => `${e.manager}/${e.operation}`).sort();
}

/** What the tests compare: the object without status, managed fields, resourceVersion, generation and annotations. */
function content(obj: any): any {
  const { managedFields: _m, resourceVersion: _r, annotations: _a, generation: _g, ...metadata } = obj.metadata;
  return { metadata, spec: obj.spec };
}

/**
 * Client-side apply, then server-side apply of the same file: kubectl migrates the
 * client-side manager's fields to its server-side manager and applies again, which must
 * succeed without a warning and leave the object as it was; a changed file then applies.
 */
function migrate(kind: string, name: string, manifest: (image: string) => string, image: (obj: any) => string): void {
  const file = c.write(`${name}.yaml`, manifest('busybox:1.36'));
  c.ok(['apply', '-f', file]);
  const before = get(`${kind}/${name}`);

  const r = c.kubectl(['apply', '--server-side', '-f', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'no warning');
  assert.match(r.stdout, /serverside-applied/);
  const after = get(`${kind}/${name}`);
  assert.deepEqual(content(after), content(before));
  assert.deepEqual(managers(after).filter((m) => !m.startsWith('ordinal/')), ['kubectl-last-applied/Apply', 'kubectl/Apply']);
  // The annotation now holds the applied configuration, as kubectl's server-side apply keeps it.
  const lastApplied = JSON.parse(after.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  assert.equal(lastApplied.metadata.name, name);
  assert.equal(lastApplied.metadata.annotations, undefined);

  c.write(`${name}.yaml`, manifest('busybox:1.37'));
  const again = c.kubectl(['apply', '--server-side', '-f', file]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stderr, '');
  assert.equal(image(get(`${kind}/${name}`)), 'busybox:1.37');
}

test('client-side then server-side apply of a StatefulSet: migrated without a warning, object unchanged; a change then applies', () => {
  migrate('statefulset', 'web', STS, (o) => o.spec.template.spec.containers[0].image);
});

// A create records its manager's fields before pod admission (as the apiserver does), and
// metadata.generation moves only on a semantic spec change.
test('client-side then server-side apply of a Pod: migrated without a warning, object unchanged; a change then applies', () => {
  migrate('pod', 'solo', POD, (o) => o.spec.containers[0].image);
});

test('the StatefulSet migration leaves metadata.generation alone', () => {
  const sts = get('statefulset/web');
  // Two generations: created, then the image change; the migration itself is not one.
  assert.equal(sts.metadata.generation, 2);
});
