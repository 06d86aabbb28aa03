// Unit tests of the node agent's pure pieces: env expansion, pod phase and
// conditions, back-off, IPs, /etc files, images, /proc parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { expand, containerEnv, ContainerConfigError, expandArgv } from '../../src/node/env.js';
import { podPhase, podStatus, type PodView, type ContainerView } from '../../src/node/status.js';
import { CrashBackoff, goDuration } from '../../src/node/backoff.js';
import { PodIPAllocator, parseCIDR } from '../../src/node/ipam.js';
import { noClaims } from '../../src/node/ipclaims.js';
import { hostsFile, resolvConf, podHostnames } from '../../src/node/dnsfiles.js';
import { entrypoint, isBusyboxImage, NoCommandError } from '../../src/node/images.js';
import { parseStat, readStat, isSameProcess } from '../../src/node/runtime/procfs.js';
import { hostMountPoints } from '../../src/node/runtime/linux.js';
import { hostPathIn } from '../../src/node/runtime/process.js';

const pod = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Pod => ({
  metadata: { name: 'web-0', namespace: 'default', uid: 'u-1', labels: { app: 'nginx' }, ...meta },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.9.1' }], nodeName: 'vm', serviceAccountName: 'default', ...spec },
} as Pod);

test('$(VAR) expansion follows Kubernetes: $$ escapes, unknown stays', () => {
  const vars = (n: string) => ({ A: 'x', B: 'y' } as Record<string, string>)[n];
  assert.equal(expand('$(A)-$(B)', vars), 'x-y');
  assert.equal(expand('$$(A)', vars), '$(A)');
  assert.equal(expand('$(C) and $A', vars), '$(C) and $A');
  assert.equal(expand('$(A', vars), '$(A');
  assert.equal(expand('cost: 5$', vars), 'cost: 5$');
});

test('container env: envFrom, env in order with references, fieldRef, configMap/secret keys, errors', async () => {
  const p = pod({
    containers: [{
      name: 'c', image: 'x',
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }],
      env: [
        { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'GREETING', value: 'hello $(NAME) at $(POD_IP)' },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
    }],
  });
  const ctx = {
    pod: p, podIP: '127.0.1.9', hostIP: '10.0.0.1', nodeCapacity: { cpu: '2', memory: '1Gi' },
    configMap: async (_ns: string, n: string) => (n === 'cfg' ? { data: { mode: 'fast' } } : undefined),
    secret: async (_ns: string, n: string) => (n === 'sec' ? { data: { password: Buffer.from('s3cret').toString('base64') } } : undefined),
  };
  const env = await containerEnv(p.spec!.containers[0], ctx);
  assert.equal(env.CFG_mode, 'fast');
  assert.equal(env.NAME, 'web-0');
  assert.equal(env.GREETING, 'hello web-0 at 127.0.1.9');
  assert.equal(env.APP, 'nginx');
  assert.equal(env.PASS, 's3cret');
  assert.equal(env.NODE, 'vm');
  assert.equal(env.POD_IP, '127.0.1.9');
  assert.equal(env.HOSTNAME, 'web-0');
  assert.deepEqual(expandArgv(['sh', '-c'], ['echo $(GREETING)'], env), ['sh', '-c', 'echo hello web-0 at 127.0.1.9']);

  const missing = pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }] });
  await assert.rejects(containerEnv(missing.spec!.containers[0], { ...ctx, pod: missing }), (e: Error) => e instanceof ContainerConfigError && e.message === 'configmap "nope" not found');
  const badKey = pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }] });
  await assert.rejects(containerEnv(badKey.spec!.containers[0], { ...ctx, pod: badKey }), /couldn't find key k in ConfigMap default\/cfg/);
  const optional = pod({ containers: [{ name: 'c', image: 'x', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }] }] });
  assert.equal((await containerEnv(optional.spec!.containers[0], { ...ctx, pod: optional })).X, undefined);
});

const running = (name: string, ready = true): ContainerView => ({ name, image: 'x', state: { kind: 'running', startedAt: 't' }, restartCount: 0, ready });
const exited = (name: string, exitCode: number): ContainerView => ({ name, image: 'x', state: { kind: 'terminated', exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: 't' }, restartCount: 0, ready: false });
const view = (containers: ContainerView[], init: ContainerView[] = []): PodView => ({ init, containers, sandboxReady: true, podIP: '127.0.1.2', hostIP: '10.0.0.1' });

test('pod phase as getPhase computes it', () => {
  assert.equal(podPhase(pod(), view([running('a')])), 'Running');
  assert.equal(podPhase(pod(), view([{ ...running('a'), state: { kind: 'waiting', reason: 'ContainerCreating' } }])), 'Pending');
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), view([exited('a', 0)])), 'Succeeded');
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), view([exited('a', 0), exited('b', 2)])), 'Failed');
  assert.equal(podPhase(pod({ restartPolicy: 'OnFailure' }), view([exited('a', 2)])), 'Running');
  assert.equal(podPhase(pod({ restartPolicy: 'OnFailure' }), view([exited('a', 0)])), 'Succeeded');
  assert.equal(podPhase(pod({ restartPolicy: 'Always' }), view([exited('a', 0)])), 'Running');
  // CrashLoopBackOff: waiting with a last termination counts as stopped, the pod stays Running.
  const crashing: ContainerView = { ...running('a'), state: { kind: 'waiting', reason: 'CrashLoopBackOff' }, last: { kind: 'terminated', exitCode: 1, reason: 'Error', finishedAt: 't' } };
  assert.equal(podPhase(pod(), view([crashing])), 'Running');
  assert.equal(podPhase(pod(), view([running('a')], [running('init')])), 'Pending');
  assert.equal(podPhase(pod({ restartPolicy: 'Never' }), view([running('a')], [exited('init', 1)])), 'Failed');
});

test('pod conditions carry the kubelet reasons and keep transition times', () => {
  const p = pod();
  const s = podStatus(p, view([running('nginx', false)]), '2024-01-01T00:00:00Z');
  const ready = s.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [nginx]');
  assert.deepEqual(s.conditions!.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  assert.equal(s.podIP, '127.0.1.2');
  assert.deepEqual(s.podIPs, [{ ip: '127.0.1.2' }]);
  const later = podStatus({ ...p, status: s }, view([running('nginx', false)]), '2024-01-01T00:05:00Z');
  assert.equal(later.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2024-01-01T00:00:00Z');
  const readyNow = podStatus({ ...p, status: s }, view([running('nginx', true)]), '2024-01-01T00:06:00Z');
  const r2 = readyNow.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(r2.status, 'True');
  assert.equal(r2.lastTransitionTime, '2024-01-01T00:06:00Z');
  const cs = readyNow.containerStatuses![0];
  assert.deepEqual(cs.state, { running: { startedAt: 't' } });
  assert.deepEqual(cs.lastState, {});
  assert.equal(cs.restartCount, 0);
});

test('crash-loop back-off: immediate first restart, 10s doubling to 5m, reset after 10 minutes', () => {
  let now = 0;
  const b = new CrashBackoff(10_000, 300_000, () => now);
  assert.equal(b.remaining('k', 0), 0);
  b.next('k', 0);
  now = 1000;
  assert.equal(b.remaining('k', 1000), 10_000);
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    now += 1000;
    b.next('k', now);
    delays.push(b.delay('k'));
  }
  assert.deepEqual(delays, [20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000, 300_000]);
  now += 601_000;
  assert.equal(b.remaining('k', now - 1000), 0);
  b.next('k', now);
  assert.equal(b.delay('k'), 10_000);
  assert.equal(goDuration(10_000), '10s');
  assert.equal(goDuration(80_000), '1m20s');
  assert.equal(goDuration(300_000), '5m0s');
});

test('pod IPs come round-robin from the loopback range, skipping .0, .1 and broadcast', () => {
  assert.deepEqual(parseCIDR('127.0.1.0/24'), { base: (127 << 24) + 256, size: 256 });
  const none = () => new Set<string>();
  const a = new PodIPAllocator('127.0.1.0/30', none, noClaims);
  assert.equal(a.allocate(), '127.0.1.2');
  assert.throws(() => a.allocate(), /no pod IP left/);
  const b = new PodIPAllocator('127.0.1.0/24', none, noClaims);
  const first = b.allocate();
  b.release(first);
  assert.notEqual(b.allocate(), first, 'a recreated pod gets a new IP');
  b.reserve('127.0.1.4');
  assert.equal(b.allocate(), '127.0.1.5');
  assert.ok(b.contains('127.0.1.200'));
  assert.ok(!b.contains('127.0.2.1'));
  // An address another process on this host is bound to is never handed out.
  const c = new PodIPAllocator('127.0.1.0/29', () => new Set(['127.0.1.2', '127.0.1.3']), noClaims);
  assert.equal(c.allocate(), '127.0.1.4');
});

test('hosts and resolv.conf as the kubelet writes them', () => {
  const p = pod({ hostname: 'web-0', subdomain: 'nginx', hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.local', 'bar'] }] });
  const hosts = hostsFile(p, '127.0.1.7', 'cluster.local');
  assert.match(hosts, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
  assert.match(hosts, /\n127\.0\.1\.7\tweb-0\.nginx\.default\.svc\.cluster\.local\tweb-0\n/);
  assert.match(hosts, /# Entries added by HostAliases\.\n10\.1\.2\.3\tfoo\.local\tbar\n/);
  assert.deepEqual(podHostnames(p, 'cluster.local'), { hostname: 'web-0', fqdn: 'web-0.nginx.default.svc.cluster.local' });
  const host = { nameservers: ['192.168.1.1'], searches: ['corp.example'], options: [] };
  assert.equal(resolvConf(p, { clusterDNS: '10.96.0.10', clusterDomain: 'cluster.local' }, host),
    'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
  assert.equal(resolvConf(pod({ dnsPolicy: 'Default' }), { clusterDNS: '10.96.0.10', clusterDomain: 'cluster.local' }, host),
    'search corp.example\nnameserver 192.168.1.1\n');
  assert.equal(resolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }] } }), { clusterDomain: 'cluster.local' }, host),
    'search a.b\nnameserver 1.1.1.1\noptions ndots:2\n');
});

test('images: a command is required, busybox maps to the host busybox applets', () => {
  assert.deepEqual(entrypoint({ name: 'c', image: 'nginx', command: ['node', 'x.js'], args: ['a'] }), { command: ['node', 'x.js'], args: ['a'] });
  assert.throws(() => entrypoint({ name: 'nginx', image: 'nginx:1.9.1' }), (e: Error) => e instanceof NoCommandError && /must set command/.test(e.message) && e.reason === 'CreateContainerError');
  assert.ok(isBusyboxImage('busybox:1.28.4'));
  assert.ok(isBusyboxImage('docker.io/library/busybox@sha256:abc'));
  assert.ok(!isBusyboxImage('busyboxplus:curl'));
  assert.deepEqual(entrypoint({ name: 'c', image: 'busybox:1.28.4', args: ['wget', '-O-', 'http://web-0.nginx'] }, '/bin/busybox'), { command: ['/bin/busybox', 'wget'], args: ['-O-', 'http://web-0.nginx'] });
  assert.deepEqual(entrypoint({ name: 'c', image: 'busybox' }, '/bin/busybox'), { command: ['/bin/busybox', 'sh'], args: [] });
  assert.deepEqual(entrypoint({ name: 'c', image: 'busybox', args: ['/bin/sh', '-c', 'true'] }, '/bin/busybox'), { command: ['/bin/busybox', 'sh'], args: ['-c', 'true'] });
  assert.throws(() => entrypoint({ name: 'c', image: 'busybox' }, null), /busybox-static/);
});

test('/proc/<pid>/stat parsing survives odd command names; identity includes the start time', () => {
  const st = parseStat('1234 (my (weird) cmd) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 18446744073709551615');
  assert.deepEqual(st, { pid: 1234, state: 'S', ppid: 1, pgrp: 1234, startTime: 98765 });
  const me = readStat(process.pid)!;
  assert.equal(me.pid, process.pid);
  assert.ok(isSameProcess(process.pid, me.startTime));
  assert.ok(!isSameProcess(process.pid, me.startTime + 1));
});

test('host mount points: outermost only, without /proc, /dev and /sys', () => {
  const info = [
    '22 27 0:21 / /proc rw - proc proc rw',
    '24 27 0:6 / /dev rw - devtmpfs devtmpfs rw',
    '27 1 254:0 / / rw - ext4 /dev/vda rw',
    '28 27 0:25 / /mnt/data rw - tmpfs t rw',
    '29 28 0:26 / /mnt/data/inner rw - tmpfs t rw',
    '30 27 0:27 / /srv/with\\040space rw - tmpfs t rw',
  ].join('\n');
  assert.deepEqual(hostMountPoints(info), ['/mnt/data', '/srv/with space']);
});

test('process runtime maps container paths through volume mounts', () => {
  const mounts = [{ hostPath: '/d/claim', containerPath: '/usr/share/nginx/html', readOnly: false }, { hostPath: '/d/x', containerPath: '/usr', readOnly: false }];
  assert.equal(hostPathIn(mounts, '/usr/share/nginx/html/index.html'), '/d/claim/index.html');
  assert.equal(hostPathIn(mounts, '/usr/bin'), '/d/x/bin');
  assert.equal(hostPathIn(mounts, '/etc'), undefined);
});
