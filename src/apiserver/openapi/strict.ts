// Strict field validation: which fields of a request object the kind's schema does not
// declare. The walk follows the kubernetes-types declarations directly; types are not
// checked here (decoding does that), only field names.

import type { Decl, InterfaceDecl, TypeExpr, TypeLibrary } from './dts.js';
import { moduleOf } from './documents.js';
import { declaredGVK } from './schemas.js';

/**
 * Paths of the undeclared fields in `obj`, in document order, written with a leading dot
 * as Kubernetes' structured-merge-diff reports them: `.spec.foo`,
 * `.spec.template.spec.containers[0].imagePullPolicyX`. Empty when the kind is unknown.
 */
export function findUnknownFields(lib: TypeLibrary, apiVersion: string, kind: string, obj: unknown): string[] {
  const root = kindDecl(lib, apiVersion, kind);
  if (!root) return [];
  const out: string[] = [];
  walkInterface(lib, root, obj, '', out);
  return out;
}

function kindDecl(lib: TypeLibrary, apiVersion: string, kind: string): InterfaceDecl | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  let decl: Decl | undefined;
  try {
    decl = lib.module(moduleOf(group, version)).decls.get(kind);
  } catch {
    return undefined; // no such module in kubernetes-types
  }
  if (!decl || decl.kind !== 'interface') return undefined;
  const gvk = declaredGVK(decl);
  if (!gvk || gvk.group !== group || gvk.version !== version) return undefined;
  return decl;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function walkInterface(lib: TypeLibrary, decl: InterfaceDecl, value: unknown, path: string, out: string[]): void {
  // An interface with no members (RawExtension, FieldsV1) holds arbitrary content.
  if (!isObject(value) || decl.members.length === 0) return;
  for (const [key, child] of Object.entries(value)) {
    const member = decl.members.find((m) => m.name === key);
    const childPath = `${path}.${key}`;
    if (!member) out.push(childPath);
    else walkType(lib, decl.module, member.type, child, childPath, out);
  }
}

function walkType(lib: TypeLibrary, module: string, type: TypeExpr, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  switch (type.t) {
    case 'primitive':
    case 'literal':
    case 'union':
      return;
    case 'array':
      if (Array.isArray(value)) value.forEach((item, i) => walkType(lib, module, type.items, item, `${path}[${i}]`, out));
      return;
    case 'map':
      if (isObject(value)) for (const [k, v] of Object.entries(value)) walkType(lib, module, type.values, v, `${path}.${k}`, out);
      return;
    case 'ref': {
      const decl = lib.lookup(type.module, type.name);
      if (decl.kind === 'alias') walkType(lib, decl.module, decl.type, value, path, out);
      else walkInterface(lib, decl, value, path, out);
      return;
    }
  }
}

/** `spec.foo` as the strict decoder names a field: the path without its leading dot. */
function decoderFieldName(path: string): string {
  return path.startsWith('.') ? path.slice(1) : path;
}

/**
 * The detail Kubernetes' strict JSON decoder reports for unknown fields:
 * `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
 * Create and update wrap it as `<Kind> in version "<version>" cannot be handled as a <Kind>: <detail>`
 * in a 400 BadRequest (see cannotBeHandledMessage).
 */
export function strictDecodingMessage(paths: string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;
}

/** `unknown field "spec.foo"`: the text of one Warning header under fieldValidation=Warn. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(decoderFieldName(path))}`;
}

/** `StatefulSet in version "v1" cannot be handled as a StatefulSet: <detail>`. */
export function cannotBeHandledMessage(kind: string, version: string, detail: string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${detail}`;
}
