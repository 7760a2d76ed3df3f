// Shapes of query results as they leave the sandbox: plain JSON, safe to store, send to the
// browser and compare. Produced by lib/sql/server/safe-exec.ts.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface QueryColumn {
  name: string;
  /** DuckDB's type name, e.g. "INTEGER", "DECIMAL(10,2)", "VARCHAR[]". */
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: JsonValue[][];
  /** Number of rows in `rows` (never more than the row cap). */
  rowCount: number;
  /** True when the query produced more rows than the cap and only the first ones were kept. */
  truncated: boolean;
  elapsedMs: number;
}
