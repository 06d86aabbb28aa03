// Strategic merge patch (application/strategic-merge-patch+json), as the
// apiserver applies it (apimachinery pkg/util/strategicpatch, StrategicMergeMapPatch):
// maps merge recursively and `null` deletes; lists with a merge key merge item by
// item; other lists are replaced. Directives: `$patch` (replace/delete/merge),
// `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
// No key that starts with `$` ever reaches the result.

import { StatusError, badRequest } from '../../api/errors.js';
import { fieldSchema, type SchemaNode } from './schema.js';
import { goString, isMap, kindOf, type JsonMap } from './json.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList';

/** Returned instead of a value when a `$patch: delete` removes the whole value. */
const DROP: unique symbol = Symbol('drop');
type Merged<T> = T | typeof DROP;

// Error texts of apimachinery's mergepatch package.
const errRetainKeys = () => badRequest('invalid patch format of retainKeys');
const errPrimitiveList = () => badRequest('invalid patch format of primitive list');
const errSetOrder = () => badRequest('invalid patch format of setElementOrder list');
const errNoMergeKey = (m: unknown, key: string) =>
  badRequest(`map: ${goString(m)} does not contain declared merge key: ${key}`);
const errBadPatchType = (t: unknown, m: unknown) => badRequest(`unknown patch type: ${goString(t)} in map: ${goString(m)}`);
const errListOfLists = () => new StatusError(422, 'Invalid', 'lists of lists are not supported');

/**
 * Applies `patch` to `original` (which is modified in place and returned).
 * `root` describes the object; without it every list is replaced whole.
 */
export function strategicMergePatch(original: JsonMap, patch: unknown, root: SchemaNode | undefined): JsonMap {
  if (!isMap(patch)) {
    throw badRequest(`json: cannot unmarshal ${goTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  const merged = mergeMap(original, patch, root);
  return merged === DROP ? {} : merged;
}

function goTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'object';
}

function mergeMap(original: JsonMap, patch: JsonMap, node: SchemaNode | undefined): Merged<JsonMap> {
  if (DIRECTIVE in patch) {
    const directive = patch[DIRECTIVE];
    const rest = withoutKey(patch, DIRECTIVE);
    // replace: the patch (stripped of its own directives) is the new value.
    if (directive === 'replace') return mergeMap({}, rest, node);
    if (directive === 'delete') return DROP;
    if (directive !== 'merge') throw errBadPatchType(directive, patch);
    patch = rest;
  }

  if (RETAIN_KEYS in patch) applyRetainKeys(original, patch);

  const orders = new Map<string, unknown[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const list = directiveTarget(key, SET_ORDER, errSetOrder);
    if (!Array.isArray(value)) throw errSetOrder();
    orders.set(list, value);
  }
  // The live order of each ordered list, before this patch touches it.
  const liveOrders = new Map<string, unknown[]>();
  for (const list of orders.keys()) {
    const live = original[list];
    liveOrders.set(list, Array.isArray(live) ? live.slice() : []);
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const list = directiveTarget(key, DELETE_PRIMITIVE, errPrimitiveList);
      if (!Array.isArray(value)) throw errPrimitiveList();
      const live = original[list];
      if (Array.isArray(live)) original[list] = live.filter((v) => !value.some((d) => d === v));
      continue;
    }
    if (key.startsWith('$')) continue; // $retainKeys, $setElementOrder and unknown directives

    if (value === null) {
      delete original[key];
      continue;
    }
    const child = fieldSchema(node, key);
    const live = original[key];
    let merged: Merged<unknown>;
    if (live === undefined || live === null || kindOf(live) !== kindOf(value)) {
      merged = fresh(value, child);
    } else if (isMap(value)) {
      // patchStrategy=replace on a struct field (a PodDisruptionBudget's selector): the patch's value replaces it.
      merged = child?.patchReplace ? fresh(value, child) : mergeMap(live as JsonMap, value, child);
    } else if (Array.isArray(value)) {
      if (orders.has(key)) validateSetOrder(value, orders.get(key)!, mergeKeyOf(child));
      merged = isMergeList(child) ? mergeList(live as unknown[], value, child!) : fresh(value, child);
    } else {
      merged = value;
    }
    if (merged === DROP) delete original[key];
    else original[key] = merged;
  }

  for (const [list, order] of orders) {
    const merged = original[list];
    const child = fieldSchema(node, list);
    if (!Array.isArray(merged) || !isMergeList(child)) continue;
    original[list] = enforceOrder(merged, order, liveOrders.get(list)!, mergeKeyOf(child));
  }
  return original;
}

/** A value the live object does not have yet: merged into nothing, so its directives are processed. */
function fresh(value: unknown, node: SchemaNode | undefined): Merged<unknown> {
  if (isMap(value)) return mergeMap({}, value, node);
  if (Array.isArray(value)) {
    if (isMergeList(node)) return mergeList([], value, node!);
    const out: unknown[] = [];
    for (const item of value) {
      const v = fresh(item, node?.item);
      if (v !== DROP) out.push(v);
    }
    return out;
  }
  return value;
}

/** Whether a list merges item by item: its patchStrategy has `merge` (otherwise it is replaced). */
function isMergeList(node: SchemaNode | undefined): boolean {
  return node?.patchMerge === true;
}

function mergeKeyOf(node: SchemaNode | undefined): string | undefined {
  return node?.mergeKey;
}

function mergeList(original: unknown[], patch: unknown[], node: SchemaNode): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);

  if (kind !== 'map') {
    // A list of scalars with strategy merge: a set, in first-seen order.
    const merged: unknown[] = [];
    for (const v of [...original, ...patch]) if (!merged.some((m) => m === v)) merged.push(v);
    return enforceOrder(merged, patch, original, undefined);
  }

  const mergeKey = node.mergeKey;
  if (!mergeKey) throw badRequest('cannot merge lists without merge key for type map');

  let live = original;
  let replace = false;
  const items: JsonMap[] = [];
  for (const item of patch as JsonMap[]) {
    if (!(DIRECTIVE in item)) {
      items.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
      live = live.filter((o) => !(isMap(o) && o[mergeKey] === item[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      const rest = withoutKey(item, DIRECTIVE);
      if (Object.keys(rest).length > 0) items.push(rest);
    } else {
      throw errBadPatchType(directive, item);
    }
  }

  if (replace) {
    const out: unknown[] = [];
    for (const item of items) {
      const v = fresh(item, node.item);
      if (v !== DROP) out.push(v);
    }
    return out;
  }

  const merged = live.slice();
  for (const item of items) {
    if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
    const at = merged.findIndex((o) => isMap(o) && o[mergeKey] === item[mergeKey]);
    const value = at >= 0 ? mergeMap(merged[at] as JsonMap, item, node.item) : fresh(item, node.item);
    if (value === DROP) {
      if (at >= 0) merged.splice(at, 1);
    } else if (at >= 0) {
      merged[at] = value;
    } else {
      merged.push(value);
    }
  }
  return enforceOrder(merged, items, live, mergeKey);
}

function elementKind(...lists: unknown[][]): 'map' | 'list' | 'scalar' {
  let kind: 'map' | 'list' | 'scalar' | undefined;
  let scalarType: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (k === 'list') throw errListOfLists();
      const t = k === 'scalar' ? (v === null ? 'null' : typeof v) : 'map';
      if (kind === undefined) {
        kind = k;
        scalarType = t;
      } else if (scalarType !== t) {
        throw badRequest(`list element types are not identical: ${goString(lists)}`);
      }
    }
  }
  return kind ?? 'scalar';
}

/**
 * Orders a merged list: items named in `order` come in that order, items only the
 * server has keep their live order, and the two are interleaved by live position
 * (apimachinery's normalizeElementOrder / mergeSortedSlice).
 */
function enforceOrder(merged: unknown[], order: unknown[], live: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (v: unknown): unknown => (mergeKey ? (isMap(v) ? v[mergeKey] : undefined) : v);
  const indexIn = (list: unknown[], v: unknown): number => {
    const k = keyOf(v);
    if (k === undefined) return -1;
    return list.findIndex((x) => keyOf(x) === k);
  };
  const fromPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) (indexIn(order, v) >= 0 ? fromPatch : serverOnly).push(v);
  fromPatch.sort((a, b) => indexIn(order, a) - indexIn(order, b)); // stable

  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(live, serverOnly[i]);
      const ri = indexIn(live, fromPatch[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}

/** The items of a patch list must appear in `$setElementOrder` in the same relative order. */
function validateSetOrder(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  const keyOf = (v: unknown): unknown => (mergeKey ? (isMap(v) ? v[mergeKey] : undefined) : v);
  const items = patchList.filter((v) => !(isMap(v) && DIRECTIVE in v));
  let p = 0;
  for (let s = 0; p < items.length && s < order.length; s++) {
    if (keyOf(items[p]) === keyOf(order[s])) p++;
  }
  if (p < items.length) {
    throw badRequest(`The order in patch list:\n${goString(patchList)}\n doesn't match ${SET_ORDER} list:\n${goString(order)}\n`);
  }
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  const list = patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errRetainKeys();
  const keep = new Set(list);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith('$')) continue;
    if (!keep.has(key)) throw errRetainKeys();
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

function directiveTarget(key: string, prefix: string, err: () => StatusError): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix || slash === key.length - 1) throw err();
  return key.slice(slash + 1);
}

function withoutKey(m: JsonMap, key: string): JsonMap {
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(m)) if (k !== key) out[k] = v;
  return out;
}
