// Bad requests at the wire level (what kubectl never sends but other clients
// might), and watches that resume across a kill -9 of the server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';
import { startCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let server: URL;
let token: string;
let ca: string;

function loadKubeconfig() {
  const kc = parse(readFileSync(c.kubeconfig, 'utf8'));
  server = new URL(kc.clusters[0].cluster.server);
  token = kc.users[0].user.token;
  ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
}

before(async () => {
  c = await startCluster(['--runtime', 'simulated']);
  loadKubeconfig();
});

after(async () => {
  await c?.stop();
});

interface Reply { code: number; headers: Record<string, unknown>; body: string }

function call(method: string, path: string, opts: { body?: string | Buffer; contentType?: string; auth?: string | null; untilLines?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.auth !== null) headers.Authorization = opts.auth ?? `Bearer ${token}`;
    if (opts.body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const req = request({ host: server.hostname, port: server.port, path, method, headers, ca }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
        if (opts.untilLines && body.split('\n').filter((l) => l.trim()).length >= opts.untilLines) {
          req.destroy();
          resolve({ code: res.statusCode ?? 0, headers: res.headers, body });
        }
      });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', (e) => (opts.untilLines ? undefined : reject(e)));
    req.end(opts.body);
  });
}

function status(r: Reply) {
  const s = JSON.parse(r.body);
  assert.equal(s.kind, 'Status');
  assert.equal(s.code, r.code);
  return s;
}

test('no token and a wrong token are 401 Unauthorized; health and version need none', async () => {
  assert.equal(status(await call('GET', '/api/v1/pods', { auth: null })).reason, 'Unauthorized');
  assert.equal(status(await call('GET', '/api/v1/pods', { auth: 'Bearer nope' })).reason, 'Unauthorized');
  assert.equal((await call('GET', '/healthz', { auth: null })).body, 'ok');
  assert.equal(JSON.parse((await call('GET', '/version', { auth: null })).body).gitVersion, 'v1.32.4');
});

test('malformed JSON is 400, an unknown media type 415, an oversized body 413', async () => {
  const bad = await call('POST', '/api/v1/namespaces/default/configmaps', { body: '{"kind":' });
  assert.equal(bad.code, 400);
  assert.equal(status(bad).reason, 'BadRequest');
  // Go's json.Unmarshal words, as the apiserver gives them.
  assert.equal(status(bad).message, "couldn't get version/kind; json parse error: unexpected end of JSON input");
  const word = await call('POST', '/api/v1/namespaces/default/configmaps', { body: '{"kind": ConfigMap}' });
  assert.equal(status(word).message, "couldn't get version/kind; json parse error: invalid character 'C' looking for beginning of value");
  const raw = c.kubectl(['create', '--raw', '/api/v1/namespaces/default/configmaps', '-f', '-'], { input: '{"apiVersion":"v1",}' });
  assert.equal(raw.code, 1);
  assert.equal(raw.stderr.trim(), "Error from server (BadRequest): couldn't get version/kind; json parse error: invalid character '}' looking for beginning of object key string");
  const media = await call('POST', '/api/v1/namespaces/default/configmaps', { body: 'x', contentType: 'text/plain' });
  assert.equal(media.code, 415);
  const big = Buffer.alloc(4 * 1024 * 1024, 'a');
  const large = await call('POST', '/api/v1/namespaces/default/configmaps', { body: big });
  assert.equal(large.code, 413);
  assert.equal(status(large).reason, 'RequestEntityTooLarge');
  const wrongKind = await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }) });
  assert.equal(wrongKind.code, 400);
  // Unknown paths and methods.
  assert.equal((await call('GET', '/api/v1/foos')).code, 404);
  assert.equal((await call('POST', '/api/v1/namespaces/default/configmaps/x')).code, 405);
  // The server is still fine.
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps')).code, 200);
});

test('a watch from a version before a kill -9 resumes after the restart', async () => {
  const list = JSON.parse((await call('GET', '/api/v1/namespaces/default/configmaps')).body);
  const rv = list.metadata.resourceVersion;
  for (const name of ['r1', 'r2']) {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { body: JSON.stringify({ metadata: { name } }) });
    assert.equal(r.code, 201);
  }
  await c.kill9();
  await c.restart();
  loadKubeconfig();
  const w = await call('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { untilLines: 2 });
  const events = w.body.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED r1', 'ADDED r2']);
});
