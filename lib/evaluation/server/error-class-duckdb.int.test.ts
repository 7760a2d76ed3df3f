// The error classifier against DuckDB's real wording: bad SQL runs through executeReadOnly on a
// small sandbox file, and whatever it throws is classified the way an evaluation run does it. A
// DuckDB upgrade that rewords a message fails here rather than silently moving answers from
// "unknown column" to "runtime".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqlExecutionError, SqlRefusedError } from "@/lib/errors";
import { classifyExecutionError, hallucinatedName, type ErrorClass } from "@/lib/evaluation/error-class";
import { closeAllSandboxReaders, executeReadOnly } from "@/lib/sql/server/safe-exec";

let dir: string;
let db: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "sandpiper-error-class-"));
  db = path.join(dir, "sandbox.duckdb");
  const instance = await DuckDBInstance.create(db);
  const conn = await instance.connect();
  try {
    await conn.run(`
      CREATE TABLE flights (id INTEGER, origin VARCHAR, dep_delay DOUBLE, carrier VARCHAR);
      CREATE TABLE airports (code VARCHAR, name VARCHAR);
      INSERT INTO flights VALUES (1, 'SFO', 1.5, 'AA'), (2, 'JFK', 0, 'UA');
      INSERT INTO airports VALUES ('SFO', 'San Francisco'), ('JFK', 'New York JFK');
      CHECKPOINT;`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

afterAll(async () => {
  await closeAllSandboxReaders();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the SQL, expects it to fail, and classifies the failure as the evaluation run does. */
async function failure(sql: string): Promise<{ errorClass: ErrorClass; name: string | null; message: string }> {
  try {
    await executeReadOnly(db, sql);
  } catch (error) {
    if (error instanceof SqlRefusedError) return { errorClass: classifyExecutionError("refused", error.message), name: hallucinatedName(error.message), message: error.message };
    if (error instanceof SqlExecutionError) return { errorClass: classifyExecutionError(error.kind, error.message), name: hallucinatedName(error.message), message: error.message };
    throw error;
  }
  throw new Error(`expected the query to fail: ${sql}`);
}

describe("real DuckDB failures are classified", () => {
  it("a misspelt table is unknown_table, named as written", async () => {
    expect(await failure("SELECT * FROM flight")).toMatchObject({ errorClass: "unknown_table", name: "flight" });
    expect(await failure("SELECT count(*) FROM flights f JOIN airport a ON a.code = f.origin")).toMatchObject({ errorClass: "unknown_table", name: "airport" });
  });

  it("a table in a schema that does not exist is unknown_table", async () => {
    expect(await failure("SELECT * FROM sales.flights")).toMatchObject({ errorClass: "unknown_table", name: "sales.flights" });
  });

  it("a qualifier that names no table in FROM is unknown_table", async () => {
    expect(await failure("SELECT x.id FROM flights f")).toMatchObject({ errorClass: "unknown_table", name: "x" });
  });

  it("a missing column is unknown_column", async () => {
    expect(await failure("SELECT avg(delay) FROM flights")).toMatchObject({ errorClass: "unknown_column", name: "delay" });
    expect(await failure("SELECT id FROM flights WHERE carrier IN (SELECT carrier_code FROM airports)")).toMatchObject({
      errorClass: "unknown_column",
      name: "carrier_code",
    });
  });

  it("a qualified missing column t.x is unknown_column, named without its table", async () => {
    expect(await failure("SELECT f.delay FROM flights f")).toMatchObject({ errorClass: "unknown_column", name: "delay" });
    expect(await failure("SELECT flights.delay FROM flights")).toMatchObject({ errorClass: "unknown_column", name: "delay" });
  });

  it("a USING column one side lacks is unknown_column", async () => {
    expect(await failure("SELECT * FROM flights JOIN airports USING (code)")).toMatchObject({ errorClass: "unknown_column", name: "code" });
  });

  it("a syntax error is syntax", async () => {
    expect(await failure("SELECT * FORM flights")).toMatchObject({ errorClass: "syntax", name: null });
    expect(await failure("SELECT id, FROM flights WHERE")).toMatchObject({ errorClass: "syntax" });
  });

  it("an unknown function or a wrongly typed call is runtime, not a hallucinated name", async () => {
    expect(await failure("SELECT median_delay(dep_delay) FROM flights")).toMatchObject({ errorClass: "runtime", name: null });
    expect(await failure("SELECT sum(origin) FROM flights")).toMatchObject({ errorClass: "runtime", name: null });
    expect(await failure("SELECT id FROM flights GROUP BY origin")).toMatchObject({ errorClass: "runtime", name: null });
  });

  it("conversion and overflow errors are runtime; division by zero is not an error at all", async () => {
    expect(await failure("SELECT CAST(origin AS INTEGER) FROM flights")).toMatchObject({ errorClass: "runtime", name: null });
    expect(await failure("SELECT * FROM flights WHERE id = 'abc'")).toMatchObject({ errorClass: "runtime" });
    expect(await failure("SELECT 2147483647::INTEGER + id FROM flights")).toMatchObject({ errorClass: "runtime" });
    // "/" divides as DOUBLE (infinity, read as text), "//" as integers (NULL): both give a result to compare.
    expect((await executeReadOnly(db, "SELECT 1 / 0 AS q, 1 // 0 AS r")).rows).toEqual([["Infinity", null]]);
  });

  it("write statements and file access are refused", async () => {
    expect(await failure("DELETE FROM flights")).toMatchObject({ errorClass: "refused" });
    expect(await failure("INSERT INTO flights VALUES (3, 'LAX', 2, 'DL')")).toMatchObject({ errorClass: "refused" });
    expect(await failure("CREATE TABLE t AS SELECT 1")).toMatchObject({ errorClass: "refused" });
    expect(await failure("SELECT * FROM read_csv('/etc/passwd')")).toMatchObject({ errorClass: "refused" });
  });
});
