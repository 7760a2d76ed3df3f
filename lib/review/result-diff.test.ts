import { describe, expect, it } from "vitest";
import { diffResults, type ResultLike } from "@/lib/review/result-diff";
import { compareResults, DEFAULT_COMPARE_SETTINGS } from "@/lib/evaluation/compare";
import type { JsonValue } from "@/lib/sql/result";

const rs = (columns: string[], rows: unknown[][]): ResultLike => ({ columns, rows });
const bag = { orderMatters: false };
const ordered = { orderMatters: true };

describe("diffResults: identical and empty results", () => {
  it("finds nothing to report in the same result", () => {
    const r = rs(["city", "n"], [["Oslo", 3], ["Lima", 1]]);
    const d = diffResults(r, r, bag);
    expect(d.same).toBe(true);
    expect(d.counts).toEqual({ storedRows: 2, editedRows: 2, inBoth: 2, onlyStored: 0, onlyEdited: 0, changed: 0 });
    expect(d.summary).toBe("Same result: 2 rows");
    expect(d.rows.map((r) => [r.status, r.stored, r.edited])).toEqual([
      ["same", 0, 0],
      ["same", 1, 1],
    ]);
    expect(d.differences).toEqual([]);
  });

  it("treats two empty results with the same columns as the same", () => {
    const d = diffResults(rs(["a"], []), rs(["A"], []), bag);
    expect(d.same).toBe(true);
    expect(d.counts.storedRows).toBe(0);
    expect(d.summary).toBe("Same result: 0 rows; `a` is called `A`");
  });

  it("reports every stored row as missing when the edited result is empty", () => {
    const d = diffResults(rs(["a"], [[1], [2], [3]]), rs(["a"], []), bag);
    expect(d.same).toBe(false);
    expect(d.counts.onlyStored).toBe(3);
    expect(d.counts.onlyEdited).toBe(0);
    expect(d.summary).toBe("3 rows only in the stored result");
    expect(d.rows.every((r) => r.status === "removed" && r.edited === null)).toBe(true);
  });

  it("reports rows where the stored result had none", () => {
    const d = diffResults(rs(["a"], []), rs(["a"], [[1]]), bag);
    expect(d.summary).toBe("1 row only in yours");
    expect(d.rows).toEqual([{ status: "added", stored: null, edited: 0 }]);
  });

  it("says so when neither side has rows and the columns differ", () => {
    const d = diffResults(rs(["a"], []), rs(["b"], []), bag);
    expect(d.same).toBe(false);
    expect(d.summary).toBe("No rows on either side; column `b` is new; column `a` is missing");
  });
});

describe("diffResults: rows as multisets", () => {
  it("gives the brief's sentence for rows on each side and a new column", () => {
    const stored = rs(["name"], [["a"], ["b"], ["c"], ["d"]]);
    const edited = rs(["name", "city"], [["a", "Oslo"], ["z", "Rome"]]);
    const d = diffResults(stored, edited, bag);
    expect(d.counts).toMatchObject({ inBoth: 1, onlyStored: 3, onlyEdited: 1 });
    expect(d.summary).toBe("3 rows only in the stored result, 1 only in yours; 1 row in both; column `city` is new");
    expect(d.columns.added).toEqual([{ name: "city", editedIndex: 1 }]);
  });

  it("ignores row order when the order does not matter", () => {
    const d = diffResults(rs(["a"], [[1], [2], [3]]), rs(["a"], [[3], [1], [2]]), bag);
    expect(d.same).toBe(true);
    expect(d.rows.map((r) => [r.stored, r.edited])).toEqual([
      [0, 1],
      [1, 2],
      [2, 0],
    ]);
  });

  it("counts duplicates: two copies against one leave one unpartnered", () => {
    const d = diffResults(rs(["a"], [["x"], ["x"], ["y"]]), rs(["a"], [["x"], ["y"]]), bag);
    expect(d.same).toBe(false);
    expect(d.counts).toMatchObject({ inBoth: 2, onlyStored: 1, onlyEdited: 0 });
    const removed = d.differences;
    expect(removed).toEqual([{ status: "removed", stored: 1, edited: null, copies: { stored: 2, edited: 1 } }]);
    expect(d.rows[0]).toEqual({ status: "same", stored: 0, edited: 0, copies: { stored: 2, edited: 1 } });
  });

  it("counts extra duplicates on the edited side", () => {
    const d = diffResults(rs(["a"], [["x"]]), rs(["a"], [["x"], ["x"], ["x"]]), bag);
    expect(d.counts).toMatchObject({ inBoth: 1, onlyStored: 0, onlyEdited: 2 });
    expect(d.differences.map((r) => [r.status, r.edited, r.copies])).toEqual([
      ["added", 1, { stored: 1, edited: 3 }],
      ["added", 2, { stored: 1, edited: 3 }],
    ]);
  });

  it("matches NULL with NULL", () => {
    const d = diffResults(rs(["a", "b"], [[null, 1], [2, null]]), rs(["a", "b"], [[2, null], [null, 1]]), bag);
    expect(d.same).toBe(true);
  });

  it("does not match NULL with 0, the empty string or the text NULL", () => {
    const d = diffResults(rs(["a"], [[null], [null], [null]]), rs(["a"], [[0], [""], ["NULL"]]), bag);
    expect(d.counts).toMatchObject({ inBoth: 0, onlyStored: 3, onlyEdited: 3 });
  });

  it("treats a missing cell as NULL", () => {
    expect(diffResults(rs(["a", "b"], [[1, null]]), rs(["a", "b"], [[1]]), bag).same).toBe(true);
  });

  it("absorbs float noise the way the comparator does", () => {
    const stored = rs(["avg"], [[0.1 + 0.2], [1 / 3], [2.5]]);
    const edited = rs(["avg"], [[2.5], [0.3], [0.3333333333]]);
    const d = diffResults(stored, edited, bag);
    expect(d.same).toBe(true);
    expect(compareResults(stored as never, edited as never, DEFAULT_COMPARE_SETTINGS).match).toBe(true);
  });

  it("still sees a difference beyond the tolerance", () => {
    const d = diffResults(rs(["avg"], [[0.5]]), rs(["avg"], [[0.51]]), bag);
    expect(d.same).toBe(false);
    expect(d.counts).toMatchObject({ onlyStored: 1, onlyEdited: 1 });
  });

  it("matches near-equal rows that the tolerance puts in another sort order", () => {
    // Sorted, 1 + 1e-9 comes after 1 on one side and the tie breaks differently on the other.
    const stored = rs(["n", "s"], [[1, "b"], [1 + 1e-9, "a"]]);
    const edited = rs(["n", "s"], [[1, "a"], [1 + 1e-9, "b"]]);
    expect(diffResults(stored, edited, bag).same).toBe(true);
  });

  it("puts a row that changed in one column beside its old version", () => {
    const stored = rs(["country", "airports", "avg_alt"], [["NO", 3, 120], ["PE", 1, 3000], ["IT", 5, 80]]);
    const edited = rs(["country", "airports", "avg_alt"], [["IT", 5, 80], ["NO", 3, 125], ["PE", 1, 3000]]);
    const d = diffResults(stored, edited, bag);
    expect(d.counts).toMatchObject({ inBoth: 2, onlyStored: 1, onlyEdited: 1, changed: 1 });
    expect(d.differences).toEqual([{ status: "changed", stored: 0, edited: 1, changedColumns: [2] }]);
    expect(d.summary).toBe("1 row only in the stored result, 1 only in yours; 1 of them differs from yours only in `avg_alt`; 2 rows in both");
  });

  it("does not pair rows that have little in common", () => {
    const d = diffResults(rs(["a", "b"], [[1, 2]]), rs(["a", "b"], [[3, 4]]), bag);
    expect(d.differences.map((r) => r.status)).toEqual(["removed", "added"]);
    expect(d.counts.changed).toBe(0);
  });

  it("agrees with the comparator on results it calls equal or different", () => {
    const cases: [JsonValue[][], JsonValue[][]][] = [
      [[[1, "a"], [2, "b"]], [[2, "b"], [1, "a"]]],
      [[[1, "a"], [1, "a"]], [[1, "a"]]],
      [[[null, 1.0]], [[null, 1]]],
      [[[1.0000001, "x"]], [[1.0000002, "x"]]],
      [[[true, 1], [false, 1]], [[false, 1], [false, 1]]],
      [[[[1, 2], "a"], [{ k: 1 }, "b"]], [[{ k: 1 }, "b"], [[1, 2], "a"]]],
      [[[[1, 2], "a"]], [[[2, 1], "a"]]],
    ];
    for (const [g, p] of cases) {
      const verdict = compareResults({ columns: ["a", "b"], rows: g }, { columns: ["a", "b"], rows: p }, DEFAULT_COMPARE_SETTINGS).match;
      expect(diffResults(rs(["a", "b"], g), rs(["a", "b"], p), bag).same, JSON.stringify([g, p])).toBe(verdict);
    }
  });
});

describe("diffResults: rows in order", () => {
  it("compares position by position and names the changed columns", () => {
    const stored = rs(["name", "n"], [["a", 1], ["b", 2], ["c", 3]]);
    const edited = rs(["name", "n"], [["a", 1], ["b", 20], ["c", 3], ["d", 4]]);
    const d = diffResults(stored, edited, ordered);
    expect(d.rows.map((r) => r.status)).toEqual(["same", "changed", "same", "added"]);
    expect(d.rows[1].changedColumns).toEqual([1]);
    expect(d.counts).toMatchObject({ inBoth: 2, changed: 1, onlyStored: 1, onlyEdited: 2 });
    expect(d.summary).toBe("1 row differs at the same position (in `n`); 1 row more in yours");
  });

  it("reports the same rows in another order", () => {
    const d = diffResults(rs(["a"], [[1], [2], [3]]), rs(["a"], [[3], [2], [1]]), ordered);
    expect(d.same).toBe(false);
    expect(d.reorderedOnly).toBe(true);
    expect(d.summary).toBe("The same rows in a different order");
    expect(d.differences.map((r) => [r.stored, r.edited])).toEqual([
      [0, 0],
      [2, 2],
    ]);
  });

  it("says a shorter result lacks the last rows", () => {
    const d = diffResults(rs(["a"], [[1], [2], [3]]), rs(["a"], [[1]]), ordered);
    expect(d.summary).toBe("2 rows more in the stored result");
    expect(d.counts).toMatchObject({ inBoth: 1, onlyStored: 2, onlyEdited: 0, changed: 0 });
  });

  it("calls identical ordered results the same", () => {
    const r = rs(["a"], [[1], [2]]);
    expect(diffResults(r, r, ordered).summary).toBe("Same result: 2 rows in the same order");
  });
});

describe("diffResults: columns", () => {
  it("matches columns by name whatever their case and position", () => {
    const stored = rs(["City", "n"], [["Oslo", 3], ["Lima", 1]]);
    const edited = rs(["N", "city"], [[1, "Lima"], [3, "Oslo"]]);
    const d = diffResults(stored, edited, bag);
    expect(d.same).toBe(true);
    expect(d.columns.common).toEqual([
      { name: "City", editedName: "city", storedIndex: 0, editedIndex: 1, renamed: "case", moved: false },
      { name: "n", editedName: "N", storedIndex: 1, editedIndex: 0, renamed: "case", moved: true },
    ]);
    expect(d.summary).toBe("Same result: 2 rows; `City` is called `city`; `n` is called `N`; columns in a different order");
  });

  it("marks only the column that moved, not the ones around it", () => {
    const d = diffResults(rs(["a", "b", "c"], [[1, 2, 3]]), rs(["c", "a", "b"], [[3, 1, 2]]), bag);
    expect(d.columns.common.map((c) => [c.name, c.moved])).toEqual([
      ["a", false],
      ["b", false],
      ["c", true],
    ]);
  });

  it("recognises a new alias for the same values", () => {
    const stored = rs(["country", "count"], [["NO", 3], ["PE", 1]]);
    const edited = rs(["country", "airports"], [["PE", 1], ["NO", 3]]);
    const d = diffResults(stored, edited, bag);
    expect(d.same).toBe(true);
    expect(d.columns.common[1]).toMatchObject({ name: "count", editedName: "airports", renamed: "values" });
    expect(d.columns.added).toEqual([]);
    expect(d.summary).toBe("Same result: 2 rows; `count` is called `airports`");
  });

  it("compares rows on the common columns and lists the others", () => {
    const stored = rs(["id", "name", "old"], [[1, "a", "x"], [2, "b", "y"]]);
    const edited = rs(["name", "id", "new"], [["b", 2, 10], ["a", 1, 20]]);
    const d = diffResults(stored, edited, bag);
    expect(d.same).toBe(false);
    expect(d.counts).toMatchObject({ inBoth: 2, onlyStored: 0, onlyEdited: 0 });
    expect(d.columns.removed).toEqual([{ name: "old", storedIndex: 2 }]);
    expect(d.columns.added).toEqual([{ name: "new", editedIndex: 2 }]);
    expect(d.summary).toBe("Column `new` is new; column `old` is missing; columns in a different order");
  });

  it("pairs repeated column names in turn", () => {
    const d = diffResults(rs(["n", "n"], [[1, 2]]), rs(["n", "n"], [[1, 2]]), bag);
    expect(d.columns.common.map((c) => [c.storedIndex, c.editedIndex])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(d.same).toBe(true);
  });

  it("calls every row different when no column is shared", () => {
    const d = diffResults(rs(["a"], [[1], [2]]), rs(["b"], [["x"]]), bag);
    expect(d.same).toBe(false);
    expect(d.counts).toEqual({ storedRows: 2, editedRows: 1, inBoth: 0, onlyStored: 2, onlyEdited: 1, changed: 0 });
    expect(d.rows.map((r) => r.status)).toEqual(["removed", "removed", "added"]);
    expect(d.summary).toBe("No column in common, so every row differs; column `b` is new; column `a` is missing");
  });

  it("names columns by position when a result has none", () => {
    const d = diffResults(rs([], [[1, 2]]), rs([], [[1, 2]]), bag);
    expect(d.columns.common.map((c) => c.name)).toEqual(["column 1", "column 2"]);
    expect(d.same).toBe(true);
  });
});

describe("diffResults: size", () => {
  it("caps the aligned rows and keeps late differences in view", () => {
    const stored = rs(["i"], Array.from({ length: 500 }, (_, i) => [i]));
    const edited = rs(["i"], [...Array.from({ length: 499 }, (_, i) => [i]), [1000]]);
    const d = diffResults(stored, edited, { orderMatters: false, rowCap: 200 });
    expect(d.rows).toHaveLength(200);
    expect(d.rowsCapped).toBe(true);
    expect(d.differences).toEqual([
      { status: "removed", stored: 499, edited: null },
      { status: "added", stored: null, edited: 499 },
    ]);
    expect(d.differencesCapped).toBe(false);
  });

  it("says when the differences themselves are capped", () => {
    const d = diffResults(rs(["i"], Array.from({ length: 300 }, (_, i) => [i])), rs(["i"], []), { orderMatters: false, rowCap: 100 });
    expect(d.differences).toHaveLength(100);
    expect(d.differencesCapped).toBe(true);
    expect(d.counts.onlyStored).toBe(300);
  });

  it("diffs 10,000 rows with float noise and a few changes quickly", () => {
    const stored = Array.from({ length: 10_000 }, (_, i) => [i, `name ${i % 700}`, i / 7, i % 3 === 0 ? null : "2024-01-02"]);
    const edited = stored.map((row, i) => (i % 1000 === 0 ? [row[0], row[1], (row[2] as number) + 1, row[3]] : [row[0], row[1], (row[2] as number) * (1 + 1e-12), row[3]]));
    edited.reverse();
    const started = performance.now();
    const d = diffResults(rs(["id", "name", "ratio", "day"], stored), rs(["id", "name", "ratio", "day"], edited), bag);
    const elapsed = performance.now() - started;
    expect(d.counts).toMatchObject({ inBoth: 9_990, onlyStored: 10, onlyEdited: 10 });
    expect(d.counts.changed).toBe(10);
    expect(d.differences.every((r) => r.status === "changed" && r.changedColumns?.join() === "2")).toBe(true);
    expect(elapsed).toBeLessThan(2_000);
  });

  it("diffs two unrelated results of 10,000 rows quickly", () => {
    const stored = Array.from({ length: 10_000 }, (_, i) => [i, i * 2]);
    const edited = Array.from({ length: 10_000 }, (_, i) => [-i - 1, i * 3 + 1]);
    const started = performance.now();
    const d = diffResults(rs(["a", "b"], stored), rs(["a", "b"], edited), bag);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(d.counts).toMatchObject({ inBoth: 0, onlyStored: 10_000, onlyEdited: 10_000 });
    expect(d.differencesCapped).toBe(true);
  });

  it("diffs 10,000 rows in order quickly", () => {
    const stored = Array.from({ length: 10_000 }, (_, i) => [i, `x${i}`]);
    const edited = stored.map((row) => [...row]);
    edited[5_000][1] = "changed";
    const started = performance.now();
    const d = diffResults(rs(["a", "b"], stored), rs(["a", "b"], edited), ordered);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(d.differences).toEqual([{ status: "changed", stored: 5_000, edited: 5_000, changedColumns: [1] }]);
  });
});
