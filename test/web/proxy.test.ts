// The dashboard's server, through a real `ordinal serve`: its page's files,
// and its proxy to the API (lists, watches, validated writes) that answers
// only its own page on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ROOT, eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import { request, socketsOnPort, stream } from './http.js';

const EXAMPLES = join(ROOT, 'examples');

describe('the dashboard server', () => {
  let c: TestCluster;
  let base: string;
  let port: number;

  before(async () => {
    c = await startCluster(['--runtime', 'simulated']);
    const url = await eventually(() => c.dashboardUrl(), 10_000, 'the "dashboard on" line');
    assert.ok(url);
    base = url;
    port = Number(new URL(base).port);
  });
  after(async () => {
    await c?.stop();
  });

  test('serves its page with the right content types, and 404 for anything else', async () => {
    for (const [path, type] of [['/', 'text/html'], ['/index.html', 'text/html'], ['/app.js', 'text/javascript'], ['/informer.js', 'text/javascript'], ['/style.css', 'text/css']]) {
      const r = await request(base, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['content-type'], `${type}; charset=utf-8`, path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.match(String(r.headers['content-security-policy']), /default-src 'none'.*frame-ancestors 'none'/, path);
    }
    const page = await request(base, '/');
    assert.equal(page.body, readFileSync(join(ROOT, 'src', 'web', 'static', 'index.html'), 'utf8'));
    assert.match(page.body, /<script type="module" src="app.js"><\/script>/);
    for (const path of ['/nope', '/favicon.ico', '/static/app.js', '/../package.json', '/app.js/x', '/apix']) {
      const r = await request(base, path);
      assert.equal(r.status, 404, path);
      assert.equal(r.json().kind, 'Status', path);
    }
    assert.equal((await request(base, '/', { method: 'POST', headers: { Origin: base.slice(0, -1) } })).status, 405);
  });

  test('lists through the proxy with the admin token, whatever credentials the caller sends', async () => {
    const r = await request(base, '/api/v1/namespaces', { headers: { Authorization: 'Bearer not-the-token' } });
    assert.equal(r.status, 200);
    const list = r.json<{ kind: string; items: { metadata: { name: string } }[] }>();
    assert.equal(list.kind, 'NamespaceList');
    assert.ok(list.items.some((n) => n.metadata.name === 'default'));
    const groups = await request(base, '/apis');
    assert.equal(groups.status, 200);
    assert.ok(groups.json<{ groups: { name: string }[] }>().groups.some((g) => g.name === 'apps'));
    // The API's own answers pass through unchanged: a missing object is its NotFound Status.
    const missing = await request(base, '/apis/apps/v1/namespaces/default/statefulsets/absent');
    assert.equal(missing.status, 404);
    assert.deepEqual(
      { reason: missing.json().reason, message: missing.json().message },
      { reason: 'NotFound', message: 'statefulsets.apps "absent" not found' },
    );
  });

  test('a watch through the proxy delivers events as they happen', async () => {
    const list = (await request(base, '/api/v1/namespaces/default/configmaps')).json<{ metadata: { resourceVersion: string } }>();
    const w = await stream(base, `/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${list.metadata.resourceVersion}`);
    try {
      assert.equal(w.status, 200);
      c.ok(['create', 'configmap', 'watched', '--from-literal=k=v']);
      const ev = await eventually(() => w.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } })
        .find((e) => e.object.metadata.name === 'watched'), 20_000, 'the ADDED event through the proxy');
      assert.equal(ev?.type, 'ADDED');
    } finally {
      w.close();
    }
  });

  test('writes go through the API: a valid scale is applied, an invalid one gets the API\'s 422 Status', async () => {
    c.ok(['apply', '-f', join(EXAMPLES, 'svc.yaml'), '-f', join(EXAMPLES, 'statefulset.yaml')]);
    const scalePath = '/apis/apps/v1/namespaces/default/statefulsets/web/scale';
    const headers = { 'Content-Type': 'application/merge-patch+json', Origin: base.slice(0, -1), 'Sec-Fetch-Site': 'same-origin' };
    const bad = await request(base, scalePath, { method: 'PATCH', headers, body: { spec: { replicas: -1 } } });
    assert.equal(bad.status, 422, bad.body);
    const status = bad.json<{ kind: string; reason: string; message: string }>();
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Invalid');
    assert.match(status.message, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    const good = await request(base, scalePath, { method: 'PATCH', headers, body: { spec: { replicas: 3 } } });
    assert.equal(good.status, 200, good.body);
    assert.equal(good.json<{ kind: string; spec: { replicas: number } }>().spec.replicas, 3);
    assert.equal(c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
  });

  test('requests not addressed to the dashboard, or from another site, get 403', async () => {
    const own = base.slice(0, -1);
    const refused: [string, Record<string, string>, string?][] = [
      ['a rebound host name', { Host: `attacker.example:${port}` }],
      ['another port', { Host: `127.0.0.1:${port + 1}` }],
      ['another origin', { Origin: 'http://attacker.example' }],
      ['an origin that is not the Host', { Origin: `http://localhost:${port}` }],
      ['a null origin', { Origin: 'null' }],
      ['a cross-site fetch', { 'Sec-Fetch-Site': 'cross-site' }],
      ['a same-site fetch', { 'Sec-Fetch-Site': 'same-site' }],
      ['a cross-site write', { Origin: 'http://attacker.example', 'Content-Type': 'application/merge-patch+json' }, 'PATCH'],
    ];
    for (const [what, headers, method] of refused) {
      const r = await request(base, '/apis/apps/v1/namespaces/default/statefulsets/web/scale', { method, headers, body: method ? { spec: { replicas: 0 } } : undefined });
      assert.equal(r.status, 403, what);
      assert.equal(r.json().reason, 'Forbidden', what);
    }
    assert.equal(c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.spec.replicas}']), '3', 'no refused write reached the API');
    assert.equal((await request(base, '/', { headers: { Host: `attacker.example:${port}` } })).status, 403, 'the page too answers only its own host');
    const allowed: Record<string, string>[] = [
      { Host: `localhost:${port}`, Origin: `http://localhost:${port}` },
      { Origin: own, 'Sec-Fetch-Site': 'same-origin' },
      { 'Sec-Fetch-Site': 'none' },
    ];
    for (const headers of allowed) assert.equal((await request(base, '/api/v1/namespaces/default/pods', { headers })).status, 200, JSON.stringify(headers));
  });

  test('listens on loopback only', async () => {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const listening = socketsOnPort(port).filter((s) => s.state === '0A').map((s) => s.local);
    assert.deepEqual(listening, [`0100007F:${hex}`]);
    const others = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    for (const address of others) {
      const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
        const s = connect({ host: address, port }, () => {
          s.destroy();
          resolve(undefined);
        });
        s.on('error', (e) => resolve(e));
      });
      assert.equal(err?.code, 'ECONNREFUSED', `${address}:${port}`);
    }
  });

  test('--no-dashboard serves none', async () => {
    await c.restart(['--runtime', 'simulated', '--no-dashboard']);
    await eventually(() => /^ordinal API on /m.test(c.output()), 10_000, 'the API line');
    assert.equal(c.dashboardUrl(), undefined);
    assert.doesNotMatch(c.output(), /dashboard/);
  });
});
