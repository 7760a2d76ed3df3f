import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import type { QueryFeatures } from "@/lib/queries/features";
import { getLintHints, type LintFlag, type LintHints } from "@/lib/queries/lint";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { checkTiesAtLimit, lintWithExecution } from "@/lib/queries/server/lint-exec";
import { generateTemplateQueries, quoteIdent, type ValueSamples } from "@/lib/queries/templates";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { closeAllSandboxReaders, executeReadOnly } from "@/lib/sql/server/safe-exec";

const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-lint-exec-"));
const scoresFile = path.join(dir, "scores.duckdb");
const flightsFile = path.join(dir, "openflights.duckdb");

// points: 10, 9, 9, 8, 7, 7, 7, 5 — ties at the 2nd/3rd and 5th–7th places; a NULL rating.
const SCORES = [
  [1, "Ann", "red", 10, 1.5],
  [2, "Bo", "red", 9, 2.25],
  [3, "Cy", "blue", 9, 3.0],
  [4, "Di", "blue", 8, null],
  [5, "Ed", "green", 7, 0.1],
  [6, "Flo", "green", 7, 0.2],
  [7, "Gus", "red", 7, 0.3],
  [8, "Hal", "blue", 5, 4.75],
] as const;

const scoresHints: LintHints = {
  primaryKeys: { scores: ["id"], events: ["id"] },
  tableColumns: { scores: ["id", "player", "team", "points", "rating"], events: ["id", "kind"] },
  nullableColumns: ["scores.rating"],
};

beforeAll(async () => {
  const instance = await DuckDBInstance.create(scoresFile);
  const connection = await instance.connect();
  try {
    await connection.run("CREATE TABLE scores (id INTEGER PRIMARY KEY, player VARCHAR NOT NULL, team VARCHAR NOT NULL, points INTEGER NOT NULL, rating DOUBLE)");
    const rows = SCORES.map((r) => `(${r[0]}, '${r[1]}', '${r[2]}', ${r[3]}, ${r[4] ?? "NULL"})`).join(", ");
    await connection.run(`INSERT INTO scores VALUES ${rows}`);
    await connection.run("CREATE TABLE events AS SELECT range::INTEGER AS id, CASE WHEN range % 2 = 0 THEN 'a' ELSE 'b' END AS kind FROM range(1, 1501)");
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(dir, { recursive: true, force: true });
});

async function featuresOf(sql: string): Promise<QueryFeatures> {
  const analysis = await analyzeSql(sql);
  if (!analysis.ok) throw new Error(analysis.error);
  return analysis.features;
}

async function lintOn(file: string, sql: string, hints: LintHints, extra: { question?: string; hugeResultRows?: number } = {}): Promise<LintFlag[]> {
  return lintWithExecution(file, sql, await featuresOf(sql), { hints, ...extra });
}

const flagOf = (flags: LintFlag[], code: string) => flags.find((f) => f.code === code);

describe("checkTiesAtLimit", () => {
  it("sees a tie straddling the cut, and none when the cut falls between different values", async () => {
    expect(await checkTiesAtLimit(scoresFile, "SELECT player, points FROM scores ORDER BY points DESC LIMIT 2")).toBe(true);
    expect(await checkTiesAtLimit(scoresFile, "SELECT player, points FROM scores ORDER BY points DESC LIMIT 1")).toBe(false);
    expect(await checkTiesAtLimit(scoresFile, "SELECT player, points FROM scores ORDER BY points DESC LIMIT 3")).toBe(false);
    // A unique tiebreak leaves nothing tied.
    expect(await checkTiesAtLimit(scoresFile, "SELECT player, points FROM scores ORDER BY points DESC, id LIMIT 2")).toBe(false);
  });

  it("reads keys that are not in the output, aliases and positions", async () => {
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points DESC LIMIT 5")).toBe(true);
    expect(await checkTiesAtLimit(scoresFile, "SELECT player, points AS p FROM scores ORDER BY p DESC LIMIT 5")).toBe(true);
    expect(await checkTiesAtLimit(scoresFile, "SELECT player, points FROM scores ORDER BY 2 DESC LIMIT 4")).toBe(false);
    // red and blue both have three players.
    expect(await checkTiesAtLimit(scoresFile, "SELECT team, count(*) AS n FROM scores GROUP BY team ORDER BY n DESC LIMIT 1")).toBe(true);
    expect(await checkTiesAtLimit(scoresFile, "SELECT team, count(*) AS n FROM scores GROUP BY team ORDER BY n DESC LIMIT 2")).toBe(false);
    expect(await checkTiesAtLimit(scoresFile, "SELECT team, sum(points) FROM scores GROUP BY team ORDER BY sum(points) LIMIT 1")).toBe(false);
  });

  it("checks both ends of an OFFSET window, and set operations by output name", async () => {
    // Rows 5..6 kept (7, 7), row 4 (8) skipped, row 7 (7) cut: tied at the end.
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points DESC LIMIT 2 OFFSET 4")).toBe(true);
    // Row 3 (9) kept, row 2 (9) skipped: tied at the start.
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points DESC LIMIT 1 OFFSET 2")).toBe(true);
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points DESC OFFSET 3 LIMIT 1")).toBe(false);
    expect(await checkTiesAtLimit(scoresFile, "SELECT points FROM scores UNION ALL SELECT points FROM scores ORDER BY points DESC LIMIT 1")).toBe(true);
  });

  it("is null when there is no ORDER BY … LIMIT or it cannot tell", async () => {
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores LIMIT 2")).toBeNull();
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points")).toBeNull();
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points LIMIT 50%")).toBeNull();
    expect(await checkTiesAtLimit(scoresFile, "SELECT nope FROM scores ORDER BY points LIMIT 2")).toBeNull();
    expect(await checkTiesAtLimit(scoresFile, "SELECT DISTINCT team FROM scores ORDER BY points LIMIT 2")).toBeNull();
    expect(await checkTiesAtLimit(scoresFile, "SELEC broken")).toBeNull();
    // Nothing cut: fewer rows than the LIMIT.
    expect(await checkTiesAtLimit(scoresFile, "SELECT player FROM scores ORDER BY points LIMIT 20")).toBe(false);
  });
});

describe("lintWithExecution", () => {
  it("flags ties at the cut as an error, with a fix that breaks them", async () => {
    const sql = "SELECT player, points FROM scores ORDER BY points DESC LIMIT 2";
    const flags = await lintOn(scoresFile, sql, scoresHints);
    const ties = flagOf(flags, "ties_at_limit");
    expect(ties).toMatchObject({ severity: "error", fix: { sql: "SELECT player, points FROM scores ORDER BY points DESC, id LIMIT 2" } });
    expect(flagOf(flags, "order_by_missing_tiebreak")).toBeUndefined();
    expect(await checkTiesAtLimit(scoresFile, ties!.fix!.sql)).toBe(false);
    expect((await lintOn(scoresFile, ties!.fix!.sql, scoresHints)).map((f) => f.code)).toEqual([]);
  });

  it("keeps the static warning when the sandbox happens to have no tie at the cut", async () => {
    const flags = await lintOn(scoresFile, "SELECT player, points FROM scores ORDER BY points DESC LIMIT 3", scoresHints);
    expect(flags.map((f) => f.code)).toEqual(["order_by_missing_tiebreak"]);
    expect(flags[0]).toMatchObject({ severity: "warning", fix: { sql: "SELECT player, points FROM scores ORDER BY points DESC, id LIMIT 3" } });
  });

  it("drops a fix that does not run on the sandbox, keeping the flag", async () => {
    // Hints that name a key column the sandbox does not have.
    const wrong: LintHints = { ...scoresHints, primaryKeys: { scores: ["score_id"] } };
    const flag = flagOf(await lintOn(scoresFile, "SELECT player, points FROM scores ORDER BY points DESC LIMIT 3", wrong), "order_by_missing_tiebreak");
    expect(flag).toBeDefined();
    expect(flag!.message).toContain("score_id");
    expect(flag!.fix).toBeUndefined();
  });

  it("flags a single NULL row, and not a single real value", async () => {
    const lone = await lintOn(scoresFile, "SELECT max(points) FROM scores WHERE team = 'purple'", scoresHints);
    expect(flagOf(lone, "single_null")).toMatchObject({ severity: "warning" });
    expect(flagOf(lone, "single_null")!.message).toMatch(/NULL/);
    const real = await lintOn(scoresFile, "SELECT max(points) FROM scores WHERE team = 'red'", scoresHints);
    expect(real.map((f) => f.code)).toEqual([]);
  });

  it("flags an empty result", async () => {
    const flags = await lintOn(scoresFile, "SELECT player FROM scores WHERE points > 100", scoresHints);
    expect(flags.map((f) => f.code)).toEqual(["empty_result"]);
  });

  it("flags a huge result over the configured size", async () => {
    const sql = "SELECT id, kind FROM events";
    const huge = flagOf(await lintOn(scoresFile, sql, scoresHints), "huge_result");
    expect(huge).toMatchObject({ severity: "warning" });
    expect(huge!.message).toContain("1,000");
    expect(flagOf(await lintOn(scoresFile, sql, scoresHints, { hugeResultRows: 2000 }), "huge_result")).toBeUndefined();
    expect(flagOf(await lintOn(scoresFile, "SELECT id FROM events WHERE id <= 1000", scoresHints), "huge_result")).toBeUndefined();
  });

  it("uses a result already read instead of running the query again", async () => {
    const sql = "SELECT id, kind FROM events";
    const result = await executeReadOnly(scoresFile, sql, { maxRows: 5000 });
    const flags = await lintWithExecution(scoresFile, sql, await featuresOf(sql), { hints: scoresHints, result, hugeResultRows: 1400 });
    expect(flagOf(flags, "huge_result")!.message).toContain("1,500 rows");
  });

  it("notes computed floating-point columns, not stored ones", async () => {
    const avg = await lintOn(scoresFile, "SELECT team, avg(points) AS mean_points FROM scores GROUP BY team", scoresHints);
    expect(flagOf(avg, "float_result")).toMatchObject({ severity: "info" });
    expect(flagOf(avg, "float_result")!.message).toContain("mean_points");
    const stored = await lintOn(scoresFile, "SELECT id, rating FROM scores WHERE rating > 1", scoresHints);
    expect(flagOf(stored, "float_result")).toBeUndefined();
  });

  it("offers an ORDER BY for a question asking for an order, and the fix runs", async () => {
    const sql = "SELECT team, sum(points) AS total FROM scores GROUP BY team";
    const flags = await lintOn(scoresFile, sql, scoresHints, { question: "Which teams scored the most points?" });
    const flag = flagOf(flags, "question_implies_order");
    expect(flag?.fix?.sql).toBe("SELECT team, sum(points) AS total FROM scores GROUP BY team ORDER BY total DESC, team");
    const fixed = await lintOn(scoresFile, flag!.fix!.sql, scoresHints, { question: "Which teams scored the most points?" });
    expect(fixed.map((f) => f.code)).toEqual([]);
  });

  it("adds NULLS LAST without changing the result", async () => {
    const sql = "SELECT id, rating FROM scores ORDER BY rating DESC, id";
    const flag = flagOf(await lintOn(scoresFile, sql, scoresHints), "nulls_order_unspecified");
    expect(flag?.fix?.sql).toBe("SELECT id, rating FROM scores ORDER BY rating DESC NULLS LAST, id");
    const before = await executeReadOnly(scoresFile, sql);
    const after = await executeReadOnly(scoresFile, flag!.fix!.sql);
    expect(after.rows).toEqual(before.rows);
  });
});

describe("template queries on a generated OpenFlights sandbox", () => {
  let model: SchemaModel;
  let hints: LintHints;

  beforeAll(async () => {
    model = toEffectiveSchema((await parseDuckdbDdl(OPENFLIGHTS_DDL)).model);
    hints = getLintHints(model);
    await generateSandboxFile(model, { targetPath: flightsFile, seed: 11, rowsPerTable: { countries: 30, airlines: 60, airports: 150, planes: 12, routes: 600 } });
  });

  it("finds real ties on a low-cardinality column, and none once a key breaks them", async () => {
    const sql = "SELECT route_id, stops FROM routes ORDER BY stops LIMIT 5";
    expect(await checkTiesAtLimit(flightsFile, sql)).toBe(true);
    const flags = await lintOn(flightsFile, sql, hints);
    expect(flagOf(flags, "ties_at_limit")?.fix?.sql).toBe("SELECT route_id, stops FROM routes ORDER BY stops, route_id LIMIT 5");
    expect(await checkTiesAtLimit(flightsFile, "SELECT route_id, stops FROM routes ORDER BY stops, route_id LIMIT 5")).toBe(false);
  });

  it("resolves keys through joins: the airline key is not unique once routes repeat it", async () => {
    const sql = "SELECT r.route_id, a.name FROM routes r JOIN airlines a ON a.airline_id = r.airline_id ORDER BY a.airline_id LIMIT 10";
    const flags = await lintOn(flightsFile, sql, hints);
    const flag = flags.find((f) => f.code === "ties_at_limit" || f.code === "order_by_missing_tiebreak");
    expect(flag?.fix?.sql).toBe("SELECT r.route_id, a.name FROM routes r JOIN airlines a ON a.airline_id = r.airline_id ORDER BY a.airline_id, r.route_id LIMIT 10");
  });

  it("raises no ordering or nondeterminism flag on any generated query", async () => {
    const samples: ValueSamples = {};
    for (const table of model.tables) {
      for (const column of table.columns) {
        const c = quoteIdent(column.name);
        const result = await executeReadOnly(flightsFile, `SELECT ${c} AS v, count(*) AS n FROM ${quoteIdent(table.name)} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY n DESC, ${c} LIMIT 12`, { maxRows: 12 });
        samples[`${table.name}.${column.name}`] = result.rows.map((r) => r[0] as string | number | boolean | null);
      }
    }
    const drafts = generateTemplateQueries(model, samples, { seed: 5 });
    expect(drafts.length).toBeGreaterThan(20);
    const ordering = new Set(["limit_without_order", "unordered_limit", "ties_at_limit", "order_by_missing_tiebreak", "nondeterministic_function"]);
    const problems: string[] = [];
    for (const draft of drafts) {
      const flags = await lintOn(flightsFile, draft.sql, hints);
      for (const f of flags) if (ordering.has(f.code)) problems.push(`${draft.shape}: ${f.code}: ${draft.sql}`);
    }
    expect(problems).toEqual([]);
  });
});
