import { describe, expect, it } from "vitest";
import { exactMatch, longestCommonSubsequence, normalizedTokens, normalizeSqlText, sequenceRatio, sqlSimilarity, templateMatch } from "@/lib/evaluation/sql-match";

/** Textbook O(n·m) dynamic programme, the reference for the bit-parallel LCS. */
function referenceLcs(a: string[], b: string[]): number {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      table[i][j] = a[i - 1] === b[j - 1] ? table[i - 1][j - 1] + 1 : Math.max(table[i - 1][j], table[i][j - 1]);
    }
  }
  return table[a.length][b.length];
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

describe("normalizeSqlText", () => {
  it("collapses layout, folds keywords and names, drops comments and trailing semicolons", () => {
    const written = "select  COUNT( * )\n  FROM Flights -- all of them\nWHERE Origin = 'SFO' /* note */ ;;";
    expect(normalizeSqlText(written)).toBe("select count(*) from flights where origin = 'SFO'");
  });

  it("keeps string literals and quoted identifiers as written", () => {
    expect(normalizeSqlText(`SELECT "Dep Delay" FROM T WHERE Name = 'San  Francisco'`)).toBe(`select "Dep Delay" from t where name = 'San  Francisco'`);
  });

  it("spaces a list or subquery after a keyword, not a call after a function name", () => {
    expect(normalizeSqlText("SELECT a FROM t WHERE a IN(1,2) AND EXISTS(SELECT 1 FROM u)")).toBe(
      "select a from t where a in (1, 2) and exists (select 1 from u)",
    );
    expect(normalizeSqlText("SELECT t . a , x :: INT FROM s.t")).toBe("select t.a, x::int from s.t");
  });

  it("keeps a semicolon between statements", () => {
    expect(normalizedTokens("SELECT 1; SELECT 2;")).toEqual(["select", "1", ";", "select", "2"]);
  });
});

describe("exactMatch", () => {
  it("matches the same query written differently", () => {
    expect(exactMatch("SELECT name FROM airports ORDER BY name;", "select Name\nfrom AIRPORTS\norder by NAME -- sorted")).toBe(true);
  });

  it("does not match a different literal, a differently cased string, or an alias", () => {
    expect(exactMatch("SELECT * FROM t WHERE x = 1", "SELECT * FROM t WHERE x = 2")).toBe(false);
    expect(exactMatch("SELECT * FROM t WHERE c = 'a'", "SELECT * FROM t WHERE c = 'A'")).toBe(false);
    expect(exactMatch("SELECT x FROM t", "SELECT x AS y FROM t")).toBe(false);
  });

  it("never matches an empty answer", () => {
    expect(exactMatch("SELECT 1", "")).toBe(false);
    expect(exactMatch("", "")).toBe(false);
  });
});

describe("templateMatch", () => {
  it("matches the same structure with other names and literals", () => {
    expect(templateMatch("SELECT name FROM airports WHERE city = 'Oslo'", "SELECT code FROM flights WHERE origin = 'SFO'")).toBe(true);
    expect(templateMatch("SELECT count(*) FROM t WHERE a > 3", "SELECT count(*) FROM u WHERE b > 10.5")).toBe(true);
  });

  it("does not match a different structure", () => {
    expect(templateMatch("SELECT name FROM airports WHERE city = 'Oslo'", "SELECT name FROM airports WHERE city = 'Oslo' ORDER BY name")).toBe(false);
    expect(templateMatch("SELECT count(*) FROM t", "SELECT sum(x) FROM t")).toBe(false);
    expect(templateMatch("SELECT 1", "")).toBe(false);
  });
});

describe("sqlSimilarity", () => {
  it("is 1 for the same normalised tokens", () => {
    expect(sqlSimilarity("SELECT a FROM t;", "select A from T")).toBe(1);
  });

  it("is 2·LCS / total tokens", () => {
    // gold: select a from t where x = 1 (8 tokens); pred: select a , b from t (6 tokens);
    // LCS = select a from t = 4 → 8 / 14.
    expect(sqlSimilarity("SELECT a FROM t WHERE x = 1", "SELECT a, b FROM t")).toBeCloseTo(8 / 14, 12);
    // No token in common.
    expect(sqlSimilarity("SELECT 1", "VALUES (2)")).toBe(0);
  });

  it("is 1 for two empty queries and 0 when only one is empty", () => {
    expect(sqlSimilarity("", "-- nothing")).toBe(1);
    expect(sqlSimilarity("SELECT 1", "")).toBe(0);
    expect(sqlSimilarity("", "SELECT 1")).toBe(0);
  });

  it("is symmetric", () => {
    const a = "SELECT origin, avg(dep_delay) FROM flights GROUP BY origin ORDER BY 2 DESC";
    const b = "SELECT origin, max(dep_delay) AS d FROM flights GROUP BY 1";
    expect(sqlSimilarity(a, b)).toBe(sqlSimilarity(b, a));
  });

  it("counts tokens in order: of two crossed blocks only one counts", () => {
    expect(sequenceRatio(["x", "a", "y", "b"], ["a", "b"])).toBeCloseTo(4 / 6, 12);
    // a b c d vs c d a b x: "a b" and "c d" cross, so M = 2 → 4 / 9.
    expect(sequenceRatio(["a", "b", "c", "d"], ["c", "d", "a", "b", "x"])).toBeCloseTo(4 / 9, 12);
  });
});

describe("longestCommonSubsequence", () => {
  it("agrees with the dynamic programme on random sequences across word boundaries", () => {
    const rnd = seeded(42);
    for (let trial = 0; trial < 300; trial++) {
      const alphabet = 2 + Math.floor(rnd() * 6);
      const n = Math.floor(rnd() * 90);
      const m = Math.floor(rnd() * 90);
      const a = Array.from({ length: n }, () => String(Math.floor(rnd() * alphabet)));
      const b = Array.from({ length: m }, () => String(Math.floor(rnd() * alphabet)));
      expect(longestCommonSubsequence(a, b)).toBe(referenceLcs(a, b));
    }
  });

  it("handles shared ends and a fully contained sequence", () => {
    expect(longestCommonSubsequence(["s", "a", "b", "e"], ["s", "x", "e"])).toBe(2);
    expect(longestCommonSubsequence(["a", "b", "c"], ["a", "b", "c", "d", "e"])).toBe(3);
    expect(longestCommonSubsequence([], ["a"])).toBe(0);
  });

  it("is exact on two 2,000-token queries (several words of bits per token)", () => {
    const rnd = seeded(7);
    const words = ["select", "from", "where", "and", "(", ")", ",", "=", "t", "a", "b", "c", "'x'", "1"];
    const a = Array.from({ length: 2000 }, () => words[Math.floor(rnd() * words.length)]);
    const b = a.map((w) => (rnd() < 0.2 ? words[Math.floor(rnd() * words.length)] : w)).slice(0, 1990);
    expect(longestCommonSubsequence(a, b)).toBe(referenceLcs(a, b));
    expect(longestCommonSubsequence(b, a)).toBe(referenceLcs(a, b));
  });
});
