// Objects seen through their schema, the way structured-merge-diff sees them:
// the set of fields a value sets, the comparison of two values, the apply merge,
// and the removal of a field by path.

import { badRequest } from '../../api/errors.js';
import { FieldSet, fieldElement, indexElement, keyElement, valueElement, type Path, type PathElement } from './fieldpath.js';
import { clone, deepEqual, isMap, type JsonMap } from './json.js';
import { fieldSchema, listType, type SchemaNode } from './schema.js';

type Node = SchemaNode | undefined;

function isAssociative(node: Node, ...lists: unknown[][]): boolean {
  return listType(node) === 'map' && !!node?.keys?.length && lists.every((l) => l.every(isMap));
}

/**
 * The element naming `item` in an associative list. Missing keys take their
 * defaults; an item with none of its keys is an error when `strict` (an applied
 * configuration), otherwise it is named by index.
 */
export function itemElement(item: unknown, node: SchemaNode, index: number, strict: boolean, path: Path = []): PathElement {
  const keys: Record<string, unknown> = {};
  let found = 0;
  if (isMap(item)) {
    for (const k of node.keys ?? []) {
      const v = item[k] ?? node.keyDefaults?.[k];
      if (v !== undefined && v !== null) {
        keys[k] = v;
        if (item[k] !== undefined) found++;
      }
    }
  }
  if (found > 0 && Object.keys(keys).length > 0) return keyElement(keys);
  if (strict) {
    const missing = (node.keys ?? []).find((k) => !isMap(item) || item[k] === undefined) ?? '';
    throw badRequest(`${pathText(path)}: element ${index}: associative list with keys has an element that omits key field "${missing}" (and doesn't have default value)`);
  }
  return indexElement(index);
}

function pathText(path: Path): string {
  return path.map((pe) => (pe.startsWith('f:') ? `.${pe.slice(2)}` : `[${pe.slice(2)}]`)).join('');
}

export type SetMode = 'apply' | 'update';

/**
 * The fields `value` sets, below `path`. `self` says whether `path` itself is a
 * member when it has children (list items and map entries are; struct fields are not).
 * In 'update' mode a free-form map is a member too, as the apiserver records it.
 */
export function collectFields(value: unknown, node: Node, path: Path, self: boolean, out: PathElement[][], mode: SetMode, strict = false): void {
  if (isMap(value) && !node?.list) {
    const entries = Object.entries(value);
    if (entries.length === 0 || self || (node?.map && mode === 'update')) out.push([...path]);
    for (const [k, v] of entries) collectFields(v, fieldSchema(node, k), [...path, fieldElement(k)], !!node?.map, out, mode, strict);
    return;
  }
  if (Array.isArray(value)) {
    const t = listType(node);
    if (t === 'map' && isAssociative(node, value)) {
      if (self) out.push([...path]);
      const seen = new Set<string>();
      value.forEach((item, i) => {
        const pe = itemElement(item, node!, i, strict, path);
        if (strict && seen.has(pe)) throw badRequest(`${pathText(path)}: duplicate entries for key ${pe.slice(2)}`);
        seen.add(pe);
        collectFields(item, node!.item, [...path, pe], true, out, mode, strict);
      });
      return;
    }
    if (t === 'set') {
      if (self) out.push([...path]);
      for (const v of value) out.push([...path, valueElement(v)]);
      return;
    }
  }
  out.push([...path]); // scalars, null, atomic lists
}

export function fieldSetOf(value: unknown, node: Node, mode: SetMode, strict = false): FieldSet {
  const out: PathElement[][] = [];
  if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) collectFields(v, fieldSchema(node, k), [fieldElement(k)], false, out, mode, strict);
  }
  return FieldSet.of(out);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `a` to `b`, field by field. */
export function compare(a: JsonMap, b: JsonMap, node: Node): Comparison {
  const added: PathElement[][] = [];
  const modified: PathElement[][] = [];
  const removed: PathElement[][] = [];

  const walk = (x: unknown, y: unknown, n: Node, path: Path, self: boolean): void => {
    if (x === undefined && y === undefined) return;
    if (x === undefined) return collectFields(y, n, path, self, added, 'update');
    if (y === undefined) {
      removed.push([...path]);
      return collectFields(x, n, path, true, removed, 'update');
    }
    if (isMap(x) && isMap(y) && !n?.list) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const k of keys) walk(x[k], y[k], fieldSchema(n, k), [...path, fieldElement(k)], !!n?.map);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (isAssociative(n, x, y)) {
        const xs = indexItems(x, n!);
        const ys = indexItems(y, n!);
        for (const pe of new Set([...xs.keys(), ...ys.keys()])) walk(xs.get(pe), ys.get(pe), n!.item, [...path, pe], true);
        return;
      }
      if (listType(n) === 'set') {
        const xs = new Set(x.map(valueElement));
        const ys = new Set(y.map(valueElement));
        for (const v of ys) if (!xs.has(v)) added.push([...path, v]);
        for (const v of xs) if (!ys.has(v)) removed.push([...path, v]);
        return;
      }
    }
    if (!deepEqual(x, y)) modified.push([...path]);
  };

  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) walk(a[k], b[k], fieldSchema(node, k), [fieldElement(k)], false);
  return { added: FieldSet.of(added), modified: FieldSet.of(modified), removed: FieldSet.of(removed) };
}

function indexItems(list: unknown[], node: SchemaNode): Map<PathElement, unknown> {
  const m = new Map<PathElement, unknown>();
  list.forEach((item, i) => {
    const pe = itemElement(item, node, i, false);
    if (!m.has(pe)) m.set(pe, item);
  });
  return m;
}

/**
 * Merges an applied configuration into the live value: maps merge, associative
 * lists merge item by item, sets are unioned, anything else is replaced; `null`
 * removes. Returns undefined when the result is absent. `live` may be modified.
 */
export function applyMerge(live: unknown, config: unknown, node: Node): unknown {
  if (config === null || config === undefined) return undefined;
  if (isMap(config) && !node?.list) {
    const out: JsonMap = isMap(live) ? live : {};
    for (const [k, v] of Object.entries(config)) {
      const merged = applyMerge(out[k], v, fieldSchema(node, k));
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
    return out;
  }
  if (Array.isArray(config)) {
    const base = Array.isArray(live) ? live : [];
    if (isAssociative(node, base, config)) return mergeAssociative(base, config, node!);
    if (listType(node) === 'set') {
      const out = base.slice();
      for (const v of config) if (!out.some((x) => deepEqual(x, v))) out.push(clone(v));
      return out;
    }
  }
  return clone(config);
}

function mergeAssociative(live: unknown[], config: unknown[], node: SchemaNode): unknown[] {
  const out = live.slice();
  const names = out.map((item, i) => itemElement(item, node, i, false));
  const configNames: PathElement[] = [];
  config.forEach((item, i) => {
    const pe = itemElement(item, node, i, false);
    configNames.push(pe);
    const at = names.indexOf(pe);
    if (at >= 0) out[at] = applyMerge(out[at], item, node.item);
    else {
      out.push(applyMerge(undefined, item, node.item));
      names.push(pe);
    }
  });
  // When the configuration names every live item, it also decides their order.
  if (names.every((n) => configNames.includes(n))) {
    const order = names.map((n, i) => ({ item: out[i], at: configNames.indexOf(n) }));
    order.sort((x, y) => x.at - y.at);
    return order.map((o) => o.item);
  }
  return out;
}

/** Removes the field at `path` from `obj`; free-form maps left empty go too. */
export function removeField(obj: JsonMap, path: Path, root: Node): void {
  interface Step { container: unknown; pe: PathElement; node: Node }
  const steps: Step[] = [];
  let cur: unknown = obj;
  let node: Node = root;
  for (const pe of path) {
    steps.push({ container: cur, pe, node });
    const next = child(cur, pe, node);
    if (!next) return;
    [cur, node] = next;
  }
  for (let i = steps.length - 1; i >= 0; i--) {
    const { container, pe, node: n } = steps[i];
    removeChild(container, pe, n);
    if (i === 0) break;
    // Keep going up only while the parent is a free-form map that became empty.
    const parentNode = steps[i].node;
    if (!(parentNode?.map && isMap(container) && Object.keys(container).length === 0)) break;
  }
}

function child(container: unknown, pe: PathElement, node: Node): [unknown, Node] | undefined {
  const body = pe.slice(2);
  if (pe.startsWith('f:')) {
    if (!isMap(container) || !(body in container)) return undefined;
    return [container[body], fieldSchema(node, body)];
  }
  if (!Array.isArray(container)) return undefined;
  if (pe.startsWith('k:') && node) {
    const at = container.findIndex((item, i) => itemElement(item, node, i, false) === pe);
    return at >= 0 ? [container[at], node.item] : undefined;
  }
  if (pe.startsWith('i:')) {
    const at = Number(body);
    return at < container.length ? [container[at], node?.item] : undefined;
  }
  return undefined;
}

function removeChild(container: unknown, pe: PathElement, node: Node): void {
  const body = pe.slice(2);
  if (pe.startsWith('f:')) {
    if (isMap(container)) delete container[body];
    return;
  }
  if (!Array.isArray(container)) return;
  let at = -1;
  if (pe.startsWith('k:') && node) at = container.findIndex((item, i) => itemElement(item, node, i, false) === pe);
  else if (pe.startsWith('i:')) at = Number(body);
  else if (pe.startsWith('v:')) at = container.findIndex((v) => valueElement(v) === pe);
  if (at >= 0 && at < container.length) container.splice(at, 1);
}
