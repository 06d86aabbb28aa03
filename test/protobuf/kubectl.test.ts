// The real kubectl's generator commands send protobuf bodies; we capture them on a
// throwaway server and check the decoder gives exactly the object the same command prints
// with --dry-run=client -o json (its JSON form), empty and null fields aside.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROTOBUF_CONTENT_TYPE, decodeProtobufObjectDetailed } from '../../src/apiserver/protobuf/index.js';
import { decodeMessageInto, Reader } from '../../src/apiserver/protobuf/decode.js';
import { MESSAGES } from '../../src/apiserver/protobuf/registry.js';
import { CaptureServer, envelopeFields, messageField, pruneEmpty, varintField } from './capture-server.js';

let s: CaptureServer;

before(async () => {
  s = new CaptureServer();
  await s.start();
});

after(async () => {
  await s?.stop();
});

/** Runs `kubectl <args>` for real, then the same with --dry-run=client -o json. */
async function sendAndPrint(args: string[]) {
  const before = s.writes.length;
  await s.kubectl(...args);
  const sent = s.writes.slice(before);
  assert.equal(sent.length, 1, `one write for ${args.join(' ')}`);
  const dash = args.includes('--') ? args.indexOf('--') : args.length;
  const dryRun = [...args.slice(0, dash), '--dry-run=client', '-o', 'json', ...args.slice(dash)];
  const printed = JSON.parse(await s.kubectl(...dryRun)) as Record<string, unknown>;
  return { sent: sent[0], printed };
}

const GENERATORS: [string, string[]][] = [
  ['namespace', ['create', 'namespace', 'team']],
  ['configmap with literals', ['create', 'configmap', 'x', '--from-literal=a=b', '--from-literal=c=d']],
  ['generic secret', ['create', 'secret', 'generic', 's', '--from-literal=p=q', '--type=Opaque']],
  ['docker-registry secret', ['create', 'secret', 'docker-registry', 'r', '--docker-username=u', '--docker-password=p', '--docker-server=reg.example']],
  ['clusterip service', ['create', 'service', 'clusterip', 'my', '--tcp=5678:8080']],
  ['headless service', ['create', 'service', 'clusterip', 'hl', '--clusterip=None']],
  ['nodeport service', ['create', 'service', 'nodeport', 'np', '--tcp=80:http', '--node-port=30080']],
  ['externalname service', ['create', 'service', 'externalname', 'ex', '--external-name=db.example.com']],
  ['serviceaccount', ['create', 'serviceaccount', 'sa']],
];

for (const [what, args] of GENERATORS) {
  test(`kubectl ${args.slice(0, 3).join(' ')} (${what}): protobuf body decodes to the JSON form`, async () => {
    const { sent, printed } = await sendAndPrint(args);
    assert.equal(sent.method, 'POST');
    assert.equal(sent.contentType, PROTOBUF_CONTENT_TYPE);
    const { object, unknownFields } = decodeProtobufObjectDetailed(sent.body);
    assert.deepEqual(unknownFields, []);
    assert.deepEqual(pruneEmpty(object), pruneEmpty(printed));
  });
}

test('a configmap from a binary file carries binaryData as base64', async () => {
  const file = path.join(s.dir, 'blob');
  writeFileSync(file, Buffer.from([0, 0xff, 0xfe, 0x80, 1, 2, 3]));
  const { sent, printed } = await sendAndPrint(['create', 'configmap', 'bin', `--from-file=blob=${file}`]);
  const { object } = decodeProtobufObjectDetailed(sent.body);
  assert.deepEqual(object.binaryData, { blob: Buffer.from([0, 0xff, 0xfe, 0x80, 1, 2, 3]).toString('base64') });
  assert.deepEqual(pruneEmpty(object), pruneEmpty(printed));
});

test('a pod template inside a Deployment decodes like its JSON form, replicas 0 kept on the wire', async () => {
  const args = ['create', 'deployment', 'web', '--image=busybox', '--port=8080', '--replicas=0', '--', 'sleep', '3600'];
  const { sent, printed } = await sendAndPrint(args);
  assert.equal(sent.contentType, PROTOBUF_CONTENT_TYPE);
  const env = envelopeFields(sent.body);
  assert.equal(env.kind, 'Deployment');
  const spec = messageField(env.raw, 2)!; // DeploymentSpec
  assert.equal(varintField(spec, 1), 0n, 'replicas (a pointer) is on the wire as 0');
  const template: Record<string, unknown> = {};
  const ctx = { messages: MESSAGES, unknownFields: new Set<string>(), decodeEmbedded: () => ({}) };
  decodeMessageInto(ctx, 'core.PodTemplateSpec', new Reader(messageField(spec, 3)!), template, 0);
  assert.deepEqual([...ctx.unknownFields], []);
  const want = (printed.spec as Record<string, unknown>).template;
  assert.deepEqual(pruneEmpty(template), pruneEmpty(want));
  const container = ((template.spec as Record<string, unknown>).containers as Record<string, unknown>[])[0];
  assert.deepEqual(container.command, ['sleep', '3600']);
  assert.deepEqual(container.ports, [{ containerPort: 8080 }]);
});

test('kubectl run sends JSON, not protobuf', async () => {
  const n = s.writes.length;
  await s.kubectl('run', 'web', '--image=nginx');
  assert.equal(s.writes.length, n + 1);
  assert.equal(s.writes[n].contentType, 'application/json');
});
