import "server-only";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, LIST, VARCHAR, listValue, type DuckDBConnection } from "@duckdb/node-api";
import type { GenericRow } from "@/lib/datasets/export-generic";

// Parquet through DuckDB: the rows go into an in-memory table through an appender (no SQL is built
// from item text), DuckDB writes the file into a private temp folder, and the bytes are read back.
// The folder is removed on every path, failures included. DuckDB may touch only that folder.

const TABLE_DDL = `CREATE TABLE items (
  id VARCHAR NOT NULL, split VARCHAR NOT NULL, question VARCHAR NOT NULL, sql VARCHAR NOT NULL,
  result VARCHAR NOT NULL, complexity VARCHAR NOT NULL, shape VARCHAR NOT NULL, tables VARCHAR[] NOT NULL, origin VARCHAR NOT NULL)`;

/** The Parquet file of these rows: `result` is the JSON text of {columns, rows}, `tables` a list of strings. */
export async function writeParquet(rows: readonly GenericRow[]): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandpiper-export-"));
  let instance: DuckDBInstance | null = null;
  let connection: DuckDBConnection | null = null;
  try {
    instance = await DuckDBInstance.create(":memory:", { threads: "1", autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
    connection = await instance.connect();
    await connection.run(`SET allowed_directories = [${sqlString(dir + path.sep)}]`);
    await connection.run("SET enable_external_access = false");
    await connection.run("SET lock_configuration = true");
    await connection.run(TABLE_DDL);
    const appender = await connection.createAppender("items");
    try {
      for (const r of rows) {
        appender.appendVarchar(r.id);
        appender.appendVarchar(r.split);
        appender.appendVarchar(r.question);
        appender.appendVarchar(r.sql);
        appender.appendVarchar(JSON.stringify({ columns: r.result.columns, rows: r.result.rows }));
        appender.appendVarchar(r.complexity);
        appender.appendVarchar(r.shape);
        appender.appendList(listValue(r.tables), LIST(VARCHAR));
        appender.appendVarchar(r.origin);
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const file = path.join(dir, "export.parquet");
    await connection.run(`COPY items TO ${sqlString(file)} (FORMAT PARQUET, COMPRESSION ZSTD)`);
    return await readFile(file);
  } finally {
    connection?.closeSync();
    instance?.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
