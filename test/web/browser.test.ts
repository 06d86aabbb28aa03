// The dashboard in a real browser (headless Chromium) against a real
// `ordinal serve`: it shows a StatefulSet made with kubectl, its pods in
// ordinal order with their DNS names and claims; it follows kubectl's changes
// live through its watches; and its buttons scale, delete a pod and restart
// the set through the API, showing the API's own message when it refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, eventually, startCluster, type TestCluster } from '../helpers/cluster.js';
import { Chromium, chromiumMissing, type Page } from './chromium.js';
import { socketsOnPort } from './http.js';

const EXAMPLES = join(ROOT, 'examples');

interface Row { name: string; ready?: string; status: string; ip?: string; dns?: string; capacity?: string; revision?: string }
interface Snapshot {
  replicas: string;
  pods: Row[];
  claims: Row[];
  services: string[][];
  events: string[][];
  error: string;
  connection: string;
}

// What the page shows, read from its text.
const SNAPSHOT = `(() => {
  const text = (el) => (el ? el.textContent.trim() : '');
  const art = document.querySelector('article[data-statefulset="web"]');
  if (!art) return null;
  const rows = (sel) => [...art.querySelectorAll(sel)];
  return {
    replicas: text(art.querySelector('dd.replicas')),
    pods: rows('tr[data-pod]').map((r) => ({
      name: text(r.querySelector('th')), ready: text(r.querySelector('td.ready')), status: text(r.querySelector('td.status')),
      ip: text(r.querySelector('td.ip')), dns: text(r.querySelector('td.dns')), revision: text(r.cells[6]),
    })),
    claims: rows('tr[data-claim]').map((r) => ({ name: text(r.querySelector('th')), status: text(r.querySelector('td.status')), capacity: text(r.querySelector('td.capacity')) })),
    services: [...document.querySelectorAll('#services tbody tr')].map((r) => [...r.cells].map(text)),
    events: [...document.querySelectorAll('#events tbody tr')].map((r) => [...r.cells].map(text)),
    error: document.getElementById('error').hidden ? '' : text(document.getElementById('error-message')),
    connection: text(document.getElementById('connection')),
  };
})()`;

const missing = chromiumMissing();

describe('the dashboard in a browser', { skip: missing ?? false }, () => {
  let c: TestCluster;
  let browser: Chromium | undefined;
  let page: Page;
  let base: string;
  let dir: string;
  const snapshot = () => page.evaluate<Snapshot | null>(SNAPSHOT);
  /** Waits until the page shows what `ok` accepts; the last snapshot is in the failure message. */
  const until = async (what: string, ok: (s: Snapshot) => boolean): Promise<Snapshot> => {
    let last: Snapshot | null = null;
    try {
      return await eventually(async () => {
        last = await snapshot();
        return last && ok(last) ? last : undefined;
      }, 60_000, what) as Snapshot;
    } catch (e) {
      throw new Error(`${(e as Error).message}\nthe page showed: ${JSON.stringify(last, null, 1)}`);
    }
  };
  const kubectlReplicas = () => c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.spec.replicas}']);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordinal-browser-'));
    // Pods as processes, so that they have logs to show.
    c = await startCluster(['--runtime', 'process']);
    const url = await eventually(() => c.dashboardUrl(), 10_000, 'the "dashboard on" line');
    assert.ok(url);
    base = url;
    c.ok(['apply', '-f', join(EXAMPLES, 'svc.yaml'), '-f', join(EXAMPLES, 'statefulset-www.yaml')]);
    browser = await Chromium.launch(dir);
    page = await browser.newPage();
    await page.navigate(base);
  });
  after(async () => {
    await browser?.close();
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('shows the StatefulSet with its pods in ordinal order, their DNS names and claims', async () => {
    // Each collection has its own list and watch: wait until all of them have
    // rendered, and the page says Live (every watch synced, Events' too).
    const s = await until('web 2/2 with both claims bound, the nginx Service, and Live', (s) =>
      s.replicas === '2/2' && s.pods.length === 2 && s.pods.every((p) => p.status === 'Running') && s.claims.length === 2 && s.claims.every((cl) => cl.status === 'Bound')
      && s.services.some((r) => r[0] === 'nginx') && /^Live/.test(s.connection));
    assert.deepEqual(s.pods.map((p) => [p.name, p.ready, p.dns]), [
      ['web-0', '1/1', 'web-0.nginx.default.svc.cluster.local'],
      ['web-1', '1/1', 'web-1.nginx.default.svc.cluster.local'],
    ]);
    const ips = JSON.parse(c.ok(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])) as { items: { metadata: { name: string }; status: { podIP: string } }[] };
    for (const p of ips.items) assert.equal(s.pods.find((r) => r.name === p.metadata.name)?.ip, p.status.podIP);
    assert.deepEqual(s.claims.map((cl) => [cl.name, cl.status, cl.capacity]), [['www-web-0', 'Bound', '1Gi'], ['www-web-1', 'Bound', '1Gi']]);
    const nginx = s.services.find((r) => r[0] === 'nginx');
    assert.deepEqual(nginx?.slice(0, 4), ['nginx', 'ClusterIP', 'None', 'web:80/TCP']);
    assert.match(s.connection, /^Live/);
  });

  test('shows text from the API as text, never as markup', async () => {
    c.ok(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'markup-test' }, type: 'Normal', reason: 'Markup',
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default' },
      message: '<img id="injected" src="x"> & <b>bold</b>',
    }));
    await until('the event in the table', (s) => s.events.some((r) => r.includes('<img id="injected" src="x"> & <b>bold</b>')));
    assert.equal(await page.evaluate('document.getElementById("injected") === null && document.querySelector("#events b") === null'), true);
  });

  test('follows `kubectl scale` live through its watches', async () => {
    await page.evaluate('window.sameDocument = true');
    c.ok(['scale', 'statefulset', 'web', '--replicas=3']);
    const s = await until('web 3/3', (s) => s.replicas === '3/3' && s.pods.length === 3 && s.claims.length === 3 && s.claims.every((cl) => cl.status === 'Bound'));
    assert.deepEqual(s.pods.map((p) => p.name), ['web-0', 'web-1', 'web-2']);
    assert.equal(s.pods[2].dns, 'web-2.nginx.default.svc.cluster.local');
    assert.deepEqual(s.claims.map((cl) => cl.name), ['www-web-0', 'www-web-1', 'www-web-2']);
    assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');
  });

  const submitScale = (value: string) => page.evaluate(`(() => {
    const input = document.getElementById('scale-web');
    input.value = ${JSON.stringify(value)};
    input.dispatchEvent(new Event('input', { bubbles: true }));
    document.getElementById('scale-submit-web').click();
  })()`);

  test('scales down from the page; the claims stay', async () => {
    await submitScale('1');
    await eventually(() => kubectlReplicas() === '1', 30_000, 'spec.replicas 1');
    const s = await until('web 1/1', (s) => s.replicas === '1/1' && s.pods.length === 1);
    assert.equal(s.pods[0].name, 'web-0');
    assert.deepEqual(s.claims.map((cl) => cl.name), ['www-web-0', 'www-web-1', 'www-web-2']);
    assert.equal(s.error, '');
  });

  test('shows the API\'s message when it refuses a scale', async () => {
    await submitScale('-1');
    const s = await until('the error', (s) => s.error !== '');
    assert.match(s.error, /spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    assert.equal(kubectlReplicas(), '1');
  });

  test('deletes a pod from the page; it comes back with the same name', async () => {
    const uid = () => c.ok(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid}']);
    const before = uid();
    await page.evaluate('document.getElementById("delete-web-0").click()');
    await eventually(() => {
      const r = c.kubectl(['get', 'pod', 'web-0', '-o', 'jsonpath={.metadata.uid} {.status.phase}']);
      return r.code === 0 && !r.stdout.startsWith(before) && r.stdout.endsWith(' Running');
    }, 60_000, 'a new web-0 Running');
    await until('web-0 Running again', (s) => s.pods.length === 1 && s.pods[0].name === 'web-0' && s.pods[0].status === 'Running' && s.replicas === '1/1');
  });

  test('rollout restart from the page sends kubectl\'s patch and rolls the pods', async () => {
    const old = c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.status.updateRevision}']);
    await page.evaluate('document.getElementById("restart-web").click()');
    const at = await eventually(() => c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']), 30_000, 'restartedAt');
    assert.match(at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const revision = await eventually(() => {
      const r = c.ok(['get', 'statefulset', 'web', '-o', 'jsonpath={.status.updateRevision} {.status.currentRevision}']).split(' ');
      return r[0] && r[0] !== old && r[0] === r[1] ? r[0] : undefined;
    }, 60_000, 'the rollout to finish');
    await until('web-0 on the new revision', (s) => s.pods.length === 1 && s.pods[0].revision === revision && s.pods[0].status === 'Running');
  });

  test('shows a pod\'s log on demand, and the API\'s message for a pod without one', async () => {
    c.ok(['apply', '-f', '-'], `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: chatty
spec:
  serviceName: nginx
  replicas: 1
  selector:
    matchLabels: {app: chatty}
  template:
    metadata:
      labels: {app: chatty}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: talk
        image: busybox
        command: ["sh", "-c", "echo 'hello from <b>chatty</b>'; echo second line; exec sleep 3600"]
`);
    await eventually(() => c.kubectl(['logs', 'chatty-0']).stdout.includes('second line'), 60_000, 'chatty-0 logging');
    await eventually(() => page.evaluate<boolean>('!!document.getElementById("logs-chatty-0")'), 60_000, 'the Logs button of chatty-0');
    await page.evaluate('document.getElementById("logs-chatty-0").click()');
    const shown = (await eventually(async () => {
      const r = await page.evaluate<{ hidden: boolean; heading: string; text: string; html: string }>(`({
        hidden: document.getElementById('logs').hidden, heading: document.getElementById('logs-heading').textContent,
        text: document.getElementById('logs-text').textContent, html: document.getElementById('logs-text').innerHTML })`);
      return r.text.includes('second line') ? r : undefined;
    }, 30_000, 'the log on the page'))!;
    assert.equal(shown.hidden, false);
    assert.equal(shown.heading, 'Logs of chatty-0 (container talk)');
    assert.equal(shown.text, 'hello from <b>chatty</b>\nsecond line\n', 'the log as kubectl logs prints it');
    assert.ok(!shown.html.includes('<b>'), 'as text, never as markup');
    // Refreshed once the pod is gone: the API's own message.
    c.ok(['delete', 'statefulset', 'chatty']);
    await eventually(() => c.kubectl(['get', 'pod', 'chatty-0']).code === 1, 60_000, 'chatty-0 gone');
    await page.evaluate('document.getElementById("logs-refresh").click()');
    const s = await until('the error', (s) => s.error !== '');
    assert.equal(s.error, 'Logs of chatty-0: pods "chatty-0" not found');
    await page.evaluate('document.getElementById("error-dismiss").click(); document.getElementById("logs-close").click()');
    assert.equal(await page.evaluate<boolean>('document.getElementById("logs").hidden'), true);
  });

  const setHidden = (hidden: boolean) => page.evaluate(`(() => {
    if (${hidden}) {
      Object.defineProperty(document, 'hidden', { value: true, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    } else {
      delete document.hidden;
      delete document.visibilityState;
    }
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

  test('a hidden page keeps no connection to the dashboard; in view again, it catches up', async () => {
    await setHidden(true);
    const port = Number(new URL(base).port);
    const own = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    await eventually(() => socketsOnPort(port).every((s) => s.local !== own || s.state !== '01'), 60_000, 'no connection to the dashboard');
    assert.match((await snapshot())?.connection ?? '', /^Paused/);
    c.ok(['scale', 'statefulset', 'web', '--replicas=2']);
    await setHidden(false);
    const s = await until('web 2/2', (s) => s.replicas === '2/2' && s.pods.length === 2 && /^Live/.test(s.connection));
    assert.deepEqual(s.pods.map((p) => p.name), ['web-0', 'web-1']);
  });

  test('made every request to the dashboard itself and threw nothing', () => {
    const origin = base.slice(0, -1);
    const elsewhere = page.requests.filter((u) => u !== 'about:blank' && !u.startsWith(`${origin}/`));
    assert.deepEqual(elsewhere, []);
    assert.ok(page.requests.some((u) => u.includes('watch=1')), 'the page watched');
    assert.deepEqual(page.exceptions, []);
  });
});
