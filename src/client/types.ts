// The API as in-process parts (controllers, node agent, DNS, dashboard) see it.
// It is the same registry kubectl reaches over HTTPS, minus the HTTP hop: the
// same validation, defaulting, admission and optimistic concurrency apply.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { ResourceKey } from '../api/resources.js';

/** kubernetes-types marks server-set fields read-only; the registry is the server that sets them. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type ObjectMetadata = Mutable<ObjectMeta>;

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetadata;
  [field: string]: unknown;
}

export interface ObjectList<T> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KObject> {
  type: WatchEventType;
  object: T;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Only changes after this version; '' or '0' means "from now". */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

export interface Watch {
  stop(): void;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WriteOptions {
  /** Write a subresource instead of the main object (`status`, `scale`). */
  subresource?: string;
  fieldManager?: string;
  dryRun?: boolean;
  force?: boolean;
}

/**
 * A client of the API. Resources are named by key: `pods`, `services`,
 * `statefulsets.apps`, `endpointslices.discovery.k8s.io` (see api/resources.ts).
 * `namespace` is ignored for cluster-scoped resources. Errors are StatusError.
 */
export interface Client {
  get<T extends KObject = KObject>(res: ResourceKey, namespace: string | undefined, name: string, opts?: { subresource?: string }): Promise<T>;
  list<T extends KObject = KObject>(res: ResourceKey, namespace?: string, opts?: ListOptions): Promise<ObjectList<T>>;
  create<T extends KObject = KObject>(res: ResourceKey, namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T>;
  update<T extends KObject = KObject>(res: ResourceKey, namespace: string | undefined, obj: T, opts?: WriteOptions): Promise<T>;
  patch<T extends KObject = KObject>(res: ResourceKey, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: WriteOptions): Promise<T>;
  /** Returns the object as it is after the call (with deletionTimestamp while finalizers or grace remain), or undefined once gone. */
  delete<T extends KObject = KObject>(res: ResourceKey, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<T | undefined>;
  /** Events arrive in resourceVersion order; on 410 Gone an ERROR event with a Status object is delivered and the watch ends. */
  watch<T extends KObject = KObject>(res: ResourceKey, namespace: string | undefined, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch;
}
