// Images of the node's image store, end to end: `ordinal image load` into the
// data dir of a running `ordinal serve --runtime linux`, then pods through
// the real kubectl that run in the image's filesystem with the image's
// Entrypoint, Cmd, Env and WorkingDir.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import { dockerArchive, ociArchive, shellLessLayers } from './fixtures.js';

const isRoot = process.getuid?.() === 0;

function ordinal(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'ordinal.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: app-pod
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: app:1
    imagePullPolicy: IfNotPresent
    env:
    - name: GREETING
      value: pod
    volumeMounts:
    - name: scratch
      mountPath: /data
  volumes:
  - name: scratch
    emptyDir: {}
`;

const STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: img
spec:
  serviceName: img
  replicas: 1
  selector:
    matchLabels: {app: img}
  template:
    metadata:
      labels: {app: img}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: docker.io/library/app:2
        args: ['echo "stored=$(cat /data/who 2>/dev/null)"; hostname > /data/who; echo "wrote $(cat /data/who) in $(pwd)"; sleep 3600']
        volumeMounts:
        - name: state
          mountPath: /data
  volumeClaimTemplates:
  - metadata:
      name: state
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests:
          storage: 1Gi
`;

const NEVER = `apiVersion: v1
kind: Pod
metadata:
  name: never
spec:
  containers:
  - name: app
    image: not-loaded:1
    imagePullPolicy: Never
`;

describe('images of the node image store, linux runtime', { skip: isRoot ? false : 'the linux runtime needs root: skipped (run the tests as root to run pods in images)' }, () => {
  let c: TestCluster;
  let work: string;
  let manifestDigest: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'ordinal-images-e2e-'));
    dockerArchive(join(work, 'app-docker.tar'), ['app:1']);
    manifestDigest = ociArchive(join(work, 'app-oci.tar'), { refName: 'docker.io/library/app:2' }).manifestDigest;
    dockerArchive(join(work, 'shellless.tar'), ['shellless:1'], {
      entrypoint: ['/app/busybox', 'sleep'], cmd: ['3600'], env: ['PATH=/app'], user: 'nonroot', workingDir: '/home/nonroot',
    }, shellLessLayers());
    c = await startCluster(['--runtime', 'linux']);
  });
  after(async () => {
    await c?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('ordinal image load and ls, with a running server', () => {
    let r = ordinal(['image', 'load', join(work, 'app-docker.tar'), '--data-dir', c.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Loaded image: docker.io/library/app:1\n');
    r = ordinal(['image', 'load', join(work, 'app-oci.tar'), '--data-dir', c.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Loaded image: docker.io/library/app:2\n');
    r = ordinal(['image', 'ls', '--data-dir', c.dataDir]);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/);
    assert.match(lines[1], /^docker\.io\/library\/app\s+1\s+[a-f0-9]{12}\s+\d+(\.\d+)?MB$/);
    assert.match(lines[2], /^docker\.io\/library\/app\s+2\s+/);
    r = ordinal(['image', 'load', join(work, 'nothing.tar'), '--data-dir', c.dataDir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^ordinal: image load: .*no such file/);
  });

  test('a pod without command runs the image: its files, Env, WorkingDir, volume, hostname', async () => {
    c.ok(['apply', '-f', c.write('pod.yaml', POD)]);
    await eventually(() => /Running/.test(c.kubectl(['get', 'pod', 'app-pod']).stdout), 60_000, 'app-pod Running');
    const logs = await eventually(() => {
      const out = c.kubectl(['logs', 'app-pod']).stdout;
      return out.includes('greeting=') ? out : undefined;
    }, 20_000, 'logs');
    assert.equal(logs?.trim(), 'greeting=pod only=yes pwd=/app host=app-pod');
    const seen = c.ok(['exec', 'app-pod', '--', 'sh', '-c',
      'cat /app/hello.txt /app/base.txt; ls /opq; for f in /doomed.txt /opq/old.txt /usr/bin/node; do test -e $f && echo "$f present" || echo "$f absent"; done; '
      + 'test -d /data && touch /data/x && echo data-writable; pwd; cat /etc/hostname; echo "$ONLY_IMAGE $GREETING"']);
    assert.equal(seen, [
      'hello from the image', 'from layer 1', 'new.txt',
      '/doomed.txt absent', '/opq/old.txt absent', '/usr/bin/node absent',
      'data-writable', '/app', 'app-pod', 'yes pod', '',
    ].join('\n'));
    const d = c.ok(['describe', 'pod', 'app-pod']);
    assert.match(d, /Normal\s+Pulled\s+.*Container image "app:1" already present on machine/);
    const imageID = c.ok(['get', 'pod', 'app-pod', '-o', 'jsonpath={.status.containerStatuses[0].imageID}']);
    assert.match(imageID, /^docker\.io\/library\/app@sha256:[a-f0-9]{64}$/);
  });

  test('a StatefulSet pod (OCI image, args only) keeps its claim across a restart', async () => {
    c.ok(['apply', '-f', c.write('sts.yaml', STATEFULSET)]);
    const first = await eventually(() => {
      const out = c.kubectl(['logs', 'img-0']).stdout;
      return out.includes('wrote') ? out : undefined;
    }, 60_000, 'img-0 logs');
    assert.equal(first?.trim(), 'stored=\nwrote img-0 in /app');
    const imageID = c.ok(['get', 'pod', 'img-0', '-o', 'jsonpath={.status.containerStatuses[0].imageID}']);
    assert.equal(imageID, `docker.io/library/app@${manifestDigest}`);
    c.ok(['delete', 'pod', 'img-0']);
    const second = await eventually(() => {
      const out = c.kubectl(['logs', 'img-0']).stdout;
      return out.includes('wrote') ? out : undefined;
    }, 60_000, 'the new img-0 logs');
    assert.equal(second?.trim(), 'stored=img-0\nwrote img-0 in /app');
  });

  test('an image without /bin/sh (distroless) runs as its USER; exec and exec probes work in it', async () => {
    const load = ordinal(['image', 'load', join(work, 'shellless.tar'), '--data-dir', c.dataDir]);
    assert.equal(load.code, 0, load.stderr);
    c.ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: shellless
spec:
  terminationGracePeriodSeconds: 60
  containers:
  - name: app
    image: shellless:1
    readinessProbe:
      exec:
        command: ["/app/busybox", "test", "-d", "/home/nonroot"]
      periodSeconds: 1
`);
    await eventually(() => c.ok(['get', 'pod', 'shellless', '-o', 'jsonpath={.status.containerStatuses[0].ready}']) === 'true', 60_000, 'shellless Ready');
    assert.equal(c.kubectl(['exec', 'shellless', '--', '/app/busybox', 'test', '-e', '/bin/sh']).code, 1, 'no /bin/sh in the image');
    assert.equal(c.ok(['exec', 'shellless', '--', '/app/busybox', 'id']).trim(), 'uid=65532(nonroot) gid=65532(nonroot) groups=65532(nonroot)');
    assert.equal(c.ok(['exec', 'shellless', '--', 'busybox', 'pwd']).trim(), '/home/nonroot', 'PATH and WorkingDir of the image');
    // PID 1 is the container init; the image's Entrypoint and Cmd run as its child.
    const ps = c.ok(['exec', 'shellless', '--', 'busybox', 'ps', '-o', 'pid,ppid,user,args']);
    assert.match(ps, /^\s*1\s+0\s+nonroot\s+ordinal-init\s*$/m, ps);
    assert.match(ps, /^\s*\d+\s+1\s+nonroot\s+\/app\/busybox sleep 3600$/m, ps);
    // ordinal image rm keeps an image a running container uses.
    const busy = ordinal(['image', 'rm', 'shellless:1', '--data-dir', c.dataDir]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /^ordinal: image rm: image sha256:[a-f0-9]{64} is in use by a running container\n$/);
    // A graceful delete ends it on SIGTERM, forwarded by the init: exit code
    // 143 (128 + TERM), not 137 as after the grace period's SIGKILL.
    const w = c.kubectlBackground(['get', 'pod', 'shellless', '-w', '-v=6', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.exitCode}{"\\n"}']);
    await eventually(() => /watch=true[^\n]* 200 OK/.test(w.output()), 30_000, 'kubectl get -w watching');
    c.ok(['delete', 'pod', 'shellless']);
    await w.stop();
    assert.match(w.output(), /^143$/m);
    // Gone with its pod, the image can go: its name, its record and its layer.
    const rm = ordinal(['image', 'rm', 'shellless:1', '--data-dir', c.dataDir]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.match(rm.stdout, /^Untagged: docker\.io\/library\/shellless:1\nDeleted: sha256:[a-f0-9]{64}\n$/);
    assert.doesNotMatch(ordinal(['image', 'ls', '--data-dir', c.dataDir]).stdout, /shellless/);
    const again = ordinal(['image', 'rm', 'shellless:1', '--data-dir', c.dataDir]);
    assert.equal(again.stderr, 'ordinal: image rm: no such image: shellless:1\n');
  });

  test('imagePullPolicy Never without the image: ErrImageNeverPull', async () => {
    c.ok(['apply', '-f', c.write('never.yaml', NEVER)]);
    const waiting = await eventually(() => {
      const out = c.kubectl(['get', 'pod', 'never', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}|{.status.containerStatuses[0].state.waiting.message}']).stdout;
      return out.startsWith('ErrImageNeverPull') ? out : undefined;
    }, 30_000, 'ErrImageNeverPull');
    assert.equal(waiting, 'ErrImageNeverPull|Container image "not-loaded:1" is not present with pull policy of Never');
    c.ok(['delete', 'pod', 'never', 'app-pod', '--wait=false']);
    c.ok(['delete', 'statefulset', 'img', '--wait=false']);
  });
});
