// JSON patch (RFC 6902) and JSON merge patch (RFC 7386), with the errors the
// apiserver gives for them (evanphx/json-patch behind apiserver handlers/patch.go):
// a patch that cannot be decoded is 400 BadRequest; one that does not apply to the
// object is 422 with the library's message as the cause.

import { StatusError, badRequest } from '../../api/errors.js';
import { clone, deepEqual, isMap, type JsonMap } from './json.js';

const MAX_OPERATIONS = 10000;

function notApplicable(message: string): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });
}

interface Operation {
  op: string;
  path?: unknown;
  from?: unknown;
  value?: unknown;
  hasValue: boolean;
}

function decode(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) {
    throw badRequest(`json: cannot unmarshal ${isMap(patch) ? 'object' : typeof patch} into Go value of type jsonpatch.Patch`);
  }
  const ops = patch.map((raw): Operation => {
    if (!isMap(raw)) {
      throw badRequest(`json: cannot unmarshal ${Array.isArray(raw) ? 'array' : typeof raw} into Go value of type jsonpatch.Operation`);
    }
    return { op: String(raw.op ?? ''), path: raw.path, from: raw.from, value: raw.value, hasValue: 'value' in raw };
  });
  if (ops.length > MAX_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_OPERATIONS}, got ${ops.length}`);
  }
  return ops;
}

function parsePointer(op: string, field: string, p: unknown): string[] {
  if (typeof p !== 'string') throw notApplicable(`${op} operation failed to decode ${field}: missing value`);
  if (p === '') return [];
  if (!p.startsWith('/')) throw notApplicable(`${op} operation does not apply: doc is missing path: "${p}": missing value`);
  return p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container holding the last token of `tokens`, or undefined. */
function parentOf(doc: unknown, tokens: string[]): unknown {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length - 1);
      cur = i === undefined ? undefined : cur[i];
    } else if (isMap(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= max ? i : undefined;
}

function get(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return doc;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    return i === undefined ? undefined : parent[i];
  }
  if (isMap(parent) && Object.prototype.hasOwnProperty.call(parent, last)) return parent[last];
  return undefined;
}

/** Applies an RFC 6902 patch to `doc` (modified in place where possible); returns the new document. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decode(patch);
  for (const operation of ops) doc = applyOperation(doc, operation);
  return doc;
}

function applyOperation(doc: unknown, o: Operation): unknown {
  const { op } = o;
  switch (op) {
    case 'add':
      return add(doc, parsePointer(op, 'path', o.path), requireValue(o), String(o.path));
    case 'remove':
      remove(doc, parsePointer(op, 'path', o.path), String(o.path));
      return doc;
    case 'replace': {
      const tokens = parsePointer(op, 'path', o.path);
      const value = requireValue(o);
      if (tokens.length === 0) return value;
      if (get(doc, tokens) === undefined) {
        throw notApplicable(`replace operation does not apply: doc is missing key: ${String(o.path)}: missing value`);
      }
      set(doc, tokens, value);
      return doc;
    }
    case 'move': {
      const from = parsePointer(op, 'from', o.from);
      const value = get(doc, from);
      if (value === undefined) throw notApplicable(`move operation does not apply: doc is missing from path: ${String(o.from)}: missing value`);
      remove(doc, from, String(o.from));
      return add(doc, parsePointer(op, 'path', o.path), value, String(o.path));
    }
    case 'copy': {
      const from = parsePointer(op, 'from', o.from);
      const value = get(doc, from);
      if (value === undefined) throw notApplicable(`copy operation does not apply: doc is missing from path: ${String(o.from)}: missing value`);
      return add(doc, parsePointer(op, 'path', o.path), clone(value), String(o.path));
    }
    case 'test': {
      const tokens = parsePointer(op, 'path', o.path);
      const actual = get(doc, tokens);
      const expected = o.hasValue ? o.value : undefined;
      if (!(actual === undefined ? expected === undefined || expected === null : deepEqual(actual, expected))) {
        throw notApplicable(`testing value ${String(o.path)} failed: test failed`);
      }
      return doc;
    }
    default:
      throw notApplicable(`Unexpected kind: ${op}`);
  }
}

function requireValue(o: Operation): unknown {
  if (!o.hasValue) throw notApplicable(`${o.op} operation failed to decode value: missing value`);
  return clone(o.value);
}

function add(doc: unknown, tokens: string[], value: unknown, path: string): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    if (last === '-') parent.push(value);
    else {
      const i = arrayIndex(last, parent.length);
      if (i === undefined) throw notApplicable(`Unable to access invalid index: ${last}: invalid index referenced`);
      parent.splice(i, 0, value);
    }
  } else if (isMap(parent)) {
    parent[last] = value;
  } else {
    throw notApplicable(`add operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return doc;
}

function set(doc: unknown, tokens: string[], value: unknown): void {
  const parent = parentOf(doc, tokens) as JsonMap | unknown[];
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent[Number(last)] = value;
  else parent[last] = value;
}

function remove(doc: unknown, tokens: string[], path: string): void {
  if (tokens.length === 0) throw notApplicable(`remove operation does not apply: doc is missing path: "${path}": missing value`);
  const parent = parentOf(doc, tokens);
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length - 1);
    if (i === undefined) throw notApplicable(`Unable to access invalid index: ${last}: invalid index referenced`);
    parent.splice(i, 1);
  } else if (isMap(parent)) {
    if (!Object.prototype.hasOwnProperty.call(parent, last)) {
      throw notApplicable(`Unable to remove nonexistent key: ${last}: missing value`);
    }
    delete parent[last];
  } else {
    throw notApplicable(`remove operation does not apply: doc is missing path: "${path}": missing value`);
  }
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isMap(patch)) throw badRequest('Invalid JSON Patch');
  return mergeInto(doc, patch);
}

function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const out: JsonMap = isMap(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeInto(out[k], v);
  }
  return out;
}
