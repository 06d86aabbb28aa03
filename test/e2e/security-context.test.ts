// securityContext through the real kubectl with the linux runtime (root
// only): the example of Kubernetes' "Configure a Security Context" task.
// The container, kubectl exec and exec probes run as runAsUser/runAsGroup
// with fsGroup and supplementalGroups; the emptyDir belongs to fsGroup with
// setgid, so files made there do too; runAsNonRoot refuses a root container
// with the kubelet's CreateContainerConfigError.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startCluster, type TestCluster } from '../helpers/cluster.js';

const isRoot = process.getuid?.() === 0;

const DEMO = `apiVersion: v1
kind: Pod
metadata:
  name: security-context-demo
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
    supplementalGroups: [4000]
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox:1.28
    command: ["sh", "-c", "grep -E '^(Uid|Gid|Groups):' /proc/self/status; sleep 3600"]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    readinessProbe:
      exec:
        command: ["sh", "-c", "test $(id -u) = 1000"]
      periodSeconds: 1
    securityContext:
      allowPrivilegeEscalation: false
`;

const nonRoot = (name: string, extra: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:1.28
    command: ["sleep", "3600"]
    securityContext:
      runAsNonRoot: true
${extra}`;

const caps = (name: string, sc: string, command = '["sleep", "3600"]') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: tmp
    emptyDir: {}
  containers:
  - name: app
    image: busybox:1.28
    command: ${command}
    volumeMounts:
    - name: tmp
      mountPath: /tmp
    securityContext:
${sc}`;

/** The capability and no_new_privs lines of /proc/self/status, for the container's command (its log) or a kubectl exec. */
const STATUS_LINES = "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|NoNewPrivs):' /proc/self/status";

describe('securityContext, linux runtime', { skip: isRoot ? false : 'the linux runtime needs root' }, () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster(['--runtime', 'linux']);
  });
  after(async () => {
    await c?.stop();
  });

  test('the container, kubectl exec and the readiness probe run as runAsUser, runAsGroup, fsGroup and supplementalGroups', async () => {
    c.ok(['apply', '-f', '-'], DEMO);
    // Ready means the exec probe found uid 1000.
    await eventually(() => c.ok(['get', 'pod', 'security-context-demo', '-o', 'jsonpath={.status.containerStatuses[0].ready}']) === 'true', 60_000, 'demo Ready');
    const creds = /^Uid:\t1000\t1000\t1000\t1000\nGid:\t3000\t3000\t3000\t3000\nGroups:\t2000 3000 4000 ?\n$/;
    assert.match(c.ok(['logs', 'security-context-demo']), creds);
    assert.match(c.ok(['exec', 'security-context-demo', '--', 'grep', '-E', '^(Uid|Gid|Groups):', '/proc/self/status']), creds);
    assert.equal(c.ok(['exec', 'security-context-demo', '--', 'id', '-u']).trim(), '1000');
  });

  test('the emptyDir belongs to fsGroup with setgid; what the container writes there does too', () => {
    assert.equal(c.ok(['exec', 'security-context-demo', '--', 'stat', '-c', '%u %g %A', '/data/demo']).trim(), '0 2000 drwxrwsrwx');
    const made = c.ok(['exec', 'security-context-demo', '--', 'sh', '-c', 'echo hello > /data/demo/testfile && stat -c "%u %g" /data/demo/testfile && cat /data/demo/testfile']);
    assert.equal(made, '1000 2000\nhello\n');
    // The user cannot write where root owns the directory, as in any container.
    const denied = c.kubectl(['exec', 'security-context-demo', '--', 'sh', '-c', 'echo x > /etc/passwd']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Permission denied|can't create/);
  });

  test('runAsNonRoot without runAsUser refuses the image\'s root user: CreateContainerConfigError', async () => {
    c.ok(['apply', '-f', '-'], nonRoot('nonroot', ''));
    await eventually(() => /^nonroot\s+0\/1\s+CreateContainerConfigError\s+0\s/m.test(c.ok(['get', 'pod', 'nonroot'])), 60_000, 'CreateContainerConfigError');
    const uid = c.ok(['get', 'pod', 'nonroot', '-o', 'jsonpath={.metadata.uid}']);
    const message = `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: app)`;
    assert.equal(c.ok(['get', 'pod', 'nonroot', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']), message);
    assert.ok(c.ok(['describe', 'pod', 'nonroot']).includes(`Error: ${message}`));
  });

  test('capabilities: containerd\'s default set for root, with add and drop; the same in kubectl exec', async () => {
    const cmd = `["sh", "-c", "${STATUS_LINES.replace(/"/g, '\\"')}; sleep 3600"]`;
    c.ok(['apply', '-f', '-'], caps('default-caps', '      allowPrivilegeEscalation: true\n', cmd));
    c.ok(['apply', '-f', '-'], caps('net-admin', '      capabilities:\n        add: ["NET_ADMIN"]\n        drop: ["MKNOD", "CAP_NET_RAW"]\n', cmd));
    const lines = (eff: string) => `CapInh:\t0000000000000000\nCapPrm:\t${eff}\nCapEff:\t${eff}\nCapBnd:\t${eff}\nNoNewPrivs:\t0\n`;
    const logs = (name: string) => eventually(() => {
      const out = c.kubectl(['logs', name]).stdout;
      return out.includes('NoNewPrivs') ? out : undefined;
    }, 60_000, `${name} logs`);
    assert.equal(await logs('default-caps'), lines('00000000a80425fb'));
    // NET_ADMIN (bit 12) added, MKNOD (27) and NET_RAW (13) dropped.
    assert.equal(await logs('net-admin'), lines('00000000a00415fb'));
    assert.equal(c.ok(['exec', 'default-caps', '--', 'sh', '-c', STATUS_LINES]), lines('00000000a80425fb'));
  });

  test('the restricted profile: drop ALL, no privilege escalation, a read-only root with a writable emptyDir', async () => {
    c.ok(['apply', '-f', '-'], caps('restricted', [
      '      runAsNonRoot: true', '      runAsUser: 1000', '      allowPrivilegeEscalation: false', '      readOnlyRootFilesystem: true',
      '      capabilities:', '        drop: ["ALL"]', '      seccompProfile:', '        type: RuntimeDefault', '',
    ].join('\n')));
    await eventually(() => c.ok(['get', 'pod', 'restricted', '-o', 'jsonpath={.status.phase}']) === 'Running', 60_000, 'restricted Running');
    assert.equal(c.ok(['exec', 'restricted', '--', 'sh', '-c', STATUS_LINES]),
      'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nNoNewPrivs:\t1\n');
    const ro = c.kubectl(['exec', 'restricted', '--', 'touch', '/made-here']);
    assert.notEqual(ro.code, 0);
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(c.ok(['exec', 'restricted', '--', 'sh', '-c', 'echo ok > /tmp/f && cat /tmp/f']), 'ok\n');
  });

  test('an unknown capability is a CreateContainerError', async () => {
    c.ok(['apply', '-f', '-'], caps('bad-cap', '      capabilities:\n        add: ["NET_WIZARD"]\n'));
    const waiting = await eventually(() => {
      const out = c.ok(['get', 'pod', 'bad-cap', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}|{.status.containerStatuses[0].state.waiting.message}']);
      return out.startsWith('CreateContainerError') ? out : undefined;
    }, 60_000, 'CreateContainerError');
    assert.equal(waiting, 'CreateContainerError|failed to generate container spec: unknown capability "CAP_NET_WIZARD"');
  });

  test('runAsNonRoot with runAsUser 0 breaks the policy; with a non-zero runAsUser the container runs', async () => {
    c.ok(['apply', '-f', '-'], nonRoot('rootuser', '      runAsUser: 0\n'));
    c.ok(['apply', '-f', '-'], nonRoot('someone', '      runAsUser: 1234\n'));
    await eventually(() => c.ok(['get', 'pod', 'someone', '-o', 'jsonpath={.status.phase}']) === 'Running', 60_000, 'someone Running');
    assert.equal(c.ok(['exec', 'someone', '--', 'id', '-u']).trim(), '1234');
    assert.equal(c.ok(['exec', 'someone', '--', 'id', '-g']).trim(), '0', 'no passwd entry for 1234: group 0, as containerd does');
    await eventually(() => c.ok(['get', 'pod', 'rootuser', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.reason}']) === 'CreateContainerConfigError', 60_000, 'rootuser refused');
    const uid = c.ok(['get', 'pod', 'rootuser', '-o', 'jsonpath={.metadata.uid}']);
    assert.equal(c.ok(['get', 'pod', 'rootuser', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']),
      `container's runAsUser breaks non-root policy (pod: "rootuser_default(${uid})", container: app)`);
  });
});
