import { describe, expect, it } from "vitest";
import { problemChecks, summarizeReport, type ReportCheck, type ValidationReport } from "@/lib/sandbox/report";

function check(table: string, status: ReportCheck["status"], label = "NOT NULL (name)"): ReportCheck {
  return {
    table,
    kind: "not_null",
    label,
    columns: ["name"],
    status,
    violations: status === "passed" ? 0 : status === "failed" ? 3 : null,
    unit: "NULL values",
    ...(status === "not_checked" ? { error: "Binder Error" } : {}),
  };
}

describe("summarizeReport", () => {
  it("counts passed, failed and unevaluated checks over every table", () => {
    const report: ValidationReport = {
      bytes: 1024,
      tables: [
        { name: "a", rowCount: 10, checks: [check("a", "passed"), check("a", "failed", "UNIQUE (x)")], columns: [] },
        { name: "b", rowCount: 0, checks: [check("b", "passed"), check("b", "not_checked", "CHECK (y > 0)"), check("b", "passed")], columns: [] },
      ],
    };
    expect(summarizeReport(report)).toEqual({ checks: 5, passed: 3, failed: 1, notChecked: 1 });
    expect(problemChecks(report).map((c) => `${c.table}:${c.label}`)).toEqual(["a:UNIQUE (x)", "b:CHECK (y > 0)"]);
  });

  it("gives zeros for a report without tables", () => {
    expect(summarizeReport({ bytes: 0, tables: [] })).toEqual({ checks: 0, passed: 0, failed: 0, notChecked: 0 });
  });
});
