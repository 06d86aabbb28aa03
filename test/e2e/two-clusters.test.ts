// Two ordinals on one host share the pod address range in the host's network
// namespace: their pods must never get the same IP, even when the pods do
// not listen on it (nothing on the host shows the address as taken).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, eventually, type TestCluster } from '../helpers/cluster.js';

const pods = (n: number) => Array.from({ length: n }, (_, i) => `apiVersion: v1
kind: Pod
metadata:
  name: quiet-${i}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
`).join('---\n');

let a: TestCluster;
let b: TestCluster;
before(async () => {
  [a, b] = await Promise.all([startCluster(['--runtime', 'process']), startCluster(['--runtime', 'process'])]);
});
after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

test('pods of two clusters on one host get different IPs', async () => {
  const ips = async (c: TestCluster) => {
    await eventually(() => c.ok(['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}']) === 'Running Running Running', 30_000, 'pods Running');
    return c.ok(['get', 'pods', '-o', 'jsonpath={.items[*].status.podIP}']).split(' ');
  };
  await Promise.all([a.kubectlAsync(['apply', '-f', '-'], { input: pods(3) }), b.kubectlAsync(['apply', '-f', '-'], { input: pods(3) })]);
  const [ofA, ofB] = await Promise.all([ips(a), ips(b)]);
  assert.equal(new Set(ofA).size, 3, ofA.join(' '));
  assert.equal(new Set(ofB).size, 3, ofB.join(' '));
  assert.deepEqual(ofA.filter((ip) => ofB.includes(ip)), [], `A: ${ofA.join(' ')}; B: ${ofB.join(' ')}`);
  // A recreated pod takes an address neither cluster uses.
  b.ok(['delete', 'pod', 'quiet-0', '--wait=false']);
  a.ok(['delete', 'pod', 'quiet-0']);
  a.ok(['apply', '-f', '-'], pods(1));
  const [again] = await ips(a).then((l) => l.filter((ip) => !ofA.includes(ip)));
  assert.ok(again, 'a new IP for the recreated quiet-0');
  assert.ok(!ofB.slice(1).includes(again), `${again} is one of B's pods`);
});
