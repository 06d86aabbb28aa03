// The StatefulSet controller through the in-process API, with the simulated
// node (pods Running and Ready after a few milliseconds) and the volume
// controller (claims provisioned and Bound): the seeds' scenario end to end.
import { waitFor } from '../helpers/eventually.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Event, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { createMemoryApi } from '../../src/testing/api.js';
import type { Registry } from '../../src/registry/registry.js';
import type { Client, KObject } from '../../src/client/types.js';
import { SimulatedNode } from '../../src/node/simulated/index.js';
import { VolumeController, storageAdmissionFor } from '../../src/controllers/volumes/index.js';
import { StatefulSetController } from '../../src/controllers/statefulset/index.js';
import { EventRecorder } from '../../src/controllers/events.js';

type K<T> = T & KObject;

function eventually<T>(fn: () => Promise<T | undefined | false>, what: string, ms = 8000): Promise<T> {
  return waitFor(fn, what, ms, 10);
}

function webSet(replicas: number): K<StatefulSet> {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [{
            name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.8', ports: [{ containerPort: 80, name: 'web' }],
            volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
          }],
        },
      },
      volumeClaimTemplates: [{
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      }],
    },
  } as K<StatefulSet>;
}

interface Cluster {
  client: Client;
  node: SimulatedNode;
  recorder: EventRecorder;
  podLog: string[];
}

async function cluster(t: { after(fn: () => void): void }): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ordinal-sts-'));
  let registry: Registry | undefined;
  const api = await createMemoryApi({ admission: [(op, ri, obj, old) => storageAdmissionFor(registry!)(op, ri, obj, old)] });
  registry = api.registry;
  const client = api.client;
  const volumes = new VolumeController({ client, dataDir, events: false });
  const node = new SimulatedNode({ client, nodeName: 'node-1', delays: { start: 15, terminate: 10 }, events: false });
  const recorder = new EventRecorder(client, { component: 'statefulset-controller' });
  const sts = new StatefulSetController({ client, recorder });
  const podLog: string[] = [];
  const w = client.watch<K<Pod>>('pods', 'default', { resourceVersion: '' }, (ev) => {
    const p = ev.object;
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    podLog.push(`${ev.type} ${p.metadata?.name} ${p.metadata?.deletionTimestamp ? 'Terminating' : ready ? 'Ready' : p.status?.phase}`);
  });
  t.after(() => {
    w.stop();
    sts.stop();
    node.stop();
    volumes.stop();
    api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await volumes.start();
  await node.start();
  await sts.start();
  return { client, node, recorder, podLog };
}

const getSet = (c: Client) => c.get<K<StatefulSet>>('statefulsets.apps', 'default', 'web');
const listPods = async (c: Client) => (await c.list<K<Pod>>('pods', 'default')).items;
const isReady = (p: Pod) => p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' && !p.metadata?.deletionTimestamp;

async function readyPods(c: Client, names: string[]): Promise<K<Pod>[]> {
  return eventually(async () => {
    const pods = await listPods(c);
    const got = pods.map((p) => p.metadata!.name!).sort();
    return JSON.stringify(got) === JSON.stringify([...names].sort()) && pods.every(isReady) && pods;
  }, `pods ${names.join(',')} Ready`);
}

async function settled(c: Client, replicas: number): Promise<K<StatefulSet>> {
  return eventually(async () => {
    const s = await getSet(c);
    const st = s.status;
    return st && st.observedGeneration === s.metadata?.generation && st.replicas === replicas && (st.readyReplicas ?? 0) === replicas &&
      (st.updatedReplicas ?? 0) === replicas && st.currentRevision === st.updateRevision && s;
  }, `StatefulSet web settled at ${replicas}`);
}

test('statefulset controller: ordered creation, claims, identity, events, status', async (t) => {
  const { client, podLog, recorder } = await cluster(t);
  await client.create('statefulsets.apps', 'default', webSet(2));
  const pods = await readyPods(client, ['web-0', 'web-1']);
  const set = await settled(client, 2);

  // web-1 appeared only after web-0 was Running and Ready.
  const firstReady0 = podLog.findIndex((l) => l === 'MODIFIED web-0 Ready');
  const added1 = podLog.findIndex((l) => l.startsWith('ADDED web-1'));
  assert.ok(firstReady0 >= 0 && added1 > firstReady0, podLog.join('\n'));

  for (const p of pods) {
    const name = p.metadata!.name!;
    assert.equal(p.spec?.hostname, name);
    assert.equal(p.spec?.subdomain, 'nginx');
    assert.equal(p.metadata?.labels?.['statefulset.kubernetes.io/pod-name'], name);
    assert.equal(p.metadata?.labels?.['apps.kubernetes.io/pod-index'], name.slice(4));
    assert.equal(p.metadata?.labels?.['controller-revision-hash'], set.status?.updateRevision);
    assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(p.spec?.volumes?.find((v) => v.name === 'www')?.persistentVolumeClaim, { claimName: `www-${name}` });
  }
  const claims = await eventually(async () => {
    const items = (await client.list<K<PersistentVolumeClaim>>('persistentvolumeclaims', 'default')).items;
    return items.length === 2 && items.every((c) => c.status?.phase === 'Bound') && items;
  }, 'claims Bound');
  assert.deepEqual(claims.map((c) => c.metadata?.name).sort(), ['www-web-0', 'www-web-1']);
  assert.deepEqual(claims[0].metadata?.labels, { app: 'nginx' });

  const revs = (await client.list<K<ControllerRevision>>('controllerrevisions.apps', 'default')).items;
  assert.equal(revs.length, 1);
  assert.equal(revs[0].metadata?.name, set.status?.updateRevision);
  assert.equal(revs[0].revision, 1);
  assert.equal(JSON.stringify(revs[0].data).slice(0, 40), '{"spec":{"template":{"$patch":"replace",');

  await recorder.flush();
  const events = (await client.list<K<Event>>('events', 'default')).items
    .filter((e) => e.involvedObject.kind === 'StatefulSet' && e.involvedObject.name === 'web')
    .map((e) => `${e.type} ${e.reason} ${e.message} ${e.source?.component}`);
  assert.deepEqual(events.sort(), [
    'Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success statefulset-controller',
    'Normal SuccessfulCreate create Claim www-web-1 Pod web-1 in StatefulSet web success statefulset-controller',
    'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful statefulset-controller',
    'Normal SuccessfulCreate create Pod web-1 in StatefulSet web successful statefulset-controller',
  ]);
});

test('statefulset controller: deleted pods come back in order with their claims; scale up and down', async (t) => {
  const { client, podLog } = await cluster(t);
  await client.create('statefulsets.apps', 'default', webSet(2));
  await readyPods(client, ['web-0', 'web-1']);
  const claimUids = (await client.list<K<PersistentVolumeClaim>>('persistentvolumeclaims', 'default')).items.map((c) => c.metadata?.uid).sort();
  const oldUids = new Set((await listPods(client)).map((p) => p.metadata?.uid));

  podLog.length = 0;
  for (const p of await listPods(client)) await client.delete('pods', 'default', p.metadata!.name!);
  const back = await eventually(async () => {
    const pods = await listPods(client);
    return pods.length === 2 && pods.every((p) => isReady(p) && !oldUids.has(p.metadata?.uid)) && pods;
  }, 'pods recreated');
  assert.equal(back.length, 2);
  const readyAgain0 = podLog.findIndex((l) => l === 'MODIFIED web-0 Ready');
  const added1 = podLog.findIndex((l) => l.startsWith('ADDED web-1'));
  assert.ok(readyAgain0 >= 0 && added1 > readyAgain0, `web-1 came back before web-0 was Ready:\n${podLog.join('\n')}`);
  const claimUidsAfter = (await client.list<K<PersistentVolumeClaim>>('persistentvolumeclaims', 'default')).items.map((c) => c.metadata?.uid).sort();
  assert.deepEqual(claimUidsAfter, claimUids, 'the same claims');

  // Scale up to 3, then down to 1: web-2 goes before web-1.
  await client.patch('statefulsets.apps', 'default', 'web', 'merge', { spec: { replicas: 3 } });
  await readyPods(client, ['web-0', 'web-1', 'web-2']);
  podLog.length = 0;
  await client.patch('statefulsets.apps', 'default', 'web', 'merge', { spec: { replicas: 1 } });
  await readyPods(client, ['web-0']);
  await settled(client, 1);
  const deletions = podLog.filter((l) => l.startsWith('DELETED')).map((l) => l.split(' ')[1]);
  assert.deepEqual(deletions, ['web-2', 'web-1']);
  const claims = (await client.list<K<PersistentVolumeClaim>>('persistentvolumeclaims', 'default')).items.map((c) => c.metadata?.name).sort();
  assert.deepEqual(claims, ['www-web-0', 'www-web-1', 'www-web-2'], 'claims are retained on scale-down');
});

test('statefulset controller: rolling update in reverse order, partition, rollback reusing the revision', async (t) => {
  const { client, podLog } = await cluster(t);
  await client.create('statefulsets.apps', 'default', webSet(3));
  await readyPods(client, ['web-0', 'web-1', 'web-2']);
  const first = await settled(client, 3);
  const r1 = first.status!.updateRevision!;

  podLog.length = 0;
  await client.patch('statefulsets.apps', 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.9' }] } } } });
  const second = await settled(client, 3);
  const r2 = second.status!.updateRevision!;
  assert.notEqual(r2, r1);
  for (const p of await listPods(client)) assert.equal(p.metadata?.labels?.['controller-revision-hash'], r2);
  const deletions = podLog.filter((l) => l.startsWith('DELETED')).map((l) => l.split(' ')[1]);
  assert.deepEqual(deletions, ['web-2', 'web-1', 'web-0']);

  // Partition 2: only web-2 moves to the next template.
  await client.patch('statefulsets.apps', 'default', 'web', 'merge', { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } } });
  await client.patch('statefulsets.apps', 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:1.0' }] } } } });
  const partial = await eventually(async () => {
    const s = await getSet(client);
    return s.status?.observedGeneration === s.metadata?.generation && s.status?.updatedReplicas === 1 && s.status?.readyReplicas === 3 && s;
  }, 'partitioned roll out');
  const byName = Object.fromEntries((await listPods(client)).map((p) => [p.metadata!.name, p.metadata!.labels!['controller-revision-hash']]));
  assert.equal(byName['web-2'], partial.status?.updateRevision);
  assert.equal(byName['web-1'], r2);
  assert.equal(byName['web-0'], r2);

  // Rollback to the first template as `kubectl rollout undo --to-revision=1` does: patch with the revision's data.
  await client.patch('statefulsets.apps', 'default', 'web', 'merge', { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } } });
  const rev1 = await client.get<K<ControllerRevision>>('controllerrevisions.apps', 'default', r1);
  await client.patch('statefulsets.apps', 'default', 'web', 'strategic', rev1.data);
  const rolledBack = await settled(client, 3);
  assert.equal(rolledBack.status?.updateRevision, r1, 'the old revision object is reused');
  const again = await client.get<K<ControllerRevision>>('controllerrevisions.apps', 'default', r1);
  assert.equal(again.revision, 4);
  for (const p of await listPods(client)) assert.equal(p.spec?.containers[0].image, 'registry.k8s.io/nginx-slim:0.8');
});

test('statefulset controller: adopts a matching orphan and releases a pod that stops matching', async (t) => {
  const { client } = await cluster(t);
  await client.create('statefulsets.apps', 'default', webSet(1));
  await readyPods(client, ['web-0']);
  const set = await settled(client, 1);

  // An orphan web-3 matching the selector is adopted, then removed as condemned.
  await client.create('pods', 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-3', namespace: 'default', labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
  } as K<Pod>);
  await eventually(async () => (await listPods(client)).every((p) => p.metadata?.name !== 'web-3'), 'web-3 adopted and scaled down');

  // web-0 relabelled out of the selector: released (no owner), and not counted any more.
  await client.patch('pods', 'default', 'web-0', 'merge', { metadata: { labels: { app: 'other' } } });
  const released = await eventually(async () => {
    const p = await client.get<K<Pod>>('pods', 'default', 'web-0');
    return !(p.metadata?.ownerReferences ?? []).some((r) => r.uid === set.metadata?.uid) && p;
  }, 'web-0 released');
  assert.equal(released.metadata?.labels?.app, 'other');
  await client.delete('pods', 'default', 'web-0');
  await readyPods(client, ['web-0']);
  const p = await client.get<K<Pod>>('pods', 'default', 'web-0');
  assert.equal(p.metadata?.labels?.app, 'nginx', 'a new web-0 from the template');
});
