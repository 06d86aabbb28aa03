// The embedded default store: SQLite (better-sqlite3, WAL) in kine's one-table
// layout. Every write appends a row whose id is the new revision; the current
// state is the newest row per key, unless that row is a delete. Reads are
// served from the in-memory index this class inherits, rebuilt from the table
// at start, so the hot path never touches disk; writes are committed
// to the WAL before they are acknowledged, so they survive kill -9.
import Database from 'better-sqlite3';
import { MemoryStore, type MemoryStoreOptions } from './memory.js';
import type { StoreEvent } from './types.js';

export interface SqliteStoreOptions extends MemoryStoreOptions {
  /**
   * 'NORMAL' (default): in WAL mode every commit is in the WAL file before the
   * write is acknowledged, so it survives kill -9 of ordinal; a power loss may
   * lose the last commits. 'FULL' fsyncs every commit and survives power loss,
   * at about a third of the write rate.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

interface Row {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  value: string;
}

export class SqliteStore extends MemoryStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly setMeta: Database.Statement;

  constructor(path: string, opts: SqliteStoreOptions = {}) {
    super(opts);
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS kine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        created INTEGER NOT NULL,
        deleted INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER NOT NULL,
        value TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS kine_name_id ON kine (name, id);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.insert = this.db.prepare(
      'INSERT INTO kine (id, name, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.setMeta = this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.load(opts.historySize ?? 20000);
  }

  protected override persist(ev: StoreEvent): void {
    const prev = this.get(ev.key);
    this.insert.run(
      ev.revision, ev.key, ev.type === 'put' && !prev ? 1 : 0, ev.type === 'delete' ? 1 : 0,
      ev.createRevision, prev?.modRevision ?? 0, ev.value,
    );
    this.applyEvent(ev);
  }

  override compact(revision: number): void {
    super.compact(revision);
    const upto = this.compactedRevision();
    // Drop superseded rows and deletes at or below the compaction point; keep the newest live row per key.
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM kine WHERE id <= ? AND (deleted = 1 OR id NOT IN (SELECT MAX(id) FROM kine GROUP BY name))`).run(upto);
      this.setMeta.run('compacted', upto);
    })();
  }

  override close(): void {
    super.close();
    if (this.db.open) this.db.close();
  }

  private load(historySize: number): void {
    const compacted = (this.db.prepare(`SELECT value FROM meta WHERE key = 'compacted'`).get() as { value: number } | undefined)?.value ?? 0;
    const maxId = (this.db.prepare('SELECT MAX(id) AS m FROM kine').get() as { m: number | null }).m ?? 0;
    // Current state: the newest row of each key, when it is not a delete.
    const current = this.db.prepare(
      `SELECT k.* FROM kine k JOIN (SELECT name, MAX(id) AS id FROM kine GROUP BY name) last ON k.id = last.id WHERE k.deleted = 0`,
    ).all() as Row[];
    for (const r of current) {
      this.data.set(r.name, { key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id });
    }
    this.rev = maxId;
    // Recent history, so that watches resume across a restart.
    const recent = (this.db.prepare('SELECT * FROM kine WHERE id > ? ORDER BY id DESC LIMIT ?').all(compacted, historySize) as Row[]).reverse();
    const prevStmt = this.db.prepare('SELECT value FROM kine WHERE id = ?');
    const events: StoreEvent[] = recent.map((r) => {
      const prevValue = r.prev_revision ? (prevStmt.get(r.prev_revision) as { value: string } | undefined)?.value : undefined;
      return {
        type: r.deleted ? 'delete' : 'put',
        key: r.name,
        value: r.value,
        prevValue,
        createRevision: r.create_revision,
        revision: r.id,
      };
    });
    const oldest = events.length ? events[0].revision - 1 : maxId;
    this.seedHistory(events, Math.max(compacted, oldest));
  }
}
