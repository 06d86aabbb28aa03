import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from 'kubernetes-types/core/v1.js';
import { applyPatch } from '../../src/apiserver/patch/index.js';
import { StatusError } from '../../src/api/errors.js';

function sts(containers: Container[], extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'nginx' }, annotations: { a: '1' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers, ...extra },
      },
    },
  };
}

const nginx = () => ({
  name: 'nginx',
  image: 'nginx:1.9',
  ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }],
  env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
  volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
});

/** Fails if any key starting with `$` is anywhere in `v`. */
function assertNoDirectives(v: unknown, path = ''): void {
  if (Array.isArray(v)) v.forEach((x, i) => assertNoDirectives(x, `${path}[${i}]`));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      assert.ok(!k.startsWith('$'), `directive ${k} left at ${path}`);
      assertNoDirectives(x, `${path}.${k}`);
    }
  }
}

test('kubectl apply: image and ports with $setElementOrder and $patch delete', () => {
  const live = sts([nginx()]);
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' } },
    spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'nginx' }],
      containers: [{
        '$setElementOrder/ports': [{ containerPort: 8080 }],
        image: 'nginx:1.10',
        name: 'nginx',
        ports: [{ containerPort: 8080, name: 'web' }, { $patch: 'delete', containerPort: 80 }],
      }],
    } } },
  };
  const out = applyPatch('statefulsets.apps', 'strategic', live, patch);
  const c = out.spec.template.spec.containers;
  assert.equal(c.length, 1);
  assert.equal(c[0].image, 'nginx:1.10');
  assert.deepEqual(c[0].ports, [{ containerPort: 8080, name: 'web' }]);
  assert.deepEqual(c[0].env, nginx().env, 'untouched fields of the item stay');
  assert.deepEqual(out.metadata.annotations, { a: '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' });
  assertNoDirectives(out);
  // The input is not modified.
  assert.equal(live.spec.template.spec.containers[0].image, 'nginx:1.9');
});

test('kubectl apply: spec.replicas only', () => {
  const out = applyPatch('statefulsets.apps', 'strategic', sts([nginx()]), { spec: { replicas: 3 } });
  assert.equal(out.spec.replicas, 3);
  assert.equal(out.spec.template.spec.containers[0].name, 'nginx');
});

test('rollout undo: $patch replace swaps the whole template', () => {
  const live = sts([nginx(), { name: 'sidecar', image: 'busybox' }], { terminationGracePeriodSeconds: 10 });
  live.spec.template.metadata = { labels: { app: 'nginx' }, annotations: { 'kubectl.kubernetes.io/restartedAt': 'x' } } as any;
  const data = { spec: { template: {
    metadata: { labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.8', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    $patch: 'replace',
  } } };
  const out = applyPatch('statefulsets.apps', 'strategic', live, data);
  assert.deepEqual(out.spec.template, {
    metadata: { labels: { app: 'nginx' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.8', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
  });
  assert.equal(out.spec.replicas, 2, 'siblings of the replaced map stay');
});

test('rollout restart: annotation on the pod template', () => {
  const out = applyPatch('statefulsets.apps', 'strategic', sts([nginx()]), {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T08:53:20Z' } } } },
  });
  assert.deepEqual(out.spec.template.metadata, {
    labels: { app: 'nginx' },
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-23T08:53:20Z' },
  });
});

test('kubectl set image: merge by container name keeps other containers', () => {
  const live = sts([nginx(), { name: 'sidecar', image: 'busybox' }]);
  const out = applyPatch('statefulsets.apps', 'strategic', live, {
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:2' }] } } },
  });
  assert.deepEqual(out.spec.template.spec.containers.map((c: any) => [c.name, c.image]), [
    ['nginx', 'nginx:1.9'], ['sidecar', 'busybox:2'],
  ]);
});

test('env merges by name; null deletes a field; new items go before server-only ones', () => {
  const out = applyPatch('pods', 'strategic', { spec: { containers: [nginx()] } }, {
    spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '3' }, { name: 'C', value: 'c' }], image: null }] },
  });
  const c = out.spec.containers[0];
  assert.equal('image' in c, false);
  assert.deepEqual(c.env, [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: 'c' }]);
  // apimachinery's mergeSortedSlice puts patch items the live list does not have first.
  const only = applyPatch('pods', 'strategic', { spec: { containers: [nginx()] } },
    { spec: { containers: [{ name: 'nginx', env: [{ name: 'C', value: 'c' }] }] } });
  assert.deepEqual(only.spec.containers[0].env.map((e: any) => e.name), ['C', 'A', 'B']);
});

test('$setElementOrder orders env as given', () => {
  const out = applyPatch('pods', 'strategic', { spec: { containers: [nginx()] } }, {
    spec: { containers: [{
      name: 'nginx',
      '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }, { name: 'B' }],
      env: [{ name: 'C', value: 'c' }],
    }] },
  });
  assert.deepEqual(out.spec.containers[0].env.map((e: any) => e.name), ['C', 'A', 'B']);
});

test('volumes merge by name, volumeMounts by mountPath, $retainKeys clears the old source', () => {
  const live = { spec: {
    containers: [nginx()],
    volumes: [{ name: 'www', emptyDir: {} }, { name: 'conf', configMap: { name: 'c' } }],
  } };
  const out = applyPatch('pods', 'strategic', live, { spec: {
    volumes: [{ name: 'www', $retainKeys: ['hostPath', 'name'], hostPath: { path: '/srv' } }],
    containers: [{ name: 'nginx', volumeMounts: [{ mountPath: '/usr/share/nginx/html', readOnly: true }, { name: 'conf', mountPath: '/etc/nginx' }] }],
  } });
  assert.deepEqual(out.spec.volumes, [{ name: 'www', hostPath: { path: '/srv' } }, { name: 'conf', configMap: { name: 'c' } }]);
  const mounts = out.spec.containers[0].volumeMounts;
  assert.equal(mounts.length, 2);
  assert.deepEqual(mounts.find((m: any) => m.mountPath === '/usr/share/nginx/html'), { name: 'www', mountPath: '/usr/share/nginx/html', readOnly: true });
  assertNoDirectives(out);
});

test('$retainKeys rejects a patch key it does not list', () => {
  assert.throws(
    () => applyPatch('pods', 'strategic', { spec: { volumes: [{ name: 'a', emptyDir: {} }] } },
      { spec: { volumes: [{ name: 'a', $retainKeys: ['name'], hostPath: { path: '/x' } }] } }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'invalid patch format of retainKeys',
  );
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes values', () => {
  const live = { metadata: { name: 'p', finalizers: ['a', 'b'] } };
  const added = applyPatch('pods', 'strategic', live, { metadata: { finalizers: ['b', 'c'] } });
  assert.deepEqual(new Set(added.metadata.finalizers), new Set(['a', 'b', 'c']));
  assert.equal(added.metadata.finalizers.length, 3);
  const removed = applyPatch('pods', 'strategic', live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
  assert.deepEqual(removed.metadata.finalizers, ['b']);
  assertNoDirectives(removed);
});

test('args, command, tolerations, accessModes and volumeClaimTemplates are replaced whole', () => {
  const live = sts([{ ...nginx(), args: ['a', 'b'], command: ['sh'] }], { tolerations: [{ key: 'k', operator: 'Exists' }] }) as any;
  live.spec.volumeClaimTemplates = [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'] } }];
  const out = applyPatch('statefulsets.apps', 'strategic', live, { spec: {
    template: { spec: { containers: [{ name: 'nginx', args: ['c'] }], tolerations: [{ key: 'z', operator: 'Exists' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteMany'] } }],
  } });
  assert.deepEqual(out.spec.template.spec.containers[0].args, ['c']);
  assert.deepEqual(out.spec.template.spec.containers[0].command, ['sh']);
  assert.deepEqual(out.spec.template.spec.tolerations, [{ key: 'z', operator: 'Exists' }]);
  assert.deepEqual(out.spec.volumeClaimTemplates, [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteMany'] } }]);

  const pvc = applyPatch('persistentvolumeclaims', 'strategic', { spec: { accessModes: ['ReadWriteOnce'] } },
    { spec: { accessModes: ['ReadOnlyMany'] } });
  assert.deepEqual(pvc.spec.accessModes, ['ReadOnlyMany']);
});

test('Service ports merge by port; $patch delete removes one', () => {
  const live = { spec: { ports: [{ port: 80, name: 'http', targetPort: 8080 }, { port: 443, name: 'https' }], selector: { app: 'x' } } };
  const out = applyPatch('services', 'strategic', live, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443, $patch: 'delete' }] } });
  assert.deepEqual(out.spec.ports, [{ port: 80, name: 'http', targetPort: 9090 }]);
});

test('status conditions merge by type; ownerReferences by uid', () => {
  const live = {
    metadata: { ownerReferences: [{ uid: 'u1', name: 'a' }] },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] },
  };
  const out = applyPatch('pods', 'strategic', live, {
    metadata: { ownerReferences: [{ uid: 'u2', name: 'b' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  });
  assert.deepEqual(out.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }]);
  assert.equal(out.metadata.ownerReferences.length, 2);
});

test('$patch replace on a list, $patch delete on a map, new values have their directives processed', () => {
  const live = { metadata: { labels: { a: '1' } }, spec: { containers: [nginx()] } };
  const out = applyPatch('pods', 'strategic', live, {
    metadata: { labels: { $patch: 'delete' } },
    spec: {
      containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }],
      initContainers: [{ name: 'init', image: 'i', env: [{ name: 'X', value: 'x' }, { name: 'Y', $patch: 'delete' }] }],
      securityContext: { $patch: 'replace', runAsUser: 1 },
    },
  });
  assert.equal('labels' in out.metadata, false);
  assert.deepEqual(out.spec.containers, [{ name: 'only', image: 'x' }]);
  assert.deepEqual(out.spec.initContainers, [{ name: 'init', image: 'i', env: [{ name: 'X', value: 'x' }] }]);
  assert.deepEqual(out.spec.securityContext, { runAsUser: 1 });
  assertNoDirectives(out);
});

test('malformed strategic patches are 400 with apimachinery messages', () => {
  const live = { spec: { containers: [nginx()] } };
  const is400 = (msg: RegExp) => (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest' && msg.test(e.message);
  assert.throws(() => applyPatch('pods', 'strategic', live, [1]), is400(/cannot unmarshal array/));
  assert.throws(() => applyPatch('pods', 'strategic', live, { spec: { containers: [{ image: 'x' }] } }),
    is400(/^map: map\[image:x\] does not contain declared merge key: name$/));
  assert.throws(() => applyPatch('pods', 'strategic', live, { spec: { $patch: 'bogus' } }), is400(/^unknown patch type: bogus in map/));
  assert.throws(() => applyPatch('pods', 'strategic', live, { spec: { '$setElementOrder/containers': 'x' } }),
    is400(/^invalid patch format of setElementOrder list$/));
  assert.throws(() => applyPatch('pods', 'strategic', live, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }),
    is400(/^invalid patch format of primitive list$/));
});

test('unknown resource keys: strategic merge acts like a JSON merge patch', () => {
  const out = applyPatch('widgets.example.com', 'strategic', { spec: { list: [1, 2], m: { a: 1, b: 2 } } },
    { spec: { list: [3], m: { a: null, c: 3 } } });
  assert.deepEqual(out, { spec: { list: [3], m: { b: 2, c: 3 } } });
});

test('scale: JSON merge patch of replicas', () => {
  const scale = { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, spec: { replicas: 2 }, status: { replicas: 2 } };
  const out = applyPatch('statefulsets.apps', 'merge', scale, { spec: { replicas: 3 } });
  assert.equal(out.spec.replicas, 3);
  assert.equal(scale.spec.replicas, 2);
});

test('JSON merge patch: nested merge, null deletes, lists replace, non-object is 400', () => {
  const out = applyPatch('pods', 'merge', { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [nginx()] } },
    { metadata: { labels: { a: null, c: '3' } }, spec: { containers: [{ name: 'x' }] } });
  assert.deepEqual(out, { metadata: { labels: { b: '2', c: '3' } }, spec: { containers: [{ name: 'x' }] } });
  assert.throws(() => applyPatch('pods', 'merge', {}, [1]), (e: unknown) => e instanceof StatusError && e.code === 400);
});

test('JSON patch: add, replace, remove, test, move, copy; failures are 422, bad bodies 400', () => {
  const live = { metadata: { labels: { a: '1' } }, spec: { containers: [nginx()] } };
  const out = applyPatch('pods', 'json', live, [
    { op: 'test', path: '/metadata/labels/a', value: '1' },
    { op: 'add', path: '/metadata/labels/b~1c', value: '2' },
    { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
    { op: 'add', path: '/spec/containers/-', value: { name: 'side' } },
    { op: 'copy', from: '/spec/containers/1/name', path: '/metadata/labels/side' },
    { op: 'move', from: '/metadata/labels/a', path: '/metadata/labels/moved' },
    { op: 'remove', path: '/spec/containers/0/env' },
  ]);
  assert.deepEqual(out.metadata.labels, { 'b/c': '2', side: 'side', moved: '1' });
  assert.equal(out.spec.containers[0].image, 'nginx:2');
  assert.equal(out.spec.containers[0].env, undefined);
  assert.equal(out.spec.containers[1].name, 'side');
  assert.equal(live.spec.containers.length, 1);

  const is = (code: number, re?: RegExp) => (e: unknown) => e instanceof StatusError && e.code === code &&
    (!re || re.test(JSON.stringify(e.toStatus())));
  assert.throws(() => applyPatch('pods', 'json', live, { op: 'add' }), is(400, /cannot unmarshal object/));
  assert.throws(() => applyPatch('pods', 'json', live, [{ op: 'remove', path: '/spec/nope' }]),
    is(422, /Unable to remove nonexistent key: nope/));
  assert.throws(() => applyPatch('pods', 'json', live, [{ op: 'replace', path: '/spec/nope', value: 1 }]), is(422));
  assert.throws(() => applyPatch('pods', 'json', live, [{ op: 'test', path: '/metadata/labels/a', value: '2' }]),
    is(422, /testing value \/metadata\/labels\/a failed/));
  assert.throws(() => applyPatch('pods', 'json', live, [{ op: 'add', path: '/x/y/z', value: 1 }]), is(422));
  assert.throws(() => applyPatch('pods', 'json', live, [{ op: 'frobnicate', path: '/x' }]), is(422, /Unexpected kind: frobnicate/));
});
