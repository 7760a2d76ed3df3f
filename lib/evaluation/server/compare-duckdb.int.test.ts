// Result comparison through real execution: queries run on sandbox DuckDB files with executeReadOnly
// and their results go through compareResults, so DuckDB's types (DECIMAL, DOUBLE, BIGINT, DATE,
// TIMESTAMP, VARCHAR, NULL) reach the comparator exactly as they do in an evaluation run. A second
// file with other data plays the part of a test-suite variant: a prediction that only matches the
// gold by coincidence on the main sandbox is caught there.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareResults, DEFAULT_COMPARE_SETTINGS, type CompareOutcome, type CompareSettings, type ResultSet } from "@/lib/evaluation/compare";
import { closeAllSandboxReaders, executeReadOnly } from "@/lib/sql/server/safe-exec";

let dir: string;
let mainDb: string;
let variantDb: string;

const SCHEMA = `
  CREATE TABLE items (
    id INTEGER PRIMARY KEY, label VARCHAR, price DECIMAL(10,2), weight DOUBLE, qty INTEGER,
    big BIGINT, day DATE, seen_at TIMESTAMP, note VARCHAR
  );`;

// Main sandbox: no price is exactly 10.00 and no quantity is 0.
const MAIN_ROWS = `
  INSERT INTO items VALUES
    (1, 'anchor', 1.50, 1.5, 3, 9007199254740993, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.123456', 'x'),
    (2, 'buoy', 12.25, 0.25, 7, 42, DATE '2024-01-03', TIMESTAMP '2024-01-03 00:00:00', NULL),
    (3, 'cleat', 7.10, 2.0, 5, 7, DATE '2023-12-31', TIMESTAMP '2023-12-31 23:59:59', ''),
    (4, 'davit', 25.00, 10.125, 1, -3, NULL, NULL, 'y'),
    (5, 'ensign', 12.25, 0.5, 7, 0, DATE '2024-02-29', TIMESTAMP '2024-02-29 12:00:00', NULL);`;

// Variant: same schema, other data; one price sits exactly on 10.00.
const VARIANT_ROWS = `
  INSERT INTO items VALUES
    (1, 'anchor', 10.00, 1.5, 3, 1, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', 'x'),
    (2, 'buoy', 11.00, 0.25, 0, 2, DATE '2024-01-03', TIMESTAMP '2024-01-03 00:00:00', NULL),
    (3, 'cleat', 3.30, 2.0, 5, 3, DATE '2023-12-31', TIMESTAMP '2023-12-31 23:59:59', '');`;

async function buildSandbox(file: string, rows: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    await conn.run(`${SCHEMA}${rows} CHECKPOINT;`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

async function run(db: string, sql: string): Promise<ResultSet> {
  const result = await executeReadOnly(db, sql);
  return { columns: result.columns.map((c) => c.name), rows: result.rows };
}

async function compareOn(
  db: string,
  goldSql: string,
  predSql: string,
  settings: Partial<CompareSettings> = {},
): Promise<CompareOutcome> {
  const [gold, pred] = await Promise.all([run(db, goldSql), run(db, predSql)]);
  return compareResults(gold, pred, { ...DEFAULT_COMPARE_SETTINGS, ...settings });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sandpiper-compare-duckdb-"));
  mainDb = path.join(dir, "main.duckdb");
  variantDb = path.join(dir, "variant.duckdb");
  await buildSandbox(mainDb, MAIN_ROWS);
  await buildSandbox(variantDb, VARIANT_ROWS);
});

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(dir, { recursive: true, force: true });
});

describe("values as the reader produces them", () => {
  it("reads typed columns into the representation the comparator sees", async () => {
    const result = await executeReadOnly(mainDb, "SELECT price, weight, qty, big, day, seen_at, note FROM items WHERE id = 1");
    expect(result.columns.map((c) => c.type)).toEqual(["DECIMAL(10,2)", "DOUBLE", "INTEGER", "BIGINT", "DATE", "TIMESTAMP", "VARCHAR"]);
    expect(result.rows).toEqual([[1.5, 1.5, 3, "9007199254740993", "2024-01-02", "2024-01-02T03:04:05.123456", "x"]]);
  });
});

describe("compareResults on real DuckDB results", () => {
  it("DECIMAL(10,2) 1.50 matches DOUBLE 1.5", async () => {
    expect(await compareOn(mainDb, "SELECT CAST(1.50 AS DECIMAL(10,2))", "SELECT 1.5::DOUBLE")).toMatchObject({ match: true });
  });

  it("a DECIMAL column matches the same values read as DOUBLE", async () => {
    const out = await compareOn(mainDb, "SELECT price FROM items", "SELECT CAST(price AS DOUBLE) AS p FROM items");
    expect(out.match).toBe(true);
  });

  it("SUM over DECIMAL matches SUM over DOUBLE within the tolerance", async () => {
    const out = await compareOn(mainDb, "SELECT SUM(price) FROM items", "SELECT SUM(CAST(price AS DOUBLE)) FROM items");
    expect(out.match).toBe(true);
  });

  it("INTEGER matches DOUBLE of the same value, and an average rounded to two places does not", async () => {
    expect((await compareOn(mainDb, "SELECT SUM(qty) FROM items", "SELECT SUM(qty)::DOUBLE FROM items")).match).toBe(true);
    const rounded = await compareOn(mainDb, "SELECT AVG(weight) FROM items", "SELECT ROUND(AVG(weight), 2) FROM items");
    expect(rounded.match).toBe(false);
    expect(rounded.reason).toMatch(/2\.875 vs 2\.88/);
  });

  it("a number does not match its VARCHAR text", async () => {
    const out = await compareOn(mainDb, "SELECT qty FROM items", "SELECT CAST(qty AS VARCHAR) FROM items");
    expect(out.match).toBe(false);
    expect(out.reason.length).toBeGreaterThan(0);
  });

  it("a DATE literal matches the same DATE cast from text", async () => {
    expect(await compareOn(mainDb, "SELECT DATE '2024-01-02'", "SELECT CAST('2024-01-02' AS DATE)")).toMatchObject({ match: true });
  });

  it("a DATE matches VARCHAR text of the same day: both reach the comparator as \"2024-01-02\"", async () => {
    expect(await compareOn(mainDb, "SELECT DATE '2024-01-02'", "SELECT '2024-01-02'")).toMatchObject({ match: true });
    expect(await compareOn(mainDb, "SELECT day FROM items", "SELECT strftime(day, '%Y-%m-%d') FROM items")).toMatchObject({ match: true });
  });

  it("a DATE does not match the next day, nor the TIMESTAMP at its midnight", async () => {
    const nextDay = await compareOn(mainDb, "SELECT DATE '2024-01-02'", "SELECT DATE '2024-01-03'");
    expect(nextDay).toEqual({ match: false, reason: '1 row missing, 1 extra row (e.g. column 1: "2024-01-02" vs "2024-01-03")' });
    const midnight = await compareOn(mainDb, "SELECT DATE '2024-01-02'", "SELECT CAST(DATE '2024-01-02' AS TIMESTAMP)");
    expect(midnight.match).toBe(false);
  });

  it("TIMESTAMPs compare to the microsecond", async () => {
    expect((await compareOn(mainDb, "SELECT seen_at FROM items", "SELECT seen_at + INTERVAL 0 SECOND FROM items")).match).toBe(true);
    expect((await compareOn(mainDb, "SELECT seen_at FROM items", "SELECT seen_at + INTERVAL 1 MICROSECOND FROM items")).match).toBe(false);
  });

  it("INTERVALs reach the comparator as DuckDB's text form and compare as text", async () => {
    expect((await run(mainDb, "SELECT INTERVAL 1 DAY, INTERVAL 24 HOUR, INTERVAL 1 DAY = INTERVAL 24 HOUR")).rows).toEqual([
      ["1 day", "24:00:00", true],
    ]);
    expect((await compareOn(mainDb, "SELECT INTERVAL 1 DAY", "SELECT INTERVAL '1 day'")).match).toBe(true);
    expect((await compareOn(mainDb, "SELECT INTERVAL 1 DAY", "SELECT INTERVAL 24 HOUR")).match).toBe(false);
  });

  it("NULL equals NULL, but not 0 or the empty string", async () => {
    expect((await compareOn(mainDb, "SELECT note FROM items", "SELECT note FROM items ORDER BY id DESC")).match).toBe(true);
    const zero = await compareOn(mainDb, "SELECT CAST(NULL AS INTEGER)", "SELECT 0");
    expect(zero.match).toBe(false);
    expect(zero.reason).toMatch(/NULL vs 0/);
    const empty = await compareOn(mainDb, "SELECT note FROM items", "SELECT coalesce(note, '') FROM items");
    expect(empty.match).toBe(false);
    expect(empty.reason).toMatch(/^2 rows missing, 2 extra rows/);
  });

  it("column permutation and alias differences match", async () => {
    const out = await compareOn(
      mainDb,
      "SELECT label, price, day FROM items",
      "SELECT day AS d, label AS name, price AS cost FROM items",
    );
    expect(out).toEqual({ match: true, reason: "results match (columns in a different order)" });
  });

  it("duplicates count: DISTINCT against the full multiset differs", async () => {
    const out = await compareOn(mainDb, "SELECT price FROM items", "SELECT DISTINCT price FROM items");
    expect(out.match).toBe(false);
    expect(out.reason).toMatch(/^1 row missing/);
  });

  it("row order matters only when the gold has a top-level ORDER BY", async () => {
    const gold = "SELECT id, label FROM items ORDER BY id";
    const pred = "SELECT id, label FROM items ORDER BY id DESC";
    expect((await compareOn(mainDb, gold, pred)).match).toBe(true);
    expect(await compareOn(mainDb, gold, pred, { orderMatters: true })).toEqual({
      match: false,
      reason: "rows are in a different order",
    });
    expect((await compareOn(mainDb, gold, "SELECT label AS l, id FROM items ORDER BY id", { orderMatters: true })).match).toBe(true);
  });

  it("the same rows from two different queries match; different rows do not", async () => {
    const out = await compareOn(mainDb, "SELECT label FROM items WHERE qty = 7", "SELECT label FROM items WHERE price = 12.25");
    expect(out.match).toBe(true);
    const wrong = await compareOn(mainDb, "SELECT label FROM items WHERE qty = 7", "SELECT label FROM items WHERE qty = 5");
    expect(wrong).toEqual({ match: false, reason: '2 rows missing, 1 extra row (e.g. column 1: "buoy" vs "cleat")' });
  });
});

describe("a match on the main sandbox alone is not enough", () => {
  it("> vs >= on a price: same rows on the main sandbox, different rows on a variant with a price of exactly 10.00", async () => {
    const gold = "SELECT label FROM items WHERE price > 10";
    const pred = "SELECT label FROM items WHERE price >= 10";
    expect(await compareOn(mainDb, gold, pred)).toEqual({ match: true, reason: "results match" });
    const onVariant = await compareOn(variantDb, gold, pred);
    expect(onVariant.match).toBe(false);
    expect(onVariant.reason).toBe('1 extra row (e.g. ("anchor"))');
  });

  it("qty > 0 vs qty >= 0 under COUNT: same count on the main sandbox (no zero quantity), not on the variant", async () => {
    const gold = "SELECT COUNT(*) AS n FROM items WHERE qty > 0";
    const pred = "SELECT COUNT(*) FROM items WHERE qty >= 0";
    expect(await compareOn(mainDb, gold, pred)).toEqual({ match: true, reason: "results match" });
    const onVariant = await compareOn(variantDb, gold, pred);
    expect(onVariant).toEqual({ match: false, reason: "1 row missing, 1 extra row (e.g. column 1: 2 vs 3)" });
  });
});
