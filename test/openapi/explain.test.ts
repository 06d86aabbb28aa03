// End to end: the real kubectl reads our OpenAPI v3 documents for `kubectl explain`.
// A throwaway HTTP server on 127.0.0.1 serves /version, legacy discovery and /openapi/v3.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RESOURCES, apiVersionOf, groupVersions } from '../../src/api/resources.js';
import { openapiV3Index, openapiV3Served } from '../../src/apiserver/openapi/index.js';

const run = promisify(execFile);

let server: Server;
let dir: string;
let kubeconfig: string;
const requests: string[] = [];
/** Writes and reads of statefulsets the fake server saw, and the object it answers with. */
const writes: { method: string; query: string; contentType: string; body: string }[] = [];
let current: object = {};

function statefulSet(image: string, env: { name: string; value: string }[]): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
    spec: {
      serviceName: 'web', replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image, env }, { name: 'sidecar', image: 'busybox' }] },
      },
    },
  };
}

function resourceList(group: string, version: string): object {
  const resources = [];
  for (const ri of RESOURCES.filter((r) => r.group === group && r.version === version)) {
    resources.push({
      name: ri.resource, singularName: ri.singular, namespaced: ri.namespaced, kind: ri.kind,
      verbs: ri.verbs, ...(ri.shortNames ? { shortNames: ri.shortNames } : {}),
      ...(ri.categories ? { categories: ri.categories } : {}),
    });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function route(path: string): unknown {
  if (path === '/version') {
    return { major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: '0', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.22', compiler: 'gc', platform: 'linux/amd64' };
  }
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  if (path === '/apis') {
    const groups = groupVersions().filter((gv) => gv.group !== '').map((gv) => {
      const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
      return { name: gv.group, versions: [v], preferredVersion: v };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (path === '/api/v1') return resourceList('', 'v1');
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (gv) return resourceList(gv[1], gv[2]);
  if (path === '/openapi/v3') return openapiV3Index();
  if (path.startsWith('/openapi/v3/')) return openapiV3Served(path.slice('/openapi/v3/'.length))?.document;
  return undefined;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ordinal-openapi-'));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname.startsWith('/apis/apps/v1/namespaces/default/statefulsets')) {
      let data = '';
      req.on('data', (c: Buffer) => { data += c.toString(); });
      req.on('end', () => {
        writes.push({ method: req.method ?? '', query: url.search, contentType: req.headers['content-type'] ?? '', body: data });
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(req.method === 'POST' ? JSON.parse(data) : current));
      });
      return;
    }
    const body = req.method === 'GET' ? route(url.pathname) : undefined;
    if (body === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: test', '  cluster:', `    server: http://127.0.0.1:${port}`,
    'users:', '- name: test', '  user: {}',
    'contexts:', '- name: test', '  context: {cluster: test, user: test, namespace: default}',
    'current-context: test', '',
  ].join('\n'));
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    timeout: 60_000,
  });
  return stdout;
}

test('kubectl explain statefulset.spec.replicas prints the field from our schema', async () => {
  const out = await kubectl('explain', 'statefulset.spec.replicas');
  assert.match(out, /KIND:\s+StatefulSet/);
  assert.match(out, /GROUP:\s+apps/);
  assert.match(out, /VERSION:\s+v1/);
  assert.match(out, /FIELD:\s+replicas <integer>/);
  assert.match(out, /replicas is the desired number of replicas of the given Template/);
  assert.ok(requests.some((r) => r.startsWith('GET /openapi/v3/apis/apps/v1')), 'kubectl fetched the apps/v1 document');
});

test('kubectl explain pods.spec.containers lists the Container fields', async () => {
  const out = await kubectl('explain', 'pods.spec.containers');
  assert.match(out, /KIND:\s+Pod/);
  assert.match(out, /FIELD:\s+containers <\[\]Container>/);
  assert.match(out, /List of containers belonging to the pod/);
  assert.match(out, /image\s+<string>/);
  assert.match(out, /name\s+<string> -required-/);
  assert.match(out, /ports\s+<\[\]ContainerPort>/);
});

test('kubectl create -f asks the server for strict field validation', async () => {
  writes.length = 0;
  const file = join(dir, 'create.yaml');
  await writeFile(file, JSON.stringify(statefulSet('nginx:1', [])));
  await kubectl('create', '-f', file);
  const post = writes.find((w) => w.method === 'POST');
  assert.ok(post, 'kubectl sent the create');
  assert.match(post.query, /fieldValidation=Strict/);
});

test('client-side kubectl apply builds its strategic merge patch from our schemas', async () => {
  writes.length = 0;
  const applied = statefulSet('nginx:1', [{ name: 'A', value: '1' }]);
  current = {
    ...applied,
    metadata: {
      name: 'web', namespace: 'default', resourceVersion: '5', uid: 'u-1',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(applied) },
    },
  };
  const file = join(dir, 'apply.yaml');
  await writeFile(file, JSON.stringify(statefulSet('nginx:2', [{ name: 'B', value: '2' }])));
  const { stderr } = await run('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', file], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 60_000,
  });
  assert.doesNotMatch(stderr, /error calculating patch from openapi/);
  const patch = writes.find((w) => w.method === 'PATCH');
  assert.ok(patch, 'kubectl sent a patch');
  assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
  const body = JSON.parse(patch.body);
  const spec = body.spec.template.spec;
  // Lists merged by key: only the changed container, with the order directive and the
  // env entry removed by name, as the merge keys in the schema say.
  assert.deepEqual(spec['$setElementOrder/containers'], [{ name: 'web' }, { name: 'sidecar' }]);
  const web = spec.containers.find((c: { name: string }) => c.name === 'web');
  assert.equal(web.image, 'nginx:2');
  assert.deepEqual(web['$setElementOrder/env'], [{ name: 'B' }]);
  assert.ok(web.env.some((e: Record<string, string>) => e.name === 'A' && e.$patch === 'delete'));
  assert.ok(!spec.containers.some((c: { name: string }) => c.name === 'sidecar'), 'unchanged container not resent');
});
