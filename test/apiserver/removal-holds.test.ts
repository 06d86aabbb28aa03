// Held removals over HTTP: a GET of a terminating pod (as kubectl delete and
// kubectl wait --for=delete send it) holds the pod's final removal until a
// watch by name is open; a Table GET (what `kubectl get` shows) does not; the
// API server's stop releases what is held.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceByKey } from '../../src/api/resources.js';
import type { KObject } from '../../src/client/types.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { Registry } from '../../src/registry/registry.js';
import { bootstrap } from '../../src/registry/bootstrap.js';
import { MemoryStore } from '../../src/store/memory.js';

const pods = resourceByKey('pods');
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

let registry: Registry;
let api: ApiServer;
let base: string;
let uid: string;

beforeEach(async () => {
  // A hold far longer than any test: only a watch by name or the server's stop
  // releases it (the default hold could expire mid-test on a loaded machine).
  registry = new Registry({ store: new MemoryStore(), removalHoldMs: 60_000 });
  bootstrap(registry);
  api = new ApiServer({ registry, host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${await api.start()}/api/v1/namespaces/default/pods`;
  uid = registry.create(pods, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0' },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
  } as KObject).object.metadata!.uid!;
  const r = await fetch(`${base}/web-0`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: '{"propagationPolicy":"Background"}' });
  assert.equal(r.status, 202);
});

afterEach(async () => {
  await api.stop();
});

/** The node agent's final delete, once the containers stopped; true if the pod is gone after it. */
function kubeletRemoves(): boolean {
  return registry.delete(pods, 'default', 'web-0', { gracePeriodSeconds: 0, preconditions: { uid } }).deleted;
}

const exists = () => registry.list(pods, 'default').items.some((p) => p.metadata?.uid === uid);

async function get(accept: string): Promise<void> {
  const r = await fetch(`${base}/web-0`, { headers: { Accept: accept } });
  assert.equal(r.status, 200);
  await r.arrayBuffer();
}

test('GET (JSON) of the terminating pod holds its removal; the watch by name releases it and carries DELETED', async () => {
  await get('application/json');
  assert.equal(kubeletRemoves(), false);
  const list = await (await fetch(`${base}?fieldSelector=metadata.name%3Dweb-0&limit=500&resourceVersion=0`)).json() as { metadata: { resourceVersion: string }; items: KObject[] };
  assert.deepEqual(list.items.map((p) => p.metadata?.uid), [uid], 'the list still has it');
  const ac = new AbortController();
  const w = await fetch(`${base}?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dweb-0&resourceVersion=${list.metadata.resourceVersion}&watch=true`, { signal: ac.signal });
  const reader = w.body!.getReader();
  let text = '';
  while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
  const ev = JSON.parse(text.split('\n')[0]) as { type: string; object: KObject };
  assert.equal(ev.type, 'DELETED');
  assert.equal(ev.object.metadata?.uid, uid);
  assert.equal(exists(), false);
  ac.abort();
  await reader.cancel().catch(() => undefined);
});

test('a Table GET (kubectl get) holds nothing', async () => {
  await get(TABLE);
  assert.equal(kubeletRemoves(), true);
});

test('the API server stopping removes a held pod', async () => {
  await get('application/json');
  assert.equal(kubeletRemoves(), false);
  assert.equal(exists(), true);
  await api.stop();
  assert.equal(exists(), false);
});
