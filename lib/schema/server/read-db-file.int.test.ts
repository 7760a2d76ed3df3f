import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { readSchemaFromFile, withUploadedFile } from "@/lib/schema/server/read-db-file";
import {
  ROW_MARKER,
  buildDuckdbFile,
  buildSqliteFile,
  compactModel,
  corruptDuckdbBlocks,
  corruptSqliteRowPages,
  tempDir,
} from "@/test/helpers/schema-sources";

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir();
});
afterAll(() => tmp.cleanup());

async function rejection(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const SQLITE_EXPECTED = [
  {
    name: "countries",
    description: null,
    primaryKey: ["code"],
    uniqueKeys: [],
    foreignKeys: [],
    checks: [],
    columns: ["code VARCHAR orig=TEXT text not null pk code", "name VARCHAR(64) orig=VARCHAR(64) text not null unique country"],
  },
  {
    name: "airports",
    description: null,
    primaryKey: ["airport_id"],
    uniqueKeys: [],
    foreignKeys: ["(country_code) -> countries(code) declared/confirmed"],
    checks: [],
    columns: [
      "airport_id BIGINT orig=INTEGER integer not null pk id",
      "name VARCHAR orig=TEXT text not null name",
      "country_code VARCHAR orig=TEXT text null code",
      "elevation BIGINT orig=INTEGER integer null default=0 checks=elevation >= -500 number",
    ],
  },
  {
    name: "flights",
    description: null,
    primaryKey: ["carrier", "flight_no", "dep_date"],
    uniqueKeys: [],
    foreignKeys: ["(origin) -> airports(airport_id) declared/confirmed"],
    checks: ["carrier <> '' OR flight_no > 0"],
    columns: [
      "carrier VARCHAR orig=TEXT text not null pk text",
      "flight_no BIGINT orig=INTEGER integer not null pk id",
      "dep_date DATE orig=DATE date not null pk date",
      "origin BIGINT orig=INTEGER integer not null number",
      "status VARCHAR orig=TEXT text null default='scheduled' checks=status IN ('scheduled', 'departed', 'cancelled') allowed=scheduled,departed,cancelled category",
    ],
  },
  {
    name: "bookings",
    description: null,
    primaryKey: ["booking_id"],
    uniqueKeys: [["carrier", "flight_no", "dep_date", "seat"]],
    foreignKeys: ["(carrier, flight_no, dep_date) -> flights(carrier, flight_no, dep_date) declared/confirmed"],
    checks: [],
    columns: [
      "booking_id BIGINT orig=INTEGER integer not null pk id",
      "carrier VARCHAR orig=TEXT text not null text",
      "flight_no BIGINT orig=INTEGER integer not null id",
      "dep_date DATE orig=DATE date not null date",
      "seat VARCHAR orig=TEXT text null text",
      "price DECIMAL(10,2) orig=NUMERIC(10,2) decimal null money",
      "booked_at TIMESTAMP orig=DATETIME timestamp null default=CURRENT_TIMESTAMP timestamp",
    ],
  },
];

describe("readSchemaFromFile: SQLite", () => {
  it("reads the catalog of a file whose row pages are garbage, and never a row", async () => {
    const file = path.join(tmp.dir, "rows.sqlite");
    buildSqliteFile(file);
    const overwritten = corruptSqliteRowPages(file);
    expect(overwritten).toBeGreaterThan(20);

    // Any row read now fails: the table and index pages are garbage.
    const probe = new Database(file, { readonly: true });
    expect(() => probe.prepare("SELECT * FROM bookings").all()).toThrow(/malformed|corrupt/i);
    expect(() => probe.prepare("SELECT count(*) FROM countries").get()).toThrow(/malformed|corrupt/i);
    probe.close();

    const { model, warnings } = await readSchemaFromFile(file, "auto");
    expect(model.dialect).toBe("sqlite");
    expect(compactModel(model)).toEqual(SQLITE_EXPECTED);
    expect(warnings.map((w) => w.message)).toEqual(["Views are not part of the sandbox and were skipped: busy_airports."]);
    expect(JSON.stringify(model)).not.toContain(ROW_MARKER);
  });

  it("reads an intact file the same way, with an explicit kind", async () => {
    const file = path.join(tmp.dir, "intact.sqlite");
    buildSqliteFile(file, 50);
    const { model } = await readSchemaFromFile(file, "sqlite");
    expect(compactModel(model)).toEqual(SQLITE_EXPECTED);
    expect(model.tables[0]!.foreignKeys).toEqual([]);
    expect(model.tables[1]!.foreignKeys[0]).toEqual({ columns: ["country_code"], refTable: "countries", refColumns: ["code"], origin: "declared", status: "confirmed" });
  });

  it("refuses a truncated file with a clear message", async () => {
    const file = path.join(tmp.dir, "truncated.sqlite");
    buildSqliteFile(file, 500);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expect((await rejection(readSchemaFromFile(file, "auto"))).message).toMatch(/SQLite file is truncated or damaged.*Upload the complete file/);

    const tiny = path.join(tmp.dir, "tiny.sqlite");
    writeFileSync(tiny, readFileSync(file).subarray(0, 60));
    expect((await rejection(readSchemaFromFile(tiny, "auto"))).message).toMatch(/truncated or damaged/);
  });

  it("refuses a file with no tables", async () => {
    const file = path.join(tmp.dir, "empty.sqlite");
    const db = new Database(file);
    db.exec("CREATE VIEW v AS SELECT 1 AS x");
    db.close();
    expect((await rejection(readSchemaFromFile(file, "auto"))).message).toMatch(/SQLite file has no tables/);
  });

  it("refuses a file of the other kind when the kind is explicit", async () => {
    const file = path.join(tmp.dir, "kind.sqlite");
    buildSqliteFile(file, 10);
    expect((await rejection(readSchemaFromFile(file, "duckdb"))).message).toMatch(/is a SQLite database, not a DuckDB one/);
  });
});

const DUCKDB_EXPECTED = [
  {
    name: "countries",
    description: "Countries by ISO code",
    primaryKey: ["code"],
    uniqueKeys: [],
    foreignKeys: [],
    checks: [],
    columns: ["code VARCHAR orig=VARCHAR text not null pk code", "name VARCHAR orig=VARCHAR text not null unique country"],
  },
  {
    name: "airports",
    description: null,
    primaryKey: ["airport_id"],
    uniqueKeys: [],
    foreignKeys: ["(country_code) -> countries(code) declared/confirmed"],
    checks: [],
    columns: [
      "airport_id BIGINT orig=BIGINT integer not null pk id",
      "name VARCHAR orig=VARCHAR text not null name",
      "country_code VARCHAR orig=VARCHAR text null code",
      "elevation INTEGER orig=INTEGER integer null default=0 checks=(elevation >= -500) desc=Feet above sea level number",
      "latitude DOUBLE orig=DOUBLE float null latitude",
    ],
  },
  {
    name: "flights",
    description: null,
    primaryKey: ["carrier", "flight_no", "dep_date"],
    uniqueKeys: [],
    foreignKeys: ["(origin) -> airports(airport_id) declared/confirmed"],
    checks: ["((carrier != '') OR (flight_no > 0))"],
    columns: [
      "carrier VARCHAR orig=VARCHAR text not null pk text",
      "flight_no INTEGER orig=INTEGER integer not null pk id",
      "dep_date DATE orig=DATE date not null pk date",
      "origin BIGINT orig=BIGINT integer not null number",
      "status VARCHAR orig=VARCHAR text null default='scheduled' checks=(status IN ('scheduled', 'departed', 'cancelled')) allowed=scheduled,departed,cancelled category",
    ],
  },
  {
    name: "bookings",
    description: null,
    primaryKey: ["booking_id"],
    uniqueKeys: [["carrier", "flight_no", "dep_date", "seat"]],
    foreignKeys: ["(carrier, flight_no, dep_date) -> flights(carrier, flight_no, dep_date) declared/confirmed"],
    checks: [],
    columns: [
      "booking_id BIGINT orig=BIGINT integer not null pk id",
      "carrier VARCHAR orig=VARCHAR text not null text",
      "flight_no INTEGER orig=INTEGER integer not null id",
      "dep_date DATE orig=DATE date not null date",
      "seat VARCHAR orig=VARCHAR text null text",
      "class ENUM('economy', 'business', 'first') orig=ENUM('economy', 'business', 'first') enum not null default='economy' allowed=economy,business,first category",
      "price DECIMAL(10,2) orig=DECIMAL(10,2) decimal null money",
    ],
  },
  {
    name: "ops.delays",
    description: null,
    primaryKey: ["delay_id"],
    uniqueKeys: [],
    foreignKeys: [],
    checks: [],
    columns: ["delay_id INTEGER orig=INTEGER integer not null pk id", "minutes INTEGER orig=INTEGER integer not null number", "reason VARCHAR orig=VARCHAR text null text"],
  },
];

describe("readSchemaFromFile: DuckDB", () => {
  it("reads the catalog of a file whose data blocks are garbage, and never a row", async () => {
    const file = path.join(tmp.dir, "rows.duckdb");
    const blocks = await buildDuckdbFile(file);
    expect(blocks.length).toBeGreaterThan(3);
    corruptDuckdbBlocks(file, blocks);

    // Any scan of the rows now fails DuckDB's block checksum.
    const probe = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
    const c = await probe.connect();
    for (const table of ["countries", "airports", "flights", "bookings", "ops.delays"]) {
      await expect(c.runAndReadAll(`SELECT * FROM ${table}`)).rejects.toThrow(/checksum|corrupt/i);
    }
    c.closeSync();
    probe.closeSync();

    const started = performance.now();
    const { model, warnings } = await readSchemaFromFile(file, "auto");
    const elapsed = performance.now() - started;
    expect(model.dialect).toBe("duckdb");
    expect(compactModel(model)).toEqual(DUCKDB_EXPECTED);
    expect(warnings).toEqual([]);
    expect(JSON.stringify(model)).not.toContain(ROW_MARKER);
    expect(elapsed).toBeLessThan(2000);
  });

  it("refuses a truncated file with a clear message", async () => {
    const file = path.join(tmp.dir, "truncated.duckdb");
    await buildDuckdbFile(file, 2000);
    truncateSync(file, statSync(file).size - 100_000);
    expect((await rejection(readSchemaFromFile(file, "auto"))).message).toMatch(/DuckDB file is truncated or damaged.*Upload the complete file/);
    truncateSync(file, 6000);
    expect((await rejection(readSchemaFromFile(file, "duckdb"))).message).toMatch(/DuckDB file is truncated or damaged/);
  });

  it("refuses a file with no tables", async () => {
    const file = path.join(tmp.dir, "empty.duckdb");
    const instance = await DuckDBInstance.create(file);
    const c = await instance.connect();
    await c.run("CREATE VIEW v AS SELECT 42 AS x; CHECKPOINT");
    c.closeSync();
    instance.closeSync();
    expect((await rejection(readSchemaFromFile(file, "auto"))).message).toMatch(/DuckDB file has no tables/);
  });
});

describe("readSchemaFromFile: other files", () => {
  it("refuses a file that is not a database", async () => {
    const csv = path.join(tmp.dir, "export.csv");
    writeFileSync(csv, "table_name,column_name,column_type\nairlines,airline_id,BIGINT\n");
    expect((await rejection(readSchemaFromFile(csv, "auto"))).message).toMatch(/^This is not a DuckDB or SQLite database file/);
    const binary = path.join(tmp.dir, "latin1.bin");
    writeFileSync(binary, Buffer.from([0xff, 0xfe, 0xe9, 0x00, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d]));
    expect((await rejection(readSchemaFromFile(binary, "auto"))).message).toMatch(/^This is not a DuckDB or SQLite database file/);
    const empty = path.join(tmp.dir, "empty.bin");
    writeFileSync(empty, "");
    expect((await rejection(readSchemaFromFile(empty, "auto"))).message).toMatch(/file is empty/);
  });
});

describe("withUploadedFile", () => {
  it("deletes the file and its side files after extraction", async () => {
    const file = path.join(tmp.dir, "upload-ok.duckdb");
    await buildDuckdbFile(file, 100);
    writeFileSync(`${file}.wal`, "x");
    const { model } = await withUploadedFile(file, (p) => readSchemaFromFile(p, "auto"));
    expect(model.tables).toHaveLength(5);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.wal`)).toBe(false);
  });

  it("deletes the file even when extraction fails", async () => {
    const file = path.join(tmp.dir, "upload-bad.sqlite");
    buildSqliteFile(file, 500);
    truncateSync(file, 3000);
    await rejection(withUploadedFile(file, (p) => readSchemaFromFile(p, "auto")));
    expect(existsSync(file)).toBe(false);

    const text = path.join(tmp.dir, "upload-text.txt");
    writeFileSync(text, "hello");
    await rejection(withUploadedFile(text, (p) => readSchemaFromFile(p, "auto")));
    expect(existsSync(text)).toBe(false);
  });
});
