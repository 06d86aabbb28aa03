// Server-side Tables (meta.k8s.io/v1 Table), what `kubectl get` prints.
import { columnsFor, cellsFor } from '../api/printers/index.js';
import { keyOf, type ResourceInfo } from '../api/resources.js';
import type { KObject } from '../client/types.js';

/** Whether the Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((p) => /as=Table/.test(p) && /g=meta\.k8s\.io/.test(p) && /v=v1(beta1)?\b/.test(p));
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KObject, include: IncludeObject): KObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function toTable(
  ri: ResourceInfo, objs: KObject[], meta: { resourceVersion?: string; continue?: string },
  opts: { include: IncludeObject; now: Date; noHeaders?: boolean },
) {
  const key = keyOf(ri);
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta };
  if (!opts.noHeaders) table.columnDefinitions = columnsFor(key);
  table.rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: cellsFor(key, o, opts.now) };
    const ro = rowObject(o, opts.include);
    if (ro) row.object = ro;
    return row;
  });
  return table;
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
