import { describe, expect, it } from "vitest";
import type { JsonValue } from "@/lib/sql/result";
import { compareResults, DEFAULT_COMPARE_SETTINGS, type CompareSettings, type ResultSet } from "@/lib/evaluation/compare";

const rs = (columns: string[], rows: JsonValue[][]): ResultSet => ({ columns, rows });
const bag = DEFAULT_COMPARE_SETTINGS;
const ordered: CompareSettings = { ...DEFAULT_COMPARE_SETTINGS, orderMatters: true };

describe("compareResults: basics", () => {
  it("matches identical results", () => {
    const r = rs(["a", "b"], [[1, "x"], [2, "y"]]);
    expect(compareResults(r, r, bag)).toEqual({ match: true, reason: "results match" });
  });

  it("matches two empty results, whatever their columns", () => {
    expect(compareResults(rs(["a"], []), rs(["a", "b"], []), bag)).toEqual({ match: true, reason: "both results are empty" });
  });

  it("reports an empty prediction as missing rows", () => {
    const out = compareResults(rs(["a"], [[1], [2], [3]]), rs(["a"], []), bag);
    expect(out.match).toBe(false);
    expect(out.reason).toMatch(/^3 rows missing/);
  });

  it("reports rows where none were expected as extra", () => {
    const out = compareResults(rs(["a"], []), rs(["a"], [[1]]), bag);
    expect(out).toEqual({ match: false, reason: "1 extra row (e.g. (1))" });
  });

  it("reports a column count difference", () => {
    expect(compareResults(rs(["a", "b"], [[1, 2]]), rs(["a", "b", "c"], [[1, 2, 3]]), bag)).toEqual({
      match: false,
      reason: "column count differs: expected 2, got 3",
    });
  });

  it("counts missing and extra rows together", () => {
    const gold = rs(["a"], [[1], [2], [3], [4]]);
    const pred = rs(["a"], [[1], [5]]);
    expect(compareResults(gold, pred, bag).reason).toMatch(/^3 rows missing, 1 extra row/);
  });

  it("explains a single differing value in a multiset comparison", () => {
    const gold = rs(["name", "avg"], [["a", 0.5], ["b", 1]]);
    const pred = rs(["name", "avg"], [["a", 0], ["b", 1]]);
    expect(compareResults(gold, pred, bag)).toEqual({
      match: false,
      reason: '1 row missing, 1 extra row (e.g. column 2: 0.5 vs 0)',
    });
  });

  it("works from rows alone when column names are absent", () => {
    expect(compareResults(rs([], [[1, 2]]), rs([], [[2, 1]]), bag).match).toBe(true);
  });
});

describe("compareResults: numbers", () => {
  it("treats 1 and 1.0 as equal", () => {
    expect(compareResults(rs(["n"], [[1]]), rs(["n"], [[1.0]]), bag).match).toBe(true);
  });

  it("accepts differences within the absolute tolerance", () => {
    expect(compareResults(rs(["n"], [[0.1 + 0.2]]), rs(["n"], [[0.3]]), bag).match).toBe(true);
    expect(compareResults(rs(["n"], [[0]]), rs(["n"], [[5e-7]]), bag).match).toBe(true);
  });

  it("rejects differences beyond the tolerance", () => {
    const out = compareResults(rs(["n"], [[0.5]]), rs(["n"], [[0.5001]]), bag);
    expect(out.match).toBe(false);
    expect(out.reason).toBe("1 row missing, 1 extra row (e.g. column 1: 0.5 vs 0.5001)");
  });

  it("uses the relative tolerance for large numbers", () => {
    expect(compareResults(rs(["n"], [[1_000_000_000]]), rs(["n"], [[1_000_000_100]]), bag).match).toBe(true);
    expect(compareResults(rs(["n"], [[1_000_000_000]]), rs(["n"], [[1_000_100_000]]), bag).match).toBe(false);
  });

  it("honours custom tolerances", () => {
    const loose: CompareSettings = { ...bag, floatAbsTol: 0.01, floatRelTol: 0 };
    expect(compareResults(rs(["n"], [[3.14159]]), rs(["n"], [[3.14]]), loose).match).toBe(true);
    const strict: CompareSettings = { ...bag, floatAbsTol: 0, floatRelTol: 0 };
    expect(compareResults(rs(["n"], [[0.1 + 0.2]]), rs(["n"], [[0.3]]), strict).match).toBe(false);
  });

  it("treats a numeric string and a number as different", () => {
    expect(compareResults(rs(["n"], [["1"]]), rs(["n"], [[1]]), bag).match).toBe(false);
  });

  it("matches rows whose near-equal numbers sort differently", () => {
    const gold = rs(["x", "y"], [[1.0, "b"], [1.0000000001, "a"]]);
    const pred = rs(["x", "y"], [[1.0000000001, "b"], [1.0, "a"]]);
    expect(compareResults(gold, pred, bag).match).toBe(true);
  });

  it("does not confuse booleans with numbers", () => {
    expect(compareResults(rs(["b"], [[true]]), rs(["b"], [[1]]), bag).match).toBe(false);
  });
});

describe("compareResults: NULLs", () => {
  it("treats NULL as equal to NULL by default", () => {
    const r = rs(["a", "b"], [[null, 1], [2, null]]);
    expect(compareResults(r, rs(["a", "b"], [[2, null], [null, 1]]), bag).match).toBe(true);
  });

  it("can treat NULL as unequal to everything", () => {
    const r = rs(["a"], [[null]]);
    expect(compareResults(r, r, { ...bag, nullEqualsNull: false }).match).toBe(false);
  });

  it("does not equate NULL with 0 or an empty string", () => {
    expect(compareResults(rs(["a"], [[null]]), rs(["a"], [[0]]), bag).match).toBe(false);
    expect(compareResults(rs(["a"], [[null]]), rs(["a"], [[""]]), bag).match).toBe(false);
  });
});

describe("compareResults: row order", () => {
  const gold = rs(["id"], [[1], [2], [3]]);
  const shuffled = rs(["id"], [[3], [1], [2]]);

  it("ignores row order for a multiset comparison", () => {
    expect(compareResults(gold, shuffled, bag).match).toBe(true);
  });

  it("says the rows are in a different order when order matters", () => {
    expect(compareResults(gold, shuffled, ordered)).toEqual({ match: false, reason: "rows are in a different order" });
  });

  it("names the first differing row and column when order matters", () => {
    const g = rs(["name", "avg"], [["a", 1], ["b", 2], ["c", 3], ["d", 0.5]]);
    const p = rs(["name", "avg"], [["a", 1], ["b", 2], ["c", 3], ["d", 0]]);
    expect(compareResults(g, p, ordered)).toEqual({ match: false, reason: "row 4 differs in column 2: 0.5 vs 0" });
  });

  it("counts duplicates in a multiset", () => {
    const out = compareResults(rs(["a"], [[1], [1], [2]]), rs(["a"], [[1], [2], [2]]), bag);
    expect(out.match).toBe(false);
    expect(out.reason).toMatch(/^1 row missing, 1 extra row/);
  });

  it("does not collapse duplicates (no set semantics)", () => {
    expect(compareResults(rs(["a"], [[1], [1]]), rs(["a"], [[1]]), bag).reason).toMatch(/^1 row missing/);
  });

  it("matches in order when order matters and the rows agree", () => {
    expect(compareResults(gold, gold, ordered).match).toBe(true);
  });
});

describe("compareResults: columns", () => {
  it("ignores column order and aliases by default", () => {
    const gold = rs(["name", "total"], [["a", 1], ["b", 2]]);
    const pred = rs(["cnt", "airport"], [[2, "b"], [1, "a"]]);
    expect(compareResults(gold, pred, bag)).toEqual({ match: true, reason: "results match (columns in a different order)" });
  });

  it("respects column order when asked", () => {
    const gold = rs(["name", "total"], [["a", 1]]);
    const pred = rs(["total", "name"], [[1, "a"]]);
    expect(compareResults(gold, pred, { ...bag, ignoreColumnOrder: false }).match).toBe(false);
  });

  it("checks column names when asked", () => {
    const gold = rs(["name", "total"], [["a", 1]]);
    expect(compareResults(gold, rs(["NAME", "Total"], [["a", 1]]), { ...bag, ignoreColumnNames: false }).match).toBe(true);
    expect(compareResults(gold, rs(["name", "cnt"], [["a", 1]]), { ...bag, ignoreColumnNames: false })).toEqual({
      match: false,
      reason: 'no column named "total" (gold column 2) in the prediction',
    });
    expect(
      compareResults(gold, rs(["name", "cnt"], [["a", 1]]), { ...bag, ignoreColumnNames: false, ignoreColumnOrder: false }),
    ).toEqual({ match: false, reason: 'column 2 is named "cnt", expected "total"' });
  });

  it("points at the one wrong value of an otherwise matching column", () => {
    const gold = rs(["id", "avg_altitude"], [[1, 10.5], [2, 20]]);
    const pred = rs(["a", "id"], [[10, 1], [20, 2]]);
    expect(compareResults(gold, pred, bag)).toEqual({
      match: false,
      reason: "1 row missing, 1 extra row (e.g. column 2: 10.5 vs 10)",
    });
  });

  it("finds the permutation when columns share value multisets", () => {
    // Both columns hold {1, 2}; only the swap keeps rows intact.
    const gold = rs(["a", "b"], [[1, 2], [2, 1], [1, 1]]);
    const pred = rs(["b", "a"], [[2, 1], [1, 2], [1, 1]]);
    expect(compareResults(gold, pred, bag).match).toBe(true);
  });

  it("rejects columns whose values match one by one but not as rows", () => {
    const gold = rs(["a", "b"], [[1, "x"], [2, "y"]]);
    const pred = rs(["a", "b"], [[1, "y"], [2, "x"]]);
    const out = compareResults(gold, pred, bag);
    expect(out.match).toBe(false);
    expect(out.reason).toMatch(/^2 rows missing, 2 extra rows/);
  });

  it("handles duplicate identical columns", () => {
    const gold = rs(["a", "a2", "b"], [[1, 1, "x"], [2, 2, "y"]]);
    const pred = rs(["b", "a", "a"], [["y", 2, 2], ["x", 1, 1]]);
    expect(compareResults(gold, pred, bag).match).toBe(true);
  });

  it("does not map two gold columns onto one pred column", () => {
    const gold = rs(["a", "a2"], [[1, 1], [2, 2]]);
    const pred = rs(["a", "b"], [[1, 5], [2, 6]]);
    expect(compareResults(gold, pred, bag)).toEqual({
      match: false,
      reason: "2 rows missing, 2 extra rows (e.g. column 2: 1 vs 5)",
    });
  });

  it("names a wholly different column instead of listing rows", () => {
    const gold = rs(["id", "avg_altitude"], Array.from({ length: 20 }, (_, i) => [i, i * 1.5]));
    const pred = rs(["id", "cnt"], Array.from({ length: 20 }, (_, i) => [i, i * 2]));
    expect(compareResults(gold, pred, bag)).toEqual({ match: false, reason: "no column matches gold column 2 (avg_altitude)" });
    expect(compareResults(gold, pred, ordered)).toEqual({ match: false, reason: "no column matches gold column 2 (avg_altitude)" });
  });

  it("searches permutations of many interchangeable columns", () => {
    // Eight columns, each a cyclic shift of the same values: every column matches every other by
    // multiset, only one permutation matches by rows.
    const width = 8;
    const goldRows = Array.from({ length: 40 }, (_, r) => Array.from({ length: width }, (_, c) => (r + c) % width));
    const perm = [3, 7, 1, 0, 6, 2, 5, 4];
    const predRows = goldRows.map((row) => perm.map((g) => row[g]));
    const started = performance.now();
    const out = compareResults(rs([], goldRows), rs([], [...predRows].reverse()), bag);
    expect(out.match).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("keeps order and column permutation together when order matters", () => {
    const gold = rs(["a", "b"], [[1, "x"], [2, "y"]]);
    expect(compareResults(gold, rs(["b", "a"], [["x", 1], ["y", 2]]), ordered).match).toBe(true);
    expect(compareResults(gold, rs(["b", "a"], [["y", 2], ["x", 1]]), ordered).reason).toBe("rows are in a different order");
  });

  it("compares nested values deeply", () => {
    const gold = rs(["l"], [[[1, 2]], [{ a: 1 }]]);
    expect(compareResults(gold, rs(["l"], [[{ a: 1.0000000001 }], [[1, 2]]]), bag).match).toBe(true);
    expect(compareResults(gold, rs(["l"], [[{ a: 2 }], [[1, 2]]]), bag).match).toBe(false);
  });
});

describe("compareResults: large results", () => {
  const n = 10_000;
  const gold = rs(
    ["id", "name", "altitude", "country", "opened"],
    Array.from({ length: n }, (_, i) => [i, `airport ${i}`, i * 1.5, `c${i % 50}`, `2020-01-${(i % 28) + 1}`]),
  );
  const pred = rs(
    ["opened", "country", "altitude", "id", "name"],
    gold.rows.map((r) => [r[4], r[3], (r[2] as number) + 1e-9, r[0], r[1]]).reverse(),
  );

  it("compares 10k rows with permuted columns and shuffled rows in under 200 ms", () => {
    compareResults(gold, pred, bag); // warm up the JIT
    // Best of three, so a busy machine does not fail the test on one slow run.
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const out = compareResults(gold, pred, bag);
      best = Math.min(best, performance.now() - started);
      expect(out.match).toBe(true);
    }
    expect(best).toBeLessThan(200);
  });

  it("finds the one differing row among 10k in under 200 ms", () => {
    const broken = rs(pred.columns, pred.rows.map((r, i) => (i === 1234 ? [r[0], r[1], 0, r[3], r[4]] : r)));
    const started = performance.now();
    const out = compareResults(gold, broken, ordered);
    expect(performance.now() - started).toBeLessThan(200);
    expect(out.match).toBe(false);
    expect(out.reason).toMatch(/no column matches gold column 3 \(altitude\)/);
  });

  it("reports rows missing from a 10k result in under 200 ms", () => {
    const started = performance.now();
    const out = compareResults(gold, rs(gold.columns, gold.rows.slice(3)), bag);
    expect(performance.now() - started).toBeLessThan(200);
    expect(out.reason).toMatch(/^3 rows missing/);
  });
});
