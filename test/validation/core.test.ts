import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Node, Secret } from 'kubernetes-types/core/v1.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../src/api/validation/index.js';
import { defaulted, lines } from './helpers.js';

const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('Namespace names are DNS-1123 labels; namespaces carry no namespace', () => {
  const ok = defaulted('namespaces', { metadata: { name: 'team-a' } });
  assert.deepEqual(lines(validateCreate('namespaces', ok)), []);
  assert.deepEqual(lines(validateCreate('namespaces', defaulted('namespaces', { metadata: { name: 'team.a' } }))), [
    `metadata.name: Invalid value: "team.a": ${LABEL_MSG}`,
  ]);
  const tooLong = 'a'.repeat(64);
  assert.deepEqual(lines(validateCreate('namespaces', { metadata: { name: tooLong } })), [
    `metadata.name: Invalid value: "${tooLong}": must be no more than 63 characters`,
  ]);
  assert.deepEqual(lines(validateStatusUpdate('namespaces', { metadata: { name: 'a' }, status: { phase: 'Terminating' } }, { metadata: { name: 'a' } })), [
    'status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty',
  ]);
});

test('generateName may end with a dash', () => {
  const cm = { metadata: { generateName: 'cfg-', name: 'cfg-x7k2p', namespace: 'default' } };
  assert.deepEqual(lines(validateCreate('configmaps', cm)), []);
  const bad = { metadata: { generateName: 'Cfg-', name: 'cfg-x7k2p', namespace: 'default' } };
  assert.equal(lines(validateCreate('configmaps', bad))[0].split(':')[0], 'metadata.generateName');
});

test('ConfigMap keys and immutability', () => {
  const cm = { metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'x', 'bad key': 'y' } };
  assert.deepEqual(lines(validateCreate('configmaps', cm)), [
    "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
  const old = { metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' }, immutable: true };
  const next = { ...old, data: { a: '2' } };
  assert.deepEqual(lines(validateUpdate('configmaps', next, old)), ['data: Forbidden: field is immutable when `immutable` is set']);
  const big = { metadata: { name: 'cfg', namespace: 'default' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } };
  assert.deepEqual(lines(validateCreate('configmaps', big)), [': Too long: may not be more than 1048576 bytes']);
});

test('Secret: defaults, type rules, type immutable', () => {
  const s = defaulted<Secret>('secrets', { metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(s.stringData, undefined);
  assert.deepEqual(lines(validateCreate('secrets', s)), []);
  const tls = defaulted('secrets', { metadata: { name: 't', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} });
  assert.deepEqual(lines(validateCreate('secrets', tls)), ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  assert.deepEqual(lines(validateUpdate('secrets', { ...s, type: 'kubernetes.io/basic-auth', data: { username: 'YQ==' } }, s)), [
    'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
  ]);
});

test('Endpoints and EndpointSlices (loopback pod addresses are fine)', () => {
  const ep = defaulted<Endpoints>('endpoints', {
    metadata: { name: 'nginx', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '127.0.1.10', hostname: 'web-0' }], ports: [{ port: 80, name: 'web' }] }],
  });
  assert.equal(ep.subsets?.[0].ports?.[0].protocol, 'TCP');
  assert.deepEqual(lines(validateCreate('endpoints', ep)), []);
  assert.deepEqual(lines(validateCreate('endpoints', { metadata: { name: 'e', namespace: 'default' }, subsets: [{ addresses: [{ ip: 'nope' }] }] })), [
    'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  const slice = defaulted('endpointslices.discovery.k8s.io', {
    metadata: { name: 'nginx-abc', namespace: 'default' }, addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.1.10'], conditions: { ready: true } }], ports: [{ port: 80 }],
  });
  assert.deepEqual(slice.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.deepEqual(lines(validateCreate('endpointslices.discovery.k8s.io', slice)), []);
  assert.deepEqual(lines(validateUpdate('endpointslices.discovery.k8s.io', { ...slice, addressType: 'IPv6', endpoints: [] }, slice)), [
    'addressType: Invalid value: "IPv6": field is immutable',
  ]);
});

test('core/v1 Events keep the legacy rules; events.k8s.io Events the strict ones', () => {
  const legacy = { metadata: { name: 'web.17a', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'other' }, reason: 'Created' };
  assert.deepEqual(lines(validateCreate('events', legacy)), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  const modern = { metadata: { name: 'web.17a', namespace: 'default' }, regarding: { kind: 'Pod', name: 'web-0', namespace: 'default' }, type: 'Normal' };
  assert.deepEqual(lines(validateCreate('events.events.k8s.io', modern)), ['eventTime: Required value']);
});

test('Node taints and podCIDRs', () => {
  const node = { metadata: { name: 'node-1' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }], podCIDRs: ['10.244.0.0/33'] } };
  assert.deepEqual(lines(validateCreate('nodes', node)), [
    'metadata.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    'spec.podCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  ]);
  const n = defaulted<Node>('nodes', { metadata: { name: 'node-1' }, status: { capacity: { cpu: '2', memory: '4096Mi' } } });
  assert.deepEqual(n.status?.allocatable, { cpu: '2', memory: '4Gi' });
});

test('ObjectMeta update: name, namespace, uid and creationTimestamp are immutable', () => {
  const old = { metadata: { name: 'a', namespace: 'default', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' } };
  const next = { metadata: { name: 'a', namespace: 'default', uid: 'u2', creationTimestamp: '2024-01-02T00:00:00Z' } };
  assert.deepEqual(lines(validateUpdate('serviceaccounts', next, old)), [
    'metadata.uid: Invalid value: "u2": field is immutable',
    'metadata.creationTimestamp: Invalid value: "2024-01-02T00:00:00Z": field is immutable',
  ]);
});

test('annotations: key syntax and total size', () => {
  const big = { metadata: { name: 'a', namespace: 'default', annotations: { 'example.com/x': 'y'.repeat(256 * 1024) } } };
  assert.deepEqual(lines(validateCreate('serviceaccounts', big)), ['metadata.annotations: Too long: may not be more than 262144 bytes']);
});
