// The store is shaped like etcd: keys with values, a single global revision
// that every write advances (it becomes the objects' resourceVersion), compare-
// on-revision writes, prefix ranges, watches from a revision, and compaction.
// Implementations are synchronous: one process owns the data, and Node's event
// loop makes every write a linearisable step.

export interface KeyValue {
  key: string;
  /** The serialised object (JSON), without resourceVersion: that is modRevision. */
  value: string;
  createRevision: number;
  modRevision: number;
}

export interface StoreEvent {
  type: 'put' | 'delete';
  key: string;
  /** The new value (put) or the last value (delete). */
  value: string;
  /** The value before this event, if any. */
  prevValue?: string;
  createRevision: number;
  /** The revision of this event. */
  revision: number;
}

export type StoreErrorCode = 'KeyExists' | 'KeyNotFound' | 'Conflict' | 'Compacted';

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode, message: string, readonly currentRevision?: number) {
    super(message);
  }
}

export interface RangeResult {
  items: KeyValue[];
  /** The store revision the range reflects. */
  revision: number;
  /** True when `limit` cut the range short. */
  more: boolean;
}

export interface StoreWatch {
  cancel(): void;
}

export interface Store {
  /** The current (latest) revision. */
  revision(): number;
  /** The oldest revision a watch may start after (watches from before it fail with Compacted). */
  compactedRevision(): number;
  get(key: string): KeyValue | undefined;
  /** Keys with this prefix in key order; `startKey` (inclusive) and `limit` page through them. */
  range(prefix: string, opts?: { startKey?: string; limit?: number }): RangeResult;
  count(prefix: string): number;
  /** Fails with KeyExists. Returns the new revision. */
  create(key: string, value: string): number;
  /** Fails with KeyNotFound, or Conflict when expectedModRevision is given and differs. */
  update(key: string, value: string, expectedModRevision?: number): number;
  /** Fails with KeyNotFound or Conflict. Returns the revision of the delete. */
  delete(key: string, expectedModRevision?: number): number;
  /**
   * Calls `onEvent` for each event with revision > fromRevision under the prefix, first the
   * retained history, then live events. Fails with Compacted when history before
   * fromRevision is gone.
   */
  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void): StoreWatch;
  /** Drops history up to `revision`. */
  compact(revision: number): void;
  close(): void;
}
