import { describe, expect, it } from "vitest";
import { extractSql } from "@/lib/providers/extract-sql";
import { extractJson } from "@/lib/providers/extract-json";

describe("extractSql", () => {
  it("returns bare SQL trimmed and without the trailing semicolon", () => {
    expect(extractSql("  SELECT 1;  \n")).toBe("SELECT 1");
  });

  it("reads a ```sql fence", () => {
    expect(extractSql("Here you go:\n```sql\nSELECT name\nFROM airports;\n```\nThis lists names.")).toBe(
      "SELECT name\nFROM airports",
    );
  });

  it("reads a generic fence", () => {
    expect(extractSql("```\nSELECT 2\n```")).toBe("SELECT 2");
  });

  it("prefers the last sql fence over other fences", () => {
    const text = "Draft:\n```sql\nSELECT 1\n```\nExample data:\n```json\n{}\n```\nFinal:\n```sql\nSELECT 2\n```";
    expect(extractSql(text)).toBe("SELECT 2");
  });

  it("reads an unclosed fence", () => {
    expect(extractSql("```sql\nSELECT * FROM t")).toBe("SELECT * FROM t");
  });

  it("drops think blocks, including one holding SQL-looking drafts", () => {
    const text = "<think>Maybe SELECT * FROM wrong;\n```sql\nSELECT 0\n```</think>\n```sql\nSELECT count(*) FROM routes\n```";
    expect(extractSql(text)).toBe("SELECT count(*) FROM routes");
  });

  it("drops a reasoning prefix whose opening tag is missing", () => {
    expect(extractSql("thinking about joins...\n</think>\nSELECT 3;")).toBe("SELECT 3");
  });

  it("reads an 'SQL:' prefix and stops at prose", () => {
    expect(extractSql("The question asks for a count.\nSQL: SELECT count(*) FROM airports;\nThis counts airports.")).toBe(
      "SELECT count(*) FROM airports",
    );
  });

  it("finds SQL after a sentence of prose", () => {
    expect(extractSql("Sure! Here is the query:\nWITH x AS (SELECT 1)\nSELECT * FROM x\n\nIt uses a CTE.")).toBe(
      "WITH x AS (SELECT 1)\nSELECT * FROM x",
    );
  });

  it("keeps semicolons inside string literals", () => {
    expect(extractSql("SQL: SELECT 'a;b' AS s; -- done")).toBe("SELECT 'a;b' AS s");
  });

  it("reads <sql> tags", () => {
    expect(extractSql("<sql>SELECT 5</sql>")).toBe("SELECT 5");
  });

  it("returns an empty string for an empty answer or an unfinished think block", () => {
    expect(extractSql("")).toBe("");
    expect(extractSql("<think>still going")).toBe("");
  });
});

describe("extractJson", () => {
  it("reads plain JSON, a fence, a think block, prose around an object or an array, and nothing from garbage", () => {
    expect(extractJson('{"a":1}')).toEqual({ a: 1 });
    expect(extractJson('Here:\n```json\n{"a":2}\n```\nDone.')).toEqual({ a: 2 });
    expect(extractJson('<think>{"no":true}</think>{"a":3}')).toEqual({ a: 3 });
    expect(extractJson('Sure! {"rows": [1, 2]} hope that helps')).toEqual({ rows: [1, 2] });
    expect(extractJson("The list: [1, 2, 3]")).toEqual([1, 2, 3]);
    expect(extractJson("not json at all")).toBeUndefined();
  });
});
