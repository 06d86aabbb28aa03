// Held removals: the bookkeeping alone (fake timers), then through the
// registry: a pod a client read while it terminated is removed only once a
// watch names it (which then sees DELETED), or at the deadline; a pod nobody
// read goes at once.
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceByKey } from '../../src/api/resources.js';
import { parseFieldSelector } from '../../src/api/selectors.js';
import type { KObject, WatchEvent } from '../../src/client/types.js';
import { Registry } from '../../src/registry/registry.js';
import { bootstrap } from '../../src/registry/bootstrap.js';
import { RemovalHolds } from '../../src/registry/removalHolds.js';
import { keyFor } from '../../src/registry/storage.js';
import { MemoryStore } from '../../src/store/memory.js';

const pods = resourceByKey('pods');
const nodes = resourceByKey('nodes');
const KEY = keyFor(pods, 'default', 'web-0');

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

describe('RemovalHolds', () => {
  test('no read, no hold: the removal goes at once', () => {
    const h = new RemovalHolds(500);
    assert.equal(h.hold(KEY, 'u1', () => assert.fail('not held')), false);
    assert.equal(h.size, 0);
  });

  test('a read holds the removal until a watch names the object; it runs once', () => {
    const h = new RemovalHolds(500);
    h.read(KEY, 'u1');
    let runs = 0;
    assert.equal(h.hold(KEY, 'u1', () => runs++), true);
    mock.timers.tick(100);
    assert.equal(runs, 0);
    h.releaseNamed(pods, 'default', parseFieldSelector('metadata.name=web-0'));
    assert.equal(runs, 1);
    assert.equal(h.size, 0);
    h.release(KEY);
    mock.timers.tick(1000);
    assert.equal(runs, 1, 'neither a second release nor the deadline runs it again');
  });

  test('released before any removal: a later removal is not held', () => {
    const h = new RemovalHolds(500);
    h.read(KEY, 'u1');
    h.release(KEY);
    assert.equal(h.hold(KEY, 'u1', () => undefined), false);
  });

  test('entries expire: the held removal runs at the deadline, and an unused read leaves nothing behind', () => {
    const h = new RemovalHolds(500);
    h.read(KEY, 'u1');
    h.read(keyFor(pods, 'default', 'web-1'), 'u2');
    let runs = 0;
    mock.timers.tick(200);
    assert.equal(h.hold(KEY, 'u1', () => runs++), true);
    mock.timers.tick(299);
    assert.equal(runs, 0);
    mock.timers.tick(1);
    assert.equal(runs, 1, '500 ms after the read');
    assert.equal(h.size, 0, 'both entries expired');
  });

  test('reading again does not extend the hold', () => {
    const h = new RemovalHolds(500);
    h.read(KEY, 'u1');
    let runs = 0;
    h.hold(KEY, 'u1', () => runs++);
    mock.timers.tick(400);
    h.read(KEY, 'u1');
    mock.timers.tick(100);
    assert.equal(runs, 1);
  });

  test('only the uid that was read is held; a read of a newer object releases the older one', () => {
    const h = new RemovalHolds(500);
    h.read(KEY, 'u1');
    assert.equal(h.hold(KEY, 'u2', () => assert.fail('another object')), false);
    let runs = 0;
    h.hold(KEY, 'u1', () => runs++);
    h.read(KEY, 'u2');
    assert.equal(runs, 1);
    assert.equal(h.size, 1);
  });

  test('a later removal attempt replaces the earlier one', () => {
    const h = new RemovalHolds(500);
    h.read(KEY, 'u1');
    const ran: string[] = [];
    h.hold(KEY, 'u1', () => ran.push('first'));
    h.hold(KEY, 'u1', () => ran.push('second'));
    h.release(KEY);
    assert.deepEqual(ran, ['second']);
  });

  test('which watches release: by name in the namespace, across namespaces, with metadata.namespace; not without a name', () => {
    const h = new RemovalHolds(500);
    const other = keyFor(pods, 'other', 'web-0');
    const ran: string[] = [];
    for (const [k, u] of [[KEY, 'a'], [other, 'b'], [keyFor(pods, 'default', 'web-00'), 'c']] as const) {
      h.read(k, u);
      h.hold(k, u, () => ran.push(u));
    }
    h.releaseNamed(pods, 'default', parseFieldSelector('metadata.name!=web-0'));
    h.releaseNamed(pods, 'default', []);
    h.releaseNamed(pods, 'default', parseFieldSelector('metadata.name=web-1'));
    h.releaseNamed(nodes, undefined, parseFieldSelector('metadata.name=web-0'));
    assert.deepEqual(ran, []);
    h.releaseNamed(pods, undefined, parseFieldSelector('metadata.namespace=other,metadata.name=web-0'));
    assert.deepEqual(ran, ['b']);
    h.releaseNamed(pods, undefined, parseFieldSelector('metadata.name=web-0'));
    assert.deepEqual(ran, ['b', 'a'], 'all namespaces, and not web-00');
    h.releaseAll();
    assert.deepEqual(ran, ['b', 'a', 'c']);
    assert.equal(h.size, 0);
  });

  test('holding turned off (0 ms): a read holds nothing', () => {
    const h = new RemovalHolds(0);
    h.read(KEY, 'u1');
    assert.equal(h.hold(KEY, 'u1', () => undefined), false);
    assert.equal(h.size, 0);
  });
});

describe('Registry: held pod removal', () => {
  function setup() {
    const registry = new Registry({ store: new MemoryStore(), removalHoldMs: 500 });
    bootstrap(registry);
    const created = registry.create(pods, 'default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    } as KObject).object;
    const uid = created.metadata!.uid!;
    // kubectl's DELETE: graceful, the pod is Terminating.
    const terminating = registry.delete(pods, 'default', 'web-0', {}).object;
    assert.ok(terminating.metadata!.deletionTimestamp);
    // The kubelet's last step once the containers stopped.
    const remove = () => registry.delete(pods, 'default', 'web-0', { gracePeriodSeconds: 0, preconditions: { uid } });
    const exists = () => {
      try {
        return registry.get(pods, 'default', 'web-0').metadata!.uid === uid;
      } catch {
        return false;
      }
    };
    return { registry, terminating, remove, exists };
  }

  test('nobody read the terminating pod: removed at once', () => {
    const { remove, exists } = setup();
    assert.equal(remove().deleted, true);
    assert.equal(exists(), false);
  });

  test('read while terminating: the removal waits for the watch by name, which sees DELETED', () => {
    const { registry, terminating, remove, exists } = setup();
    registry.noteTerminatingRead(pods, registry.get(pods, 'default', 'web-0'));
    const r = remove();
    assert.equal(r.deleted, false, 'held');
    assert.equal(exists(), true);
    // A list by name does not release it (client-go checks its cache only after syncing).
    const list = registry.list(pods, 'default', { fieldSelector: 'metadata.name=web-0', limit: 500 });
    assert.equal(list.items.length, 1);
    assert.equal(exists(), true);
    const events: WatchEvent[] = [];
    const w = registry.watch(pods, 'default', { fieldSelector: 'metadata.name=web-0', resourceVersion: list.resourceVersion }, (ev) => events.push(ev));
    assert.equal(exists(), false, 'removed once the watch is open');
    assert.deepEqual(events.map((e) => [e.type, e.object.metadata?.uid]), [['DELETED', terminating.metadata!.uid]]);
    w.stop();
  });

  test('a watch on another name, or by label only, does not release it; the deadline does', () => {
    const { registry, remove, exists } = setup();
    registry.noteTerminatingRead(pods, registry.get(pods, 'default', 'web-0'));
    remove();
    registry.watch(pods, 'default', { fieldSelector: 'metadata.name=web-1' }, () => undefined).stop();
    registry.watch(pods, 'default', { labelSelector: 'app=web' }, () => undefined).stop();
    mock.timers.tick(499);
    assert.equal(exists(), true);
    mock.timers.tick(1);
    assert.equal(exists(), false);
  });

  test('a read of a pod that is not terminating holds nothing', () => {
    const registry = new Registry({ store: new MemoryStore(), removalHoldMs: 500 });
    bootstrap(registry);
    registry.create(pods, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KObject);
    registry.noteTerminatingRead(pods, registry.get(pods, 'default', 'p'));
    // Not bound to a node: deleted at once, whatever was read.
    assert.equal(registry.delete(pods, 'default', 'p', {}).deleted, true);
  });

  test('the last finalizer removed from a read object: the update is written, the removal follows the watch', () => {
    const registry = new Registry({ store: new MemoryStore(), removalHoldMs: 500 });
    bootstrap(registry);
    registry.create(pods, 'default', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kept', finalizers: ['example.com/keep'] },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    } as KObject);
    // Grace 0: only the finalizer keeps it.
    registry.delete(pods, 'default', 'kept', { gracePeriodSeconds: 0 });
    registry.noteTerminatingRead(pods, registry.get(pods, 'default', 'kept'));
    const after = registry.patch(pods, 'default', 'kept', 'json', [{ op: 'remove', path: '/metadata/finalizers' }]).object;
    assert.equal(after.metadata!.finalizers, undefined);
    assert.equal(registry.get(pods, 'default', 'kept').metadata!.finalizers, undefined, 'written, held');
    registry.watch(pods, 'default', { fieldSelector: 'metadata.name=kept' }, () => undefined).stop();
    assert.throws(() => registry.get(pods, 'default', 'kept'), /not found/);
  });

  test('releaseHeldRemovals (the API server stops) removes what was held', () => {
    const { registry, remove, exists } = setup();
    registry.noteTerminatingRead(pods, registry.get(pods, 'default', 'web-0'));
    remove();
    assert.equal(exists(), true);
    registry.releaseHeldRemovals();
    assert.equal(exists(), false);
  });
});
