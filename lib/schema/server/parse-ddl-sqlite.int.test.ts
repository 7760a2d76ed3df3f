import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { expectTables } from "@/lib/schema/fixtures/expect-model";
import { parseDdl } from "@/lib/schema/server/parse-ddl-any";
import { parseSqliteDdl } from "@/lib/schema/server/parse-ddl-sqlite";

const FIXTURE = readFileSync(path.join(import.meta.dirname, "../fixtures/library-sqlite.sql"), "utf8");
const ATTACHED = "/tmp/sandpiper-sqlite-attach-should-not-exist.db";

async function rejection(input: string | Uint8Array): Promise<ValidationError> {
  const error = await parseDdl(input, "sqlite").then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("parseSqliteDdl", () => {
  it("reads every table, column, key and foreign key of the library schema, never running ATTACH or PRAGMA", async () => {
    rmSync(ATTACHED, { force: true });
    const { model, warnings } = await parseDdl(FIXTURE, "sqlite");
    expect(existsSync(ATTACHED)).toBe(false);
    expect(model.dialect).toBe("sqlite");
    // [name, type, originalType, nullable, primaryKey, unique, defaultValue, extra]
    expectTables(model, {
      "branches": {
        primaryKey: ["branch_id"],
        columns: [
          ["branch_id","BIGINT","INTEGER",false,true,false,null, {"description":"surrogate key"}], // integer id
          ["name","VARCHAR","TEXT",false,false,true,null], // text name
          ["city","VARCHAR(80)","VARCHAR(80)",false,false,false,null], // text city
          ["opened_on","DATE","DATE",true,false,false,null], // date date
        ],
      },
      "members": {
        primaryKey: ["member_id"],
        foreignKeys: [[["home_branch_id"],"branches",["branch_id"]],[["referred_by"],"members",["member_id"]]],
        columns: [
          ["member_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["email","VARCHAR","TEXT",false,false,true,null], // text email
          ["full_name","VARCHAR","TEXT",false,false,false,null, {"description":"as printed on the card"}], // text name
          ["home_branch_id","BIGINT","INTEGER",true,false,false,null], // integer id
          ["referred_by","BIGINT","INTEGER",true,false,false,null], // integer number
          ["status","VARCHAR","TEXT",false,false,false,"'active'", {"checks":["status IN ('active', 'suspended', 'closed')"],"allowedValues":["active","suspended","closed"]}], // text category
          ["joined_at","TIMESTAMP","DATETIME",true,false,false,"CURRENT_TIMESTAMP"], // timestamp timestamp
        ],
      },
      "authors": {
        primaryKey: ["author_id"],
        checks: ["died IS NULL OR died >= born"],
        columns: [
          ["author_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["Display Name","VARCHAR","TEXT",false,false,false,null], // text name
          ["born","BIGINT","INT",true,false,false,null], // integer number
          ["died","BIGINT","INT",true,false,false,null], // integer number
        ],
      },
      "publishers": {
        primaryKey: ["publisher_id"],
        columns: [
          ["publisher_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["name","VARCHAR","TEXT",false,false,true,null], // text name
          ["country","VARCHAR(2)","CHAR(2)",true,false,false,null], // text country
        ],
      },
      "books": {
        primaryKey: ["isbn"],
        foreignKeys: [[["publisher_id"],"publishers",["publisher_id"]]],
        columns: [
          ["isbn","VARCHAR","TEXT",false,true,false,null], // text code
          ["title","VARCHAR","TEXT",false,false,false,null], // text name
          ["publisher_id","BIGINT","INTEGER",true,false,false,null], // integer id
          ["published_year","SMALLINT","SMALLINT",true,false,false,null, {"checks":["published_year > 1450"]}], // integer number
          ["price","DECIMAL(8,2)","NUMERIC(8,2)",true,false,false,"0"], // decimal money
          ["pages","VARCHAR","",true,false,false,null], // other text
          ["cover","BLOB","BLOB",true,false,false,null], // binary other
        ],
      },
      "book_authors": {
        primaryKey: ["isbn","author_id"],
        foreignKeys: [[["isbn"],"books",["isbn"]],[["author_id"],"authors",["author_id"]]],
        columns: [
          ["isbn","VARCHAR","TEXT",false,true,false,null], // text code
          ["author_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["position","BIGINT","INTEGER",false,false,false,"1"], // integer number
        ],
      },
      "copies": {
        primaryKey: ["branch_id","copy_no"],
        foreignKeys: [[["branch_id"],"branches",["branch_id"]],[["isbn"],"books",["isbn"]]],
        columns: [
          ["branch_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["copy_no","BIGINT","INTEGER",false,true,false,null], // integer id
          ["isbn","VARCHAR","TEXT",false,false,false,null], // text code
          ["shelf","VARCHAR","TEXT",true,false,false,null], // text text
          ["acquired_on","DATE","DATE",true,false,false,null], // date date
        ],
      },
      "loans": {
        primaryKey: ["loan_id"],
        foreignKeys: [[["member_id"],"members",["member_id"]],[["branch_id","copy_no"],"copies",["branch_id","copy_no"]]],
        checks: ["due_on >= date(loaned_at)"],
        columns: [
          ["loan_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["branch_id","BIGINT","INTEGER",false,false,false,null], // integer id
          ["copy_no","BIGINT","INTEGER",false,false,false,null], // integer id
          ["member_id","BIGINT","INTEGER",false,false,false,null], // integer id
          ["loaned_at","TIMESTAMP","TIMESTAMP",false,false,false,null], // timestamp timestamp
          ["due_on","DATE","DATE",false,false,false,null], // date date
          ["returned_at","TIMESTAMP","TIMESTAMP",true,false,false,null], // timestamp timestamp
        ],
      },
      "reservations": {
        primaryKey: ["member_id","isbn","reserved_at"],
        foreignKeys: [[["member_id"],"members",["member_id"]],[["isbn"],"books",["isbn"]]],
        columns: [
          ["member_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["isbn","VARCHAR","TEXT",false,true,false,null], // text code
          ["reserved_at","VARCHAR","TEXT",false,true,false,null], // text timestamp
          ["fulfilled","BIGINT","INTEGER",false,false,false,"0", {"checks":["fulfilled IN (0, 1)"],"allowedValues":["0","1"]}], // integer number
        ],
      },
      "fines": {
        primaryKey: ["fine_id"],
        foreignKeys: [[["loan_id"],"loans",["loan_id"]]],
        columns: [
          ["fine_id","BIGINT","INTEGER",false,true,false,null], // integer id
          ["loan_id","BIGINT","INTEGER",false,false,true,null], // integer id
          ["amount","DOUBLE","REAL",false,false,false,null, {"checks":["amount > 0"]}], // float money
          ["paid","BIGINT","INTEGER",false,false,false,"0"], // integer number
        ],
      },
      "events": {
        primaryKey: [],
        uniqueKeys: [["branch_id","event_date","title"]],
        foreignKeys: [[["branch_id"],"branches",["branch_id"]]],
        columns: [
          ["branch_id","BIGINT","INTEGER",false,false,false,null], // integer id
          ["event_date","DATE","DATE",false,false,false,null], // date date
          ["title","VARCHAR","TEXT",false,false,false,null], // text name
          ["capacity","BIGINT","INTEGER",true,false,false,null], // integer number
        ],
      },
    });
    expect(warnings.map((w) => [w.line, w.message])).toEqual([
      [2, "Statement at line 2 (PRAGMA) was skipped without running it: only CREATE TABLE and CREATE INDEX are read."],
      [3, "Statement at line 3 (ATTACH) was skipped without running it: only CREATE TABLE and CREATE INDEX are read."],
      [100, "1 CREATE INDEX statement was ignored (line 100): indexes do not change the model."],
      [101, "CREATE UNIQUE INDEX ux_publishers_name was read as a UNIQUE constraint on publishers (name); the index itself is ignored."],
      [102, "Statement at line 102 (CREATE VIEW) was skipped without running it: only CREATE TABLE and CREATE INDEX are read."],
      [103, "Statement at line 103 (INSERT) was skipped without running it: only CREATE TABLE and CREATE INDEX are read."],
      [37, "Column books.cover has type BLOB: the sandbox leaves it NULL."],
      [92, "Table events has no primary key: rows cannot be told apart, and queries that need a key are harder to write."],
    ]);
  });

  it("is what parseDdl picks for SQLite DDL when the dialect is auto", async () => {
    expect((await parseDdl(FIXTURE, "auto")).model.dialect).toBe("sqlite");
  });

  it("skips a statement SQLite refuses with its message and line; the rest imports", async () => {
    const { model, warnings } = await parseSqliteDdl("CREATE TABLE a (id INTEGER PRIMARY KEY);\n\nCREATE TABLE f (id INTEGER PRIMARY KEY, paid BOOLEAN) STRICT;\nCREATE TABLE b (id INTEGER PRIMARY KEY,, x INT);\nDETACH other;");
    expect(model.tables.map((t) => t.name)).toEqual(["a"]);
    expect(warnings).toEqual([
      { message: 'Statement at line 3 was skipped: SQLite could not run it (unknown datatype for f.paid: "BOOLEAN").', line: 3 },
      { message: 'Statement at line 4 was skipped: SQLite could not run it (near ",": syntax error).', line: 4 },
      { message: "Statement at line 5 (DETACH) was skipped without running it: only CREATE TABLE and CREATE INDEX are read.", line: 5 },
    ]);
  });

  it("refuses bad input with a clear message", async () => {
    expect((await rejection(Buffer.from("SQLite format 3\u0000\u0010\u0000\u0001\u0001"))).message).toMatch(/binary file/);
    const started = Date.now();
    expect((await rejection(new Uint8Array(50 * 1024 * 1024))).message).toMatch(/^The DDL is 50\.0 MB; the limit is 5 MB/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await rejection(Uint8Array.from([0x43, 0x52, 0xff, 0xfe]))).message).toMatch(/^The DDL is not UTF-8 text/);
    expect((await rejection("PRAGMA journal_mode = WAL;\nCREATE VIEW v AS SELECT 1;")).message).toMatch(/^The schema has no tables/);
    const duplicate = await rejection("CREATE TABLE items (id INTEGER);\n\n\nCREATE TABLE Items (id INTEGER);");
    expect(duplicate.message).toBe("Table Items is created twice (lines 1 and 4): keep one CREATE TABLE Items and remove the other.");
  });
});
