// kubectl cordon / drain / uncordon on the one node, through the real kubectl,
// for the simulated node and for pods as processes: while the node is
// cordoned, a StatefulSet's recreated pods stay Pending with kube-scheduler's
// FailedScheduling message; once it is uncordoned they are scheduled and run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startCluster, eventually, type TestCluster } from '../helpers/cluster.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const UNSCHEDULABLE = '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

for (const runtime of ['simulated', 'process']) {
  describe(`cordon, drain and uncordon (${runtime} runtime)`, () => {
    let c: TestCluster;
    let node: string;
    const podLine = (name: string) => c.ok(['get', 'pod', name, '-o', 'jsonpath={.status.phase} {.spec.nodeName} {.metadata.uid}']);

    before(async () => {
      c = await startCluster(['--runtime', runtime]);
      node = c.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}']);
      c.ok(['apply', '-f', join(EXAMPLES, 'svc.yaml'), '-f', join(EXAMPLES, 'statefulset-www.yaml')]);
      await eventually(() => c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.status.readyReplicas}']) === '2', 60_000, 'web 2/2');
    });
    after(async () => {
      await c?.stop();
    });

    test('a pod recreated on a cordoned node stays Pending with FailedScheduling; uncordon schedules it', async () => {
      assert.equal(c.ok(['cordon', node]).trim(), `node/${node} cordoned`);
      assert.match(c.ok(['get', 'node', node]), new RegExp(`^${node}\\s+Ready,SchedulingDisabled\\s`, 'm'));
      const uid = podLine('web-1').split(' ')[2];
      c.ok(['delete', 'pod', 'web-1']);
      const pending = await eventually(() => {
        const [phase, nodeName, newUid] = podLine('web-1').split(' ');
        return newUid && newUid !== uid && phase === 'Pending' && nodeName === '' ? newUid : undefined;
      }, 30_000, 'a new web-1, Pending');
      await eventually(() => c.ok(['get', 'events', '--field-selector', 'involvedObject.name=web-1,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']).includes(UNSCHEDULABLE), 30_000, 'FailedScheduling');
      // Still not scheduled after the event: the cordon holds.
      assert.equal(podLine('web-1'), `Pending  ${pending}`);
      assert.match(c.ok(['describe', 'pod', 'web-1']), /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/1 nodes are available: 1 node\(s\) were unschedulable\./);

      assert.equal(c.ok(['uncordon', node]).trim(), `node/${node} uncordoned`);
      await eventually(() => podLine('web-1') === `Running ${node} ${pending}`, 30_000, 'web-1 Running on the node');
      assert.match(c.ok(['get', 'events', '--field-selector', 'involvedObject.name=web-1,reason=Scheduled', '-o', 'jsonpath={.items[*].message}']), new RegExp(`Successfully assigned default/web-1 to ${node}`));
    });

    test('kubectl drain evicts the pods; web-0 waits Pending (web-1 after it) until uncordon, with the same names', async () => {
      const before = ['web-0', 'web-1'].map((p) => podLine(p).split(' ')[2]);
      const drain = await c.kubectlAsync(['drain', node, '--ignore-daemonsets', '--timeout=60s'], { timeoutMs: 70_000 });
      assert.equal(drain.code, 0, drain.stderr);
      assert.match(drain.stdout, /evicting pod default\/web-[01]|pod\/web-[01] evicted/);
      assert.match(drain.stdout, new RegExp(`node/${node} drained`));
      // OrderedReady: web-0 comes back and waits Pending. drain evicts both
      // pods at once, so which one goes first is a race, as on a real
      // cluster: if web-1 was gone while web-0 was still Running and Ready,
      // the controller rightly recreated web-1, and it waits Pending too.
      // Once web-0 is missing or not Ready, web-1 is not created.
      await eventually(() => {
        const [phase, nodeName, uid] = podLine('web-0').split(' ');
        return uid !== before[0] && phase === 'Pending' && nodeName === '';
      }, 30_000, 'web-0 recreated and Pending');
      const web1Now = () => {
        const r = c.kubectl(['get', 'pod', 'web-1', '-o', 'jsonpath={.status.phase} {.spec.nodeName} {.metadata.uid}']);
        if (r.code !== 0) {
          assert.match(r.stderr, /pods "web-1" not found/);
          return 'absent';
        }
        return r.stdout;
      };
      const web1 = web1Now();
      if (web1 !== 'absent') {
        const [phase, nodeName, uid] = web1.split(' ');
        assert.deepEqual([phase, nodeName, uid !== before[1]], ['Pending', '', true], `web-1 is ${web1}`);
      }
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(web1Now(), web1, 'web-1 unchanged while web-0 waits');
      c.ok(['uncordon', node]);
      await eventually(() => c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.status.readyReplicas}']) === '2', 60_000, 'web 2/2 again');
      assert.deepEqual(c.ok(['get', 'pods', '-l', 'app=nginx', '-o', 'jsonpath={.items[*].metadata.name}']).split(' '), ['web-0', 'web-1']);
    });
  });
}
