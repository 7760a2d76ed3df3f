// Reading a sandbox file in tests: a read-only connection, counts, a content hash, and the check
// that every key, NOT NULL, UNIQUE, CHECK, declared length and foreign key of the model holds.
import { createHash } from "node:crypto";
import { DuckDBInstance } from "@duckdb/node-api";
import { expect } from "vitest";
import type { SchemaModel } from "@/lib/schema/model";
import { quoteIdent, quoteTable } from "@/lib/sandbox/ddl";

export type Run = (sql: string) => Promise<unknown[][]>;

export const count = async (run: Run, sql: string) => Number((await run(sql))[0]![0]);

export async function withReadOnly<T>(file: string, fn: (run: Run) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    return await fn(async (sql) => (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function contentHash(file: string, model: SchemaModel): Promise<string> {
  return withReadOnly(file, async (run) => {
    const hash = createHash("sha256");
    for (const t of model.tables) hash.update(`${t.name}:${JSON.stringify(await run(`SELECT * FROM ${quoteTable(t.name)} ORDER BY ALL`))}\n`);
    return hash.digest("hex");
  });
}

/** Asserts every key, NOT NULL, CHECK, declared length and foreign key of the model holds in the file. */
export async function expectIntegrity(file: string, model: SchemaModel): Promise<void> {
  await withReadOnly(file, async (run) => {
    for (const t of model.tables) {
      const q = quoteTable(t.name);
      if (t.primaryKey.length > 0) {
        const cols = t.primaryKey.map(quoteIdent).join(", ");
        expect(await count(run, `SELECT count(*) - count(DISTINCT (${cols})) FROM ${q}`), `${t.name} primary key is unique`).toBe(0);
      }
      for (const c of t.columns) {
        const col = quoteIdent(c.name);
        if (!c.nullable) expect(await count(run, `SELECT count(*) FROM ${q} WHERE ${col} IS NULL`), `${t.name}.${c.name} NOT NULL`).toBe(0);
        if (c.unique) expect(await count(run, `SELECT count(${col}) - count(DISTINCT ${col}) FROM ${q}`), `${t.name}.${c.name} UNIQUE`).toBe(0);
        const length = /^VARCHAR\((\d+)\)$/.exec(c.type)?.[1];
        if (length) expect(await count(run, `SELECT count(*) FROM ${q} WHERE length(${col}) > ${length}`), `${t.name}.${c.name} fits ${c.type}`).toBe(0);
      }
      for (const key of t.uniqueKeys) {
        const cols = key.map(quoteIdent).join(", ");
        const notNull = key.map((k) => `${quoteIdent(k)} IS NOT NULL`).join(" AND ");
        expect(await count(run, `SELECT count(*) - count(DISTINCT (${cols})) FROM ${q} WHERE ${notNull}`), `${t.name} UNIQUE (${key})`).toBe(0);
      }
      for (const check of [...t.columns.flatMap((c) => c.checks), ...t.checks]) {
        expect(await count(run, `SELECT count(*) FROM ${q} WHERE (${check}) IS FALSE`), `${t.name} CHECK ${check}`).toBe(0);
      }
      for (const fk of t.foreignKeys) {
        const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
        const join = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i]!)} = c.${quoteIdent(c)}`).join(" AND ");
        const orphans = await count(run, `SELECT count(*) FROM ${q} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(fk.refTable)} p WHERE ${join})`);
        expect(orphans, `${t.name}(${fk.columns}) → ${fk.refTable}`).toBe(0);
      }
    }
  });
}
