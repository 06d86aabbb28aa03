// Server-side Table printing: the columns and cells `kubectl get` shows, one printer per
// served resource, as the real apiserver's printers define them. The server always fills
// the wide (priority 1) cells; kubectl drops them unless `-o wide`.
import { PRINTERS } from './printers.js';
import { DOC, col } from './common.js';
import type { ResourcePrinter, TableColumnDefinition } from './types.js';
import { rfc3339 } from '../time.js';

export type { TableColumnDefinition, ResourcePrinter } from './types.js';
export { humanDuration } from './time.js';
export { summarizePod } from './pod.js';

const printers: ReadonlyMap<string, ResourcePrinter> = PRINTERS;

/** The apiserver's default for a type without a printer: Name, and Created At as an RFC 3339 date. */
const defaultPrinter: ResourcePrinter = {
  columns: [col('Name', DOC.name, { format: 'name' }), col('Created At', DOC.creationTimestamp, { type: 'date' })],
  cells(obj: any): unknown[] {
    const created = obj?.metadata?.creationTimestamp;
    const ms = created ? Date.parse(String(created)) : NaN;
    // Go's zero time when unset, like metav1.Time{}.UTC().Format(time.RFC3339).
    const at = Number.isNaN(ms) ? '0001-01-01T00:00:00Z' : rfc3339(ms);
    return [obj?.metadata?.name ?? '', at];
  },
};

function printerFor(resourceKey: string): ResourcePrinter {
  return printers.get(resourceKey) ?? defaultPrinter;
}

/** Column definitions for a resource key from src/api/resources.ts (e.g. 'pods', 'statefulsets.apps', 'events', 'events.events.k8s.io'). Unknown keys get the apiserver's default: Name (format name), Created At (type date). */
export function columnsFor(resourceKey: string): TableColumnDefinition[] {
  return printerFor(resourceKey).columns.map((c) => ({ ...c }));
}

/** One row's cells, formatted exactly as the real apiserver formats them (strings/numbers), Age relative to `now`. */
export function cellsFor(resourceKey: string, obj: any, now: Date): unknown[] {
  return printerFor(resourceKey).cells(obj, now);
}

/** Whether a resource has a printer of its own (false: the default Name/Created At table). */
export function hasPrinter(resourceKey: string): boolean {
  return printers.has(resourceKey);
}
