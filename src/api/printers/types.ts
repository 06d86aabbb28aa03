// The shape of a server-side Table column and of one resource's printer.

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/**
 * What the apiserver knows about printing one resource: its columns, and how one
 * object becomes one row of cells. The server always prints the wide cells too
 * (priority 1 columns); kubectl hides them unless `-o wide`.
 */
export interface ResourcePrinter {
  columns: TableColumnDefinition[];
  cells(obj: any, now: Date): unknown[];
}
