import { describe, expect, it } from "vitest";
import type { SourceDialect } from "@/lib/schema/model";
import { mapType } from "@/lib/schema/types";

function expectMapped(dialect: SourceDialect, rows: Array<[string, string, string, string[]?]>) {
  for (const [original, duckdbType, canonicalType, enumValues] of rows) {
    const mapped = mapType(dialect, original);
    expect({ original, ...mapped }).toEqual({ original, duckdbType, canonicalType, ...(enumValues ? { enumValues } : {}) });
  }
}

describe("mapType", () => {
  it("maps PostgreSQL types", () => {
    expectMapped("postgres", [
      ["serial", "INTEGER", "integer"],
      ["bigserial", "BIGINT", "integer"],
      ["smallserial", "SMALLINT", "integer"],
      ["int2", "SMALLINT", "integer"],
      ["int4", "INTEGER", "integer"],
      ["int8", "BIGINT", "integer"],
      ["integer", "INTEGER", "integer"],
      ["numeric(12,4)", "DECIMAL(12,4)", "decimal"],
      ["numeric(5)", "DECIMAL(5,0)", "decimal"],
      ["numeric", "DOUBLE", "decimal"],
      ["numeric(60,10)", "DOUBLE", "decimal"],
      ["money", "DECIMAL(19,2)", "decimal"],
      ["real", "FLOAT", "float"],
      ["double precision", "DOUBLE", "float"],
      ["float8", "DOUBLE", "float"],
      ["character varying(64)", "VARCHAR(64)", "text"],
      ["varchar", "VARCHAR", "text"],
      ["character(2)", "VARCHAR(2)", "text"],
      ["bpchar", "VARCHAR", "text"],
      ["text", "VARCHAR", "text"],
      ["citext", "VARCHAR", "text"],
      ["bool", "BOOLEAN", "boolean"],
      ["timestamp", "TIMESTAMP", "timestamp"],
      ["timestamp(3) without time zone", "TIMESTAMP", "timestamp"],
      ["timestamptz", "TIMESTAMPTZ", "timestamp"],
      ["timestamp with time zone", "TIMESTAMPTZ", "timestamp"],
      ["date", "DATE", "date"],
      ["time", "TIME", "time"],
      ["interval", "INTERVAL", "interval"],
      ["json", "VARCHAR", "json"],
      ["jsonb", "VARCHAR", "json"],
      ["uuid", "UUID", "uuid"],
      ["bytea", "BLOB", "binary"],
      ["text[]", "VARCHAR[]", "other"],
      ["integer ARRAY", "INTEGER[]", "other"],
      ["int4[][]", "INTEGER[]", "other"],
      ["pg_catalog.int4", "INTEGER", "integer"],
      ["inet", "VARCHAR", "other"],
      ["geometry(Point,4326)", "VARCHAR", "other"],
    ]);
  });

  it("maps MySQL and MariaDB types", () => {
    expectMapped("mysql", [
      ["tinyint(1)", "BOOLEAN", "boolean"],
      ["tinyint", "TINYINT", "integer"],
      ["tinyint(3) unsigned", "UTINYINT", "integer"],
      ["smallint unsigned", "USMALLINT", "integer"],
      ["mediumint", "INTEGER", "integer"],
      ["int(11)", "INTEGER", "integer"],
      ["int unsigned zerofill", "UINTEGER", "integer"],
      ["bigint unsigned", "UBIGINT", "integer"],
      ["decimal(10,2)", "DECIMAL(10,2)", "decimal"],
      ["decimal", "DECIMAL(10,0)", "decimal"],
      ["double", "DOUBLE", "float"],
      ["float", "FLOAT", "float"],
      ["float(10,2)", "DOUBLE", "float"],
      ["bit(1)", "BOOLEAN", "boolean"],
      ["varchar(255)", "VARCHAR(255)", "text"],
      ["char(36)", "VARCHAR(36)", "text"],
      ["mediumtext", "VARCHAR", "text"],
      ["longtext", "VARCHAR", "text"],
      ["datetime", "TIMESTAMP", "timestamp"],
      ["datetime(6)", "TIMESTAMP", "timestamp"],
      ["timestamp", "TIMESTAMP", "timestamp"],
      ["year", "SMALLINT", "integer"],
      ["json", "VARCHAR", "json"],
      ["blob", "BLOB", "binary"],
      ["longblob", "BLOB", "binary"],
      ["varbinary(16)", "BLOB", "binary"],
      ["enum('a','b')", "VARCHAR", "enum", ["a", "b"]],
      ["ENUM('it''s', 'semi;colon', 'back\\'slash')", "VARCHAR", "enum", ["it's", "semi;colon", "back'slash"]],
      ["set('x','y')", "VARCHAR", "other"],
      ["geometry", "VARCHAR", "other"],
    ]);
  });

  it("maps SQLite types by name, then by affinity", () => {
    expectMapped("sqlite", [
      ["INTEGER", "BIGINT", "integer"],
      ["INT", "BIGINT", "integer"],
      ["TEXT", "VARCHAR", "text"],
      ["REAL", "DOUBLE", "float"],
      ["NUMERIC", "DECIMAL(18,3)", "decimal"],
      ["NUMERIC(8,2)", "DECIMAL(8,2)", "decimal"],
      ["BLOB", "BLOB", "binary"],
      ["", "VARCHAR", "other"],
      ["VARCHAR(80)", "VARCHAR(80)", "text"],
      ["BOOLEAN", "BOOLEAN", "boolean"],
      ["DATETIME", "TIMESTAMP", "timestamp"],
      ["DATE", "DATE", "date"],
      // affinity: "INT" anywhere → integer, CHAR/CLOB/TEXT → text, BLOB → blob, REAL/FLOA/DOUB → real, else numeric
      ["UNSIGNED BIG INT", "BIGINT", "integer"],
      ["POINTINT", "BIGINT", "integer"],
      ["NATIVE CHARACTER(70)", "VARCHAR(70)", "text"],
      ["LONGCHAR", "VARCHAR", "text"],
      ["CLOB", "VARCHAR", "text"],
      ["MYBLOB", "BLOB", "binary"],
      ["DOUBLE PRECISION", "DOUBLE", "float"],
      ["FLOATING", "DOUBLE", "float"],
      ["MONEYISH", "DOUBLE", "decimal"],
    ]);
  });

  it("keeps DuckDB types and names their canonical type", () => {
    expectMapped("duckdb", [
      ["BIGINT", "BIGINT", "integer"],
      ["UBIGINT", "UBIGINT", "integer"],
      ["HUGEINT", "HUGEINT", "integer"],
      ["DECIMAL(10,2)", "DECIMAL(10,2)", "decimal"],
      ["DOUBLE", "DOUBLE", "float"],
      ["VARCHAR(17)", "VARCHAR(17)", "text"],
      ["BOOLEAN", "BOOLEAN", "boolean"],
      ["TIMESTAMP WITH TIME ZONE", "TIMESTAMP WITH TIME ZONE", "timestamp"],
      ["DATE", "DATE", "date"],
      ["INTERVAL", "INTERVAL", "interval"],
      ["UUID", "UUID", "uuid"],
      ["BLOB", "BLOB", "binary"],
      ["INTEGER[]", "INTEGER[]", "other"],
      ["STRUCT(a INTEGER, b VARCHAR)", "STRUCT(a INTEGER, b VARCHAR)", "other"],
      ["ENUM('low', 'high')", "ENUM('low', 'high')", "enum", ["low", "high"]],
    ]);
  });
});
