import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlExecutionError, SqlRefusedError } from "@/lib/errors";
import { closeAllSandboxReaders, executeReadOnly, firstKeyword } from "@/lib/sql/server/safe-exec";

let dir: string;
let dbPath: string;
let exfilPath: string;

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

async function buildSandbox(file: string, rows: number): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  await conn.run(`
    CREATE TABLE airports (id INTEGER PRIMARY KEY, name VARCHAR, altitude DOUBLE, opened DATE,
      updated TIMESTAMP, fee DECIMAL(10,2), big BIGINT, huge HUGEINT, ok BOOLEAN, note VARCHAR);
    INSERT INTO airports
      SELECT i, 'Airport ' || i, i * 10.5, DATE '2020-01-01' + i, TIMESTAMP '2024-01-02 03:04:05.123456' + INTERVAL (i) HOUR,
        (i * 1.25)::DECIMAL(10,2), i, i, i % 2 = 0, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' END
      FROM (SELECT range::INTEGER AS i FROM range(1, ${rows + 1}));
    INSERT INTO airports VALUES (100000, 'Edge', 'NaN'::DOUBLE, DATE '1999-12-31', TIMESTAMP '1999-12-31 23:59:59',
      12345678.90, 9007199254740993, 170141183460469231731687303715884105727, NULL, NULL);
    CHECKPOINT;
  `);
  conn.closeSync();
  instance.closeSync();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sandpiper-safe-exec-"));
  dbPath = path.join(dir, "sandbox.duckdb");
  exfilPath = path.join(dir, "exfil.csv");
  await buildSandbox(dbPath, 2500);
});

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(dir, { recursive: true, force: true });
});

describe("executeReadOnly: hostile corpus", () => {
  const refused: [string, () => string][] = [
    ["read_csv of /etc/passwd", () => "SELECT * FROM read_csv('/etc/passwd')"],
    ["read_text", () => "SELECT * FROM read_text('/etc/passwd')"],
    ["read_blob", () => "SELECT * FROM read_blob('/etc/hostname')"],
    ["glob", () => "SELECT * FROM glob('/etc/*')"],
    ["COPY to a file", () => `COPY airports TO '${exfilPath}'`],
    ["COPY query to a file", () => `COPY (SELECT 1) TO '${exfilPath}' (FORMAT csv)`],
    ["ATTACH", () => `ATTACH '${path.join(dir, "other.duckdb")}' AS other`],
    ["INSTALL", () => "INSTALL httpfs"],
    ["LOAD", () => "LOAD x"],
    ["SET", () => "SET memory_limit = '10GB'"],
    ["RESET", () => "RESET memory_limit"],
    ["PRAGMA", () => "PRAGMA database_list"],
    ["PRAGMA setting", () => "PRAGMA threads=64"],
    ["CALL", () => "CALL pragma_version()"],
    ["EXPORT DATABASE", () => `EXPORT DATABASE '${dir}/export'`],
    ["CREATE", () => "CREATE TABLE evil (a INTEGER)"],
    ["CREATE AS", () => "CREATE TABLE evil AS SELECT 1"],
    ["DROP", () => "DROP TABLE airports"],
    ["INSERT", () => "INSERT INTO airports (id) VALUES (-1)"],
    ["UPDATE", () => "UPDATE airports SET name = 'x'"],
    ["DELETE", () => "DELETE FROM airports"],
    ["two statements", () => "SELECT 1; SELECT 2"],
    ["select then drop", () => "SELECT 1; DROP TABLE airports"],
    ["leading comment hiding a statement", () => "/* select */ DELETE FROM airports"],
    ["DESCRIBE", () => "DESCRIBE airports"],
    ["SHOW", () => "SHOW TABLES"],
    ["SUMMARIZE", () => "SUMMARIZE airports"],
    ["EXPLAIN", () => "EXPLAIN SELECT 1"],
    ["BEGIN", () => "BEGIN TRANSACTION"],
    ["CHECKPOINT", () => "CHECKPOINT"],
    ["empty", () => "   "],
    ["only a comment", () => "-- nothing\n;"],
    ["1 MB query", () => `SELECT ${"1 + ".repeat(260_000)}1`],
  ];

  it.each(refused)("refuses %s", async (_label, sql) => {
    const before = sha256(dbPath);
    await expect(executeReadOnly(dbPath, sql())).rejects.toBeInstanceOf(SqlRefusedError);
    expect(sha256(dbPath)).toBe(before);
  });

  it("explains why and what is allowed", async () => {
    await expect(executeReadOnly(dbPath, "SELECT 1; SELECT 2")).rejects.toThrow(/2 statements.*SELECT or WITH/);
    await expect(executeReadOnly(dbPath, "INSERT INTO airports (id) VALUES (1)")).rejects.toThrow(
      /SELECT or WITH.*starts with INSERT/,
    );
    await expect(executeReadOnly(dbPath, "x".repeat(200 * 1024))).rejects.toThrow(/limit is 100 KB/);
    await expect(executeReadOnly(dbPath, "SELECT * FROM read_csv('/etc/passwd')")).rejects.toThrow(/cannot read or write files/);
  });

  it("writes no file", async () => {
    await executeReadOnly(dbPath, `COPY airports TO '${exfilPath}'`).catch(() => undefined);
    expect(existsSync(exfilPath)).toBe(false);
  });

  it("cannot change the memory limit from inside a SELECT", async () => {
    const result = await executeReadOnly(dbPath, "SELECT current_setting('memory_limit') AS m");
    expect(String(result.rows[0][0])).toMatch(/MiB|MB/);
    await expect(executeReadOnly(dbPath, "SET threads = 64")).rejects.toBeInstanceOf(SqlRefusedError);
  });

  it("interrupts a huge cross join within the timeout", async () => {
    const before = sha256(dbPath);
    const started = Date.now();
    const error = await executeReadOnly(
      dbPath,
      "SELECT count(*) FROM range(1000000000) a CROSS JOIN range(1000000000) b",
      { timeoutMs: 1000 },
    ).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(SqlExecutionError);
    expect((error as SqlExecutionError).kind).toBe("timeout");
    expect((error as Error).message).toMatch(/longer than 1 s and was stopped/);
    expect(sha256(dbPath)).toBe(before);
  });

  it("stops an endless recursive CTE", async () => {
    const started = Date.now();
    const error = await executeReadOnly(
      dbPath,
      "WITH RECURSIVE r(n) AS (SELECT 1::BIGINT UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
      { timeoutMs: 1000 },
    ).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(SqlExecutionError);
    expect(["timeout", "memory"]).toContain((error as SqlExecutionError).kind);
  });

  it("hits the memory limit instead of exhausting the machine", async () => {
    const error = await executeReadOnly(dbPath, "SELECT list(range) FROM range(200000000)", {
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlExecutionError);
    expect(["memory", "timeout"]).toContain((error as SqlExecutionError).kind);
  });

  it("still answers a normal query afterwards and the file is unchanged", async () => {
    const before = sha256(dbPath);
    const result = await executeReadOnly(dbPath, "SELECT count(*) AS n FROM airports");
    expect(result.rows).toEqual([[2501]]);
    expect(result.columns).toEqual([{ name: "n", type: "BIGINT" }]);
    expect(sha256(dbPath)).toBe(before);
  });
});

describe("executeReadOnly: errors", () => {
  it.each([
    ["SELECT * FROM airports WHERE", "syntax"],
    ["SELEC 1", "syntax"],
    ["SELECT * FROM nowhere", "binder"],
    ["SELECT missing_column FROM airports", "binder"],
    ["SELECT 'abc'::INTEGER", "runtime"],
  ] as const)("%s → %s", async (sql, kind) => {
    const error = await executeReadOnly(dbPath, sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlExecutionError);
    expect((error as SqlExecutionError).kind).toBe(kind);
    expect((error as Error).message.length).toBeGreaterThan(5);
  });
});

describe("executeReadOnly: values and row cap", () => {
  it("converts DuckDB values to JSON", async () => {
    const result = await executeReadOnly(
      dbPath,
      `SELECT id, name, altitude, opened, updated, fee, big, huge, ok, note,
         [1, 2] AS l, {'a': 1, 'b': 'x'} AS s, TIMESTAMPTZ '2024-01-01 10:00:00+00' AS tz,
         'Infinity'::DOUBLE AS inf, 3::HUGEINT AS small_huge, 0.1::DECIMAL(18,3) AS d3
       FROM airports WHERE id = 100000`,
    );
    const [row] = result.rows;
    expect(row).toEqual([
      100000,
      "Edge",
      "NaN",
      "1999-12-31",
      "1999-12-31T23:59:59",
      12345678.9,
      "9007199254740993",
      "170141183460469231731687303715884105727",
      null,
      null,
      [1, 2],
      { a: 1, b: "x" },
      "2024-01-01T10:00:00Z",
      "Infinity",
      3,
      0.1,
    ]);
    expect(result.columns.map((c) => c.type)).toEqual([
      "INTEGER",
      "VARCHAR",
      "DOUBLE",
      "DATE",
      "TIMESTAMP",
      "DECIMAL(10,2)",
      "BIGINT",
      "HUGEINT",
      "BOOLEAN",
      "VARCHAR",
      "INTEGER[]",
      'STRUCT("a" INTEGER, "b" VARCHAR)',
      "TIMESTAMP WITH TIME ZONE",
      "DOUBLE",
      "HUGEINT",
      "DECIMAL(18,3)",
    ]);
    expect(JSON.parse(JSON.stringify(result.rows))).toEqual(result.rows);
  });

  it("keeps microseconds and booleans", async () => {
    const result = await executeReadOnly(dbPath, "SELECT updated, ok, fee FROM airports WHERE id = 2");
    expect(result.rows).toEqual([["2024-01-02T05:04:05.123456", true, 2.5]]);
  });

  it("caps rows and says so", async () => {
    const result = await executeReadOnly(dbPath, "SELECT id FROM airports ORDER BY id", { maxRows: 2100 });
    expect(result.rowCount).toBe(2100);
    expect(result.rows).toHaveLength(2100);
    expect(result.truncated).toBe(true);
    expect(result.rows[2099]).toEqual([2100]);
  });

  it("does not flag a result that exactly fits", async () => {
    const result = await executeReadOnly(dbPath, "SELECT id FROM airports WHERE id <= 10", { maxRows: 10 });
    expect(result.rowCount).toBe(10);
    expect(result.truncated).toBe(false);
  });

  it("uses the default cap of 1000 and stops a streaming endless result", async () => {
    const result = await executeReadOnly(dbPath, "SELECT * FROM range(1000000000000)");
    expect(result.rowCount).toBe(1000);
    expect(result.truncated).toBe(true);
  });

  it("accepts WITH, FROM-first and parenthesised set operations", async () => {
    await expect(executeReadOnly(dbPath, "WITH x AS (SELECT 1 AS a) SELECT a FROM x")).resolves.toMatchObject({ rows: [[1]] });
    await expect(executeReadOnly(dbPath, "FROM airports SELECT id WHERE id = 1")).resolves.toMatchObject({ rows: [[1]] });
    await expect(executeReadOnly(dbPath, "(SELECT 1) UNION ALL (SELECT 2)")).resolves.toMatchObject({ rowCount: 2 });
    await expect(executeReadOnly(dbPath, "-- top airports\nSELECT 1;")).resolves.toMatchObject({ rows: [[1]] });
  });

  it("reopens a replaced file", async () => {
    const other = path.join(dir, "replaced.duckdb");
    await buildSandbox(other, 3);
    expect((await executeReadOnly(other, "SELECT count(*) FROM airports")).rows).toEqual([[4]]);
    rmSync(other);
    await buildSandbox(other, 7);
    expect((await executeReadOnly(other, "SELECT count(*) FROM airports")).rows).toEqual([[8]]);
  });
});

describe("firstKeyword", () => {
  it("skips comments, whitespace and parentheses", () => {
    expect(firstKeyword("  -- c\n/* x */ ((select 1))")).toBe("SELECT");
    expect(firstKeyword("pragma x")).toBe("PRAGMA");
    expect(firstKeyword("")).toBe("");
  });
});
