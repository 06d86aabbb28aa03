// Server-side apply by kubectl of objects client-side apply manages: the apiserver's
// lastAppliedManager (no conflicts over fields the last-applied configuration still
// holds) and lastAppliedUpdater (the annotation follows the applied configuration),
// and what a create records as the creator's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.js';
import { applyPatch, recordUpdate, serverSideApply } from '../../src/apiserver/patch/index.js';
import { LAST_APPLIED, lastAppliedValue } from '../../src/apiserver/patch/lastapplied.js';

const T0 = new Date('2026-01-02T03:04:05Z');
const T1 = new Date('2026-01-02T03:05:00Z');

function manifest(replicas: number, image = 'nginx:1.9') {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas, serviceName: 'web', selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image }] } },
    },
  };
}

/** What `kubectl apply -f` (client-side) leaves: the manifest with its annotation, created by kubectl-client-side-apply. */
function clientSideApplied(replicas: number): any {
  const m = manifest(replicas);
  const annotation = lastAppliedValue({ ...m, metadata: { ...m.metadata, annotations: {} } });
  const obj: any = structuredClone(m);
  obj.metadata.annotations = { [LAST_APPLIED]: annotation };
  obj.metadata.uid = 'u1';
  recordUpdate('statefulsets.apps', undefined, obj, 'kubectl-client-side-apply', T0);
  return obj;
}

const entry = (obj: any, manager: string) => obj.metadata.managedFields.find((e: any) => e.manager === manager);

test('kubectl takes over fields the last-applied configuration still holds, without a conflict', () => {
  const live = clientSideApplied(2);
  const applied = serverSideApply('statefulsets.apps', live, manifest(3, 'nginx:1.10'), 'kubectl', false, T1);
  assert.equal(applied.spec.replicas, 3);
  assert.equal(applied.spec.template.spec.containers[0].image, 'nginx:1.10');
  assert.ok(entry(applied, 'kubectl').fieldsV1['f:spec']['f:replicas']);
  assert.equal(entry(applied, 'kubectl-client-side-apply').fieldsV1['f:spec']['f:replicas'], undefined);
});

test('a field changed by someone else since the last client-side apply still conflicts', () => {
  const live = clientSideApplied(2);
  const scaled = applyPatch('statefulsets.apps', 'merge', live, { spec: { replicas: 5 } });
  recordUpdate('statefulsets.apps', live, scaled, 'autoscaler', T1);
  assert.throws(() => serverSideApply('statefulsets.apps', scaled, manifest(3, 'nginx:1.10'), 'kubectl', false, T1),
    (e: unknown) => e instanceof StatusError && e.code === 409 &&
      e.message === 'Apply failed with 1 conflict: conflict with "autoscaler" using apps/v1: .spec.replicas');
  // Only kubectl's own manager gets the allowance.
  assert.throws(() => serverSideApply('statefulsets.apps', live, manifest(3), 'helm', false, T1),
    (e: unknown) => e instanceof StatusError && e.code === 409 && /kubectl-client-side-apply/.test(e.message));
});

test("kubectl's applies keep the annotation to the applied configuration; other managers leave it", () => {
  const live = clientSideApplied(2);
  const applied = serverSideApply('statefulsets.apps', live, manifest(2), 'kubectl', false, T1);
  const annotation = applied.metadata.annotations[LAST_APPLIED];
  assert.equal(annotation, `${JSON.stringify({
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } }, serviceName: 'web',
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx:1.9', name: 'nginx' }] } },
    },
  })}\n`, 'keys sorted, as Go encodes it');
  const other = serverSideApply('statefulsets.apps', live, manifest(2), 'helm', false, T1);
  assert.equal(other.metadata.annotations[LAST_APPLIED], live.metadata.annotations[LAST_APPLIED]);
  // Without an annotation there is nothing to keep.
  const bare = serverSideApply('statefulsets.apps', undefined, manifest(2), 'kubectl', false, T0);
  assert.equal(bare.metadata.annotations, undefined);
  assert.equal(lastAppliedValue({ metadata: { annotations: { a: '<&>' } } }), '{"metadata":{"annotations":{"a":"\\u003c\\u0026\\u003e"}}}\n');
});

test("a create owns what was sent, not the status the server starts the object with", () => {
  const pod: any = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
  recordUpdate('pods', undefined, pod, 'kubectl-create', T0);
  assert.deepEqual(Object.keys(pod.metadata.managedFields[0].fieldsV1), ['f:spec']);
  // Kinds without a status subresource own everything they are created with.
  const cm: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
  recordUpdate('configmaps', undefined, cm, 'kubectl-create', T0);
  assert.deepEqual(Object.keys(cm.metadata.managedFields[0].fieldsV1), ['f:data']);
});
