// OpenAPI v3 component schemas built from the kubernetes-types declarations, named the
// way Kubernetes names them (`io.k8s.api.apps.v1.StatefulSet`), with descriptions,
// `required`, `x-kubernetes-group-version-kind` on kinds, and the merge metadata of
// patchmeta.ts (patch strategy, merge key, list type, list-map keys).

import type { Decl, InterfaceDecl, TypeExpr, TypeLibrary } from './dts.js';
import { fieldMetaOf } from './patchmeta.js';

export type Schema = { [key: string]: unknown };

export const REF_PREFIX = '#/components/schemas/';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Module of kubernetes-types -> the Go package prefix Kubernetes uses in its schema names. */
export function packagePrefix(module: string): string {
  switch (module) {
    case 'meta/v1': return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource': return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime': return 'io.k8s.apimachinery.pkg.runtime';
    case 'version': return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1': return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default: return `io.k8s.api.${module.replace(/\//g, '.')}`;
  }
}

export function schemaName(module: string, name: string): string {
  return `${packagePrefix(module)}.${name}`;
}

export interface GroupVersionKind { group: string; version: string; kind: string }

/** The kind an interface declares through literal `apiVersion` and `kind` members, if any. */
export function declaredGVK(decl: InterfaceDecl): GroupVersionKind | undefined {
  const lit = (field: string): string | undefined => {
    const m = decl.members.find((x) => x.name === field);
    return m && m.type.t === 'literal' ? m.type.value : undefined;
  };
  const apiVersion = lit('apiVersion');
  const kind = lit('kind');
  if (!apiVersion || !kind) return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

/**
 * Collects the component schemas reachable from the declarations it is asked for.
 * One builder makes one document's `components.schemas`.
 */
export class SchemaBuilder {
  private readonly out = new Map<string, Schema>();

  constructor(private readonly lib: TypeLibrary) {}

  /** Adds the declaration and everything it references; returns its schema name. */
  add(module: string, name: string): string {
    const id = schemaName(module, name);
    if (this.out.has(id)) return id;
    const decl = this.lib.lookup(module, name);
    this.out.set(id, {}); // placeholder breaks reference cycles (JSONSchemaProps)
    this.out.set(id, this.declSchema(id, decl));
    return id;
  }

  /** A schema that is not in kubernetes-types (e.g. meta/v1 Patch). */
  addRaw(id: string, schema: Schema): string {
    if (!this.out.has(id)) this.out.set(id, schema);
    return id;
  }

  schemas(): Record<string, Schema> {
    const names = [...this.out.keys()].sort();
    const res: Record<string, Schema> = {};
    for (const n of names) res[n] = this.out.get(n)!;
    return res;
  }

  private declSchema(id: string, decl: Decl): Schema {
    if (decl.kind === 'alias') {
      const s: Schema = {};
      if (decl.description) s.description = decl.description;
      Object.assign(s, this.aliasBody(decl.name, decl.type));
      return s;
    }
    const s: Schema = {};
    if (decl.description) s.description = decl.description;
    s.type = 'object';
    if (decl.members.length > 0) {
      const props: Record<string, Schema> = {};
      for (const m of [...decl.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        const p = this.propertySchema(m.type);
        const withDoc: Schema = m.description ? { description: m.description, ...p } : p;
        const fm = fieldMetaOf(id, m.name);
        if (fm) {
          if (fm.listMapKeys) withDoc['x-kubernetes-list-map-keys'] = [...fm.listMapKeys];
          if (fm.listType) withDoc['x-kubernetes-list-type'] = fm.listType;
          if (fm.patchMergeKey) withDoc['x-kubernetes-patch-merge-key'] = fm.patchMergeKey;
          if (fm.patchStrategy) withDoc['x-kubernetes-patch-strategy'] = fm.patchStrategy;
        }
        props[m.name] = withDoc;
      }
      const required = decl.members.filter((m) => !m.optional).map((m) => m.name).sort();
      if (required.length > 0) s.required = required;
      s.properties = props;
    }
    const gvk = declaredGVK(decl);
    if (gvk) s['x-kubernetes-group-version-kind'] = [gvk];
    return s;
  }

  private aliasBody(name: string, type: TypeExpr): Schema {
    if (type.t === 'primitive' && type.name === 'string') {
      // Time and MicroTime are RFC 3339 timestamps. A Quantity is written as a string
      // ("500m", "1Gi") or a plain number, so its schema has no single type.
      if (name === 'Time' || name === 'MicroTime') return { type: 'string', format: 'date-time' };
      if (name === 'Quantity') return { oneOf: [{ type: 'string' }, { type: 'number' }] };
      return { type: 'string' };
    }
    if (type.t === 'union') return { 'x-kubernetes-preserve-unknown-fields': true };
    return this.propertySchema(type);
  }

  /** The schema of a member's type; named types become references. */
  private propertySchema(type: TypeExpr): Schema {
    switch (type.t) {
      case 'primitive':
        return type.name === 'number' ? { type: 'integer', format: 'int32' } : { type: type.name };
      case 'literal':
        return { type: 'string' };
      case 'array':
        return { type: 'array', items: this.itemSchema(type.items) };
      case 'map':
        return { type: 'object', additionalProperties: this.itemSchema(type.values) };
      case 'ref':
        return { allOf: [{ $ref: REF_PREFIX + this.add(type.module, type.name) }] };
      case 'union':
        if (isIntOrString(type)) return { allOf: [{ $ref: REF_PREFIX + this.intOrString() }] };
        return { 'x-kubernetes-preserve-unknown-fields': true };
    }
  }

  private itemSchema(type: TypeExpr): Schema {
    const s = this.propertySchema(type);
    return type.t === 'ref' || (type.t === 'union' && isIntOrString(type))
      ? (s.allOf as Schema[])[0]
      : s;
  }

  private intOrString(): string {
    return this.addRaw(INT_OR_STRING, {
      description: 'IntOrString holds either an int32 or a string. In JSON and YAML it is written as the inner value, so one field can accept a name or a number.',
      format: 'int-or-string',
      type: 'string',
      'x-kubernetes-int-or-string': true,
    });
  }
}

function isIntOrString(type: TypeExpr & { t: 'union' }): boolean {
  const names = type.members.map((m) => (m.t === 'primitive' ? m.name : m.t)).sort();
  return names.length === 2 && names[0] === 'number' && names[1] === 'string';
}
