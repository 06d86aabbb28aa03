// The seeds' session (../shared/seeds/003), step by step through the real
// kubectl against a real `ordinal serve`: the headless Service, ordered
// creation, hostnames, DNS names from a throw-away busybox pod, recreation
// with new IPs and the same names, per-pod storage that survives pod
// deletion, and everything surviving a restart of ordinal.
//
// It runs with the linux runtime (as root, which CI is) and with the process
// runtime; steps that need a pod's own namespaces (hostname, resolv.conf,
// mounts) run only with the linux runtime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ROOT, eventually, startCluster, type TestCluster } from '../helpers/cluster.js';

const EXAMPLES = join(ROOT, 'examples');
const isRoot = process.getuid?.() === 0;

interface WatchLine { name: string; ready: string; status: string }

function parseWatch(out: string): WatchLine[] {
  return out.split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => /^web-\d+$/.test(f[0]))
    .map((f) => ({ name: f[0], ready: f[1], status: f[2] }));
}

function ipsOf(c: TestCluster): Record<string, string> {
  const pods = JSON.parse(c.kubectl(['get', 'pods', '-l', 'app=nginx', '-o', 'json']).stdout);
  return Object.fromEntries(pods.items.map((p: { metadata: { name: string }; status: { podIP: string } }) => [p.metadata.name, p.status.podIP]));
}

for (const runtime of ['linux', 'process'] as const) {
  const linux = runtime === 'linux';
  describe(`the seeds' walkthrough (${runtime} runtime)`, { skip: linux && !isRoot ? 'the linux runtime needs root' : false }, () => {
    let c: TestCluster;
    const ok = (args: string[]): string => c.ok(args);
    const nslookup = async (name: string) => {
      const r = await c.kubectlAsync(['run', '-i', '--rm', '--restart=Never', '--image=busybox:1.28.4', `dns-test-${Math.random().toString(36).slice(2, 7)}`, '--', 'nslookup', name], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, `nslookup ${name} failed:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };

    before(async () => {
      c = await startCluster(['--runtime', runtime]);
      // Pods resolve through the cluster DNS address, which only one ordinal per host can serve.
      if (linux) assert.match(c.output(), /cluster DNS on [^\n]*10\.96\.0\.10:53/);
    });
    after(async () => {
      await c?.stop();
    });

    test('1. the headless Service', () => {
      assert.equal(ok(['create', '-f', join(EXAMPLES, 'svc.yaml')]).trim(), 'service/nginx created');
      const [header, row] = ok(['get', 'service', 'nginx']).trim().split('\n');
      assert.match(header, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
      assert.match(row, /^nginx\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s+\d+s$/);
    });

    test('2. pods are created in order: web-0 Running before web-1 appears', async () => {
      // Its -v=6 log tells when the watch is open (parseWatch skips those lines).
      const w = c.kubectlBackground(['get', 'pods', '-w', '-l', 'app=nginx', '-v=6']);
      await eventually(() => /watch=true[^\n]* 200 OK/.test(w.output()), 30_000, 'kubectl get -w watching');
      assert.equal(ok(['create', '-f', join(EXAMPLES, 'statefulset.yaml')]).trim(), 'statefulset.apps/web created');
      await eventually(() => parseWatch(w.output()).some((l) => l.name === 'web-1' && l.status === 'Running' && l.ready === '1/1'), 60_000, 'web-1 Running');
      await w.stop();
      const lines = parseWatch(w.output());
      const firstWeb1 = lines.findIndex((l) => l.name === 'web-1');
      const web0 = lines.slice(0, firstWeb1).map((l) => l.status);
      assert.ok(web0.includes('Pending'), `web-0 Pending before web-1: ${web0}`);
      assert.ok(web0.includes('ContainerCreating'), `web-0 ContainerCreating before web-1: ${web0}`);
      assert.equal(web0[web0.length - 1], 'Running', `web-0 Running before web-1: ${web0}`);
      assert.ok(web0.indexOf('Pending') < web0.indexOf('ContainerCreating'));
    });

    test('3. READY 2/2, the controller\'s and the kubelet\'s events', async () => {
      await eventually(() => /^web\s+2\/2\s/m.test(c.kubectl(['get', 'statefulset', 'web']).stdout), 30_000, 'READY 2/2');
      const d = ok(['describe', 'statefulset', 'web']);
      const e0 = d.indexOf('create Pod web-0 in StatefulSet web successful');
      const e1 = d.indexOf('create Pod web-1 in StatefulSet web successful');
      assert.ok(e0 > 0 && e1 > e0, `events in order:\n${d}`);
      assert.match(d, /SuccessfulCreate\s+\S+\s+statefulset-controller/);
      const pods = ok(['describe', 'pods', '-l', 'app=nginx']);
      for (const reason of ['Scheduled', 'Pulled', 'Created', 'Started']) assert.match(pods, new RegExp(`Normal\\s+${reason}\\s`), `${reason} event`);
      assert.match(pods, /Successfully assigned default\/web-0 to /);
      assert.match(pods, /Container image "nginx:1.9.1" already present on machine/);
    });

    test('4. each pod\'s hostname is its name', { skip: !linux && 'needs the pod\'s own UTS namespace' }, () => {
      assert.equal(ok(['exec', 'web-0', '--', 'sh', '-c', 'hostname']).trim(), 'web-0');
      assert.equal(ok(['exec', 'web-1', '--', 'sh', '-c', 'hostname']).trim(), 'web-1');
    });

    test('5. the cluster DNS Service', () => {
      const out = ok(['-n', 'kube-system', 'get', 'pod,svc', '-l', 'k8s-app=kube-dns']);
      assert.match(out, /service\/kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP/);
    });

    let firstIPs: Record<string, string> = {};
    test('6. web-0.nginx and web-1.nginx resolve from a throw-away busybox pod', { skip: !linux && 'needs the pod\'s resolv.conf' }, async () => {
      firstIPs = ipsOf(c);
      for (const pod of ['web-0', 'web-1']) {
        const out = await nslookup(`${pod}.nginx`);
        assert.match(out, /^Server:\s+10\.96\.0\.10$/m);
        assert.match(out, new RegExp(`^Name:\\s+${pod}\\.nginx$`, 'm'));
        assert.match(out, new RegExp(`^Address 1: ${firstIPs[pod].replace(/\./g, '\\.')} ${pod}\\.nginx\\.default\\.svc\\.cluster\\.local$`, 'm'));
      }
    });

    test('7. deleted pods come back in order, same names, new IPs', async () => {
      if (!Object.keys(firstIPs).length) firstIPs = ipsOf(c);
      const w = c.kubectlBackground(['get', 'pods', '-w', '-l', 'app=nginx']);
      await eventually(() => parseWatch(w.output()).length >= 2, 10_000, 'watch started');
      const del = ok(['delete', 'pod', '-l', 'app=nginx']);
      assert.match(del, /pod "web-0" deleted/);
      assert.match(del, /pod "web-1" deleted/);
      await eventually(() => /^web\s+2\/2\s/m.test(c.kubectl(['get', 'statefulset', 'web']).stdout), 60_000, 'READY 2/2 again');
      await eventually(() => parseWatch(w.output()).filter((l) => l.name === 'web-1' && l.status === 'Running').length >= 2, 10_000, 'web-1 Running again');
      await w.stop();
      const lines = parseWatch(w.output()).slice(2);
      assert.ok(lines.some((l) => l.status === 'Terminating'), 'Terminating shown');
      const web0Back = lines.findIndex((l) => l.name === 'web-0' && l.status === 'Running');
      const web1New = lines.findIndex((l) => l.name === 'web-1' && l.status === 'Pending');
      assert.ok(web0Back >= 0 && web1New > web0Back, `web-0 Running before web-1 is recreated:\n${w.output()}`);
      const ips = ipsOf(c);
      assert.deepEqual(Object.keys(ips).sort(), ['web-0', 'web-1']);
      for (const pod of ['web-0', 'web-1']) assert.notEqual(ips[pod], firstIPs[pod], `${pod} has a new IP`);
      if (linux) {
        for (const pod of ['web-0', 'web-1']) {
          const out = await nslookup(`${pod}.nginx`);
          assert.match(out, new RegExp(`^Address 1: ${ips[pod].replace(/\./g, '\\.')} ${pod}\\.nginx\\.default\\.svc\\.cluster\\.local$`, 'm'));
        }
      }
    });

    test('8. storage: www-web-N claims, data that outlives its pod', async () => {
      assert.equal(ok(['delete', 'statefulset', 'web']).trim(), 'statefulset.apps "web" deleted');
      await eventually(() => c.kubectl(['get', 'pods', '-l', 'app=nginx', '-o', 'name']).stdout.trim() === '', 60_000, 'old pods gone');
      assert.equal(ok(['apply', '-f', join(EXAMPLES, 'statefulset-www.yaml')]).trim(), 'statefulset.apps/web created');
      await eventually(() => /^web\s+2\/2\s/m.test(c.kubectl(['get', 'statefulset', 'web']).stdout), 60_000, 'READY 2/2 with storage');
      const pvc = ok(['get', 'pvc', '-l', 'app=nginx']);
      assert.match(pvc, /^www-web-0\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+local-path\s/m);
      assert.match(pvc, /^www-web-1\s+Bound\s+pvc-\S+\s+1Gi\s+RWO\s+local-path\s/m);
      // The page goes into the claim (the container's working directory, nginx's
      // document root); with the process runtime there is no mount namespace, so
      // it is written relative to the working directory, which is the volume.
      const page = linux ? '/usr/share/nginx/html/index.html' : 'index.html';
      ok(['exec', 'web-0', '--', 'sh', '-c', `echo hello web-0 > ${page}`]);
      const uid = JSON.parse(ok(['get', 'pod', 'web-0', '-o', 'json'])).metadata.uid;
      const del = await c.kubectlAsync(['delete', 'pod', 'web-0'], { timeoutMs: 90_000 });
      assert.equal(del.code, 0, `delete pod web-0: ${del.stdout}${del.stderr}\n${c.output().slice(-3000)}`);
      await eventually(() => {
        const r = c.kubectl(['get', 'pod', 'web-0', '-o', 'json']);
        if (r.code !== 0) return false;
        const p = JSON.parse(r.stdout);
        return p.metadata.uid !== uid && p.status.containerStatuses?.[0]?.ready === true;
      }, 60_000, 'web-0 back and ready').catch((e) => {
        throw new Error(`${(e as Error).message}\n${c.kubectl(['describe', 'pod', 'web-0']).stdout}\n${c.output().slice(-2000)}`);
      });
      assert.equal(ok(['exec', 'web-0', '--', 'cat', page]).trim(), 'hello web-0');
      if (linux) {
        assert.equal(ok(['exec', 'web-1', '--', 'wget', '-qO-', 'http://web-0.nginx/']).trim(), 'hello web-0');
      } else {
        const ip = ipsOf(c)['web-0'];
        const res = await fetch(`http://${ip}/`);
        assert.equal((await res.text()).trim(), 'hello web-0');
      }
    });

    test('9. after a restart of ordinal: the set, the names, the claims and the page', async () => {
      await c.restart();
      await eventually(() => /^web\s+2\/2\s/m.test(c.kubectl(['get', 'statefulset', 'web']).stdout), 60_000, 'READY 2/2 after restart');
      assert.deepEqual(Object.keys(ipsOf(c)).sort(), ['web-0', 'web-1']);
      const pvc = ok(['get', 'pvc', '-l', 'app=nginx']);
      assert.match(pvc, /^www-web-0\s+Bound/m);
      assert.match(pvc, /^www-web-1\s+Bound/m);
      // READY may still be the status written before the restart: the page
      // is read once the new ordinal has the container running again.
      const page = ['exec', 'web-0', '--', 'cat', linux ? '/usr/share/nginx/html/index.html' : 'index.html'];
      await eventually(() => c.kubectl(page).stdout.trim() === 'hello web-0', 60_000, 'the page of web-0 after restart');
    });
  });
}
