// Hand-written gold/pred pairs for every rule of result comparison (DOMAIN.md, "Semantics that must
// be right"): rows are a multiset unless the gold query has a top-level ORDER BY, then in order;
// columns matched up to permutation, aliases ignored; numbers within a tolerance; NULL equals NULL;
// every mismatch explained in one line.
//
// Values are written the way executeReadOnly hands them over (lib/sql/server/duckdb-values.ts):
// INTEGER/BIGINT/HUGEINT are numbers when they fit exactly in a double and strings otherwise,
// DECIMAL is a number, DATE is "YYYY-MM-DD", TIMESTAMP is "YYYY-MM-DDTHH:MM:SS[.ffffff]",
// INTERVAL is DuckDB's text form, non-finite doubles are "NaN" / "Infinity" / "-Infinity".
import { describe, expect, it } from "vitest";
import type { JsonValue } from "@/lib/sql/result";
import { compareResults, DEFAULT_COMPARE_SETTINGS, type CompareSettings, type ResultSet } from "@/lib/evaluation/compare";

interface RuleCase {
  /** The rule from DOMAIN.md the pair exercises. */
  rule: string;
  name: string;
  gold: ResultSet;
  pred: ResultSet;
  settings?: Partial<CompareSettings>;
  match: boolean;
  /** Optional pattern the one-line reason must satisfy. */
  reason?: RegExp;
}

const rs = (columns: string[], rows: JsonValue[][]): ResultSet => ({ columns, rows });
const one = (value: JsonValue, column = "v"): ResultSet => rs([column], [[value]]);
const ordered: Partial<CompareSettings> = { orderMatters: true };

const MULTISET = "rows compared as a multiset (duplicates count, order ignored)";
const ORDER = "rows compared in order only when the gold query has a top-level ORDER BY";
const PERMUTATION = "columns matched up to permutation";
const ALIASES = "column names (aliases) ignored";
const TOLERANCE = "numbers compared with a tolerance";
const NULLS = "NULL equals NULL; NULL is not a value";
const EMPTY = "empty results";
const TYPES = "values as the DuckDB reader produces them";
const DATES = "dates and timestamps";
const WIDTH = "column count";

const tol = DEFAULT_COMPARE_SETTINGS.floatAbsTol;
const rel = DEFAULT_COMPARE_SETTINGS.floatRelTol;

const cases: RuleCase[] = [
  // ---- multiset ----
  { rule: MULTISET, name: "identical rows", gold: rs(["a"], [[1], [2]]), pred: rs(["a"], [[1], [2]]), match: true },
  { rule: MULTISET, name: "same rows in another order", gold: rs(["a"], [[1], [2], [3]]), pred: rs(["a"], [[3], [1], [2]]), match: true },
  {
    rule: MULTISET,
    name: "a duplicate in gold but not in pred: [1],[1] vs [1]",
    gold: rs(["a"], [[1], [1]]),
    pred: rs(["a"], [[1]]),
    match: false,
    reason: /^1 row missing/,
  },
  {
    rule: MULTISET,
    name: "a duplicate in pred but not in gold: [1] vs [1],[1]",
    gold: rs(["a"], [[1]]),
    pred: rs(["a"], [[1], [1]]),
    match: false,
    reason: /^1 extra row/,
  },
  {
    rule: MULTISET,
    name: "same row set, different multiplicities: [1],[1],[2] vs [1],[2],[2]",
    gold: rs(["a"], [[1], [1], [2]]),
    pred: rs(["a"], [[1], [2], [2]]),
    match: false,
    reason: /1 row missing, 1 extra row/,
  },
  {
    rule: MULTISET,
    name: "duplicates in both, same multiplicities, shuffled",
    gold: rs(["a", "b"], [[1, "x"], [1, "x"], [2, "y"]]),
    pred: rs(["a", "b"], [[2, "y"], [1, "x"], [1, "x"]]),
    match: true,
  },
  {
    rule: MULTISET,
    name: "one value differs",
    gold: rs(["a", "b"], [[1, "x"], [2, "y"]]),
    pred: rs(["a", "b"], [[1, "x"], [2, "z"]]),
    match: false,
    reason: /"y" vs "z"/,
  },
  {
    rule: MULTISET,
    name: "rows that pair values differently across columns",
    gold: rs(["a", "b"], [[1, "x"], [2, "y"]]),
    pred: rs(["a", "b"], [[1, "y"], [2, "x"]]),
    match: false,
  },

  // ---- order ----
  {
    rule: ORDER,
    name: "reversed rows without ORDER BY in gold",
    gold: rs(["a"], [[1], [2], [3]]),
    pred: rs(["a"], [[3], [2], [1]]),
    match: true,
  },
  {
    rule: ORDER,
    name: "reversed rows when gold has ORDER BY",
    gold: rs(["a"], [[1], [2], [3]]),
    pred: rs(["a"], [[3], [2], [1]]),
    settings: ordered,
    match: false,
    reason: /^rows are in a different order$/,
  },
  {
    rule: ORDER,
    name: "same order when gold has ORDER BY",
    gold: rs(["a", "b"], [[1, "x"], [2, "y"], [3, "z"]]),
    pred: rs(["a", "b"], [[1, "x"], [2, "y"], [3, "z"]]),
    settings: ordered,
    match: true,
  },
  {
    rule: ORDER,
    name: "ordered, one value differs: names the row and column",
    gold: rs(["a", "b"], [[1, "x"], [2, "y"]]),
    pred: rs(["a", "b"], [[1, "x"], [2, "q"]]),
    settings: ordered,
    match: false,
    reason: /^row 2 differs in column 2: "y" vs "q"$/,
  },
  {
    rule: ORDER,
    name: "ordered, a duplicate missing",
    gold: rs(["a"], [[1], [1], [2]]),
    pred: rs(["a"], [[1], [2]]),
    settings: ordered,
    match: false,
    reason: /^1 row missing/,
  },
  {
    rule: ORDER,
    name: "ordered and columns permuted: rows in the same order still match",
    gold: rs(["id", "name"], [[1, "a"], [2, "b"]]),
    pred: rs(["name", "id"], [["a", 1], ["b", 2]]),
    settings: ordered,
    match: true,
  },
  {
    rule: ORDER,
    name: "ordered, ties broken differently on a non-key column",
    gold: rs(["score", "name"], [[10, "a"], [10, "b"], [5, "c"]]),
    pred: rs(["score", "name"], [[10, "b"], [10, "a"], [5, "c"]]),
    settings: ordered,
    match: false,
    reason: /^rows are in a different order$/,
  },
  {
    rule: ORDER,
    name: "ordered, within tolerance in place",
    gold: rs(["x"], [[0.1], [0.2]]),
    pred: rs(["x"], [[0.1 + tol / 2], [0.2]]),
    settings: ordered,
    match: true,
  },

  // ---- permutation ----
  {
    rule: PERMUTATION,
    name: "two columns swapped",
    gold: rs(["id", "name"], [[1, "a"], [2, "b"]]),
    pred: rs(["name", "id"], [["a", 1], ["b", 2]]),
    match: true,
    reason: /columns in a different order/,
  },
  {
    rule: PERMUTATION,
    name: "three columns rotated",
    gold: rs(["a", "b", "c"], [[1, "x", true], [2, "y", false]]),
    pred: rs(["c", "a", "b"], [[true, 1, "x"], [false, 2, "y"]]),
    match: true,
  },
  {
    rule: PERMUTATION,
    name: "columns with the same type swapped, values keep their rows",
    gold: rs(["lo", "hi"], [[1, 10], [2, 20]]),
    pred: rs(["hi", "lo"], [[10, 1], [20, 2]]),
    match: true,
  },
  {
    rule: PERMUTATION,
    name: "each column matches on its own but no permutation matches row by row",
    gold: rs(["a", "b"], [[1, 10], [2, 20]]),
    pred: rs(["a", "b"], [[1, 20], [2, 10]]),
    match: false,
  },
  {
    rule: PERMUTATION,
    name: "permutation not allowed when the setting is off",
    gold: rs(["id", "name"], [[1, "a"]]),
    pred: rs(["name", "id"], [["a", 1]]),
    settings: { ignoreColumnOrder: false },
    match: false,
  },
  {
    rule: WIDTH,
    name: "an extra column",
    gold: rs(["a"], [[1]]),
    pred: rs(["a", "b"], [[1, 2]]),
    match: false,
    reason: /^column count differs: expected 1, got 2$/,
  },
  {
    rule: WIDTH,
    name: "a missing column",
    gold: rs(["a", "b"], [[1, 2]]),
    pred: rs(["a"], [[1]]),
    match: false,
    reason: /^column count differs: expected 2, got 1$/,
  },

  // ---- aliases ----
  {
    rule: ALIASES,
    name: "different alias for the same expression",
    gold: rs(["count_star()"], [[3]]),
    pred: rs(["n"], [[3]]),
    match: true,
  },
  {
    rule: ALIASES,
    name: "different names on every column, permuted",
    gold: rs(["airport", "total"], [["SFO", 4], ["OAK", 2]]),
    pred: rs(["cnt", "name"], [[2, "OAK"], [4, "SFO"]]),
    match: true,
  },
  {
    rule: ALIASES,
    name: "names only differ in case",
    gold: rs(["Total"], [[1]]),
    pred: rs(["total"], [[1]]),
    settings: { ignoreColumnNames: false },
    match: true,
  },
  {
    rule: ALIASES,
    name: "names required by the setting and different",
    gold: rs(["total"], [[1]]),
    pred: rs(["n"], [[1]]),
    settings: { ignoreColumnNames: false },
    match: false,
    reason: /"total"/,
  },

  // ---- tolerance ----
  { rule: TOLERANCE, name: "exactly equal doubles", gold: one(0.5), pred: one(0.5), match: true },
  { rule: TOLERANCE, name: "0.1 + 0.2 vs 0.3", gold: one(0.3), pred: one(0.1 + 0.2), match: true },
  { rule: TOLERANCE, name: "absolute: at the tolerance (0 vs floatAbsTol)", gold: one(0), pred: one(tol), match: true },
  { rule: TOLERANCE, name: "absolute: just inside (0 vs 0.9·floatAbsTol)", gold: one(0), pred: one(0.9 * tol), match: true },
  {
    rule: TOLERANCE,
    name: "absolute: just outside (0 vs 1.1·floatAbsTol)",
    gold: one(0),
    pred: one(1.1 * tol),
    match: false,
    reason: /\S/,
  },
  { rule: TOLERANCE, name: "absolute: negative side at the tolerance", gold: one(0), pred: one(-tol), match: true },
  { rule: TOLERANCE, name: "relative: at the tolerance (1e6 vs 1e6 - 1)", gold: one(1e6), pred: one(1e6 - 1e6 * rel), match: true },
  { rule: TOLERANCE, name: "relative: just inside (1e6 vs 1e6 - 0.5)", gold: one(1e6), pred: one(1e6 - 0.5), match: true },
  {
    rule: TOLERANCE,
    name: "relative: just outside (1e6 vs 1e6 - 1.1)",
    gold: one(1e6),
    pred: one(1e6 - 1.1),
    match: false,
    reason: /1000000 vs 999998\.9/,
  },
  {
    rule: TOLERANCE,
    name: "an average rounded to two places is not the average",
    gold: one(2.3333333333),
    pred: one(2.33),
    match: false,
    reason: /2\.3333333333 vs 2\.33/,
  },
  {
    rule: TOLERANCE,
    name: "tolerance is configurable per run",
    gold: one(2.3333333333),
    pred: one(2.33),
    settings: { floatAbsTol: 0.01, floatRelTol: 0 },
    match: true,
  },
  {
    rule: TOLERANCE,
    name: "zero tolerance: 0.1 + 0.2 vs 0.3 differs",
    gold: one(0.3),
    pred: one(0.1 + 0.2),
    settings: { floatAbsTol: 0, floatRelTol: 0 },
    match: false,
  },
  {
    rule: TOLERANCE,
    name: "tolerance inside a multiset, rows shuffled",
    gold: rs(["k", "x"], [["a", 1 / 3], ["b", 2 / 3]]),
    pred: rs(["k", "x"], [["b", 0.6666667], ["a", 0.3333333]]),
    match: true,
  },
  { rule: TOLERANCE, name: "INTEGER 1 vs DOUBLE 1.0", gold: one(1), pred: one(1.0), match: true },
  { rule: TOLERANCE, name: "INTEGER 3 vs DOUBLE 3.0000000001", gold: one(3), pred: one(3.0000000001), match: true },
  {
    rule: TOLERANCE,
    name: 'string "1" vs number 1',
    gold: one("1"),
    pred: one(1),
    match: false,
    reason: /\S/,
  },
  { rule: TOLERANCE, name: 'string "1.0" vs string "1"', gold: one("1.0"), pred: one("1"), match: false, reason: /\S/ },
  { rule: TOLERANCE, name: "true vs 1", gold: one(true), pred: one(1), match: false, reason: /\S/ },

  // ---- NULL ----
  { rule: NULLS, name: "NULL vs NULL", gold: one(null), pred: one(null), match: true },
  {
    rule: NULLS,
    name: "NULLs inside rows, shuffled",
    gold: rs(["a", "b"], [[1, null], [null, "x"]]),
    pred: rs(["a", "b"], [[null, "x"], [1, null]]),
    match: true,
  },
  { rule: NULLS, name: "NULL vs 0", gold: one(null), pred: one(0), match: false, reason: /\S/ },
  { rule: NULLS, name: "0 vs NULL", gold: one(0), pred: one(null), match: false, reason: /\S/ },
  { rule: NULLS, name: 'NULL vs ""', gold: one(null), pred: one(""), match: false, reason: /\S/ },
  { rule: NULLS, name: 'NULL vs "NULL"', gold: one(null), pred: one("NULL"), match: false, reason: /\S/ },
  { rule: NULLS, name: "NULL vs false", gold: one(null), pred: one(false), match: false, reason: /\S/ },
  {
    rule: NULLS,
    name: "NULL vs NULL when the run sets nullEqualsNull off",
    gold: one(null),
    pred: one(null),
    settings: { nullEqualsNull: false },
    match: false,
    reason: /\S/,
  },
  {
    rule: NULLS,
    name: "ordered, NULL in place",
    gold: rs(["a"], [[null], [1]]),
    pred: rs(["a"], [[null], [1]]),
    settings: ordered,
    match: true,
  },
  {
    rule: NULLS,
    name: "ordered, NULL moved",
    gold: rs(["a"], [[null], [1]]),
    pred: rs(["a"], [[1], [null]]),
    settings: ordered,
    match: false,
    reason: /^rows are in a different order$/,
  },

  // ---- empty ----
  { rule: EMPTY, name: "empty vs empty", gold: rs(["a"], []), pred: rs(["a"], []), match: true },
  { rule: EMPTY, name: "empty vs empty with other columns", gold: rs(["a"], []), pred: rs(["x", "y"], []), match: true },
  { rule: EMPTY, name: "empty vs one row", gold: rs(["a"], []), pred: rs(["a"], [[1]]), match: false, reason: /^1 extra row/ },
  { rule: EMPTY, name: "one row vs empty", gold: rs(["a"], [[1]]), pred: rs(["a"], []), match: false, reason: /^1 row missing/ },
  {
    rule: EMPTY,
    name: "a single NULL row is not an empty result",
    gold: rs(["a"], [[null]]),
    pred: rs(["a"], []),
    match: false,
    reason: /^1 row missing/,
  },

  // ---- DuckDB types ----
  { rule: TYPES, name: "DECIMAL(10,2) 1.50 vs DOUBLE 1.5", gold: one(1.5), pred: one(1.5), match: true },
  {
    rule: TYPES,
    name: "SUM of DECIMAL(10,2) 0.10 + 0.20 vs SUM of DOUBLE 0.1 + 0.2",
    gold: one(0.3),
    pred: one(0.1 + 0.2),
    match: true,
  },
  { rule: TYPES, name: "DECIMAL(18,3) 12345678.901 vs DOUBLE 12345678.901", gold: one(12345678.901), pred: one(12345678.901), match: true },
  { rule: TYPES, name: "DECIMAL(10,2) 1.50 vs DECIMAL(10,2) 1.51", gold: one(1.5), pred: one(1.51), match: false, reason: /1\.5 vs 1\.51/ },
  { rule: TYPES, name: "BIGINT 42 vs INTEGER 42", gold: one(42), pred: one(42), match: true },
  { rule: TYPES, name: "HUGEINT count 7 vs DOUBLE 7.0", gold: one(7), pred: one(7.0), match: true },
  {
    rule: TYPES,
    name: "BIGINT beyond 2^53 on both sides (text form)",
    gold: one("9007199254740993"),
    pred: one("9007199254740993"),
    match: true,
  },
  {
    rule: TYPES,
    name: "BIGINT beyond 2^53, off by one (text form)",
    gold: one("9007199254740993"),
    pred: one("9007199254740994"),
    match: false,
    reason: /\S/,
  },
  { rule: TYPES, name: 'DOUBLE NaN vs NaN ("NaN")', gold: one("NaN"), pred: one("NaN"), match: true },
  { rule: TYPES, name: 'DOUBLE Infinity vs -Infinity', gold: one("Infinity"), pred: one("-Infinity"), match: false, reason: /\S/ },
  { rule: TYPES, name: "BOOLEAN true vs true", gold: one(true), pred: one(true), match: true },
  { rule: TYPES, name: "BOOLEAN true vs false", gold: one(true), pred: one(false), match: false, reason: /true vs false/ },
  { rule: TYPES, name: "INTERVAL 1 day vs 1 day", gold: one("1 day"), pred: one("1 day"), match: true },
  { rule: TYPES, name: "INTERVAL 1 day vs 24:00:00", gold: one("1 day"), pred: one("24:00:00"), match: false, reason: /\S/ },
  { rule: TYPES, name: "VARCHAR is case-sensitive", gold: one("SFO"), pred: one("sfo"), match: false, reason: /"SFO" vs "sfo"/ },
  { rule: TYPES, name: "VARCHAR trailing space is significant", gold: one("SFO"), pred: one("SFO "), match: false, reason: /\S/ },
  { rule: TYPES, name: "LIST [1, 2] vs [1, 2]", gold: one([1, 2]), pred: one([1, 2]), match: true },
  { rule: TYPES, name: "LIST [1, 2] vs [2, 1]", gold: one([1, 2]), pred: one([2, 1]), match: false, reason: /\S/ },
  { rule: TYPES, name: "STRUCT with a tolerant number", gold: one({ a: 0.3 }), pred: one({ a: 0.1 + 0.2 }), match: true },

  // ---- dates ----
  { rule: DATES, name: "DATE vs the same DATE", gold: one("2024-01-02"), pred: one("2024-01-02"), match: true },
  { rule: DATES, name: "DATE vs the next day", gold: one("2024-01-02"), pred: one("2024-01-03"), match: false, reason: /"2024-01-02" vs "2024-01-03"/ },
  {
    rule: DATES,
    name: "DATE vs VARCHAR with the same text (both reach the comparator as the same string)",
    gold: one("2024-01-02"),
    pred: one("2024-01-02"),
    match: true,
  },
  {
    rule: DATES,
    name: "DATE vs TIMESTAMP at midnight of the same day",
    gold: one("2024-01-02"),
    pred: one("2024-01-02T00:00:00"),
    match: false,
    reason: /\S/,
  },
  {
    rule: DATES,
    name: "TIMESTAMP vs the same TIMESTAMP with microseconds",
    gold: one("2024-01-02T03:04:05.123456"),
    pred: one("2024-01-02T03:04:05.123456"),
    match: true,
  },
  {
    rule: DATES,
    name: "TIMESTAMP one microsecond apart",
    gold: one("2024-01-02T03:04:05.123456"),
    pred: one("2024-01-02T03:04:05.123457"),
    match: false,
    reason: /\S/,
  },
  {
    rule: DATES,
    name: "dates as a multiset, shuffled",
    gold: rs(["d"], [["2024-01-01"], ["2024-02-29"], ["2023-12-31"]]),
    pred: rs(["d"], [["2023-12-31"], ["2024-01-01"], ["2024-02-29"]]),
    match: true,
  },
  {
    rule: DATES,
    name: "dates ordered, in a different order",
    gold: rs(["d"], [["2023-12-31"], ["2024-01-01"]]),
    pred: rs(["d"], [["2024-01-01"], ["2023-12-31"]]),
    settings: ordered,
    match: false,
    reason: /^rows are in a different order$/,
  },
];

describe("compareResults: hand-written pairs per DOMAIN.md rule", () => {
  it.each(cases.map((c) => [`${c.rule}: ${c.name}`, c] as const))("%s", (_label, c) => {
    const out = compareResults(c.gold, c.pred, { ...DEFAULT_COMPARE_SETTINGS, ...c.settings });
    expect(out.match).toBe(c.match);
    expect(out.reason.trim().length).toBeGreaterThan(0);
    expect(out.reason).not.toMatch(/\n/);
    if (c.reason) expect(out.reason).toMatch(c.reason);
  });

  it("is symmetric in its verdict for every pair without order-dependent settings", () => {
    for (const c of cases) {
      const settings = { ...DEFAULT_COMPARE_SETTINGS, ...c.settings };
      expect(compareResults(c.pred, c.gold, settings).match, `${c.rule}: ${c.name}`).toBe(c.match);
    }
  });

  it("covers every rule", () => {
    const rules = new Set(cases.map((c) => c.rule));
    for (const rule of [MULTISET, ORDER, PERMUTATION, ALIASES, TOLERANCE, NULLS, EMPTY, TYPES, DATES, WIDTH]) {
      expect(rules.has(rule), rule).toBe(true);
    }
  });
});
