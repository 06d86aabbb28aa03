// Server-side apply through the status subresource, with the real kubectl
// (`kubectl apply --server-side --subresource=status`, as controllers that
// apply their status do): the status is stored and owned by an Apply entry
// with subresource status, a spec in the same configuration is ignored, and
// an apply of the main resource leaves the status alone.
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

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: front
spec:
  type: LoadBalancer
  selector: {app: front}
  ports: [{port: 80}]
`;

/** What a load-balancer controller applies: its status, a label, and a spec change it has no say over. */
const STATUS = (ip: string) => `apiVersion: v1
kind: Service
metadata:
  name: front
  labels: {lb: ready}
spec:
  ports: [{port: 8080}]
status:
  loadBalancer:
    ingress: [{ip: "${ip}"}]
`;

function get(what: string): any {
  return JSON.parse(c.ok(['get', what, '-o', 'json', '--show-managed-fields']));
}

function entry(obj: any, manager: string): any {
  return obj.metadata.managedFields.find((e: any) => e.manager === manager);
}

test('apply --subresource=status stores the status and its owner records subresource status', () => {
  c.ok(['create', '-f', c.write('svc.yaml', SERVICE)]);
  const r = c.kubectl(['apply', '--server-side', '--subresource=status', '--field-manager=lb-controller', '-f', c.write('status.yaml', STATUS('192.0.2.10'))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /service\/front serverside-applied/);

  const svc = get('service/front');
  assert.deepEqual(svc.status.loadBalancer.ingress, [{ ip: '192.0.2.10' }]);
  // The status strategy resets the spec only: the spec is untouched, the label is written.
  assert.equal(svc.spec.ports[0].port, 80);
  assert.equal(svc.metadata.labels?.lb, 'ready');
  const e = entry(svc, 'lb-controller');
  assert.equal(e.operation, 'Apply');
  assert.equal(e.subresource, 'status');
  assert.deepEqual(e.fieldsV1['f:status'], { 'f:loadBalancer': { 'f:ingress': {} } });
  assert.deepEqual(e.fieldsV1['f:metadata'], { 'f:labels': { 'f:lb': {} } });
  assert.equal(e.fieldsV1['f:spec'], undefined, 'a reset field is not owned');

  // Applying again with another address changes it, under the same entry.
  c.ok(['apply', '--server-side', '--subresource=status', '--field-manager=lb-controller', '-f', c.write('status.yaml', STATUS('192.0.2.11'))]);
  const again = get('service/front');
  assert.deepEqual(again.status.loadBalancer.ingress, [{ ip: '192.0.2.11' }]);
  assert.equal(again.metadata.managedFields.filter((m: any) => m.manager === 'lb-controller').length, 1);
});

test('an apply of the main resource that carries a status leaves the status alone and does not own it', () => {
  const main = `${SERVICE.replace('name: front', 'name: front\n  labels: {tier: web}')}status:
  loadBalancer:
    ingress: [{ip: "192.0.2.99"}]
`;
  const r = c.kubectl(['apply', '--server-side', '--field-manager=deployer', '-f', c.write('main.yaml', main)]);
  assert.equal(r.code, 0, r.stderr);
  const svc = get('service/front');
  assert.equal(svc.metadata.labels.tier, 'web');
  assert.deepEqual(svc.status.loadBalancer.ingress, [{ ip: '192.0.2.11' }]);
  const e = entry(svc, 'deployer');
  assert.equal(e.subresource, undefined);
  assert.equal(e.fieldsV1['f:status'], undefined);
  // The status applier still owns what it applied.
  assert.deepEqual(entry(svc, 'lb-controller').fieldsV1['f:status'], { 'f:loadBalancer': { 'f:ingress': {} } });
});

test('apply --subresource=status of an object that does not exist is NotFound', () => {
  const r = c.kubectl(['apply', '--server-side', '--subresource=status', '--field-manager=lb-controller', '-f', c.write('ghost.yaml', STATUS('192.0.2.10').replace('name: front', 'name: ghost'))]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /not found/i);
});
