// The official JavaScript client (1.x) against ordinal: list, create, read,
// scale, watch and an informer, over HTTPS with the kubeconfig ordinal wrote.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startCluster, eventually, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let kc: k8s.KubeConfig;

before(async () => {
  c = await startCluster(['--runtime', 'simulated']);
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
});

after(async () => {
  await c?.stop();
});

test('lists the system namespaces', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listNamespace();
  const names = list.items.map((n) => n.metadata?.name).sort();
  for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) assert.ok(names.includes(n), `missing ${n}`);
});

test('creates and reads a ConfigMap; a missing one is a 404 ApiException', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-js' }, data: { a: '1' } } });
  assert.match(created.metadata!.uid!, /^[0-9a-f-]{36}$/);
  const read = await core.readNamespacedConfigMap({ name: 'from-js', namespace: 'default' });
  assert.deepEqual(read.data, { a: '1' });
  await assert.rejects(core.readNamespacedConfigMap({ name: 'nope', namespace: 'default' }), (e: unknown) => {
    const err = e as { code?: number; body?: string };
    assert.equal(err.code, 404);
    assert.equal(JSON.parse(err.body!).reason, 'NotFound');
    return true;
  });
});

test('creates a StatefulSet and scales it through the scale subresource', async () => {
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await apps.createNamespacedStatefulSet({
    namespace: 'default',
    body: {
      metadata: { name: 'js' },
      spec: {
        serviceName: 'js',
        replicas: 1,
        selector: { matchLabels: { app: 'js' } },
        template: { metadata: { labels: { app: 'js' } }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } },
      },
    },
  });
  const scale = await apps.readNamespacedStatefulSetScale({ name: 'js', namespace: 'default' });
  assert.equal(scale.spec?.replicas, 1);
  assert.equal(scale.status?.selector, 'app=js');
  await apps.patchNamespacedStatefulSetScale(
    { name: 'js', namespace: 'default', body: { spec: { replicas: 3 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  const sts = await apps.readNamespacedStatefulSet({ name: 'js', namespace: 'default' });
  assert.equal(sts.spec?.replicas, 3);
});

test('watch streams changes, and an informer keeps a cache current', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  const req = await watch.watch('/api/v1/namespaces/default/configmaps', { labelSelector: 'w=1' }, (type, obj) => {
    seen.push(`${type} ${obj.metadata.name}`);
  }, () => {});
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  await informer.start();
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'watched', labels: { w: '1' } } } });
  await core.deleteNamespacedConfigMap({ name: 'watched', namespace: 'default' });
  await eventually(() => seen.includes('ADDED watched') && seen.includes('DELETED watched'), 10_000, 'watch events');
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cached' } } });
  await eventually(() => informer.list().some((o) => o.metadata?.name === 'cached'), 10_000, 'informer cache');
  await informer.stop();
  req.abort();
});

test('deletecollection removes what the selector matches, and only that', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  for (const [name, group] of [['dc-1', 'a'], ['dc-2', 'a'], ['dc-3', 'b']]) {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name, labels: { dc: group } } } });
  }
  await core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'dc=a' });
  const left = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'dc' });
  assert.deepEqual(left.items.map((o) => o.metadata?.name), ['dc-3']);
});
