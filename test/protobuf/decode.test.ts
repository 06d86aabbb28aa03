// The decoder on captured kubectl bodies, on malformed input (truncations, random
// mutations, garbage: always a 400 StatusError, never a crash) and on small messages written
// by field number for the conventions kubectl's generators do not reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.js';
import { RESOURCES, apiVersionOf } from '../../src/api/resources.js';
import { decodeProtobufObject, decodeProtobufObjectDetailed } from '../../src/apiserver/protobuf/index.js';
import { danglingReferences, messageForKind } from '../../src/apiserver/protobuf/registry.js';
import { CAPTURED } from './fixtures.js';
import { MAGIC, entry, envelope, field, str, tag, varint, vint } from './wire.js';
import { envelopeFields } from './capture-server.js';

const captured = (name: string) => Buffer.from(CAPTURED[name], 'base64');

function assertBadRequest(body: Buffer, match?: RegExp): void {
  assert.throws(() => decodeProtobufObject(body), (e: unknown) => {
    assert.ok(e instanceof StatusError, `not a StatusError: ${String(e)}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    if (match) assert.match(e.message, match);
    return true;
  });
}

/** Decodes or throws a 400 StatusError; anything else fails the test. */
function decodesOrRejects(body: Buffer): void {
  try {
    decodeProtobufObject(body);
  } catch (e) {
    if (!(e instanceof StatusError) || e.code !== 400) throw e;
  }
}

test('the schema table is closed: every referenced message and every served kind has a schema', () => {
  assert.deepEqual(danglingReferences(), []);
  for (const ri of RESOURCES) assert.ok(messageForKind(apiVersionOf(ri), ri.kind), `${ri.kind} of ${apiVersionOf(ri)}`);
  assert.equal(messageForKind('autoscaling/v1', 'Scale'), 'autoscaling.Scale');
  assert.equal(messageForKind('policy/v1', 'Eviction'), 'policy.Eviction');
  assert.equal(messageForKind('v1', 'DeleteOptions'), 'meta.DeleteOptions');
  assert.equal(messageForKind('v1', 'toString'), undefined);
});

test('captured bodies decode without unknown fields', () => {
  const ns = decodeProtobufObjectDetailed(captured('namespace'));
  assert.deepEqual(ns, {
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' }, spec: {}, status: {} },
    unknownFields: [],
  });
  const svc = decodeProtobufObject(captured('service'));
  assert.deepEqual(svc.spec, {
    ports: [{ name: '80-http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080 }],
    selector: { app: 'np' },
    type: 'NodePort',
  });
});

test('a kind outside the served table is a 400 naming it', () => {
  assertBadRequest(captured('deployment'), /no kind "Deployment" is registered for version "apps\/v1"/);
});

test('garbage and non-protobuf bodies are a 400', () => {
  assertBadRequest(Buffer.alloc(0), /k8s\\x00/);
  assertBadRequest(Buffer.from('k8s'), /k8s\\x00/);
  assertBadRequest(Buffer.from('{"kind":"Pod","apiVersion":"v1"}'), /protobuf/);
  assertBadRequest(MAGIC, /Kind' is missing/);
  assertBadRequest(Buffer.concat([MAGIC, Buffer.from([0xff, 0xff, 0xff])]), /varint/);
  assertBadRequest(Buffer.concat([MAGIC, tag(2, 2), varint(1000), Buffer.from('short')]), /past the end/);
  assertBadRequest(envelope('v1', 'ConfigMap', Buffer.alloc(0), [str(3, 'gzip')]), /content encoding "gzip"/);
  assertBadRequest(envelope('v1', 'ConfigMap', vint(1, 7)), /ConfigMap.metadata \(1\) has wire type 0, expected 2/);
  assertBadRequest(envelope('v1', 'ConfigMap', Buffer.from([0x0f])), /wire type 7/);
});

test('every truncation of every captured body decodes or is a 400', () => {
  for (const name of Object.keys(CAPTURED)) {
    const body = captured(name);
    for (let n = 0; n < body.length; n++) decodesOrRejects(body.subarray(0, n));
  }
});

test('random mutations of captured bodies never crash the decoder', () => {
  let seed = 0x5eed;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const bodies = Object.keys(CAPTURED).map(captured);
  for (let i = 0; i < 4000; i++) {
    const body = Buffer.from(bodies[i % bodies.length]);
    const edits = 1 + Math.floor(rand() * 3);
    let b: Buffer = body;
    for (let k = 0; k < edits; k++) {
      const at = 4 + Math.floor(rand() * (b.length - 4));
      const op = rand();
      if (op < 0.5) b[at] = Math.floor(rand() * 256);
      else if (op < 0.75) b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(rand() * 256)]), b.subarray(at)]);
      else b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    }
    decodesOrRejects(b);
  }
});

test('unknown fields are skipped and reported, whatever their wire type', () => {
  const { raw } = envelopeFields(captured('configMap'));
  const extra = Buffer.concat([
    vint(99, 1), // varint
    tag(98, 5), Buffer.alloc(4), // fixed32
    tag(97, 1), Buffer.alloc(8), // fixed64
    str(96, 'x'), // length-delimited
    tag(95, 3), vint(1, 5), tag(95, 4), // a group
  ]);
  const { object, unknownFields } = decodeProtobufObjectDetailed(envelope('v1', 'ConfigMap', Buffer.concat([raw, extra]), [vint(42, 1)]));
  assert.deepEqual(object.data, { a: 'b', c: 'd' });
  assert.deepEqual(unknownFields, ['core.ConfigMap.95', 'core.ConfigMap.96', 'core.ConfigMap.97', 'core.ConfigMap.98', 'core.ConfigMap.99']);
});

test('Go conventions: omitempty zeros dropped, pointer zeros kept, inline structs merged, packed lists', () => {
  const seconds = Date.UTC(2026, 10, 23, 10, 0, 0) / 1000;
  const pod = Buffer.concat([
    field(1, str(1, 'web'), str(3, ''), vint(7, 0), field(8, vint(1, seconds), vint(2, 999)), field(9), entry(11, 'app', str(2, 'web'))),
    field(2,
      field(1, str(1, 'cfg'), field(2, field(19, field(1, str(1, 'settings')), vint(3, 0)))), // volume: inline source, inline ref
      field(2, str(1, 'c'), str(2, 'nginx'), field(6, str(1, ''), vint(2, 0), vint(3, 80), str(4, 'TCP')),
        field(10, field(1, field(2, field(2, vint(1, 1), vint(2, 0), str(3, 'http')))), vint(2, 0), vint(6, 3))),
      vint(4, 0), // terminationGracePeriodSeconds *int64 = 0
      vint(11, false), // hostNetwork false
      field(14, vint(2, -1), field(4, varint(1000), varint(2000))), // runAsUser -1, supplementalGroups packed
      vint(25, -5), // priority *int32
    ),
  ]);
  const obj = decodeProtobufObject(envelope('v1', 'Pod', pod));
  assert.deepEqual(obj, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', creationTimestamp: '2026-11-23T10:00:00Z', labels: { app: 'web' } },
    spec: {
      volumes: [{ name: 'cfg', configMap: { name: 'settings', defaultMode: 0 } }],
      containers: [{
        name: 'c', image: 'nginx',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        livenessProbe: { httpGet: { port: 'http' }, failureThreshold: 3 },
      }],
      terminationGracePeriodSeconds: 0,
      securityContext: { runAsUser: -1, supplementalGroups: [1000, 2000] },
      priority: -5,
    },
  });
});

test('special types: MicroTime, IntOrString, Quantity maps, bytes maps, RawExtension (JSON and protobuf)', () => {
  const seconds = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
  const event = decodeProtobufObject(envelope('events.k8s.io/v1', 'Event', Buffer.concat([
    field(1, str(1, 'e1')), field(2, vint(1, seconds), vint(2, 123456789)), str(4, 'ctl'), str(7, 'Started'),
    field(3, vint(1, 0), field(2)), // series.count pointer 0, lastObservedTime zero
  ])));
  assert.deepEqual(event, {
    apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' },
    eventTime: '2026-01-02T03:04:05.123456Z', reportingController: 'ctl', reason: 'Started', series: { count: 0 },
  });

  const pvc = decodeProtobufObject(envelope('v1', 'PersistentVolumeClaim', Buffer.concat([
    field(2, str(1, 'ReadWriteOnce'), field(2, entry(2, 'storage', field(2, str(1, '1Gi')))), str(5, '')),
  ])));
  assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: '' });

  const secret = decodeProtobufObject(envelope('v1', 'Secret', Buffer.concat([
    entry(2, 'key', field(2, Buffer.from([1, 2, 250]))), entry(2, 'empty'), str(3, 'Opaque'),
  ])));
  assert.deepEqual(secret, { apiVersion: 'v1', kind: 'Secret', data: { key: 'AQL6', empty: '' }, type: 'Opaque' });

  const inner = envelope('v1', 'ConfigMap', entry(2, 'k', str(2, 'v')));
  const json = decodeProtobufObject(envelope('apps/v1', 'ControllerRevision', Buffer.concat([
    field(2, field(1, Buffer.from('{"spec":{"template":{"x":1}}}'))), vint(3, 2),
  ])));
  assert.deepEqual(json, { apiVersion: 'apps/v1', kind: 'ControllerRevision', data: { spec: { template: { x: 1 } } }, revision: 2 });
  const nested = decodeProtobufObject(envelope('apps/v1', 'ControllerRevision', Buffer.concat([field(2, field(1, inner)), vint(3, 1)])));
  assert.deepEqual(nested.data, { apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v' } });
  assertBadRequest(envelope('apps/v1', 'ControllerRevision', field(2, field(1, Buffer.from('not json')))), /RawExtension/);

  const sts = decodeProtobufObject(envelope('apps/v1', 'StatefulSet', field(2,
    vint(1, 0), str(5, 'web'), field(7, str(1, 'RollingUpdate'), field(2, vint(1, 0), field(2, vint(1, 1), str(3, '50%')))),
  )));
  assert.deepEqual(sts.spec, {
    replicas: 0, serviceName: 'web',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
  });

  const eviction = decodeProtobufObject(envelope('policy/v1', 'Eviction', Buffer.concat([
    field(1, str(1, 'web-0'), str(3, 'default')), field(2, vint(1, 0), field(2, str(1, 'uid-1')), str(5, 'All')),
  ])));
  assert.deepEqual(eviction, {
    apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web-0', namespace: 'default' },
    deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, dryRun: ['All'] },
  });
});

test('a map key "__proto__" is an own property, as JSON.parse makes it', () => {
  const cm = decodeProtobufObject(envelope('v1', 'ConfigMap', entry(2, '__proto__', str(2, 'x'))));
  assert.deepEqual(cm.data, JSON.parse('{"__proto__":"x"}'));
  assert.equal(Object.getPrototypeOf(cm.data), Object.prototype);
});

test('deeply nested RawExtensions are a 400, not a stack overflow', () => {
  let body = envelope('v1', 'ConfigMap', Buffer.alloc(0));
  for (let i = 0; i < 100; i++) body = envelope('apps/v1', 'ControllerRevision', field(2, field(1, body)));
  assertBadRequest(body, /nested too deeply/);
});
