// The apiserver's bridge between client-side and server-side apply for kubectl's own
// server-side apply manager, `kubectl` (fieldmanager's lastAppliedManager and
// lastAppliedUpdater):
// - a first `kubectl apply --server-side` of an object that client-side apply manages
//   does not conflict over the fields the last-applied-configuration annotation set,
//   as long as they still have those values (nobody else changed them since);
// - while the annotation exists, each such apply rewrites it to the applied
//   configuration, so a later client-side apply (a downgrade) still computes its
//   three-way patch from what was applied last.

import { FieldSet } from './fieldpath.js';
import { isMap, type JsonMap } from './json.js';
import type { SchemaNode } from './schema.js';
import { compare, fieldSetOf } from './typed.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The one manager whose applies read and keep the annotation; others opt out by their name. */
export const KUBECTL_APPLY_MANAGER = 'kubectl';

/** The apiserver's limit on the total size of an object's annotations. */
const ANNOTATIONS_LIMIT = 256 * 1024;

function lastAppliedOf(obj: JsonMap): string | undefined {
  const annotations = isMap(obj.metadata) ? obj.metadata.annotations : undefined;
  const value = isMap(annotations) ? annotations[LAST_APPLIED] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The fields an apply by `kubectl` may take over without a conflict: those the live
 * object's last-applied configuration sets, with the values they still have. Undefined
 * when the object has no (readable) annotation, or one of another API version.
 * `track` reduces an object to the fields ownership is tracked for.
 */
export function fieldsStillAsLastApplied(live: JsonMap, apiVersion: string, root: SchemaNode | undefined,
  track: (obj: JsonMap) => JsonMap): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isMap(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  let fields: FieldSet;
  try {
    fields = fieldSetOf(track(lastApplied), root, 'apply');
  } catch {
    return undefined;
  }
  const { added, modified, removed } = compare(track(lastApplied), track(live), root);
  return fields.difference(modified).difference(added).difference(removed);
}

/**
 * Rewrites the annotation of an applied object to the configuration `applied`, when
 * the object has one (its size permitting, as the apiserver does; otherwise it goes).
 */
export function syncLastApplied(obj: JsonMap, applied: JsonMap): void {
  if (!lastAppliedOf(obj)) return;
  const annotations = (obj.metadata as JsonMap).annotations as JsonMap;
  annotations[LAST_APPLIED] = lastAppliedValue(applied);
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += k.length + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  if (size > ANNOTATIONS_LIMIT) delete annotations[LAST_APPLIED];
}

/**
 * The annotation's value for an applied configuration: the configuration without the
 * annotation itself, encoded as Go encodes an unstructured object (keys sorted, HTML
 * characters escaped, a trailing newline), which is also what kubectl writes.
 */
export function lastAppliedValue(applied: JsonMap): string {
  const config: JsonMap = { ...applied };
  if (isMap(applied.metadata)) {
    const meta: JsonMap = { ...applied.metadata };
    if (isMap(meta.annotations)) {
      const annotations: JsonMap = { ...meta.annotations };
      delete annotations[LAST_APPLIED];
      meta.annotations = annotations;
    }
    config.metadata = meta;
  }
  return `${goJSON(config)}\n`;
}

function goJSON(v: unknown): string {
  const text = JSON.stringify(sortKeys(v));
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}
