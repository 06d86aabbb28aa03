// PUT creates the kinds whose strategy allows create on update, over HTTP and
// with the real kubectl: `kubectl replace -f` of a Lease that does not exist
// creates it (201 Created), as on a real cluster; of a ConfigMap it is
// NotFound.
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

const LEASE = (holder: string) => `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: leader
spec:
  holderIdentity: ${holder}
  leaseDurationSeconds: 15
`;

test('kubectl replace of a Lease that does not exist creates it with 201 Created', () => {
  const r = c.kubectl(['replace', '-v=6', '-f', c.write('lease.yaml', LEASE('a'))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lease\.coordination\.k8s\.io\/leader replaced/);
  assert.match(r.stderr, /PUT https:\/\/[^ ]+\/apis\/coordination\.k8s\.io\/v1\/namespaces\/default\/leases\/leader\?[^ ]* 201 Created/);
  const lease = JSON.parse(c.ok(['get', 'lease', 'leader', '-o', 'json', '--show-managed-fields']));
  assert.equal(lease.spec.holderIdentity, 'a');
  assert.equal(lease.metadata.managedFields[0].manager, 'kubectl-replace');

  // It exists now: replace updates it, 200 OK.
  const again = c.kubectl(['replace', '-v=6', '-f', c.write('lease.yaml', LEASE('b'))]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /PUT https:\/\/[^ ]+\/leases\/leader\?[^ ]* 200 OK/);
  assert.equal(JSON.parse(c.ok(['get', 'lease', 'leader', '-o', 'json'])).spec.holderIdentity, 'b');
});

test('kubectl replace of a ConfigMap that does not exist is NotFound', () => {
  const r = c.kubectl(['replace', '-f', c.write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: "1"}\n')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /configmaps "settings" not found/);
});
