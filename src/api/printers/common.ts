// Column building blocks and cell helpers shared by the per-resource printers.
import type { TableColumnDefinition } from './types.js';

/** ObjectMeta's own field documentation, which the real column definitions reuse. */
export const DOC = {
  name:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may ' +
    'allow a client to request the generation of an appropriate name automatically. Name is primarily intended for ' +
    'creation idempotence and configuration definition. Cannot be updated. More info: ' +
    'https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  creationTimestamp:
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not ' +
    'guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It ' +
    'is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: ' +
    'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
  containers: 'Names of each container in the template.',
  images: 'Images referenced by each container in the template.',
};

/** A column; priority 1 marks a wide-only column. */
export function col(name: string, description: string, opts: { type?: string; format?: string; priority?: number } = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const NAME = (): TableColumnDefinition => col('Name', DOC.name, { format: 'name' });
export const AGE = (): TableColumnDefinition => col('Age', DOC.creationTimestamp);

/** Container names and images, each comma-joined (layoutContainerCells). */
export function containerCells(containers: any[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c?.name ?? '').join(','), list.map((c) => c?.image ?? '').join(',')];
}

/** labels.FormatLabels: `k=v` pairs sorted by key, or "<none>". */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

/** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that fixed order, duplicates dropped. */
export function accessModesString(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** Go's net.JoinHostPort: brackets around IPv6 hosts. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Up to `max` items joined by commas, then " + N more..."; "<unset>" when empty (listWithMoreString). */
export function listWithMore(items: string[], max = 3): string {
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  const s = items.join(',');
  return s === '' ? '<unset>' : s;
}
