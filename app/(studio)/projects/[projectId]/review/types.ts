// Shapes the review workspace reads from the API (types only: the server modules define them).
import type { PairDetail, PairListPage, PairListRow } from "@/lib/review/server/service";

export type { PairDetail, PairListPage, PairListRow };
export type State = PairListRow["reviewState"];

export interface RunResult {
  columns: { name: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
}

export interface Member {
  id: string;
  name: string;
  email: string;
  /** Project role: viewers cannot be assigned pairs. */
  role?: string;
}

export interface SchemaTables {
  tables: { name: string; columns: { name: string; type?: string }[] }[];
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}
