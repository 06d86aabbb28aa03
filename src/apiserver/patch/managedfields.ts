// Field ownership: metadata.managedFields, server-side apply and the Update
// records that create, update and patch leave (the apiserver's fieldmanager on
// top of structured-merge-diff's Updater).
//
// Each manager (name + operation [+ apiVersion for Update]) owns a set of fields.
// Update takes every field it changes away from the other managers. Apply owns
// exactly the fields of its configuration: fields it applied before and omits
// now are removed from the object unless someone else owns them, and changing
// a field another manager owns is a 409 Conflict unless forced.

import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { StatusError, badRequest, fieldErr, invalid, type StatusCause } from '../../api/errors.js';
import { apiVersionOf, resourceByKey } from '../../api/resources.js';
import { FieldSet, pathString, type Path } from './fieldpath.js';
import { clone, deepEqual, isMap, type JsonMap } from './json.js';
import { schemaFor } from './schema.js';
import { applyMerge, compare, fieldSetOf, removeField } from './typed.js';
import { rfc3339 } from '../../api/time.js';
import { KUBECTL_APPLY_MANAGER, fieldsStillAsLastApplied, syncLastApplied } from './lastapplied.js';

type Operation = 'Apply' | 'Update';

interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  fields: FieldSet;
}

/** Metadata the apiserver never tracks ownership of (fieldmanager's stripMeta). */
const UNTRACKED_META = ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'];

/** The object as field ownership sees it: without apiVersion, kind and server-owned metadata. */
function tracked(obj: JsonMap | undefined): JsonMap {
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(obj ?? {})) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isMap(v)) {
      const meta: JsonMap = {};
      for (const [mk, mv] of Object.entries(v)) if (!UNTRACKED_META.includes(mk)) meta[mk] = mv;
      if (Object.keys(meta).length > 0) out.metadata = meta;
      continue;
    }
    out[k] = v;
  }
  return out;
}

function hasStatusSubresource(resourceKey: string): boolean {
  try {
    return resourceByKey(resourceKey).subresources.some((s) => s.name === 'status');
  } catch {
    return false;
  }
}

/**
 * Drops from an applied configuration what the write's strategy resets (its
 * GetResetFields), so the applier neither changes nor owns it: the main
 * resource of a kind with a status subresource resets status; the status
 * subresource resets everything but metadata and status (the spec), and for
 * pods also the owner references and deletion timestamp.
 */
function dropResetFields(resourceKey: string, config: JsonMap, subresource: string | undefined): void {
  if (!subresource) {
    if (hasStatusSubresource(resourceKey)) delete config.status;
    return;
  }
  if (subresource !== 'status') return;
  for (const k of Object.keys(config)) {
    if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) delete config[k];
  }
  if (resourceKey === 'pods' && isMap(config.metadata)) {
    delete config.metadata.ownerReferences;
    delete config.metadata.deletionTimestamp;
  }
}

function defaultApiVersion(resourceKey: string): string {
  try {
    return apiVersionOf(resourceByKey(resourceKey));
  } catch {
    return '';
  }
}



function decodeManagers(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  const out: Manager[] = [];
  for (const raw of entries as unknown[]) {
    if (!isMap(raw)) continue;
    const e = raw as ManagedFieldsEntry;
    if (typeof e.manager !== 'string') continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    const m: Manager = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      fields: FieldSet.fromFieldsV1(e.fieldsV1),
    };
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    if (typeof e.time === 'string' && e.time) m.time = e.time;
    out.push(m);
  }
  return out;
}

/** Entries in the apiserver's order: Apply before Update, then by time, then by manager. */
function encodeManagers(managers: Manager[]): ManagedFieldsEntry[] {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const kept = managers.filter((m) => !m.fields.isEmpty());
  kept.sort((p, q) => cmp(p.operation, q.operation) || cmp(p.time ?? '', q.time ?? '') ||
    cmp(p.manager, q.manager) || cmp(p.apiVersion, q.apiVersion) || cmp(p.subresource ?? '', q.subresource ?? ''));
  return kept.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.fields.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function setManagedFields(obj: JsonMap, managers: Manager[]): void {
  const entries = encodeManagers(managers);
  const meta = (isMap(obj.metadata) ? obj.metadata : (obj.metadata = {})) as JsonMap;
  if (entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
}

/**
 * Apply entries are one per manager and subresource; Update entries are one per
 * manager, subresource and API version (fieldmanager's BuildManagerIdentifier).
 */
function sameManager(m: Manager, name: string, operation: Operation, apiVersion: string, subresource: string | undefined): boolean {
  return m.manager === name && m.operation === operation && (m.subresource ?? '') === (subresource ?? '') &&
    (operation === 'Apply' || m.apiVersion === apiVersion);
}

/** How the apiserver names a manager in conflict messages (fieldmanager's printManager). */
function printManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

interface Conflict { manager: Manager; path: Path }

function conflictError(conflicts: Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, Conflict[]>();
    for (const c of conflicts) {
      const k = printManager(c.manager);
      byManager.set(k, [...(byManager.get(k) ?? []), c]);
    }
    const lines: string[] = [];
    for (const k of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${k}:`);
      for (const c of byManager.get(k)!) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/**
 * Server-side apply of `applied` (an application/apply-patch+yaml body, already
 * parsed) by `fieldManager`. `current` undefined means the object is being created.
 * `subresource` ('status') is the subresource written: the entry records it, and
 * what that write resets is neither applied nor owned.
 * Returns the new object with metadata.managedFields updated. Throws 409 Conflict
 * when the configuration changes fields another manager owns, unless `force`.
 */
export function serverSideApply(resourceKey: string, current: any | undefined, applied: any, fieldManager: string,
  force: boolean, now: Date, subresource?: string): any {
  if (!fieldManager) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [fieldErr.required('fieldManager', 'is required for apply patch')]);
  }
  if (!isMap(applied)) throw badRequest('error decoding YAML: the apply configuration must be an object');
  const root = schemaFor(resourceKey);
  const config = clone(applied);
  if (isMap(config.metadata)) delete config.metadata.managedFields;
  // The main resource ignores status in an applied configuration, as it ignores it on
  // update; the status subresource ignores the spec.
  dropResetFields(resourceKey, config, subresource);

  const live: JsonMap = isMap(current) ? current : {};
  const apiVersion = String(config.apiVersion ?? live.apiVersion ?? defaultApiVersion(resourceKey));
  const configFields = fieldSetOf(tracked(config), root, 'apply', true);

  const managers = decodeManagers(isMap(live.metadata) ? live.metadata.managedFields : undefined);
  const before = managers.map((m) => m.fields);
  let self = managers.find((m) => sameManager(m, fieldManager, 'Apply', apiVersion, subresource));
  const lastApplied = self?.fields ?? new FieldSet();
  if (!self) {
    managers.push((self = { manager: fieldManager, operation: 'Apply', apiVersion, fields: configFields }));
    if (subresource) self.subresource = subresource;
  }
  self.apiVersion = apiVersion;
  self.fields = configFields;

  const merged = applyMerge(clone(live), config, root) as JsonMap;

  // Fields this manager applied before and omits now go, unless someone still owns them.
  let owned = new FieldSet();
  for (const m of managers) owned = owned.union(m.fields);
  for (const path of lastApplied.difference(configFields).paths()) {
    if (!owned.hasAtOrBelow(path)) removeField(merged, path, root);
  }

  const { added, modified, removed } = compare(tracked(live), tracked(merged), root);
  const changed = added.union(modified);
  const conflicts: Conflict[] = [];
  const lost = new Map<Manager, FieldSet>();
  for (const m of managers) {
    if (m === self) continue;
    const hit = changed.intersection(m.fields);
    if (hit.isEmpty()) continue;
    lost.set(m, hit);
    for (const path of hit.paths()) conflicts.push({ manager: m, path });
  }
  if (conflicts.length > 0 && !force) {
    // kubectl's first server-side apply of an object client-side apply manages takes over
    // the fields the last-applied configuration still holds (lastAppliedManager).
    const allowed = fieldManager === KUBECTL_APPLY_MANAGER ? fieldsStillAsLastApplied(live, apiVersion, root, tracked) : undefined;
    const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
    if (remaining.length > 0) throw conflictError(remaining);
  }
  for (const [m, hit] of lost) m.fields = m.fields.difference(hit);
  for (const m of managers) m.fields = m.fields.difference(removed);

  if (fieldManager === KUBECTL_APPLY_MANAGER) syncLastApplied(merged, applied);

  // A no-op apply leaves the object alone, the entry's time included.
  const objectChanged = !deepEqual(withoutManagedFields(live), withoutManagedFields(merged));
  const managersChanged = before.length !== managers.length || managers.some((m, i) => !m.fields.equals(before[i]));
  if (objectChanged || managersChanged || !self.time) self.time = rfc3339(now);
  setManagedFields(merged, managers);
  return merged;
}

function withoutStatus(fields: FieldSet): FieldSet {
  return FieldSet.of(fields.paths().filter((p) => p[0] !== 'f:status'));
}

function withoutManagedFields(obj: JsonMap): JsonMap {
  if (!isMap(obj.metadata)) return obj;
  const { managedFields: _, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

/**
 * Records that `fieldManager` changed `old` into `updated` (create when `old` is
 * undefined): the fields it added or modified become its own (an Update entry,
 * of `subresource` when one was written) and are taken from every other manager;
 * removed fields leave every manager.
 * Writes updated.metadata.managedFields. Call it on the object as it will be
 * stored (after defaulting), like the apiserver does.
 */
export function recordUpdate(resourceKey: string, old: any | undefined, updated: any, fieldManager: string, now: Date,
  subresource?: string): void {
  if (!isMap(updated)) return;
  const root = schemaFor(resourceKey);
  const meta = isMap(updated.metadata) ? updated.metadata : undefined;
  // A request without managedFields keeps the live ones; an explicit list (even empty) replaces them.
  const explicit = !!meta && Array.isArray(meta.managedFields);
  const base = explicit ? meta!.managedFields : isMap(old) && isMap(old.metadata) ? old.metadata.managedFields : undefined;
  const managers = decodeManagers(base);
  const apiVersion = String(updated.apiVersion ?? (isMap(old) ? old.apiVersion : undefined) ?? defaultApiVersion(resourceKey));

  const { added, modified, removed } = compare(tracked(isMap(old) ? old : undefined), tracked(updated), root);
  let changed = added.union(modified);
  // A create is a write of the main resource, which never owns what the status
  // subresource writes (the strategy's reset fields): status it was created with is
  // the server's (e.g. a pod's qosClass), not the creator's.
  if (!isMap(old) && hasStatusSubresource(resourceKey)) changed = withoutStatus(changed);
  let self = managers.find((m) => sameManager(m, fieldManager, 'Update', apiVersion, subresource));
  for (const m of managers) {
    if (m !== self) m.fields = m.fields.difference(changed);
  }
  if (!changed.isEmpty()) {
    if (!self) {
      managers.push((self = { manager: fieldManager, operation: 'Update', apiVersion, fields: new FieldSet() }));
      if (subresource) self.subresource = subresource;
    }
    self.fields = self.fields.union(changed);
    self.time = rfc3339(now);
  }
  for (const m of managers) m.fields = m.fields.difference(removed);
  if (managers.length === 0 && !explicit) return;
  setManagedFields(updated, managers);
}
