import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { writeParquet } from "@/lib/datasets/server/export-parquet";
import type { GenericRow } from "@/lib/datasets/export-generic";

/** Reads a Parquet file's bytes back with DuckDB, in file order. */
async function readParquetRows(bytes: Buffer): Promise<GenericRow[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandpiper-parquet-read-"));
  const file = path.join(dir, "in.parquet");
  await writeFile(file, bytes);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT id, split, question, sql, result, complexity, shape, tables, origin FROM read_parquet('${file}')`);
    return reader.getRowObjectsJson().map((r) => ({
      id: r.id as string,
      split: r.split as string,
      question: r.question as string,
      sql: r.sql as string,
      result: JSON.parse(r.result as string) as GenericRow["result"],
      complexity: r.complexity as string,
      shape: r.shape as string,
      tables: r.tables as string[],
      origin: r.origin as string,
    }));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

const rows: GenericRow[] = [
  { id: "p1", split: "train", question: "How many airports?", sql: "SELECT count(*) AS n FROM airports", result: { columns: ["n"], rows: [[42]] }, complexity: "simple", shape: "count", tables: ["airports"], origin: "template" },
  {
    id: "p2",
    split: "test",
    question: "Zürich's \"quoted\", comma\nnewline 🛫",
    sql: "SELECT name, NULL AS x FROM airports WHERE name = 'O''Hare'",
    result: { columns: ["name", "x"], rows: [["O'Hare", null], ["=1+1", 2.5]] },
    complexity: "moderate",
    shape: "filter",
    tables: [],
    origin: "review",
  },
  { id: "p3", split: "validation", question: "Nested?", sql: "SELECT 1", result: { columns: ["v"], rows: [[{ a: [1, "b"] }], [true]] }, complexity: "complex", shape: "join", tables: ["a", "b"], origin: "llm" },
];

let tmp: string;
const savedTmp = process.env.TMPDIR;
beforeAll(async () => {
  // A private temp folder, so the test can see exactly what the writer leaves behind.
  tmp = await mkdtemp(path.join(os.tmpdir(), "sandpiper-parquet-test-"));
  process.env.TMPDIR = tmp;
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await rm(tmp, { recursive: true, force: true });
});

describe("writeParquet", () => {
  it("writes a Parquet file that reads back to the same rows, in order", async () => {
    const bytes = await writeParquet(rows);
    expect(bytes.subarray(0, 4).toString()).toBe("PAR1");
    expect(bytes.subarray(-4).toString()).toBe("PAR1");
    expect(await readParquetRows(bytes)).toEqual(rows);
    expect((await readdir(tmp)).filter((e) => e.startsWith("sandpiper-export-"))).toEqual([]);
  });

  it("writes many rows", async () => {
    const many = Array.from({ length: 5000 }, (_, i) => ({ ...rows[i % 3], id: `p${i}` }));
    const back = await readParquetRows(await writeParquet(many));
    expect(back).toHaveLength(5000);
    expect(back.map((r) => r.id)).toEqual(many.map((r) => r.id));
  });

  it("removes its temp folder when writing fails", async () => {
    const bad = [{ ...rows[0], id: null as unknown as string }];
    await expect(writeParquet(bad)).rejects.toThrow();
    expect((await readdir(tmp)).filter((e) => e.startsWith("sandpiper-export-"))).toEqual([]);
  });
});
