// Expectations: a set's next sync waits until the caches have seen its writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations, type CacheView } from '../../src/controllers/statefulset/expectations.js';

function cache(rv: number, objects: Record<string, { uid: string; deletionTimestamp?: string }> = {}) {
  const c = {
    rv,
    objects,
    resourceVersion: () => String(c.rv),
    get: (_ns: string | undefined, name: string) => {
      const o = c.objects[name];
      return o && { metadata: { uid: o.uid, deletionTimestamp: o.deletionTimestamp } };
    },
  };
  return c;
}

test('expectations: met once each cache reaches the written resourceVersion, or the deleted object is gone', () => {
  const pods = cache(10, { 'web-0': { uid: 'a' } });
  const claims = cache(10);
  let now = 0;
  const e = new Expectations((res) => (res === 'pods' ? pods : res === 'persistentvolumeclaims' ? claims : undefined) as CacheView | undefined, () => now, 30_000);
  assert.ok(e.satisfied('default/web'));
  e.wrote('default/web', 'pods', '12');
  e.wrote('default/web', 'persistentvolumeclaims', '11');
  e.deleted('default/web', 'pods', 'default', 'web-0', 'a');
  assert.ok(!e.satisfied('default/web'));
  pods.rv = 12;
  claims.rv = 11;
  assert.ok(!e.satisfied('default/web'), 'web-0 still cached alive');
  pods.objects['web-0'] = { uid: 'a', deletionTimestamp: 'now' };
  assert.ok(e.satisfied('default/web'));
  assert.ok(e.satisfied('default/other'), 'per set');
});

test('expectations: dropped after the timeout, and on forget', () => {
  const pods = cache(1);
  let now = 0;
  const e = new Expectations(() => pods, () => now, 1000);
  e.wrote('k', 'pods', '5');
  assert.ok(!e.satisfied('k'));
  now = 1001;
  assert.ok(e.satisfied('k'));
  e.wrote('k', 'pods', '9');
  e.forget('k');
  assert.ok(e.satisfied('k'));
});
