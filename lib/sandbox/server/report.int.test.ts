import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import type { SchemaModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { problemChecks, summarizeReport } from "@/lib/sandbox/report";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { browseRowsInput, browseSql } from "@/lib/sandbox/server/browse";
import { buildValidationReport } from "@/lib/sandbox/server/report";
import { ValidationError } from "@/lib/errors";
import { closeAllSandboxReaders, executeReadOnly } from "@/lib/sql/server/safe-exec";

const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-report-"));
const ROWS = { countries: 30, airlines: 60, airports: 120, planes: 10, routes: 400 };

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the sandbox whose tables carry no constraints, changed by `statements`. */
async function brokenCopy(source: string, target: string, model: SchemaModel, statements: string[]): Promise<void> {
  const staged = `${source}.copy`;
  copyFileSync(source, staged);
  const instance = await DuckDBInstance.create(target);
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${staged.replace(/'/g, "''")}' AS src (READ_ONLY)`);
    for (const t of model.tables) await connection.run(`CREATE TABLE ${t.name} AS SELECT * FROM src.${t.name}`);
    await connection.run("DETACH src");
    for (const sql of statements) await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(staged, { force: true });
  }
}

describe("buildValidationReport", () => {
  const file = path.join(dir, "openflights.duckdb");
  let model: SchemaModel;

  beforeAll(async () => {
    model = (await parseDuckdbDdl(OPENFLIGHTS_DDL)).model;
    await generateSandboxFile(model, { targetPath: file, seed: 7, rowsPerTable: ROWS });
  });

  it("proves every constraint of a generated sandbox and profiles its columns", async () => {
    const report = await buildValidationReport(file, model);
    const summary = summarizeReport(report);
    expect(problemChecks(report)).toEqual([]);
    // 5 primary keys, 1 UNIQUE, 9 NOT NULL (outside keys), 5 foreign keys, 6 CHECKs.
    expect(summary).toEqual({ checks: 26, passed: 26, failed: 0, notChecked: 0 });
    expect(report.bytes).toBeGreaterThan(0);
    expect(Object.fromEntries(report.tables.map((t) => [t.name, t.rowCount]))).toEqual(ROWS);

    const airlines = report.tables.find((t) => t.name === "airlines")!;
    expect(airlines.checks.map((c) => [c.kind, c.label])).toEqual([
      ["primary_key", "PRIMARY KEY (airline_id)"],
      ["not_null", "NOT NULL (name)"],
      ["not_null", "NOT NULL (active)"],
      ["foreign_key", "FOREIGN KEY (country) → countries (name)"],
      ["check", expect.stringMatching(/^CHECK \(.*active.*'Y'.*'N'.*\)$/)],
    ]);
    const id = airlines.columns.find((c) => c.name === "airline_id")!;
    expect(id).toMatchObject({ nullCount: 0, nullRate: 0, distinct: ROWS.airlines });
    expect(Number(id.min)).toBeLessThanOrEqual(Number(id.max));
    expect(id.top).toHaveLength(3);
    const active = airlines.columns.find((c) => c.name === "active")!;
    expect(active.distinct).toBeLessThanOrEqual(2);
    expect(active.top.reduce((a, t) => a + t.count, 0)).toBe(ROWS.airlines);
    expect(active.top[0]!.count).toBeGreaterThanOrEqual(active.top.at(-1)!.count);
  });

  it("flags exactly the orphan, the duplicate and the CHECK violation planted in a copy", async () => {
    const broken = path.join(dir, "broken.duckdb");
    await brokenCopy(file, broken, model, [
      // An orphan: a route flown by an airline that does not exist.
      "INSERT INTO routes SELECT * REPLACE (1000000 AS route_id, 987654321 AS airline_id) FROM routes ORDER BY route_id LIMIT 1",
      // A duplicate ISO code: the last country takes the first one's code.
      `UPDATE countries SET iso_code = (SELECT iso_code FROM countries WHERE iso_code IS NOT NULL ORDER BY name LIMIT 1)
         WHERE name = (SELECT name FROM countries WHERE iso_code IS NOT NULL ORDER BY name DESC LIMIT 1)`,
      // An airport off the globe.
      "UPDATE airports SET latitude = 95 WHERE airport_id = (SELECT min(airport_id) FROM airports)",
    ]);
    const report = await buildValidationReport(broken, model);
    const problems = problemChecks(report).map((c) => ({ table: c.table, kind: c.kind, columns: c.columns, status: c.status, violations: c.violations }));
    expect(problems).toEqual([
      { table: "countries", kind: "unique", columns: ["iso_code"], status: "failed", violations: 1 },
      { table: "airports", kind: "check", columns: ["latitude"], status: "failed", violations: 1 },
      { table: "routes", kind: "foreign_key", columns: ["airline_id"], status: "failed", violations: 1 },
    ].sort((a, b) => model.tables.findIndex((t) => t.name === a.table) - model.tables.findIndex((t) => t.name === b.table)));
    expect(summarizeReport(report)).toEqual({ checks: 26, passed: 23, failed: 3, notChecked: 0 });
    expect(report.tables.find((t) => t.name === "routes")!.rowCount).toBe(ROWS.routes + 1);
  });

  it("marks a CHECK it cannot evaluate as not checked, with the error", async () => {
    const changed: SchemaModel = {
      ...model,
      tables: model.tables.map((t) => (t.name === "planes" ? { ...t, checks: [...t.checks, "no_such_column > 0"] } : t)),
    };
    const report = await buildValidationReport(file, changed);
    const [problem, ...rest] = problemChecks(report);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ table: "planes", kind: "check", status: "not_checked", violations: null });
    expect(problem!.error).toMatch(/no_such_column/);
    expect(summarizeReport(report)).toMatchObject({ checks: 27, passed: 26, notChecked: 1 });
  });

  it("pages, sorts and filters a table for the browser, and refuses unknown names", async () => {
    const run = async (query: Record<string, string>) => {
      const input = browseRowsInput.parse(query);
      const sql = browseSql(model, input);
      const rows = await executeReadOnly(file, sql.rows, { maxRows: input.pageSize });
      const total = Number((await executeReadOnly(file, sql.count, { maxRows: 1 })).rows[0]![0]);
      return { rows: rows.rows, columns: rows.columns.map((c) => c.name), total };
    };
    const page2 = await run({ table: "airports", page: "2", pageSize: "25", sort: "airport_id", dir: "desc" });
    expect(page2.total).toBe(ROWS.airports);
    expect(page2.rows).toHaveLength(25);
    const ids = page2.rows.map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const top = await run({ table: "airports", pageSize: "1", sort: "airport_id", dir: "desc" });
    expect(Number(top.rows[0]![0])).toBeGreaterThan(ids[0]!);

    const country = String((await run({ table: "countries", pageSize: "1" })).rows[0]![0]);
    const needle = `${country.slice(0, 3).toUpperCase()}'; --`;
    expect((await run({ table: "countries", filter: needle })).total).toBe(0);
    const filtered = await run({ table: "countries", filter: country.slice(0, 3).toUpperCase(), pageSize: "200" });
    expect(filtered.total).toBeGreaterThan(0);
    expect(filtered.rows.every((r) => r.some((v) => v !== null && String(v).toLowerCase().includes(country.slice(0, 3).toLowerCase())))).toBe(true);

    expect(() => browseSql(model, browseRowsInput.parse({ table: "pg_catalog.pg_tables" }))).toThrow(ValidationError);
    expect(() => browseSql(model, browseRowsInput.parse({ table: "routes", sort: "stops; DROP TABLE routes" }))).toThrow(ValidationError);
    expect(browseRowsInput.safeParse({ table: "routes", pageSize: "201" }).success).toBe(false);
    expect(browseRowsInput.safeParse({ table: "routes", dir: "sideways" }).success).toBe(false);
  });
});
