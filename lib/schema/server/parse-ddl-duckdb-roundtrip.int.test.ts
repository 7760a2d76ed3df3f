import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { expectTables } from "@/lib/schema/fixtures/expect-model";
import { parseDdl } from "@/lib/schema/server/parse-ddl-any";

const FIXTURE = readFileSync(path.join(import.meta.dirname, "../fixtures/fleet-duckdb.sql"), "utf8");
const COPY_TARGET = "/tmp/sandpiper-duckdb-copy-should-not-exist.csv";

async function rejection(input: string | Uint8Array): Promise<ValidationError> {
  const error = await parseDdl(input, "duckdb").then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("parseDdl for DuckDB", () => {
  it("reads every table, column, key and foreign key of the fleet schema, never running COPY", async () => {
    rmSync(COPY_TARGET, { force: true });
    const { model, warnings } = await parseDdl(FIXTURE, "duckdb");
    expect(existsSync(COPY_TARGET)).toBe(false);
    expect(model.dialect).toBe("duckdb");
    // [name, type, originalType, nullable, primaryKey, unique, defaultValue, extra]
    expectTables(model, {
      "depots": {
        primaryKey: ["depot_id"],
        columns: [
          ["depot_id","INTEGER","INTEGER",false,true,false,null], // integer id
          ["name","VARCHAR(60)","VARCHAR(60)",false,false,true,null], // text name
          ["region","VARCHAR","VARCHAR",false,false,false,null, {"checks":["(region IN ('north', 'south', 'east', 'west'))"],"allowedValues":["north","south","east","west"]}], // text category
        ],
      },
      "vehicle_models": {
        primaryKey: ["maker","model"],
        columns: [
          ["maker","VARCHAR","VARCHAR",false,true,false,null], // text text
          ["model","VARCHAR","VARCHAR",false,true,false,null], // text text
          ["seats","SMALLINT","SMALLINT",false,false,false,null, {"checks":["(seats > 0)"]}], // integer number
        ],
      },
      "vehicles": {
        description: "Every vehicle in the fleet",
        primaryKey: ["vin"],
        foreignKeys: [[["depot_id"],"depots",["depot_id"]],[["maker","model"],"vehicle_models",["maker","model"]]],
        columns: [
          ["vin","VARCHAR(17)","VARCHAR(17)",false,true,false,null], // text category
          ["maker","VARCHAR","VARCHAR",false,false,false,null], // text text
          ["model","VARCHAR","VARCHAR",false,false,false,null], // text text
          ["depot_id","INTEGER","INTEGER",false,false,false,null], // integer id
          ["first_registered","DATE","DATE",true,false,false,null], // date date
          ["odometer_km","BIGINT","BIGINT",true,false,false,"0", {"description":"Last reading"}], // integer number
        ],
      },
      "mechanics": {
        primaryKey: ["mechanic_id"],
        foreignKeys: [[["depot_id"],"depots",["depot_id"]],[["mentor_id"],"mechanics",["mechanic_id"]]],
        columns: [
          ["mechanic_id","INTEGER","INTEGER",false,true,false,null], // integer id
          ["full_name","VARCHAR","VARCHAR",false,false,false,null], // text name
          ["depot_id","INTEGER","INTEGER",true,false,false,null], // integer id
          ["mentor_id","INTEGER","INTEGER",true,false,false,null], // integer id
          ["hourly_rate","DECIMAL(8,2)","DECIMAL(8,2)",true,false,false,null], // decimal number
        ],
      },
      "parts": {
        primaryKey: ["part_no"],
        columns: [
          ["part_no","VARCHAR(20)","VARCHAR(20)",false,true,false,null], // text category
          ["description","VARCHAR","VARCHAR",false,false,false,null], // text text
          ["unit_cost","DECIMAL(10,2)","DECIMAL(10,2)",false,false,false,null], // decimal money
        ],
      },
      "maint.work_orders": {
        primaryKey: ["work_order_id"],
        checks: ["((closed_at IS NULL) OR (closed_at >= opened_at))"],
        columns: [
          ["work_order_id","BIGINT","BIGINT",false,true,false,"nextval('work_order_seq')"], // integer id
          ["vin","VARCHAR(17)","VARCHAR(17)",false,false,false,null], // text category
          ["opened_at","TIMESTAMP","TIMESTAMP",false,false,false,null], // timestamp timestamp
          ["closed_at","TIMESTAMP","TIMESTAMP",true,false,false,null], // timestamp timestamp
          ["severity","ENUM('low', 'medium', 'high', 'critical')","ENUM('low', 'medium', 'high', 'critical')",false,false,false,null, {"enumValues":["low","medium","high","critical"]}], // enum category
        ],
      },
      "maint.work_order_parts": {
        primaryKey: ["work_order_id","part_no"],
        foreignKeys: [[["work_order_id"],"maint.work_orders",["work_order_id"]]],
        columns: [
          ["work_order_id","BIGINT","BIGINT",false,true,false,null], // integer id
          ["part_no","VARCHAR(20)","VARCHAR(20)",false,true,false,null], // text category
          ["quantity","INTEGER","INTEGER",false,false,false,"1"], // integer number
        ],
      },
      "maint.labour": {
        primaryKey: ["work_order_id","mechanic_id"],
        foreignKeys: [[["work_order_id"],"maint.work_orders",["work_order_id"]]],
        columns: [
          ["work_order_id","BIGINT","BIGINT",false,true,false,null], // integer id
          ["mechanic_id","INTEGER","INTEGER",false,true,false,null], // integer id
          ["hours","DECIMAL(5,2)","DECIMAL(5,2)",false,false,false,null], // decimal number
        ],
      },
      "inspections": {
        primaryKey: [],
        uniqueKeys: [["vin","inspected_on"]],
        foreignKeys: [[["vin"],"vehicles",["vin"]]],
        columns: [
          ["vin","VARCHAR(17)","VARCHAR(17)",false,false,false,null], // text category
          ["inspected_on","DATE","DATE",false,false,false,null], // date date
          ["passed","BOOLEAN","BOOLEAN",false,false,false,null], // boolean boolean
          ["notes","VARCHAR","VARCHAR",true,false,false,null], // text text
        ],
      },
      "fuel_logs": {
        primaryKey: ["log_id"],
        foreignKeys: [[["vin"],"vehicles",["vin"]]],
        columns: [
          ["log_id","UUID","UUID",false,true,false,null], // uuid id
          ["vin","VARCHAR(17)","VARCHAR(17)",false,false,false,null], // text category
          ["litres","DOUBLE","DOUBLE",false,false,false,null], // float number
          ["logged_at","TIMESTAMP WITH TIME ZONE","TIMESTAMP WITH TIME ZONE",false,false,false,null], // timestamp timestamp
        ],
      },
    });
    expect(warnings.map((w) => [w.line, w.message.slice(0, 60)])).toEqual([
      [73, "1 CREATE INDEX statement was ignored (line 73): indexes do n"],
      [76, "Statement 18 (line 76) is a COPY: it was skipped without run"],
      [59, "Table inspections has no primary key: rows cannot be told ap"],
    ]);
    const severity = model.tables.find((t) => t.name === "maint.work_orders")!.columns.find((c) => c.name === "severity")!;
    expect(severity).toMatchObject({ canonicalType: "enum", semanticType: "category" });
  });

  it("is what parseDdl picks when nothing points to another dialect", async () => {
    expect((await parseDdl(FIXTURE, "auto")).model.dialect).toBe("duckdb");
  });

  it("refuses bad input with a clear message", async () => {
    expect((await rejection(Uint8Array.from([0x44, 0x55, 0x43, 0x4b, 0x00, 0x00, 0x01, 0x02]))).message).toMatch(/binary file/);
    const started = Date.now();
    expect((await rejection("CREATE TABLE a (x INT);".padEnd(50 * 1024 * 1024, " "))).message).toMatch(/^The DDL is 50\.0 MB; the limit is 5 MB/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await rejection(Uint8Array.from([0x43, 0x52, 0x45, 0x41, 0x54, 0x45, 0x20, 0xc3, 0x28]))).message).toMatch(/^The DDL is not UTF-8 text/);
    expect((await rejection("CREATE SCHEMA s;\nCOPY (SELECT 1) TO '/tmp/x.csv';")).message).toMatch(/^The schema has no tables/);
    expect((await rejection("CREATE TABLE a (x INT);\nCREATE TABLE a (y INT);")).message).toBe("Table a is created twice (lines 1 and 2): keep one CREATE TABLE a and remove the other.");
  });
});
