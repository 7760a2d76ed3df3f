// Builders for schema-ingestion tests: database files with rows whose row storage is then made
// unreadable, and a compact view of a SchemaModel for exact comparisons.
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { DuckDBInstance } from "@duckdb/node-api";
import type { SchemaModel } from "@/lib/schema/model";

export const ROW_MARKER = "ROW-MARKER-7f3a";

export function tempDir(prefix = "sandpiper-schema-"): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One line per column, enough to compare a model exactly without repeating every field. */
export function compactModel(model: SchemaModel) {
  return model.tables.map((t) => ({
    name: t.name,
    description: t.description ?? null,
    primaryKey: t.primaryKey,
    uniqueKeys: t.uniqueKeys,
    foreignKeys: t.foreignKeys.map((fk) => `(${fk.columns.join(", ")}) -> ${fk.refTable}(${fk.refColumns.join(", ")}) ${fk.origin}/${fk.status}`),
    checks: t.checks,
    columns: t.columns.map((c) =>
      [
        c.name,
        c.type,
        `orig=${c.originalType}`,
        c.canonicalType,
        c.nullable ? "null" : "not null",
        c.primaryKey ? "pk" : "",
        c.unique ? "unique" : "",
        c.defaultValue != null ? `default=${c.defaultValue}` : "",
        c.checks.length ? `checks=${c.checks.join(" | ")}` : "",
        c.allowedValues ? `allowed=${c.allowedValues.join(",")}` : "",
        c.description ? `desc=${c.description}` : "",
        c.semanticType,
      ]
        .filter(Boolean)
        .join(" "),
    ),
  }));
}

// --- SQLite --------------------------------------------------------------------------------

export const SQLITE_SCHEMA = `
CREATE TABLE countries (
  code TEXT PRIMARY KEY,
  name VARCHAR(64) NOT NULL UNIQUE
);
CREATE TABLE airports (
  airport_id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  country_code TEXT REFERENCES countries(code),
  elevation INTEGER DEFAULT 0 CHECK (elevation >= -500)
);
CREATE TABLE flights (
  carrier TEXT NOT NULL,
  flight_no INTEGER NOT NULL,
  dep_date DATE NOT NULL,
  origin INTEGER NOT NULL REFERENCES airports(airport_id),
  status TEXT DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'departed', 'cancelled')),
  PRIMARY KEY (carrier, flight_no, dep_date),
  CHECK (carrier <> '' OR flight_no > 0)
);
CREATE TABLE bookings (
  booking_id INTEGER PRIMARY KEY AUTOINCREMENT,
  carrier TEXT NOT NULL,
  flight_no INTEGER NOT NULL,
  dep_date DATE NOT NULL,
  seat TEXT,
  price NUMERIC(10,2),
  booked_at DATETIME DEFAULT CURRENT_TIMESTAMP,
  FOREIGN KEY (carrier, flight_no, dep_date) REFERENCES flights (carrier, flight_no, dep_date),
  UNIQUE (carrier, flight_no, dep_date, seat)
);
CREATE VIEW busy_airports AS SELECT origin, count(*) AS n FROM flights GROUP BY origin;
`;

/** A SQLite file with the schema above and a few thousand rows carrying ROW_MARKER. */
export function buildSqliteFile(file: string, rows = 3000): void {
  const db = new Database(file);
  db.exec(SQLITE_SCHEMA);
  db.exec("BEGIN");
  const country = db.prepare("INSERT INTO countries VALUES (?, ?)");
  const airport = db.prepare("INSERT INTO airports VALUES (?, ?, ?, ?)");
  const flight = db.prepare("INSERT INTO flights VALUES (?, ?, ?, ?, ?)");
  const booking = db.prepare("INSERT INTO bookings (carrier, flight_no, dep_date, seat, price) VALUES (?, ?, ?, ?, ?)");
  for (let i = 0; i < rows; i++) {
    country.run(`C${i}`, `${ROW_MARKER} country ${i}`);
    airport.run(i, `${ROW_MARKER} airport ${i}`, `C${i}`, i % 3000);
    flight.run(`${ROW_MARKER}`, i, "2024-01-01", i, "scheduled");
    booking.run(`${ROW_MARKER}`, i, "2024-01-01", `${i}A`, 10.5);
  }
  db.exec("COMMIT");
  db.close();
}

/**
 * Overwrites every page of the file that belongs to a table or index b-tree (all but the schema
 * pages) with garbage, so reading any row fails while sqlite_schema stays intact. Returns the
 * number of pages overwritten.
 */
export function corruptSqliteRowPages(file: string): number {
  const db = new Database(file, { readonly: true });
  const pageSize = (db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size;
  const pages = (db.prepare("SELECT name, pageno FROM dbstat").all() as { name: string; pageno: number }[])
    .filter((p) => p.name !== "sqlite_schema" && p.name !== "sqlite_master")
    .map((p) => p.pageno);
  db.close();
  const garbage = Buffer.alloc(pageSize, 0xa5);
  const fd = openSync(file, "r+");
  try {
    for (const page of pages) writeSync(fd, garbage, 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
  return pages.length;
}

// --- DuckDB --------------------------------------------------------------------------------

export const DUCKDB_SCHEMA = `
CREATE TYPE cabin AS ENUM ('economy', 'business', 'first');
CREATE TABLE countries (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE);
COMMENT ON TABLE countries IS 'Countries by ISO code';
CREATE TABLE airports (
  airport_id BIGINT PRIMARY KEY,
  name VARCHAR NOT NULL,
  country_code VARCHAR REFERENCES countries (code),
  elevation INTEGER DEFAULT 0 CHECK (elevation >= -500),
  latitude DOUBLE
);
COMMENT ON COLUMN airports.elevation IS 'Feet above sea level';
CREATE TABLE flights (
  carrier VARCHAR NOT NULL,
  flight_no INTEGER NOT NULL,
  dep_date DATE NOT NULL,
  origin BIGINT NOT NULL REFERENCES airports (airport_id),
  status VARCHAR DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'departed', 'cancelled')),
  PRIMARY KEY (carrier, flight_no, dep_date),
  CHECK (carrier <> '' OR flight_no > 0)
);
CREATE TABLE bookings (
  booking_id BIGINT PRIMARY KEY,
  carrier VARCHAR NOT NULL,
  flight_no INTEGER NOT NULL,
  dep_date DATE NOT NULL,
  seat VARCHAR,
  class cabin NOT NULL DEFAULT 'economy',
  price DECIMAL(10,2),
  FOREIGN KEY (carrier, flight_no, dep_date) REFERENCES flights (carrier, flight_no, dep_date),
  UNIQUE (carrier, flight_no, dep_date, seat)
);
CREATE SCHEMA ops;
CREATE TABLE ops.delays (delay_id INTEGER PRIMARY KEY, minutes INTEGER NOT NULL, reason VARCHAR);
CREATE VIEW busy_airports AS SELECT origin, count(*) AS n FROM flights GROUP BY origin;
`;

/** A DuckDB file with the schema above and rows carrying ROW_MARKER, checkpointed. Returns the data block ids of the user tables. */
export async function buildDuckdbFile(file: string, rows = 20000): Promise<number[]> {
  const instance = await DuckDBInstance.create(file);
  const c = await instance.connect();
  try {
    await c.run(DUCKDB_SCHEMA);
    await c.run(`INSERT INTO countries SELECT 'C' || i, '${ROW_MARKER} country ' || i FROM range(${rows}) t(i)`);
    await c.run(`INSERT INTO airports SELECT i, '${ROW_MARKER} airport ' || i, 'C' || i, (i % 3000)::INTEGER, random() FROM range(${rows}) t(i)`);
    await c.run(`INSERT INTO flights SELECT '${ROW_MARKER}', i::INTEGER, DATE '2024-01-01', i, 'scheduled' FROM range(${rows}) t(i)`);
    await c.run(`INSERT INTO bookings SELECT i, '${ROW_MARKER}', i::INTEGER, DATE '2024-01-01', i || 'A', 'business', 10.5 FROM range(${rows}) t(i)`);
    await c.run(`INSERT INTO ops.delays SELECT i::INTEGER, (i % 90)::INTEGER, '${ROW_MARKER} reason ' || i FROM range(${rows}) t(i)`);
    await c.run("CHECKPOINT");
    const blocks = new Set<number>();
    for (const table of ["countries", "airports", "flights", "bookings", "ops.delays"]) {
      const reader = await c.runAndReadAll(`SELECT block_id, additional_block_ids FROM pragma_storage_info('${table}') WHERE block_id >= 0`);
      for (const row of reader.getRowObjectsJson() as { block_id: string; additional_block_ids: string[] }[]) {
        blocks.add(Number(row.block_id));
        for (const extra of row.additional_block_ids ?? []) blocks.add(Number(extra));
      }
    }
    return [...blocks].sort((a, b) => a - b);
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** DuckDB's file layout: 3 headers of 4 KiB, then blocks of the size recorded in the active database header. */
export function duckdbBlockSize(file: string): number {
  const fd = openSync(file, "r");
  try {
    const headers = Buffer.alloc(8192);
    readSync(fd, headers, 0, 8192, 4096);
    const active = headers.readBigUInt64LE(8) >= headers.readBigUInt64LE(4096 + 8) ? 0 : 4096;
    return Number(headers.readBigUInt64LE(active + 40));
  } finally {
    closeSync(fd);
  }
}

/** Overwrites the given data blocks with garbage; any scan of those rows then fails DuckDB's block checksum. */
export function corruptDuckdbBlocks(file: string, blocks: readonly number[]): void {
  const blockSize = duckdbBlockSize(file);
  const garbage = Buffer.alloc(blockSize, 0xa5);
  const fd = openSync(file, "r+");
  try {
    for (const block of blocks) writeSync(fd, garbage, 0, blockSize, 3 * 4096 + block * blockSize);
  } finally {
    closeSync(fd);
  }
}
