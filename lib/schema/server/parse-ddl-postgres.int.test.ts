import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { expectTables } from "@/lib/schema/fixtures/expect-model";
import { parseDdl } from "@/lib/schema/server/parse-ddl-any";
import { parsePostgresDdl } from "@/lib/schema/server/parse-ddl-postgres";

const FIXTURE = readFileSync(path.join(import.meta.dirname, "../fixtures/airline-postgres.sql"), "utf8");

async function rejection(input: string | Uint8Array): Promise<ValidationError> {
  const error = await parseDdl(input, "postgres").then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("parsePostgresDdl", () => {
  it("reads every table, column, key and foreign key of the airline schema", async () => {
    const { model, warnings } = await parseDdl(FIXTURE, "postgres");
    expect(model.dialect).toBe("postgres");
    // [name, type, originalType, nullable, primaryKey, unique, defaultValue, extra]
    expectTables(model, {
      "countries": {
        primaryKey: ["iso_code"],
        columns: [
          ["iso_code","VARCHAR(2)","character(2)",false,true,false,null], // text code
          ["name","VARCHAR(80)","character varying(80)",false,false,false,null], // text country
        ],
      },
      "airports": {
        description: "Airports served by any airline",
        primaryKey: ["airport_id"],
        foreignKeys: [[["country_code"],"countries",["iso_code"]]],
        columns: [
          ["airport_id","INTEGER","serial",false,true,false,null], // integer id
          ["iata_code","VARCHAR(3)","char(3)",false,false,true,null, {"description":"3-letter IATA code"}], // text code
          ["name","VARCHAR","text",false,false,false,null], // text name
          ["country_code","VARCHAR(2)","character(2)",false,false,false,null], // text code
          ["latitude","DOUBLE","double precision",true,false,false,null, {"checks":["latitude BETWEEN -90 AND 90"]}], // float latitude
          ["longitude","DOUBLE","double precision",true,false,false,null], // float longitude
          ["elevation_ft","INTEGER","integer",true,false,false,"0"], // integer number
        ],
      },
      "airlines": {
        primaryKey: ["airline_id"],
        foreignKeys: [[["hub_airport_id"],"airports",["airport_id"]]],
        columns: [
          ["airline_id","INTEGER","integer",false,true,false,null], // integer id
          ["IATA","VARCHAR(2)","varchar(2)",true,false,true,null], // text code
          ["name","VARCHAR","text",false,false,false,null], // text name
          ["hub_airport_id","INTEGER","integer",true,false,false,null], // integer id
          ["founded","DATE","date",true,false,false,null], // date date
          ["active","BOOLEAN","boolean",false,false,false,"true"], // boolean boolean
        ],
      },
      "aircraft_types": {
        primaryKey: ["type_code"],
        uniqueKeys: [["manufacturer","model"]],
        columns: [
          ["type_code","VARCHAR(4)","varchar(4)",false,true,false,null], // text code
          ["manufacturer","VARCHAR","text",false,false,false,null], // text text
          ["model","VARCHAR","text",false,false,false,null], // text text
          ["seats","SMALLINT","smallint",false,false,false,null, {"checks":["seats > 0"]}], // integer number
          ["range_km","INTEGER","int4",true,false,false,null], // integer number
        ],
      },
      "aircraft": {
        primaryKey: ["registration"],
        foreignKeys: [[["airline_id"],"airlines",["airline_id"]],[["type_code"],"aircraft_types",["type_code"]]],
        columns: [
          ["registration","VARCHAR(10)","varchar(10)",false,true,false,null], // text category
          ["airline_id","INTEGER","integer",false,false,false,null], // integer id
          ["type_code","VARCHAR(4)","varchar(4)",false,false,false,null], // text code
          ["delivered_on","DATE","date",true,false,false,null], // date date
          ["extras","VARCHAR","jsonb",true,false,false,"'{}'::jsonb"], // json text
        ],
      },
      "ops.flights": {
        description: "One row per flight leg and day",
        primaryKey: ["airline_id","flight_no","flight_date"],
        foreignKeys: [[["origin_id"],"airports",["airport_id"]],[["destination_id"],"airports",["airport_id"]],[["registration"],"aircraft",["registration"]],[["airline_id"],"airlines",["airline_id"]]],
        checks: ["origin_id <> destination_id"],
        columns: [
          ["airline_id","INTEGER","integer",false,true,false,null], // integer id
          ["flight_no","VARCHAR(6)","varchar(6)",false,true,false,null], // text category
          ["flight_date","DATE","date",false,true,false,null], // date date
          ["origin_id","INTEGER","integer",false,false,false,null], // integer id
          ["destination_id","INTEGER","integer",false,false,false,null], // integer id
          ["registration","VARCHAR(10)","varchar(10)",true,false,false,null], // text category
          ["status","VARCHAR","ops.flight_status",false,false,false,"'scheduled'", {"enumValues":["scheduled","boarding","departed","landed","cancelled"],"description":"Current status, updated by the ops desk"}], // enum category
          ["scheduled_departure","TIMESTAMPTZ","timestamp with time zone",false,false,false,null], // timestamp timestamp
          ["actual_departure","TIMESTAMPTZ","timestamptz",true,false,false,null], // timestamp timestamp
        ],
      },
      "passengers": {
        primaryKey: ["passenger_id"],
        foreignKeys: [[["nationality"],"countries",["iso_code"]]],
        columns: [
          ["passenger_id","BIGINT","bigserial",false,true,false,null], // integer id
          ["first_name","VARCHAR","text",false,false,false,null], // text name
          ["last_name","VARCHAR","text",false,false,false,null], // text name
          ["email","VARCHAR","citext",true,false,true,null], // text email
          ["birth_date","DATE","date",true,false,false,null], // date date
          ["nationality","VARCHAR(2)","character(2)",true,false,false,null], // text country
        ],
      },
      "bookings": {
        primaryKey: ["booking_ref"],
        foreignKeys: [[["passenger_id"],"passengers",["passenger_id"]]],
        columns: [
          ["booking_ref","VARCHAR(6)","char(6)",false,true,false,null], // text category
          ["passenger_id","BIGINT","bigint",false,false,false,null], // integer id
          ["booked_at","TIMESTAMP","timestamp without time zone",false,false,false,"now()"], // timestamp timestamp
          ["total_price","DECIMAL(10,2)","numeric(10,2)",false,false,false,null, {"checks":["total_price >= 0"]}], // decimal money
          ["currency","VARCHAR(3)","char(3)",true,false,false,"'EUR'"], // text code
        ],
      },
      "tickets": {
        primaryKey: ["booking_ref","segment_no"],
        uniqueKeys: [["airline_id","flight_no","flight_date","seat"]],
        foreignKeys: [[["booking_ref"],"bookings",["booking_ref"]],[["airline_id","flight_no","flight_date"],"ops.flights",["airline_id","flight_no","flight_date"]]],
        columns: [
          ["booking_ref","VARCHAR(6)","char(6)",false,true,false,null], // text category
          ["segment_no","SMALLINT","smallint",false,true,false,null], // integer id
          ["airline_id","INTEGER","integer",false,false,false,null], // integer id
          ["flight_no","VARCHAR(6)","varchar(6)",false,false,false,null], // text category
          ["flight_date","DATE","date",false,false,false,null], // date date
          ["cabin","VARCHAR","cabin_class",false,false,false,"'economy'::cabin_class", {"enumValues":["economy","premium","business","first"]}], // enum category
          ["seat","VARCHAR(4)","varchar(4)",true,false,false,null], // text category
          ["fare","DECIMAL(19,2)","money",true,false,false,null], // decimal money
        ],
      },
      "crew_members": {
        primaryKey: ["crew_id"],
        foreignKeys: [[["airline_id"],"airlines",["airline_id"]],[["supervisor_id"],"crew_members",["crew_id"]]],
        columns: [
          ["crew_id","INTEGER","integer",false,true,false,null], // integer id
          ["airline_id","INTEGER","integer",false,false,false,null], // integer id
          ["full_name","VARCHAR","text",false,false,false,null], // text name
          ["role","VARCHAR","text",false,false,false,null, {"checks":["role IN ('captain', 'first_officer', 'purser', 'attendant')"],"allowedValues":["captain","first_officer","purser","attendant"]}], // text category
          ["supervisor_id","INTEGER","integer",true,false,false,null], // integer id
          ["hired_on","DATE","date",true,false,false,"CURRENT_DATE"], // date date
          ["tags","VARCHAR[]","text[]",true,false,false,null], // other text
        ],
      },
      "Crew Assignments": {
        primaryKey: ["crew_id","airline_id","flight_no","flight_date"],
        foreignKeys: [[["crew_id"],"crew_members",["crew_id"]],[["airline_id","flight_no","flight_date"],"ops.flights",["airline_id","flight_no","flight_date"]]],
        columns: [
          ["crew_id","INTEGER","integer",false,true,false,null], // integer id
          ["airline_id","INTEGER","integer",false,true,false,null], // integer id
          ["flight_no","VARCHAR(6)","varchar(6)",false,true,false,null], // text category
          ["flight_date","DATE","date",false,true,false,null], // date date
          ["duty_hours","DECIMAL(4,1)","numeric(4,1)",true,false,false,null, {"description":"Hours on duty, incl. briefing"}], // decimal number
        ],
      },
    });
    expect(warnings).toEqual([
      { message: "6 settings, sequence, ownership and similar statements were skipped (first at line 4): they do not change the tables.", line: 4 },
      { message: "2 CREATE INDEX statements were ignored (lines 130, 131): indexes do not change the model.", line: 130 },
      { message: expect.stringMatching(/^Statement at line 140 \(CREATE VIEW\) was skipped/), line: 140 },
      { message: "Column crew_members.tags has type text[]: the sandbox leaves it NULL.", line: 102 },
    ]);
    const flights = model.tables.find((t) => t.name === "ops.flights")!;
    expect(flights.columns.find((c) => c.name === "status")).toMatchObject({ canonicalType: "enum", semanticType: "category" });
    expect(flights.columns.find((c) => c.name === "scheduled_departure")).toMatchObject({ canonicalType: "timestamp", semanticType: "timestamp" });
    expect(model.tables.find((t) => t.name === "crew_members")!.columns.find((c) => c.name === "tags")!.canonicalType).toBe("other");
  });

  it("is what parseDdl picks for pg_dump output when the dialect is auto", async () => {
    expect((await parseDdl(FIXTURE, "auto")).model.dialect).toBe("postgres");
  });

  it("skips a statement PostgreSQL cannot parse with a warning naming its line; the rest imports", async () => {
    const { model, warnings } = await parsePostgresDdl("CREATE TABLE a (id int PRIMARY KEY);\n\nCREATE TABLE b (id int,, x int);\nCREATE TABLE c (id int PRIMARY KEY, a_id int REFERENCES a);\nGRANT SELECT ON a TO reporting;\nINSERT INTO a VALUES (1);");
    expect(model.tables.map((t) => t.name)).toEqual(["a", "c"]);
    expect(warnings).toEqual([
      { message: 'Statement at line 3 was skipped: PostgreSQL cannot parse it (syntax error at or near ",").', line: 3 },
      { message: expect.stringMatching(/^Statement at line 6 \(INSERT\) was skipped/), line: 6 },
    ]);
  });

  it("warns about foreign keys to tables that are not in the DDL and reads REFERENCES without columns", async () => {
    const { model, warnings } = await parsePostgresDdl("CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b, parent_id int REFERENCES a);");
    expect(model.tables[0]!.foreignKeys.map((f) => [f.refTable, f.refColumns])).toEqual([["b", []], ["a", ["id"]]]);
    expect(warnings).toEqual([{ message: "Table a has a foreign key (b_id) to b, which is not in the schema: the sandbox leaves it NULL.", line: 1 }]);
  });

  it("refuses bad input with a clear message", async () => {
    expect((await rejection(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x3e, 0x00]))).message).toMatch(/binary file/);
    const started = Date.now();
    const big = await rejection("CREATE TABLE a (x int);\n" + "-".repeat(50 * 1024 * 1024));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(big.message).toBe("The DDL is 50.0 MB; the limit is 5 MB. Paste only the CREATE statements (pg_dump --schema-only gives them).");
    expect((await rejection(Uint8Array.from([...Buffer.from("CREATE TABLE caf"), 0xe9, ...Buffer.from(" (x int);")]))).message).toMatch(/^The DDL is not UTF-8 text \(invalid byte at offset 16\): save the file as UTF-8/);
    expect((await rejection("SET search_path = public;\nCREATE SCHEMA s;\nCREATE INDEX i ON t (x);")).message).toMatch(/^The schema has no tables/);
    const duplicate = await rejection("CREATE TABLE a (x int);\nCREATE TABLE b (x int);\n\nCREATE TABLE public.a (y int);");
    expect(duplicate.message).toBe("Table a is created twice (lines 1 and 4): keep one CREATE TABLE a and remove the other.");
    // Quoted names keep their case: "A" and a are different tables in PostgreSQL.
    expect((await parsePostgresDdl('CREATE TABLE a (x int PRIMARY KEY);\nCREATE TABLE "A" (x int PRIMARY KEY);')).model.tables.map((t) => t.name)).toEqual(["a", "A"]);
  });
});
