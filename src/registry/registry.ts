// The registry: every read and write of every API object goes through here,
// from kubectl (via the HTTP layer) and from in-process parts alike. It
// applies defaulting, validation, admission, optimistic concurrency,
// generation, graceful deletion and finalizers, then talks to the store.
import { randomUUID } from 'node:crypto';
import type { ResourceInfo } from '../api/resources.js';
import { apiVersionOf, keyOf, resourceByKey } from '../api/resources.js';
import {
  StatusError, alreadyExists, badRequest, conflict, fieldErr, forbidden, gone, invalid, notFound, staleConflict,
  type FieldError, type Status,
} from '../api/errors.js';
import { admitPod, applyDefaults, prepareForUpdate } from '../api/defaults/index.js';
import { applyBinding } from './binding.js';
import { Eviction } from './eviction.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../api/validation/index.js';
import { labelSelectorString, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldRequirement, type Selector } from '../api/selectors.js';
import { applyPatch, recordUpdate, serverSideApply } from '../apiserver/patch/index.js';
import { deepEqual } from '../apiserver/patch/json.js';
import { checkTypeAndFields, orderFields, withTypeMeta } from './typeMeta.js';
import type { DeleteOptions, KObject, ListOptions, PatchType, WatchEvent, WatchOptions } from '../client/types.js';
import { StoreError, type Store, type StoreEvent } from '../store/types.js';
import { decode, decodeKV, encode, keyFor, prefixFor } from './storage.js';
import { allowsCreateOnUpdate, allowsUnconditionalUpdate, fieldAlias, hasStatus, prepareForCreate, specOf, supportedFields, usesGeneration } from './strategy.js';
import { allocateServiceAddresses, Cidr, ServiceIPAllocator } from './ipalloc.js';
import { rfc3339 } from '../api/time.js';
import { RemovalHolds } from './removalHolds.js';

export interface WriteOpts {
  subresource?: string;
  dryRun?: boolean;
  fieldManager?: string;
  /** Strict | Warn | Ignore (kube's server-side field validation). */
  fieldValidation?: string;
  force?: boolean;
}

export interface WriteResult<T = KObject> {
  object: T;
  warnings: string[];
}

/** Mutating admission: runs after defaulting, before validation (e.g. the default StorageClass). */
export type Admission = (op: 'CREATE' | 'UPDATE', ri: ResourceInfo, obj: KObject, old: KObject | undefined) => void;

export interface RegistryOptions {
  store: Store;
  now?: () => Date;
  serviceCIDR?: string;
  admission?: Admission[];
  /**
   * How long the removal of an object a client read while it was being
   * deleted may wait for that client's list or watch (see removalHolds.ts);
   * default 500 ms, 0 turns holding off.
   */
  removalHoldMs?: number;
}

export interface ListResult<T = KObject> {
  items: T[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface RegistryWatch {
  stop(): void;
}

const clone = <T>(o: T): T => structuredClone(o);


/** The generic store's answer to an update without a resourceVersion of a kind that needs one (`leases.coordination.k8s.io "x" is invalid: ...`). */
const resourceVersionRequired = (ri: ResourceInfo, name: string) =>
  invalid(ri.resource, ri.group, name, [{ ...fieldErr.invalid('metadata.resourceVersion', 0, 'must be specified for an update'), message: 'Invalid value: 0x0: must be specified for an update' }]);
const uidConflict = (ri: ResourceInfo, name: string, want: string, have: string | undefined) =>
  conflict(ri, name, `Precondition failed: UID in precondition: ${want}, UID in object meta: ${have ?? ''}`);

export class Registry {
  readonly store: Store;
  private readonly now: () => Date;
  private readonly ipAlloc: ServiceIPAllocator;
  private readonly admission: Admission[];
  private readonly removalHolds: RemovalHolds;
  private readonly eviction: Eviction;

  constructor(opts: RegistryOptions) {
    this.store = opts.store;
    this.now = opts.now ?? (() => new Date());
    this.ipAlloc = new ServiceIPAllocator(new Cidr(opts.serviceCIDR ?? '10.96.0.0/12'));
    this.admission = [...(opts.admission ?? [])];
    this.removalHolds = new RemovalHolds(opts.removalHoldMs);
    this.eviction = new Eviction(this, this.now);
  }

  addAdmission(a: Admission): void {
    this.admission.push(a);
  }

  serviceCIDR(): Cidr {
    return this.ipAlloc.cidr;
  }

  revision(): string {
    return String(this.store.revision());
  }

  // ---------------------------------------------------------------- reads

  get<T extends KObject = KObject>(ri: ResourceInfo, ns: string | undefined, name: string): T {
    const kv = this.store.get(keyFor(ri, ns, name));
    if (!kv) throw notFound(ri, name);
    return withTypeMeta(ri, decodeKV<T>(kv));
  }

  list<T extends KObject = KObject>(ri: ResourceInfo, ns: string | undefined, opts: ListOptions = {}): ListResult<T> {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = this.parseFields(ri, opts.fieldSelector);
    const prefix = prefixFor(ri, ns);
    let startKey: string | undefined;
    if (opts.continue) {
      try {
        const c = JSON.parse(Buffer.from(opts.continue, 'base64url').toString()) as { start: string };
        startKey = c.start;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      if (!startKey?.startsWith(prefix)) throw badRequest('continue key is not valid: incorrect encoded start resourceVersion');
    }
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: T[] = [];
    const rev = this.store.revision();
    // Page through the store until `limit` matching items are found.
    let from = startKey;
    for (;;) {
      const page = this.store.range(prefix, { startKey: from, limit: limit ? Math.max(limit * 2, 64) : undefined });
      for (let i = 0; i < page.items.length; i++) {
        const kv = page.items[i];
        const obj = decodeKV<T>(kv);
        if (!this.matches(obj, labels, fields)) continue;
        if (limit && items.length === limit) {
          const token = Buffer.from(JSON.stringify({ rv: rev, start: kv.key })).toString('base64url');
          return { items, resourceVersion: String(rev), continue: token };
        }
        items.push(withTypeMeta(ri, obj));
      }
      if (!page.more) break;
      from = page.items[page.items.length - 1].key + '\0';
    }
    return { items, resourceVersion: String(rev) };
  }

  // ---------------------------------------------------------------- writes

  create<T extends KObject = KObject>(ri: ResourceInfo, ns: string | undefined, input: T, opts: WriteOpts = {}): WriteResult<T> {
    if (opts.subresource === 'binding' && keyOf(ri) === 'pods') return this.bind(ri, ns, input, opts);
    if (opts.subresource === 'eviction' && keyOf(ri) === 'pods') {
      return { object: this.evict(ns ?? 'default', input.metadata?.name ?? '', input, opts) as unknown as T, warnings: [] };
    }
    if (opts.subresource) throw badRequest(`create is not supported on ${ri.resource}/${opts.subresource}`);
    const obj = clone(input) as KObject;
    const warnings = checkTypeAndFields(ri, obj, opts, 'create');
    const meta = (obj.metadata = obj.metadata ?? {});
    if (ri.namespaced) {
      if (meta.namespace && ns && meta.namespace !== ns) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ns ?? meta.namespace ?? 'default';
      this.checkNamespaceWritable(meta.namespace);
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name) {
      throw invalid(ri.kind, ri.group, '', [fieldErr.required('metadata.name', 'name or generateName is required')]);
    }
    if (meta.resourceVersion) {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    if (this.store.get(keyFor(ri, meta.namespace, meta.name))) throw alreadyExists(ri, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (usesGeneration(ri)) meta.generation = 1;
    else delete meta.generation;
    prepareForCreate(ri, obj);
    applyDefaults(keyOf(ri), obj);
    // Managed fields are recorded before admission, as the apiserver's create
    // handler does: what admission adds (a pod's service account, priority,
    // tolerations) belongs to no manager, so kubectl's migration from
    // client-side to server-side apply does not remove it.
    if (opts.fieldManager) recordUpdate(keyOf(ri), undefined, obj, opts.fieldManager, this.now());
    if (keyOf(ri) === 'pods') admitPod(obj);
    for (const a of this.admission) a('CREATE', ri, obj, undefined);
    // Allocate the Service's addresses first: validation requires them set.
    const allocErrs = keyOf(ri) === 'services' ? allocateServiceAddresses(this.store, this.ipAlloc, obj) : [];
    const errs = [...allocErrs, ...validateCreate(keyOf(ri), obj)];
    if (errs.length) throw invalid(ri.kind, ri.group, meta.name, errs);
    orderFields(ri, obj);
    if (opts.dryRun) return { object: obj as T, warnings };
    const key = keyFor(ri, meta.namespace, meta.name);
    let rev: number;
    try {
      rev = this.store.create(key, encode(obj));
    } catch (e) {
      if (e instanceof StoreError && e.code === 'KeyExists') throw alreadyExists(ri, meta.name);
      throw e;
    }
    return { object: decode<T>(encode(obj), rev), warnings };
  }

  /**
   * PUT: replaces the object (or its status/scale subresource). For the kinds
   * whose strategy allows create on update, a PUT of an object that does not
   * exist creates it (`created`).
   */
  update<T extends KObject = KObject>(
    ri: ResourceInfo, ns: string | undefined, name: string, input: T, opts: WriteOpts = {},
  ): WriteResult<T> & { created: boolean } {
    const obj = clone(input) as KObject;
    const warnings = opts.subresource ? [] : checkTypeAndFields(ri, obj, opts, 'update');
    const meta = (obj.metadata = obj.metadata ?? {});
    if (meta.name && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
    if (ri.namespaced && meta.namespace && ns && meta.namespace !== ns) {
      throw badRequest(`the namespace of the object (${meta.namespace}) does not match the namespace on the request (${ns})`);
    }
    const key = keyFor(ri, ns, name);
    const kv = this.store.get(key);
    if (!kv && !opts.subresource && allowsCreateOnUpdate(ri)) return { ...this.createOnUpdate<T>(ri, ns, name, input, opts), created: true };
    if (!kv) throw notFound(ri, name);
    // The uid a PUT carries is a precondition (the generic store's Preconditions).
    const old = decodeKV(kv);
    if (meta.uid && meta.uid !== old.metadata?.uid) throw uidConflict(ri, name, meta.uid, old.metadata?.uid);
    if (!meta.resourceVersion && opts.subresource !== 'scale' && !allowsUnconditionalUpdate(ri)) throw resourceVersionRequired(ri, name);
    if (meta.resourceVersion && meta.resourceVersion !== String(kv.modRevision)) throw staleConflict(ri, name);
    const next = this.prepareUpdate(ri, obj, old, opts);
    return { object: this.commitUpdate<T>(ri, key, next, old, kv.modRevision, opts), warnings, created: false };
  }

  /**
   * The generic store's create path of an update: the name must be the URL's,
   * a uid precondition cannot hold, and a resourceVersion in the body is
   * dropped (the stored object gets its own); the rest is a create.
   */
  private createOnUpdate<T extends KObject>(ri: ResourceInfo, ns: string | undefined, name: string, input: T, opts: WriteOpts): WriteResult<T> {
    const { resourceVersion: _rv, ...meta } = input.metadata ?? {};
    if (!meta.name) throw badRequest(`the name of the object (${name} based on URL) was undeterminable: name must be provided`);
    if (meta.uid) throw uidConflict(ri, name, meta.uid, undefined);
    return this.create<T>(ri, ns, { ...input, metadata: meta }, opts);
  }

  patch<T extends KObject = KObject>(
    ri: ResourceInfo, ns: string | undefined, name: string, type: PatchType, body: unknown, opts: WriteOpts = {},
  ): WriteResult<T> & { created: boolean } {
    const key = keyFor(ri, ns, name);
    const kv = this.store.get(key);
    if (type === 'apply') {
      if (!opts.fieldManager) throw badRequest('fieldManager is required for apply requests');
      if (opts.subresource && !kv) throw notFound(ri, name);
      if (!kv) {
        const created = serverSideApply(keyOf(ri), undefined, body, opts.fieldManager, !!opts.force, this.now());
        const meta = (created.metadata = created.metadata ?? {});
        if (!meta.name) meta.name = name;
        if (meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
        // The apply's field ownership (metadata.managedFields) is stored with the object.
        return { ...this.create<T>(ri, ns, created, { ...opts, fieldManager: undefined }), created: true };
      }
      const old = decodeKV(kv);
      const merged = serverSideApply(keyOf(ri), old, body, opts.fieldManager, !!opts.force, this.now(), opts.subresource);
      const next = this.prepareUpdate(ri, merged, old, { ...opts, fieldManager: undefined });
      return { object: this.commitUpdate<T>(ri, key, next, old, kv.modRevision, { ...opts, fieldManager: undefined }), warnings: [], created: false };
    }
    if (!kv) throw notFound(ri, name);
    const old = decodeKV(kv);
    const current = opts.subresource === 'scale' ? this.toScale(ri, old) : old;
    const patched = applyPatch(keyOf(ri), type, current, body) as KObject;
    const pm = patched.metadata ?? {};
    if (pm.resourceVersion && pm.resourceVersion !== String(kv.modRevision)) throw staleConflict(ri, name);
    if (pm.name && pm.name !== name) throw badRequest(`the name of the object (${pm.name}) does not match the name on the URL (${name})`);
    const warnings = opts.subresource ? [] : checkTypeAndFields(ri, patched, opts, 'patch');
    const next = this.prepareUpdate(ri, patched, old, opts);
    return { object: this.commitUpdate<T>(ri, key, next, old, kv.modRevision, opts), warnings, created: false };
  }

  /**
   * DELETE: graceful for scheduled pods, waits for finalizers (and adds
   * the GC's finalizers for Foreground/Orphan propagation), else removes.
   * Returns the object as it is after the call and whether it is gone.
   */
  delete<T extends KObject = KObject>(ri: ResourceInfo, ns: string | undefined, name: string, opts: DeleteOptions & { dryRun?: boolean } = {}): { object: T; deleted: boolean } {
    const key = keyFor(ri, ns, name);
    const kv = this.store.get(key);
    if (!kv) throw notFound(ri, name);
    const obj = decodeKV(kv);
    const meta = obj.metadata!;
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflict(ri, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(ri, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
    }
    if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
      throw invalid('DeleteOptions', '', '', [fieldErr.notSupported('propagationPolicy', opts.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil'])]);
    }
    if (keyOf(ri) === 'namespaces') this.checkNamespaceDeletable(name);
    const finalizers = new Set(meta.finalizers ?? []);
    if (opts.propagationPolicy === 'Foreground') { finalizers.add('foregroundDeletion'); finalizers.delete('orphan'); }
    if (opts.propagationPolicy === 'Orphan') { finalizers.add('orphan'); finalizers.delete('foregroundDeletion'); }
    const grace = this.gracePeriod(ri, obj, opts);
    const alreadyDeleting = !!meta.deletionTimestamp;
    const nsFinalizers = keyOf(ri) === 'namespaces' ? ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []) : [];
    if (finalizers.size === 0 && grace === 0 && nsFinalizers.length === 0) {
      if (opts.dryRun) return { object: withTypeMeta(ri, obj as T), deleted: true };
      if (alreadyDeleting && this.holdRemoval(ri, key, obj)) return { object: withTypeMeta(ri, obj as T), deleted: false };
      const rev = this.store.delete(key);
      const gone = withTypeMeta(ri, obj as T);
      gone.metadata!.resourceVersion = String(rev);
      return { object: gone, deleted: true };
    }
    // Graceful: mark the object; the kubelet, the GC or the namespace controller finish the job.
    const now = this.now();
    const changed = clone(obj);
    const cm = changed.metadata!;
    cm.finalizers = finalizers.size ? [...finalizers] : undefined;
    if (!cm.finalizers) delete cm.finalizers;
    if (!alreadyDeleting || (cm.deletionGracePeriodSeconds ?? 0) > grace) {
      cm.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      cm.deletionGracePeriodSeconds = grace;
      if (usesGeneration(ri) && cm.generation) cm.generation++;
    }
    if (keyOf(ri) === 'namespaces') (changed.status as { phase?: string }) = { ...(changed.status as object), phase: 'Terminating' };
    if (opts.dryRun) return { object: withTypeMeta(ri, changed as T), deleted: false };
    if (JSON.stringify(changed) === JSON.stringify(obj)) return { object: withTypeMeta(ri, obj as T), deleted: false };
    const rev = this.store.update(key, encode(changed), kv.modRevision);
    return { object: decode<T>(encode(changed), rev), deleted: false };
  }

  // ---------------------------------------------------------------- watch

  /**
   * Streams changes after `resourceVersion`. With no version (or "0") the
   * current state comes first as ADDED events, as kube-apiserver does.
   * Selectors filter per event: an object that stops matching is DELETED for
   * this watcher, one that starts matching is ADDED.
   */
  watch<T extends KObject = KObject>(ri: ResourceInfo, ns: string | undefined, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): RegistryWatch {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = this.parseFields(ri, opts.fieldSelector);
    const prefix = prefixFor(ri, ns);
    let from: number;
    const rv = opts.resourceVersion;
    if (rv && rv !== '0') {
      from = Number(rv);
      if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${rv}`);
    } else {
      from = this.store.revision();
      for (const item of this.list<T>(ri, ns, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector }).items) {
        onEvent({ type: 'ADDED', object: item });
      }
    }
    const handle = (ev: StoreEvent) => {
      const cur = decode<T>(ev.value, ev.revision);
      // Without selectors everything matches: the old value need not be parsed.
      const prevMatch = ev.prevValue !== undefined
        && (!labels.length && !fields.length || this.matches(JSON.parse(ev.prevValue) as KObject, labels, fields));
      const curMatch = this.matches(cur, labels, fields);
      let type: WatchEvent['type'] | undefined;
      if (ev.type === 'delete') type = prevMatch || curMatch ? 'DELETED' : undefined;
      else if (curMatch) type = prevMatch ? 'MODIFIED' : 'ADDED';
      else if (prevMatch) type = 'DELETED';
      if (type) onEvent({ type, object: withTypeMeta(ri, cur) });
    };
    try {
      const w = this.store.watch(prefix, from, handle);
      // A removal held for this watcher happens now that it will see DELETED.
      this.removalHolds.releaseNamed(ri, ns, fields);
      return { stop: () => w.cancel() };
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Compacted') {
        throw gone(`too old resource version: ${from} (${e.currentRevision ?? this.store.compactedRevision()})`);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- held removals

  /**
   * A client (over HTTP) read `obj` by name. When it is being deleted, the
   * client may now wait for its removal: that removal is held until the
   * client watches it by name, or for a short while (removalHolds.ts).
   */
  noteTerminatingRead(ri: ResourceInfo, obj: KObject): void {
    const m = obj.metadata;
    if (!m?.deletionTimestamp || !m.uid || !m.name) return;
    this.removalHolds.read(keyFor(ri, m.namespace, m.name), m.uid);
  }

  /** Runs every held removal now (the API server stops). */
  releaseHeldRemovals(): void {
    this.removalHolds.releaseAll();
  }

  /** True when a client waits to see `obj` removed: the removal then runs on release. */
  private holdRemoval(ri: ResourceInfo, key: string, obj: KObject): boolean {
    const { namespace, name, uid } = obj.metadata!;
    return this.removalHolds.hold(key, uid!, () => {
      try {
        this.delete(ri, namespace, name!, { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch {
        // Gone or replaced meanwhile, or the store closed: then it stays Terminating and its deleter removes it again.
      }
    });
  }

  // ---------------------------------------------------------------- helpers

  private prepareUpdate(ri: ResourceInfo, obj: KObject, old: KObject, opts: WriteOpts): KObject {
    const sub = opts.subresource;
    let next: KObject;
    if (sub === 'status') {
      // A status write keeps the spec (each kind's status strategy resets it)
      // and, as for every kind served here, writes status and metadata; pods
      // keep their owner references. Managed fields the request leaves out are
      // the live ones.
      const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...spec } = clone(old);
      next = { ...spec, apiVersion: old.apiVersion, kind: old.kind, metadata: obj.metadata ?? {}, status: obj.status };
      const nm = next.metadata!;
      if (keyOf(ri) === 'pods') {
        nm.ownerReferences = clone(old.metadata!.ownerReferences);
        if (!nm.ownerReferences) delete nm.ownerReferences;
      }
      if (!Array.isArray(nm.managedFields) && old.metadata!.managedFields) nm.managedFields = clone(old.metadata!.managedFields);
    } else if (sub === 'scale') {
      const replicas = (obj.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
        throw invalid('Scale', 'autoscaling', old.metadata!.name!, [fieldErr.invalid('spec.replicas', replicas ?? null, 'must be an integer')]);
      }
      if (replicas < 0) {
        throw invalid('Scale', 'autoscaling', old.metadata!.name!, [fieldErr.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      next = clone(old);
      (next.spec as { replicas: number }).replicas = replicas;
    } else if (sub === 'finalize' && keyOf(ri) === 'namespaces') {
      // Only the namespace's spec.finalizers change (the namespace controller's last step).
      next = clone(old);
      next.spec = { ...(old.spec as object), finalizers: (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [] };
    } else if (sub) {
      throw badRequest(`${ri.resource}/${sub} does not support this verb`);
    } else {
      next = obj;
      next.apiVersion = apiVersionOf(ri);
      next.kind = ri.kind;
      if (hasStatus(ri) && keyOf(ri) !== 'namespaces') next.status = old.status;
      if (keyOf(ri) === 'namespaces' && next.status === undefined) next.status = old.status;
    }
    const nm = (next.metadata = next.metadata ?? {});
    const om = old.metadata!;
    // Fields a client cannot change.
    nm.name = om.name;
    if (ri.namespaced) nm.namespace = om.namespace;
    nm.uid = om.uid;
    nm.creationTimestamp = om.creationTimestamp;
    nm.deletionTimestamp = om.deletionTimestamp;
    nm.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    if (!nm.deletionTimestamp) { delete nm.deletionTimestamp; delete nm.deletionGracePeriodSeconds; }
    if (om.generation !== undefined) nm.generation = om.generation;
    delete nm.resourceVersion;
    if (!sub) {
      prepareForUpdate(keyOf(ri), next, old);
      applyDefaults(keyOf(ri), next);
    }
    if (!sub) for (const a of this.admission) a('UPDATE', ri, next, old);
    // Compared as values: a field removed and defaulted again may come back in another key order.
    if (usesGeneration(ri) && !deepEqual(specOf(next), specOf(old))) nm.generation = (om.generation ?? 0) + 1;
    if (om.deletionTimestamp && (nm.finalizers?.length ?? 0) > (om.finalizers?.length ?? 0)) {
      const added = (nm.finalizers ?? []).filter((f) => !(om.finalizers ?? []).includes(f));
      if (added.length) {
        throw forbidden(ri, om.name!, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`);
      }
    }
    let errs: FieldError[];
    if (sub === 'status') errs = validateStatusUpdate(keyOf(ri), next, old);
    else if (sub === 'finalize') errs = [];
    else errs = validateUpdate(keyOf(ri), next, old);
    if (errs.length) throw invalid(sub === 'scale' ? 'Scale' : ri.kind, sub === 'scale' ? 'autoscaling' : ri.group, om.name!, errs);
    if (opts.fieldManager) recordUpdate(keyOf(ri), old, next, opts.fieldManager, this.now(), sub);
    orderFields(ri, next);
    return next;
  }

  private commitUpdate<T extends KObject>(ri: ResourceInfo, key: string, next: KObject, old: KObject, modRevision: number, opts: WriteOpts): T {
    const nm = next.metadata!;
    const finished = !!nm.deletionTimestamp && !(nm.finalizers?.length) && (nm.deletionGracePeriodSeconds ?? 0) === 0
      && !(keyOf(ri) === 'namespaces' && ((next.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length);
    if (opts.dryRun) return withTypeMeta(ri, next as T);
    // The last finalizer is gone from an object being deleted: remove it
    // (unless a client waits to see that: then the update is written and the
    // removal follows on release).
    if (finished && !this.holdRemoval(ri, key, next)) {
      const rev = this.store.delete(key, modRevision);
      return decode<T>(encode(next), rev);
    }
    const enc = encode(next);
    if (enc === encode(old)) return withTypeMeta(ri, decode<T>(enc, modRevision));
    try {
      const rev = this.store.update(key, enc, modRevision);
      return decode<T>(enc, rev);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'Conflict') throw staleConflict(ri, nm.name!);
      throw e;
    }
  }

  /** POST pods/{name}/binding: assigns the pod to a node (what a scheduler does). */
  private bind<T extends KObject>(ri: ResourceInfo, ns: string | undefined, binding: KObject, opts: WriteOpts): WriteResult<T> {
    const name = binding.metadata?.name;
    if (!name) throw invalid('Binding', '', '', [fieldErr.required('metadata.name', '')]);
    const key = keyFor(ri, ns, name);
    const kv = this.store.get(key);
    if (!kv) throw notFound(ri, name);
    const next = applyBinding(decodeKV(kv) as never, binding, rfc3339(this.now())) as KObject;
    if (opts.dryRun) return { object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as unknown as T, warnings: [] };
    this.store.update(key, encode(next), kv.modRevision);
    return { object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as unknown as T, warnings: [] };
  }

  /**
   * POST pods/{name}/eviction: deletes the pod unless its PodDisruptionBudget
   * forbids it (eviction.ts). Returns the Status to answer with.
   */
  evict(ns: string, name: string, eviction: KObject, opts: WriteOpts = {}): Status {
    return this.eviction.evict(ns, name, eviction, !!opts.dryRun).status;
  }

  /** The Scale view of an object with a scale subresource (autoscaling/v1). */
  toScale(ri: ResourceInfo, obj: KObject): KObject {
    const m = obj.metadata!;
    const spec = (obj.spec ?? {}) as { replicas?: number; selector?: import('kubernetes-types/meta/v1.js').LabelSelector };
    const status = (obj.status ?? {}) as { replicas?: number };
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector: labelSelectorString(spec.selector) },
    };
  }

  private gracePeriod(ri: ResourceInfo, obj: KObject, opts: DeleteOptions): number {
    if (keyOf(ri) !== 'pods') return 0;
    const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
    const status = (obj.status ?? {}) as { phase?: string };
    // A pod no kubelet runs, or one that has finished, goes at once.
    if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') return 0;
    let g = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    if (g < 0) g = 0;
    return g;
  }

  private checkNamespaceWritable(ns: string): void {
    const nsRI = resourceByKey('namespaces');
    const kv = this.store.get(keyFor(nsRI, undefined, ns));
    if (!kv) throw notFound(nsRI, ns);
    const nsObj = decodeKV(kv);
    if (nsObj.metadata?.deletionTimestamp) {
      throw new StatusError(403, 'Forbidden', `unable to create new content in namespace ${ns} because it is being terminated`, {
        name: ns, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  private checkNamespaceDeletable(name: string): void {
    if (['default', 'kube-system', 'kube-public'].includes(name)) {
      throw forbidden(resourceByKey('namespaces'), name, 'this namespace may not be deleted');
    }
  }

  private parseFields(ri: ResourceInfo, s: string | undefined): FieldRequirement[] {
    const reqs = parseFieldSelector(s);
    const ok = supportedFields(ri);
    for (const r of reqs) {
      if (!ok.includes(r.field)) throw badRequest(`field label not supported: ${r.field}`);
      r.field = fieldAlias(ri, r.field);
    }
    return reqs;
  }

  private matches(obj: KObject, labels: Selector, fields: FieldRequirement[]): boolean {
    if (labels.length && !matchesLabels(labels, obj.metadata?.labels)) return false;
    if (fields.length && !matchesFields(fields, obj)) return false;
    return true;
  }

}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
