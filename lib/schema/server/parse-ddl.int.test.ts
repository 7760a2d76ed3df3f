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
    expect(airlines.foreignKeys).toEqual([{ columns: ["country"], refTable: "countries", refColumns: ["name"] }]);

    const countries = model.tables.find((t) => t.name === "countries")!;
    expect(countries.primaryKey).toEqual(["name"]);
    expect(countries.columns.find((c) => c.name === "iso_code")).toMatchObject({ unique: true, primaryKey: false });

    const airports = model.tables.find((t) => t.name === "airports")!;
    expect(airports.columns.find((c) => c.name === "latitude")).toMatchObject({ type: "DOUBLE", nullable: false, semanticType: "latitude" });
    expect(airports.columns.find((c) => c.name === "dst")!.allowedValues).toEqual(["E", "A", "S", "O", "Z", "N", "U"]);

    const routes = model.tables.find((t) => t.name === "routes")!;
    expect(routes.foreignKeys).toEqual([
      { columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"] },
      { columns: ["source_airport_id"], refTable: "airports", refColumns: ["airport_id"] },
      { columns: ["destination_airport_id"], refTable: "airports", refColumns: ["airport_id"] },
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

  it("refuses statements that are not schema definitions, naming the statement and its line", async () => {
    const insert = await rejection("CREATE TABLE a (x INT);\n\n-- data\nINSERT INTO a VALUES (1);");
    expect(insert.message).toMatch(/^Statement 2 \(line 4\) is an INSERT: only CREATE TABLE/);

    const copy = await rejection("CREATE TABLE a (x INT);\nCOPY a TO '/tmp/sandpiper-should-not-exist.csv';");
    expect(copy.message).toMatch(/^Statement 2 \(line 2\) is a COPY/);

    const attach = await rejection("ATTACH '/tmp/other.duckdb' AS other;\nCREATE TABLE a (x INT);");
    expect(attach.message).toMatch(/^Statement 1 \(line 1\) is an ATTACH/);

    expect((await rejection("CREATE TABLE a (x INT);\nCREATE VIEW v AS SELECT 1;")).message).toMatch(/is a CREATE VIEW/);
    expect((await rejection("CREATE TABLE a (x INT);\nSET enable_external_access = true;")).message).toMatch(/is a SET/);
    expect((await rejection("CREATE TABLE t AS SELECT * FROM range(10);")).message).toMatch(/CREATE TABLE … AS query/);
  });

  it("reports syntax and binder errors with DuckDB's message and the statement's line", async () => {
    const syntax = await rejection("CREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT,, z INT);");
    expect(syntax.message).toMatch(/^Statement 2 \(line 3\): Parser Error: syntax error/);
    expect(syntax.details).toMatchObject({ statement: 2, line: 3 });

    const binder = await rejection("CREATE TABLE a (x INT);\nCREATE TABLE b (y INT REFERENCES missing (id));");
    expect(binder.message).toMatch(/^Statement 2 \(line 2\): Catalog Error: Table with name missing does not exist/);

    const type = await rejection("CREATE TABLE a (x NOT_A_TYPE);");
    expect(type.message).toMatch(/^Statement 1 \(line 1\): .*NOT_A_TYPE/i);
  });

  it("refuses empty, comment-only, table-less and oversized input with what to do", async () => {
    expect((await rejection("")).message).toMatch(/empty.*paste/i);
    expect((await rejection("  \n\t ")).message).toMatch(/empty/i);
    expect((await rejection("-- nothing here\n/* still nothing */")).message).toMatch(/only comments.*CREATE TABLE/);
    expect((await rejection("CREATE SCHEMA s;")).message).toBe("The schema has no tables: paste at least one CREATE TABLE statement.");
    const big = `CREATE TABLE a (x INT);\n-- ${"x".repeat(2 * 1024 * 1024)}`;
    expect((await rejection(big)).message).toMatch(/larger than 1 MB/);
  });
});
