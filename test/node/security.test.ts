// The pieces of securityContext that need no cluster: which identity a
// container gets (containerd's rules against the container's /etc/passwd and
// /etc/group), the kubelet's runAsNonRoot check and its messages, and
// fsGroup's ownership walk over a volume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { LayeredRoot, resolveCredentials } from '../../src/node/imagestore/rootfs.js';
import { containerIdentity, verifyRunAsNonRoot } from '../../src/node/security.js';
import { setVolumeOwnership } from '../../src/node/fsgroup.js';

const isRoot = process.getuid?.() === 0;

function withRoot(fn: (root: LayeredRoot, dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-security-'));
  try {
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/:/bin/false\napp:x:1000:1000::/home/app:/bin/sh\n');
    writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nwheel:x:10:root\nnginx:x:101:\napp:x:1000:\naudio:x:29:app,nginx\n');
    fn(new LayeredRoot([{ dir, opaque: [] }]), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const none = { supplementalGroups: [] };

test('credentials: runAsUser, else the image USER, else root; groups from /etc/group, fsGroup and supplementalGroups', () => {
  withRoot((root) => {
    assert.deepEqual(resolveCredentials(root, undefined, none), { uid: 0, gid: 0, groups: [0, 10] });
    assert.deepEqual(resolveCredentials(root, 'nginx', none), { uid: 101, gid: 101, groups: [101, 29] });
    assert.deepEqual(resolveCredentials(root, '1000:29', none), { uid: 1000, gid: 29, groups: [29] }, 'app is a member of audio: once');
    // runAsUser wins over the image's USER; its group comes from passwd, or 0 without an entry.
    assert.deepEqual(resolveCredentials(root, 'nginx', { runAsUser: 1000, supplementalGroups: [] }), { uid: 1000, gid: 1000, groups: [1000, 29] });
    assert.deepEqual(resolveCredentials(root, undefined, { runAsUser: 4321, supplementalGroups: [] }), { uid: 4321, gid: 0, groups: [0] });
    assert.deepEqual(resolveCredentials(root, 'nginx', { runAsGroup: 3000, supplementalGroups: [2000, 4000] }), { uid: 101, gid: 3000, groups: [3000, 29, 2000, 4000] });
    assert.throws(() => resolveCredentials(root, 'nobody', none), /unable to find user nobody: no matching entries in passwd file/);
  });
});

const pod = (spec: Pod['spec'], containerSc?: Container['securityContext']): [Pod, Container] => {
  const c: Container = { name: 'app', image: 'busybox', securityContext: containerSc };
  return [{ metadata: { name: 'web-0', namespace: 'default', uid: 'u-1' }, spec: { ...spec, containers: [c] } }, c];
};

test('identity: the container\'s runAsUser and runAsGroup win over the pod\'s; fsGroup joins supplementalGroups', () => {
  const [p, c] = pod({ containers: [], securityContext: { runAsUser: 1, runAsGroup: 2, fsGroup: 3, supplementalGroups: [4, 3] } }, { runAsUser: 5 });
  assert.deepEqual(containerIdentity(p, c), {
    runAsUser: 5, runAsGroup: 2, supplementalGroups: [3, 4], capabilities: 'a80425fb', noNewPrivs: false, readOnlyRoot: false,
  });
});

test('runAsNonRoot as the kubelet checks it, with its messages', () => {
  const who = '(pod: "web-0_default(u-1)", container: app)';
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [] }), undefined), undefined, 'not asked for');
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [], securityContext: { runAsNonRoot: true } }), undefined), `container has runAsNonRoot and image will run as root ${who}`);
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [] }, { runAsNonRoot: true }), '0:0'), `container has runAsNonRoot and image will run as root ${who}`);
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [] }, { runAsNonRoot: true }), 'nginx'), `container has runAsNonRoot and image has non-numeric user (nginx), cannot verify user is non-root ${who}`);
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [] }, { runAsNonRoot: true }), '101:101'), undefined);
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [], securityContext: { runAsUser: 0 } }, { runAsNonRoot: true }), 'nginx'), `container's runAsUser breaks non-root policy ${who}`);
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [], securityContext: { runAsNonRoot: true, runAsUser: 7 } }), undefined), undefined);
  // The container's runAsNonRoot: false wins over the pod's true.
  assert.equal(verifyRunAsNonRoot(...pod({ containers: [], securityContext: { runAsNonRoot: true } }, { runAsNonRoot: false }), undefined), undefined);
});

test('fsGroup: group, group permissions and setgid on every file and directory; OnRootMismatch skips a volume that is right', { skip: isRoot ? false : 'changing a file\'s group needs root' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-fsgroup-'));
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'f'), 'x', { mode: 0o600 });
    symlinkSync('sub/f', join(dir, 'link'));
    chmodSync(dir, 0o755);
    setVolumeOwnership(dir, 2000, false);
    const mode = (p: string) => statSync(join(dir, p)).mode & 0o7777;
    assert.equal(statSync(dir).gid, 2000);
    assert.equal(mode(''), 0o2775);
    assert.equal(mode('sub'), 0o2775);
    assert.equal(statSync(join(dir, 'sub', 'f')).gid, 2000);
    assert.equal(mode('sub/f'), 0o660);
    // Read-only volumes get group read only.
    writeFileSync(join(dir, 'ro'), 'y', { mode: 0o400 });
    setVolumeOwnership(dir, 3000, true);
    assert.equal(mode('ro'), 0o440);
    assert.equal(statSync(join(dir, 'ro')).gid, 3000);
    // OnRootMismatch: the root is right already, so a new file is left alone.
    writeFileSync(join(dir, 'new'), 'z', { mode: 0o600 });
    setVolumeOwnership(dir, 3000, true, 'OnRootMismatch');
    assert.equal(mode('new'), 0o600);
    setVolumeOwnership(dir, 3000, true, 'Always');
    assert.equal(mode('new'), 0o640);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('capabilities as containerd computes them: the default set, drop (ALL), add (ALL), names with or without CAP_', async () => {
  const { capabilityMask, UnknownCapabilityError } = await import('../../src/node/security.js');
  const sc = (securityContext: Container['securityContext']): Container => ({ name: 'app', securityContext });
  assert.equal(capabilityMask(sc(undefined)), 'a80425fb');
  assert.equal(capabilityMask(sc({ privileged: true })), undefined, 'privileged keeps every capability');
  assert.equal(capabilityMask(sc({ capabilities: { drop: ['ALL'] } })), '0');
  assert.equal(capabilityMask(sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })), '400');
  assert.equal(capabilityMask(sc({ capabilities: { add: ['cap_sys_admin'], drop: ['KILL'] } })), 'a82425db');
  assert.equal(capabilityMask(sc({ capabilities: { add: ['ALL'] } })), '1ffffffffff');
  assert.throws(() => capabilityMask(sc({ capabilities: { add: ['NET_WIZARD'] } })), (e: unknown) => e instanceof UnknownCapabilityError && e.message === 'unknown capability "CAP_NET_WIZARD"');
});
