// Fields Kubernetes 1.31 and 1.32 added, through the real kubectl: a 1.32 cluster takes
// them from a manifest, stores them, prints them back and explains them, and still
// rejects a misspelt field with the strict decoding error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, type TestCluster } from '../helpers/cluster.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: sized
spec:
  resources:
    limits:
      cpu: 500m
      memory: 128Mi
  securityContext:
    supplementalGroupsPolicy: Strict
    seLinuxChangePolicy: MountOption
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
`;

const STS = (pullPolicy: string) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: artifacts
spec:
  serviceName: artifacts
  replicas: 0
  selector:
    matchLabels:
      app: artifacts
  template:
    metadata:
      labels:
        app: artifacts
    spec:
      resourceClaims:
      - name: gpu
        resourceClaimTemplateName: gpu-template
      volumes:
      - name: data
        image:
          reference: busybox:1.36
          pullPolicy: ${pullPolicy}
      containers:
      - name: main
        image: busybox:1.36
        resources:
          claims:
          - name: gpu
            request: one
        volumeMounts:
        - name: data
          mountPath: /data
`;

const SVC = `apiVersion: v1
kind: Service
metadata:
  name: near
spec:
  selector:
    app: artifacts
  ports:
  - port: 80
  trafficDistribution: PreferClose
`;

let c: TestCluster;

before(async () => {
  c = await startCluster(['--runtime', 'simulated']);
});

after(async () => {
  await c?.stop();
});

function fails(args: string[]): string {
  const r = c.kubectl(args);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail:\n${r.stdout}`);
  return r.stderr.trim();
}

const json = (args: string[]): any => JSON.parse(c.ok([...args, '-o', 'json']));

test('kubectl apply -f takes 1.31 and 1.32 fields, and get -o json shows them stored', () => {
  const f = c.write('k132.yaml', [POD, STS('IfNotPresent'), SVC].join('---\n'));
  assert.deepEqual(c.ok(['apply', '-f', f]).trim().split('\n'), [
    'pod/sized created', 'statefulset.apps/artifacts created', 'service/near created',
  ]);

  const pod = json(['get', 'pod', 'sized']);
  assert.deepEqual(pod.spec.resources, { limits: { cpu: '500m', memory: '128Mi' } });
  assert.equal(pod.spec.securityContext.supplementalGroupsPolicy, 'Strict');
  assert.equal(pod.spec.securityContext.seLinuxChangePolicy, 'MountOption');

  const tpl = json(['get', 'statefulset', 'artifacts']).spec.template.spec;
  assert.deepEqual(tpl.volumes, [{ name: 'data', image: { reference: 'busybox:1.36', pullPolicy: 'IfNotPresent' } }]);
  assert.deepEqual(tpl.resourceClaims, [{ name: 'gpu', resourceClaimTemplateName: 'gpu-template' }]);
  assert.deepEqual(tpl.containers[0].resources, { claims: [{ name: 'gpu', request: 'one' }] });

  assert.equal(json(['get', 'service', 'near']).spec.trafficDistribution, 'PreferClose');

  // Client-side apply again: nothing changed, then a change inside a new field.
  assert.deepEqual(c.ok(['apply', '-f', f]).trim().split('\n'), [
    'pod/sized unchanged', 'statefulset.apps/artifacts unchanged', 'service/near unchanged',
  ]);
  const changed = c.write('k132-sts.yaml', STS('Always'));
  assert.equal(c.ok(['apply', '-f', changed]).trim(), 'statefulset.apps/artifacts configured');
  assert.equal(json(['get', 'statefulset', 'artifacts']).spec.template.spec.volumes[0].image.pullPolicy, 'Always');

  // Server-side apply reads the same OpenAPI document.
  assert.equal(c.ok(['apply', '--server-side', '-f', c.write('k132-svc.yaml', SVC)]).trim(), 'service/near serverside-applied');
  assert.equal(json(['get', 'service', 'near']).spec.trafficDistribution, 'PreferClose');
});

test('kubectl explain knows the new fields and prints Kubernetes\' own doc text', () => {
  const resources = c.ok(['explain', 'pod.spec.resources']);
  assert.match(resources, /^FIELD: resources <ResourceRequirements>$/m);
  assert.match(resources, /Resources is the total amount of CPU and Memory resources required by all\s+containers in the pod\./);
  assert.match(resources, /PodLevelResources feature\s+gate\./);

  const td = c.ok(['explain', 'service.spec.trafficDistribution']);
  assert.match(td, /^FIELD: trafficDistribution <string>$/m);
  assert.match(td, /TrafficDistribution offers a way to express preferences for how traffic is\s+distributed to Service endpoints\./);

  const image = c.ok(['explain', 'pod.spec.volumes.image']);
  assert.match(image, /^FIELD: image <ImageVolumeSource>$/m);
  assert.match(image, /^ {2}pullPolicy\t<string>$/m);
  assert.match(image, /^ {2}reference\t<string>$/m);

  const claims = c.ok(['explain', 'pod.spec.resourceClaims']);
  assert.match(claims, /^ {2}resourceClaimTemplateName\t<string>$/m);
  assert.doesNotMatch(claims, /^ {2}source\t/m, 'the ClaimSource of 1.30 is gone in 1.31');

  assert.match(c.ok(['explain', 'pod.status.containerStatuses.user.linux']), /^ {2}uid\t<integer> -required-$/m);
});

test('a misspelt field is still rejected with the strict decoding error, and so is a field 1.31 removed', () => {
  const f = c.write('misspelt.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: misspelt
spec:
  resourcez:
    limits:
      cpu: 500m
  securityContext:
    supplementalGroupPolicy: Strict
  resourceClaims:
  - name: gpu
    source:
      resourceClaimName: gpu-0
  containers:
  - name: main
    image: busybox:1.36
`);
  const detail = 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
    + 'unknown field "spec.resourceClaims[0].source", unknown field "spec.resourcez", unknown field "spec.securityContext.supplementalGroupPolicy"';
  assert.equal(fails(['apply', '-f', f]), `Error from server (BadRequest): error when creating "${f}": ${detail}`);
  assert.equal(fails(['create', '-f', f]), `Error from server (BadRequest): error when creating "${f}": ${detail}`);
  assert.match(fails(['get', 'pod', 'misspelt']), /NotFound/);
});

test('values outside the new fields\' enums are rejected with Kubernetes\' field paths', () => {
  const pod = c.write('enum-pod.yaml', `apiVersion: v1
kind: Pod
metadata:
  name: enums
spec:
  securityContext:
    supplementalGroupsPolicy: Loose
    seLinuxChangePolicy: Sometimes
  volumes:
  - name: data
    image:
      reference: busybox:1.36
      pullPolicy: Sometimes
  containers:
  - name: main
    image: busybox:1.36
`);
  assert.equal(fails(['apply', '-f', pod]), [
    'The Pod "enums" is invalid: ',
    '* spec.volumes[0].image.pullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    '* spec.securityContext.supplementalGroupsPolicy: Unsupported value: "Loose": supported values: "Merge", "Strict"',
    '* spec.securityContext.seLinuxChangePolicy: Unsupported value: "Sometimes": supported values: "MountOption", "Recursive"',
  ].join('\n'));
  const sts = c.write('enum-sts.yaml', STS('IfNotPresent').replace('name: artifacts\n', 'name: enums\n')
    .replace('      resourceClaims:', '      securityContext:\n        supplementalGroupsPolicy: Loose\n      resourceClaims:'));
  assert.match(fails(['apply', '-f', sts]),
    /^The StatefulSet "enums" is invalid: spec\.template\.spec\.securityContext\.supplementalGroupsPolicy: Unsupported value: "Loose": supported values: "Merge", "Strict"$/);
});
