import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../src/store/memory.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { StoreError, type Store, type StoreEvent } from '../../src/store/types.js';

function withTmp(fn: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'ordinal-store-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function contract(name: string, make: (dir: string) => Store) {
  test(`${name}: create, update with compare, delete, range`, () => withTmp((dir) => {
    const s = make(dir);
    const r1 = s.create('/a/1', '{"v":1}');
    assert.equal(r1, 1);
    assert.throws(() => s.create('/a/1', 'x'), (e: unknown) => e instanceof StoreError && e.code === 'KeyExists');
    const r2 = s.update('/a/1', '{"v":2}', r1);
    assert.equal(r2, 2);
    assert.throws(() => s.update('/a/1', 'x', r1), (e: unknown) => e instanceof StoreError && e.code === 'Conflict');
    s.create('/a/2', '{}');
    s.create('/b/1', '{}');
    assert.deepEqual(s.range('/a/').items.map((kv) => kv.key), ['/a/1', '/a/2']);
    const page = s.range('/a/', { limit: 1 });
    assert.equal(page.more, true);
    assert.deepEqual(s.range('/a/', { startKey: '/a/1\0' }).items.map((kv) => kv.key), ['/a/2']);
    assert.equal(s.get('/a/1')!.createRevision, 1);
    assert.equal(s.get('/a/1')!.modRevision, 2);
    s.delete('/a/1');
    assert.equal(s.get('/a/1'), undefined);
    assert.equal(s.count('/a/'), 1);
    assert.equal(s.revision(), 5);
    s.close();
  }));

  test(`${name}: watch replays history after a revision, then goes live; compacted history is Gone`, () => withTmp((dir) => {
    const s = make(dir);
    s.create('/p/x', '1');
    s.update('/p/x', '2');
    s.create('/q/y', 'other prefix');
    const seen: StoreEvent[] = [];
    const w = s.watch('/p/', 1, (ev) => seen.push(ev));
    assert.deepEqual(seen.map((e) => [e.type, e.value, e.revision]), [['put', '2', 2]]);
    s.delete('/p/x');
    assert.deepEqual(seen.map((e) => e.type), ['put', 'delete']);
    assert.equal(seen[1].value, '2');
    w.cancel();
    s.create('/p/z', 'after cancel');
    assert.equal(seen.length, 2);
    s.compact(3);
    assert.throws(() => s.watch('/p/', 1, () => {}), (e: unknown) => e instanceof StoreError && e.code === 'Compacted');
    s.close();
  }));
}

contract('memory', () => new MemoryStore());
contract('sqlite', (dir) => new SqliteStore(join(dir, 'state.db')));

test('sqlite: state, revisions and recent history survive a reopen', () => withTmp((dir) => {
  const path = join(dir, 'state.db');
  const s = new SqliteStore(path);
  s.create('/r/a', 'A1');
  s.update('/r/a', 'A2');
  s.create('/r/b', 'B1');
  s.delete('/r/b');
  s.close();
  const t = new SqliteStore(path);
  assert.equal(t.revision(), 4);
  assert.equal(t.get('/r/a')!.value, 'A2');
  assert.equal(t.get('/r/a')!.modRevision, 2);
  assert.equal(t.get('/r/a')!.createRevision, 1);
  assert.equal(t.get('/r/b'), undefined);
  const seen: StoreEvent[] = [];
  t.watch('/r/', 2, (ev) => seen.push(ev));
  assert.deepEqual(seen.map((e) => [e.type, e.key, e.revision]), [['put', '/r/b', 3], ['delete', '/r/b', 4]]);
  assert.equal(t.create('/r/c', 'C'), 5);
  t.close();
}));

test('memory: history window bounds replay like a watch cache', () => {
  const s = new MemoryStore({ historySize: 3 });
  for (let i = 0; i < 10; i++) s.create(`/h/${i}`, String(i));
  assert.throws(() => s.watch('/h/', 2, () => {}), (e: unknown) => e instanceof StoreError && e.code === 'Compacted');
  const seen: number[] = [];
  s.watch('/h/', 7, (ev) => seen.push(ev.revision));
  assert.deepEqual(seen, [8, 9, 10]);
  // Watching from the current revision is always allowed.
  s.watch('/h/', 10, () => {});
});
