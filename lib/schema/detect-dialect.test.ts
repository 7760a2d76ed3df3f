import { describe, expect, it } from "vitest";
import { detectDialect } from "@/lib/schema/detect-dialect";

describe("detectDialect", () => {
  it("recognises MySQL by backticks, ENGINE= and AUTO_INCREMENT", () => {
    expect(detectDialect("CREATE TABLE `t` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;")).toBe("mysql");
    expect(detectDialect("CREATE TABLE t (id int unsigned, s enum('a','b'));")).toBe("mysql");
  });

  it("recognises PostgreSQL by SERIAL, casts, enum types, COMMENT ON and public.", () => {
    expect(detectDialect("CREATE TABLE t (id serial PRIMARY KEY);")).toBe("postgres");
    expect(detectDialect("CREATE TABLE public.t (id int DEFAULT 0);")).toBe("postgres");
    expect(detectDialect("CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (m mood DEFAULT 'a'::mood);")).toBe("postgres");
    expect(detectDialect("CREATE TABLE t (x int);\nCOMMENT ON TABLE t IS 'x';")).toBe("postgres");
  });

  it("recognises SQLite by AUTOINCREMENT, WITHOUT ROWID and STRICT", () => {
    expect(detectDialect("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);")).toBe("sqlite");
    expect(detectDialect("CREATE TABLE t (id INTEGER PRIMARY KEY) WITHOUT ROWID;")).toBe("sqlite");
    expect(detectDialect("CREATE TABLE t (id INTEGER PRIMARY KEY) STRICT;")).toBe("sqlite");
  });

  it("defaults to DuckDB, and prefers it when a DuckDB-only type appears", () => {
    expect(detectDialect("CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR);")).toBe("duckdb");
    expect(detectDialect("CREATE TYPE s AS ENUM ('a');\nCREATE TABLE t (x DOUBLE, s s);\nCOMMENT ON TABLE t IS 'x';")).toBe("duckdb");
  });

  it("ignores telltales inside comments and strings", () => {
    expect(detectDialect("-- ported from MySQL: ENGINE=InnoDB AUTO_INCREMENT\nCREATE TABLE t (note VARCHAR DEFAULT 'uses `backticks`');")).toBe("duckdb");
  });
});
