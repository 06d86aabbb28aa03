// The API foundation through the real kubectl: what a user types, and what a
// real cluster prints back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startCluster, eventually, type TestCluster } from '../helpers/cluster.js';

const SVC = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
`;

const STS = (replicas: number, image = 'nginx:1.9.1') => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: "nginx"
  replicas: ${replicas}
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
          name: web
`;

let c: TestCluster;

before(async () => {
  // No controllers or node agent matter here: the API alone.
  c = await startCluster(['--runtime', 'simulated']);
});

after(async () => {
  await c?.stop();
});

const ok = (args: string[], input?: string): string => c.ok(args, input);

function fails(args: string[], input?: string): string {
  const r = c.kubectl(args, { input });
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail:\n${r.stdout}`);
  return r.stderr.trim();
}

test('kubeconfig is written atomically with mode 0600 and names the CA and a token', () => {
  const text = readFileSync(c.kubeconfig, 'utf8');
  assert.match(text, /certificate-authority-data: /);
  assert.match(text, /token: /);
  assert.match(text, /server: https:\/\/127\.0\.0\.1:\d+/);
});

test('create, get and the seeds\' table for a headless Service', () => {
  const f = c.write('svc.yaml', SVC);
  assert.equal(ok(['create', '-f', f]).trim(), 'service/nginx created');
  const out = ok(['get', 'service', 'nginx']);
  const [header, row] = out.trim().split('\n');
  assert.match(header, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
  assert.match(row, /^nginx\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s+\d+s$/);
  const again = fails(['create', '-f', f]);
  assert.equal(again, `Error from server (AlreadyExists): error when creating "${f}": services "nginx" already exists`);
});

test('get -o yaml/json show defaulted, server-set fields', () => {
  const svc = JSON.parse(ok(['get', 'svc', 'nginx', '-o', 'json']));
  assert.equal(svc.apiVersion, 'v1');
  assert.equal(svc.kind, 'Service');
  assert.match(svc.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(svc.metadata.resourceVersion, /^\d+$/);
  assert.equal(svc.spec.ports[0].protocol, 'TCP');
  assert.equal(svc.spec.ports[0].targetPort, 80);
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.clusterIPs, ['None']);
  const yaml = ok(['get', 'svc', 'nginx', '-o', 'yaml']);
  assert.match(yaml, /clusterIP: None/);
  // A non-headless Service gets an address from the service CIDR; `kubernetes` exists.
  const k = JSON.parse(ok(['get', 'svc', 'kubernetes', '-o', 'json']));
  assert.equal(k.spec.clusterIP, '10.96.0.1');
});

test('StatefulSet: create, READY column, scale, generation, scale errors', () => {
  const f = c.write('sts.yaml', STS(2));
  assert.equal(ok(['create', '-f', f]).trim(), 'statefulset.apps/web created');
  const out = ok(['get', 'statefulset', 'web']);
  assert.match(out.split('\n')[0], /^NAME\s+READY\s+AGE$/);
  assert.match(out.split('\n')[1], /^web\s+\d+\/2\s+\d+s$/);
  const sts = JSON.parse(ok(['get', 'sts', 'web', '-o', 'json']));
  assert.equal(sts.metadata.generation, 1);
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.equal(sts.spec.updateStrategy.type, 'RollingUpdate');
  assert.equal(sts.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  assert.equal(ok(['scale', 'statefulset', 'web', '--replicas=3']).trim(), 'statefulset.apps/web scaled');
  const scaled = JSON.parse(ok(['get', 'sts', 'web', '-o', 'json']));
  assert.equal(scaled.spec.replicas, 3);
  assert.equal(scaled.metadata.generation, 2);
  // --current-replicas is a PUT on /scale with a precondition.
  assert.match(fails(['scale', 'sts', 'web', '--current-replicas=7', '--replicas=1']), /Expected replicas to be 7, was 3/);
  assert.equal(ok(['scale', 'sts', 'web', '--current-replicas=3', '--replicas=2']).trim(), 'statefulset.apps/web scaled');
});

test('invalid objects get Kubernetes\' 422 text', () => {
  const bad = c.write('bad.yaml', STS(-1).replace('name: web', 'name: bad'));
  assert.equal(
    fails(['create', '-f', bad]),
    'The StatefulSet "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );
  const sel = c.write('sel.yaml', STS(1).replace('name: web', 'name: sel').replace('      app: nginx\n  template', '      app: other\n  template'));
  assert.match(fails(['create', '-f', sel]), /The StatefulSet "sel" is invalid: spec.template.metadata.labels: Invalid value: .*`selector` does not match template `labels`/);
  // An immutable field.
  const patched = fails(['patch', 'sts', 'web', '-p', '{"spec":{"serviceName":"other"}}']);
  assert.match(patched, /The StatefulSet "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
  // Unknown field with the default Strict validation of create.
  const unknown = c.write('unknown.yaml', SVC.replace('name: nginx', 'name: strict').replace('  clusterIP: None', '  clusterIP: None\n  bogus: 1'));
  assert.match(fails(['create', '-f', unknown]), /strict decoding error: unknown field "spec.bogus"/);
});

test('NotFound, unknown resource types and missing namespaces', () => {
  assert.equal(fails(['get', 'pod', 'nope']), 'Error from server (NotFound): pods "nope" not found');
  assert.equal(fails(['get', 'sts', 'nope']), 'Error from server (NotFound): statefulsets.apps "nope" not found');
  assert.match(fails(['get', 'foos']), /the server doesn't have a resource type "foos"/);
  const cm = c.write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: missing\ndata:\n  a: b\n');
  assert.match(fails(['create', '-f', cm]), /Error from server \(NotFound\): error when creating ".*": namespaces "missing" not found/);
});

test('apply client-side creates, then configures with a strategic merge patch, then is unchanged', () => {
  const f = c.write('cm-apply.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: one\n');
  assert.equal(ok(['apply', '-f', f]).trim(), 'configmap/settings created');
  c.write('cm-apply.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: two\n');
  assert.equal(ok(['apply', '-f', f]).trim(), 'configmap/settings configured');
  assert.equal(ok(['apply', '-f', f]).trim(), 'configmap/settings unchanged');
  const cm = JSON.parse(ok(['get', 'cm', 'settings', '-o', 'json']));
  assert.equal(cm.data.mode, 'two');
  assert.ok(cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  // The StatefulSet's containers merge by name; ports by containerPort.
  const stsFile = c.write('sts-apply.yaml', STS(2, 'nginx:1.10'));
  assert.equal(ok(['apply', '-f', stsFile]).trim(), 'statefulset.apps/web configured');
  const sts = JSON.parse(ok(['get', 'sts', 'web', '-o', 'json']));
  assert.equal(sts.spec.template.spec.containers[0].image, 'nginx:1.10');
  assert.equal(sts.spec.template.spec.containers.length, 1);
});

test('apply --server-side creates and updates', () => {
  const f = c.write('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n  b: "2"\n');
  assert.equal(ok(['apply', '--server-side', '-f', f]).trim(), 'configmap/ssa serverside-applied');
  c.write('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "3"\n');
  assert.equal(ok(['apply', '--server-side', '-f', f]).trim(), 'configmap/ssa serverside-applied');
  const cm = JSON.parse(ok(['get', 'cm', 'ssa', '-o', 'json']));
  assert.deepEqual(cm.data, { a: '3' });
});

test('label, annotate, patch, describe, explain', () => {
  assert.equal(ok(['label', 'svc', 'nginx', 'tier=web']).trim(), 'service/nginx labeled');
  assert.equal(ok(['annotate', 'svc', 'nginx', 'owner=me']).trim(), 'service/nginx annotated');
  assert.match(ok(['get', 'svc', '-l', 'tier=web', '-o', 'name']), /service\/nginx/);
  assert.equal(ok(['get', 'svc', '-l', 'tier in (db,cache)', '-o', 'name']).trim(), '');
  assert.equal(ok(['patch', 'svc', 'nginx', '--type=merge', '-p', '{"metadata":{"labels":{"tier":null}}}']).trim(), 'service/nginx patched');
  assert.equal(ok(['patch', 'svc', 'nginx', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/x","value":"y"}]']).trim(), 'service/nginx patched');
  const d = ok(['describe', 'statefulset', 'web']);
  assert.match(d, /^Name:\s+web$/m);
  assert.match(d, /Replicas:\s+2 desired/);
  assert.match(d, /Update Strategy:\s+RollingUpdate/);
  const ex = ok(['explain', 'statefulset.spec.replicas']);
  assert.match(ex, /replicas/);
  assert.match(ex, /desired number of replicas/i);
});

test('namespaces: create, get, delete removes their content', async () => {
  assert.equal(ok(['create', 'namespace', 'team']).trim(), 'namespace/team created');
  ok(['-n', 'team', 'create', 'configmap', 'one', '--from-literal=a=b']);
  const nsTable = ok(['get', 'ns', 'team']);
  assert.match(nsTable, /team\s+Active\s+\d+s/);
  assert.equal(ok(['delete', 'namespace', 'team', '--timeout=30s']).trim(), 'namespace "team" deleted');
  assert.match(fails(['get', 'ns', 'team']), /namespaces "team" not found/);
});

test('delete -l and get -w prints changes as they happen', async () => {
  for (const n of ['a', 'b']) ok(['create', '-f', c.write(`w-${n}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: w-${n}\ndata:\n  k: v\n`)]);
  ok(['label', 'cm', 'w-a', 'w-b', 'group=w']);
  const w = c.kubectlBackground(['get', 'cm', '-l', 'group=w', '-w']);
  await eventually(() => /w-b/.test(w.output()), 10_000, 'initial watch list');
  ok(['label', 'cm', 'w-a', 'extra=1']);
  const out = ok(['delete', 'cm', '-l', 'group=w']);
  assert.match(out, /configmap "w-a" deleted/);
  assert.match(out, /configmap "w-b" deleted/);
  await eventually(() => (w.output().match(/w-a/g) ?? []).length >= 3, 10_000, 'watch updates');
  await w.stop();
  assert.match(w.output(), /^NAME\s+DATA\s+AGE$/m);
});

test('lists come in pages when kubectl asks for chunks', () => {
  for (const n of [1, 2, 3, 4, 5]) ok(['create', '-f', c.write(`page-${n}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: page-${n}\n  labels:\n    paged: "yes"\n`)]);
  const r = c.kubectl(['get', 'cm', '-l', 'paged=yes', '--chunk-size=2', '-v=6']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((r.stderr.match(/configmaps\?continue=/g) ?? []).length, 2, 'two follow-up pages');
  assert.deepEqual(r.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
});

test('conflicts: a stale resourceVersion gets 409', () => {
  const cm = JSON.parse(ok(['get', 'cm', 'settings', '-o', 'json']));
  ok(['label', 'cm', 'settings', 'bump=1']);
  const f = c.write('stale.json', JSON.stringify(cm));
  const err = fails(['replace', '-f', f]);
  assert.match(err, /Error from server \(Conflict\): error when replacing ".*": Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again/);
});

test('unauthenticated and wrong-token requests get 401; the server keeps serving', () => {
  const r = c.kubectl(['get', 'pods', '--token', 'wrong']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)/);
  ok(['get', 'svc', 'nginx']);
});

test('PVCs print their table', () => {
  const f = c.write('pvc.yaml', 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 1Gi\n');
  assert.equal(ok(['create', '-f', f]).trim(), 'persistentvolumeclaim/data created');
  const out = ok(['get', 'pvc', 'data']);
  assert.match(out.split('\n')[0], /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/);
});

test('kill -9 right after a create: the object survives with the same uid and resourceVersion', async () => {
  ok(['create', '-f', c.write('durable.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: durable\ndata:\n  x: y\n')]);
  const before = JSON.parse(ok(['get', 'cm', 'durable', '-o', 'json']));
  await c.kill9();
  await c.restart();
  const afterObj = JSON.parse(ok(['get', 'cm', 'durable', '-o', 'json']));
  assert.equal(afterObj.metadata.uid, before.metadata.uid);
  assert.equal(afterObj.metadata.resourceVersion, before.metadata.resourceVersion);
});

test('a second serve on the same data dir refuses to start', async () => {
  const { spawnSync } = await import('node:child_process');
  const { ROOT } = await import('../helpers/cluster.js');
  const r = spawnSync(process.execPath, [`${ROOT}/bin/ordinal.js`, 'serve', '--data-dir', c.dataDir, '--api-port', '0'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /data dir .* is in use by another ordinal \(pid \d+\)/);
});
