// The validation report of a sandbox: every constraint of the schema, proved (or disproved) by a
// query against the file, plus a short profile of each column. Built by lib/sandbox/server/report.ts.

export type ReportCheckKind = "primary_key" | "unique" | "not_null" | "foreign_key" | "check";

/** passed: no violating row; failed: at least one; not_checked: the query could not run. */
export type ReportCheckStatus = "passed" | "failed" | "not_checked";

export interface ReportCheck {
  table: string;
  kind: ReportCheckKind;
  /** Human-readable description, e.g. "UNIQUE (iso_code)" or "FOREIGN KEY (airline_id) → airlines (airline_id)". */
  label: string;
  columns: string[];
  status: ReportCheckStatus;
  /** Rows that break the constraint; null when the check was not evaluated. */
  violations: number | null;
  /** What a violation means for this check, e.g. "duplicate or NULL keys", "orphan rows". */
  unit: string;
  /** Why the check could not be evaluated. */
  error?: string;
}

export interface ColumnValueCount {
  value: string;
  count: number;
}

export interface ColumnProfile {
  name: string;
  type: string;
  nullCount: number;
  /** 0–1; 0 for an empty table. */
  nullRate: number;
  distinct: number;
  min: string | null;
  max: string | null;
  /** The most frequent non-NULL values, most frequent first (at most 3). */
  top: ColumnValueCount[];
  /** Set when the profile query failed for this column. */
  error?: string;
}

export interface TableReport {
  name: string;
  rowCount: number;
  /** Set when the table could not be read at all. */
  error?: string;
  checks: ReportCheck[];
  columns: ColumnProfile[];
}

export interface ValidationReport {
  /** Size of the sandbox file in bytes. */
  bytes: number;
  tables: TableReport[];
}

export interface ReportSummary {
  /** Every check in the report. */
  checks: number;
  passed: number;
  failed: number;
  notChecked: number;
}

export function summarizeReport(report: ValidationReport): ReportSummary {
  const summary: ReportSummary = { checks: 0, passed: 0, failed: 0, notChecked: 0 };
  for (const table of report.tables) {
    for (const check of table.checks) {
      summary.checks++;
      if (check.status === "passed") summary.passed++;
      else if (check.status === "failed") summary.failed++;
      else summary.notChecked++;
    }
  }
  return summary;
}

/** The checks that did not pass (failed or not evaluated), in report order. */
export function problemChecks(report: ValidationReport): ReportCheck[] {
  return report.tables.flatMap((t) => t.checks.filter((c) => c.status !== "passed"));
}
