// PodDisruptionBudgets through the real kubectl against `ordinal serve
// --runtime simulated`: apply a StatefulSet and its budget, read the budget as
// `kubectl get pdb` prints it, evict through pods/eviction (kubectl create
// --raw), and see the budget refuse a second eviction until the pod is back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startCluster, eventually, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;

const MANIFEST = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  serviceName: web
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 2
  selector:
    matchLabels: {app: web}
`;

before(async () => {
  c = await startCluster(['--runtime', 'simulated']);
});

after(async () => {
  await c?.stop();
});

function eviction(pod: string): string {
  return JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: 'default' } });
}

const evict = (pod: string) => c.kubectl(['create', '--raw', `/api/v1/namespaces/default/pods/${pod}/eviction`, '-f', '-'], { input: eviction(pod) });
const allowed = () => c.ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}']);

test('kubectl get pdb shows the budget and one allowed disruption once the set is Ready', async () => {
  c.ok(['apply', '-f', '-'], MANIFEST);
  await eventually(() => c.ok(['get', 'sts', 'web', '-o', 'jsonpath={.status.readyReplicas}']) === '3', 30_000, 'web ready');
  await eventually(() => allowed() === '1', 10_000, 'one disruption allowed');
  const lines = c.ok(['get', 'pdb']).trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
  assert.match(lines[1], /^web\s+2\s+N\/A\s+1\s+\d+s$/);
  assert.match(c.ok(['get', 'poddisruptionbudgets.policy', 'web', '-o', 'name']), /^poddisruptionbudget\.policy\/web$/m);
  const st = JSON.parse(c.ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status}']));
  assert.equal(st.expectedPods, 3);
  assert.equal(st.currentHealthy, 3);
  assert.equal(st.desiredHealthy, 2);
  assert.equal(st.observedGeneration, 1);
  assert.deepEqual(st.conditions.map((x: { type: string; status: string; reason: string }) => [x.type, x.status, x.reason]), [['DisruptionAllowed', 'True', 'SufficientPods']]);
  const described = c.ok(['describe', 'pdb', 'web']);
  assert.match(described, /Min available:\s+2/);
  assert.match(described, /Allowed disruptions:\s+1/);
});

test('an eviction spends the budget; the next one gets 429 until the evicted pod is back and Ready', async () => {
  // A finalizer keeps the evicted pod Terminating (not healthy) while the budget is read;
  // otherwise the simulated node may bring it back Ready between the kubectl calls below.
  c.ok(['patch', 'pod', 'web-0', '--type=merge', '-p', '{"metadata":{"finalizers":["ordinal.test/hold"]}}']);
  const first = evict('web-0');
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  const second = evict('web-1');
  assert.equal(second.code, 1, second.stdout);
  assert.equal(second.stderr.trim(), "Error from server (TooManyRequests): Cannot evict pod as it would violate the pod's disruption budget.");
  assert.equal(allowed(), '0');
  assert.match(c.ok(['get', 'pdb', 'web']), /^web\s+2\s+N\/A\s+0\s+/m);
  c.ok(['patch', 'pod', 'web-0', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  // The StatefulSet controller brings web-0 back; Ready again, the budget allows one more.
  await eventually(() => {
    const uidNow = c.ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return uidNow === 'True' && allowed() === '1';
  }, 30_000, 'web-0 back and the budget at 1');
  const third = evict('web-1');
  assert.equal(third.code, 0, third.stderr);
});

test('a budget created by kubectl create pdb (protobuf) makes the pods doubly covered: eviction is a 500', async () => {
  c.ok(['create', 'poddisruptionbudget', 'web-extra', '--selector=app=web', '--max-unavailable=1']);
  assert.match(c.ok(['get', 'pdb', 'web-extra']), /^web-extra\s+N\/A\s+1\s+/m);
  const r = evict('web-2');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /This pod has more than one PodDisruptionBudget, which the eviction subresource does not support\./);
  c.ok(['delete', 'pdb', 'web-extra']);
});

test('validation errors in Kubernetes\' words', () => {
  const bad = c.kubectl(['apply', '-f', '-'], {
    input: 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: bad}\nspec:\n  maxUnavailable: 150%\n  unhealthyPodEvictionPolicy: Never\n  selector: {matchLabels: {app: web}}\n',
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /The PodDisruptionBudget "bad" is invalid: \n\* spec\.maxUnavailable: Invalid value: intstr\.IntOrString\{Type:1, IntVal:0, StrVal:"150%"\}: must not be greater than 100%\n\* spec\.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"/);
  const missing = evict('nope');
  assert.equal(missing.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
});

test('kubectl apply replaces a budget\'s selector whole (patchStrategy=replace), as on a real cluster', () => {
  const pdb = (selector: string) => `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: sel}\nspec:\n  maxUnavailable: 1\n  selector: ${selector}\n`;
  c.ok(['apply', '-f', '-'], pdb('{matchLabels: {app: web, tier: db}}'));
  c.ok(['apply', '-f', '-'], pdb('{matchLabels: {role: primary}}'));
  assert.equal(c.ok(['get', 'pdb', 'sel', '-o', 'jsonpath={.spec.selector}']), '{"matchLabels":{"role":"primary"}}');
  // A strategic merge patch from kubectl patch replaces it too.
  c.ok(['patch', 'pdb', 'sel', '-p', '{"spec":{"selector":{"matchLabels":{"app":"web"}}}}']);
  assert.equal(c.ok(['get', 'pdb', 'sel', '-o', 'jsonpath={.spec.selector}']), '{"matchLabels":{"app":"web"}}');
  c.ok(['delete', 'pdb', 'sel']);
});
