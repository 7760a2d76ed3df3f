import { describe, expect, it } from "vitest";
import { leadingWords, splitSqlStatements } from "@/lib/schema/split-sql";

describe("splitSqlStatements", () => {
  it("splits on top-level semicolons and reports the first line of each statement", () => {
    const sql = "-- header\nCREATE TABLE a (x VARCHAR DEFAULT ';');\n\n/* note; */\nCREATE TABLE \"b;c\" (y INT);\nCOMMENT ON TABLE a IS 'it''s; fine'";
    const parts = splitSqlStatements(sql);
    expect(parts.map((p) => p.line)).toEqual([2, 5, 6]);
    expect(parts[0]!.text).toBe("CREATE TABLE a (x VARCHAR DEFAULT ';')");
    expect(parts[2]!.text).toBe("COMMENT ON TABLE a IS 'it''s; fine'");
  });
  it("drops comment-only and empty segments", () => {
    expect(splitSqlStatements("-- only a comment\n;;  /* and another */ ;")).toEqual([]);
  });
  it("keeps dollar-quoted strings whole", () => {
    expect(splitSqlStatements("COMMENT ON TABLE a IS $$x; y$$; CREATE SCHEMA s")).toHaveLength(2);
  });
});

describe("leadingWords", () => {
  it("upper-cases keywords and skips comments", () => {
    expect(leadingWords("/* x */ create or replace -- y\n table t (", 6)).toEqual(["CREATE", "OR", "REPLACE", "TABLE", "T", "("]);
  });
});

describe("splitSqlStatements for MySQL", () => {
  it("skips backslash-escaped quotes, backtick identifiers and # comments", () => {
    const sql = "CREATE TABLE `a;b` (x varchar(9) DEFAULT 'it\\'s; ok');\n# note; here\nCREATE TABLE c (y int);";
    const spans = splitSqlStatements(sql, { mysql: true });
    expect(spans.map((s) => [s.line, s.text.slice(0, 18)])).toEqual([
      [1, "CREATE TABLE `a;b`"],
      [3, "CREATE TABLE c (y "],
    ]);
  });
});
