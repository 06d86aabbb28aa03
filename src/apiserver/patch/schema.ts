// The served kinds seen by path, as the patch engines need them: which fields are
// structs, free-form maps and lists, and for each list how a strategic merge patch
// merges it (patchStrategy, patchMergeKey) and how server-side apply treats it
// (listType, listMapKeys). The tree is derived, once per kind and on first use, from the
// same type library walk and the same metadata table (openapi/patchmeta.ts) the OpenAPI
// documents are built from, so what kubectl computes a patch with and what the server
// applies it with cannot disagree.
//
// Fields without metadata follow Kubernetes' rules for untagged fields: structs and maps
// merge field by field, lists are atomic (replaced whole).

import { resourceByKey, type ResourceInfo } from '../../api/resources.js';
import { moduleOf } from '../openapi/documents.js';
import type { TypeExpr, TypeLibrary } from '../openapi/dts.js';
import { servedTypeLibrary } from '../openapi/library.js';
import { fieldMetaOf, type FieldMeta, type ListType } from '../openapi/patchmeta.js';
import { schemaName } from '../openapi/schemas.js';

export type { ListType };

export interface SchemaNode {
  /** A struct's fields that are not scalars (scalars have no node). */
  readonly fields?: Readonly<Record<string, SchemaNode>>;
  /** A map with free-form keys (labels, annotations, resource lists): each entry is its own field. */
  readonly map?: true;
  /** The schema of a map's values, when they are not scalars. */
  readonly values?: SchemaNode;
  /** Set on list fields: the server-side apply list type ('map' lists are keyed by `keys`). */
  readonly list?: ListType;
  /** For 'map' lists: the list-map keys. */
  readonly keys?: readonly string[];
  /** Values the apiserver defaults a missing key to (e.g. a port's protocol), so keys still match. */
  readonly keyDefaults?: Readonly<Record<string, string | number>>;
  /** The schema of each item of a list, when items are not scalars. */
  readonly item?: SchemaNode;
  /** Strategic merge patch: the list merges item by item (its patchStrategy has `merge`). */
  readonly patchMerge?: true;
  /** Strategic merge patch: the key items are matched by (patchMergeKey); none for lists of scalars. */
  readonly mergeKey?: string;
  /** Strategic merge patch: patchStrategy=replace on a struct field, whose value a patch replaces whole. */
  readonly patchReplace?: true;
}

type MutableNode = { -readonly [K in keyof SchemaNode]: SchemaNode[K] };

/**
 * Builds path views of the declarations of one type library. Struct nodes are shared
 * by schema name (a Container is one node wherever it appears), which also closes
 * reference cycles.
 */
export class SchemaView {
  private readonly structs = new Map<string, SchemaNode>();

  constructor(private readonly lib: TypeLibrary) {}

  /** The node of the declaration `name` of kubernetes-types module `module` (`core/v1`, `Pod`). */
  declaration(module: string, name: string): SchemaNode | undefined {
    const decl = this.lib.lookup(module, name);
    if (decl.kind === 'alias') return this.typeNode(decl.type, undefined);
    const id = schemaName(module, name);
    let node = this.structs.get(id);
    if (node) return node;
    const fields: Record<string, SchemaNode> = Object.create(null);
    node = { fields };
    this.structs.set(id, node);
    for (const m of decl.members) {
      const meta = fieldMetaOf(id, m.name);
      const child = this.typeNode(m.type, meta);
      // Struct nodes are shared by schema name: the field's own strategy goes on a copy.
      if (child) fields[m.name] = meta?.patchStrategy === 'replace' && child.fields ? { ...child, patchReplace: true } : child;
    }
    return node;
  }

  private typeNode(type: TypeExpr, meta: FieldMeta | undefined): SchemaNode | undefined {
    switch (type.t) {
      case 'ref':
        return this.declaration(type.module, type.name);
      case 'map': {
        const values = this.typeNode(type.values, undefined);
        return values ? { map: true, values } : { map: true };
      }
      case 'array': {
        const node: MutableNode = { list: meta?.listType ?? 'atomic' };
        if (meta?.listMapKeys) node.keys = meta.listMapKeys;
        if (meta?.keyDefaults) node.keyDefaults = meta.keyDefaults;
        const item = this.typeNode(type.items, undefined);
        if (item) node.item = item;
        if (meta?.patchStrategy?.split(',').includes('merge')) node.patchMerge = true;
        if (meta?.patchMergeKey) node.mergeKey = meta.patchMergeKey;
        return node;
      }
      default:
        return undefined; // scalars: strings, numbers, booleans, int-or-string
    }
  }
}

let served: SchemaView | undefined;
const roots = new Map<string, SchemaNode | null>();

/** The schema of a resource's objects (`pods`, `statefulsets.apps`), or undefined when it is not served. */
export function schemaFor(resourceKey: string): SchemaNode | undefined {
  let root = roots.get(resourceKey);
  if (root === undefined) {
    const ri = servedResource(resourceKey);
    served ??= new SchemaView(servedTypeLibrary());
    root = ri ? served.declaration(moduleOf(ri.group, ri.version), ri.kind) ?? null : null;
    roots.set(resourceKey, root);
  }
  return root ?? undefined;
}

function servedResource(resourceKey: string): ResourceInfo | undefined {
  try {
    return resourceByKey(resourceKey);
  } catch {
    return undefined;
  }
}

/** The schema of field `name` of an object described by `node`. */
export function fieldSchema(node: SchemaNode | undefined, name: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (node.map) return node.values;
  return node.fields?.[name];
}

export function listType(node: SchemaNode | undefined): ListType {
  return node?.list ?? 'atomic';
}
