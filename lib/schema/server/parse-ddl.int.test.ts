import { existsSync, rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { ValidationError } from "@/lib/errors";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";

async function rejection(ddl: string): Promise<ValidationError> {
  const error = await parseDuckdbDdl(ddl).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("parseDuckdbDdl", () => {
  it("reads the OpenFlights schema into the model", async () => {
    const { model, warnings } = await parseDuckdbDdl(OPENFLIGHTS_DDL);
    expect(warnings).toEqual([]);
    expect(model.dialect).toBe("duckdb");
    expect(model.tables.map((t) => t.name)).toEqual(["countries", "airlines", "airports", "planes", "routes"]);

    const airlines = model.tables.find((t) => t.name === "airlines")!;
    expect(airlines.columns.map((c) => c.name)).toEqual(["airline_id", "name", "alias", "iata", "icao", "callsign", "country", "active"]);
    expect(airlines.primaryKey).toEqual(["airline_id"]);
    expect(airlines.description).toBe("Airlines, current and defunct");
    const active = airlines.columns.find((c) => c.name === "active")!;
    expect(active).toMatchObject({ type: "VARCHAR(1)", nullable: false, allowedValues: ["Y", "N"], semanticType: "category" });
    expect(active.checks).toEqual(["(active IN ('Y', 'N'))"]);
    expect(airlines.columns[0]).toMatchObject({ name: "airline_id", type: "BIGINT", nullable: false, primaryKey: true, semanticType: "id" });
    expect(airlines.columns.find((c) => c.name === "name")).toMatchObject({ nullable: false, semanticType: "name" });
    expect(airlines.columns.find((c) => c.name === "iata")).toMatchObject({ type: "VARCHAR(2)", semanticType: "code", description: "2-letter IATA airline code" });
    expect(airlines.foreignKeys).toEqual([{ columns: ["country"], refTable: "countries", refColumns: ["name"], origin: "declared", status: "confirmed" }]);

    const countries = model.tables.find((t) => t.name === "countries")!;
    expect(countries.primaryKey).toEqual(["name"]);
    expect(countries.columns.find((c) => c.name === "iso_code")).toMatchObject({ unique: true, primaryKey: false });

    const airports = model.tables.find((t) => t.name === "airports")!;
    expect(airports.columns.find((c) => c.name === "latitude")).toMatchObject({ type: "DOUBLE", nullable: false, semanticType: "latitude" });
    expect(airports.columns.find((c) => c.name === "dst")!.allowedValues).toEqual(["E", "A", "S", "O", "Z", "N", "U"]);

    const routes = model.tables.find((t) => t.name === "routes")!;
    const declared = { origin: "declared", status: "confirmed" };
    expect(routes.foreignKeys).toEqual([
      { columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"], ...declared },
      { columns: ["source_airport_id"], refTable: "airports", refColumns: ["airport_id"], ...declared },
      { columns: ["destination_airport_id"], refTable: "airports", refColumns: ["airport_id"], ...declared },
    ]);
    const stops = routes.columns.find((c) => c.name === "stops")!;
    expect(stops).toMatchObject({ type: "INTEGER", nullable: false, checks: ["(stops >= 0)"], defaultValue: "0" });
    expect(routes.columns.find((c) => c.name === "codeshare")!.allowedValues).toEqual(["Y"]);
  });

  it("reads composite keys, table checks, enums, schemas and warns about missing keys", async () => {
    const ddl = [
      "CREATE TYPE mood AS ENUM ('happy', 'sad');",
      "CREATE SCHEMA sales;",
      "CREATE SEQUENCE order_seq;",
      "CREATE TABLE sales.orders (id INTEGER PRIMARY KEY DEFAULT nextval('order_seq'), a INT, b INT, m mood, UNIQUE (a, b), CHECK (a < b));",
      "",
      "CREATE TABLE log (msg VARCHAR, logged_at TIMESTAMP);",
    ].join("\n");
    const { model, warnings } = await parseDuckdbDdl(ddl);
    expect(model.tables.map((t) => t.name)).toEqual(["sales.orders", "log"]);
    const orders = model.tables[0]!;
    expect(orders.uniqueKeys).toEqual([["a", "b"]]);
    expect(orders.checks).toEqual(["(a < b)"]);
    expect(orders.columns.find((c) => c.name === "m")).toMatchObject({ allowedValues: ["happy", "sad"], semanticType: "category" });
    expect(orders.columns[0]!.defaultValue).toBe("nextval('order_seq')");
    expect(warnings).toEqual([{ message: expect.stringContaining("Table log has no primary key"), line: 6 }]);
  });

  it("skips statements that are not schema definitions with a warning naming the line, without running them", async () => {
    const insert = await parseDuckdbDdl("CREATE TABLE a (x INT PRIMARY KEY);\n\n-- data\nINSERT INTO a VALUES (1);");
    expect(insert.model.tables.map((t) => t.name)).toEqual(["a"]);
    expect(insert.warnings).toEqual([{ message: expect.stringMatching(/^Statement 2 \(line 4\) is an INSERT: it was skipped without running it/), line: 4 }]);

    const target = `/tmp/sandpiper-should-not-exist-${process.pid}.csv`;
    rmSync(target, { force: true });
    const copy = await parseDuckdbDdl(`CREATE TABLE a (x INT PRIMARY KEY);\nCOPY a TO '${target}';\nCOPY (SELECT 1) TO '${target}';`);
    expect(copy.warnings.map((w) => [w.line, w.message.slice(0, 34)])).toEqual([
      [2, "Statement 2 (line 2) is a COPY: it"],
      [3, "Statement 3 (line 3) is a COPY: it"],
    ]);
    expect(existsSync(target)).toBe(false);

    const other = `/tmp/sandpiper-attach-${process.pid}.duckdb`;
    rmSync(other, { force: true });
    const attach = await parseDuckdbDdl(`ATTACH '${other}' AS other;\nCREATE TABLE a (x INT PRIMARY KEY);`);
    expect(attach.warnings).toEqual([{ message: expect.stringMatching(/^Statement 1 \(line 1\) is an ATTACH: it was skipped/), line: 1 }]);
    expect(existsSync(other)).toBe(false);

    const mixed = await parseDuckdbDdl("CREATE TABLE a (x INT PRIMARY KEY);\nCREATE VIEW v AS SELECT 1;\nSET enable_external_access = true;\nCREATE TABLE t AS SELECT * FROM range(10);\nCREATE INDEX ix ON a (x);");
    expect(mixed.model.tables.map((t) => t.name)).toEqual(["a"]);
    expect(mixed.warnings.map((w) => w.line)).toEqual([2, 3, 4, 5]);
    expect(mixed.warnings[0]!.message).toMatch(/is a CREATE VIEW/);
    expect(mixed.warnings[1]!.message).toMatch(/is a SET/);
    expect(mixed.warnings[2]!.message).toMatch(/CREATE TABLE … AS query/);
    expect(mixed.warnings[3]!.message).toMatch(/CREATE INDEX statement was ignored/);
  });

  it("skips statements DuckDB cannot parse or bind with its message and line; the rest imports", async () => {
    const syntax = await parseDuckdbDdl("CREATE TABLE a (x INT PRIMARY KEY);\n\nCREATE TABLE b (y INT,, z INT);");
    expect(syntax.model.tables.map((t) => t.name)).toEqual(["a"]);
    expect(syntax.warnings).toEqual([{ message: expect.stringMatching(/^Statement 2 \(line 3\) was skipped: Parser Error: syntax error/), line: 3 }]);

    const binder = await parseDuckdbDdl("CREATE TABLE a (x INT PRIMARY KEY);\nCREATE TABLE b (y INT PRIMARY KEY REFERENCES missing (id));");
    expect(binder.warnings[0]!.message).toMatch(/^Statement 2 \(line 2\) was skipped: Catalog Error: Table with name missing does not exist/);

    expect((await rejection("CREATE TABLE a (x NOT_A_TYPE);")).message).toMatch(/no tables/);
  });

  it("reads ALTER TABLE … ADD PRIMARY KEY and refuses a table created twice", async () => {
    const altered = await parseDuckdbDdl("CREATE TABLE a (x INT NOT NULL, y INT);\nALTER TABLE a ADD PRIMARY KEY (x);\nALTER TABLE a ADD CONSTRAINT fk FOREIGN KEY (y) REFERENCES a (x);");
    expect(altered.model.tables[0]!.primaryKey).toEqual(["x"]);
    expect(altered.warnings).toEqual([{ message: expect.stringMatching(/^Statement 3 \(line 3\) was skipped/), line: 3 }]);

    const duplicate = await rejection("CREATE TABLE a (x INT);\n\nCREATE TABLE A (y INT);");
    expect(duplicate.message).toBe("Table a is created twice (lines 1 and 3): keep one CREATE TABLE a and remove the other.");
  });

  it("refuses empty, comment-only, table-less and oversized input with what to do", async () => {
    expect((await rejection("")).message).toMatch(/empty.*paste/i);
    expect((await rejection("  \n\t ")).message).toMatch(/empty/i);
    expect((await rejection("-- nothing here\n/* still nothing */")).message).toMatch(/only comments.*CREATE TABLE/);
    expect((await rejection("CREATE SCHEMA s;")).message).toBe("The schema has no tables: paste at least one CREATE TABLE statement.");
    const big = `CREATE TABLE a (x INT);\n-- ${"x".repeat(6 * 1024 * 1024)}`;
    expect((await rejection(big)).message).toMatch(/is 6\.0 MB; the limit is 5 MB/);
  });
});
