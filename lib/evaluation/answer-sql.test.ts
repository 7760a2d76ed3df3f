import { describe, expect, it } from "vitest";
import { holdsSql } from "@/lib/evaluation/answer-sql";
import { extractSql } from "@/lib/providers/extract-sql";

const check = (answer: string) => holdsSql(answer, extractSql(answer));

describe("holdsSql", () => {
  it("finds SQL in fences, tags and bare statements", () => {
    expect(check("```sql\nSELECT 1\n```")).toBe(true);
    expect(check("<sql>SELEC 1</sql>")).toBe(true);
    expect(check("SELECT count(*) FROM airports")).toBe(true);
    expect(check("  (SELECT 1) UNION (SELECT 2)")).toBe(true);
    expect(check("WITH t AS (SELECT 1) SELECT * FROM t")).toBe(true);
    expect(check("Here is the query:\nSELECT name FROM airports")).toBe(true);
  });

  it("counts a misspelt SELECT as SQL (a syntax error later), not as prose", () => {
    expect(check("SELEC * FRM nowhere")).toBe(true);
    expect(check("SELCET name FROM airports")).toBe(true);
    expect(check("SELECTT 1")).toBe(true);
  });

  it("calls prose and empty answers no SQL", () => {
    expect(check("I cannot answer that from this schema.")).toBe(false);
    expect(check("Here are the results you asked for.")).toBe(false);
    expect(check("")).toBe(false);
    expect(check("Selection of airports is not possible.")).toBe(false);
  });
});
