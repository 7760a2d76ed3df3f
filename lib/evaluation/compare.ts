import type { JsonValue } from "@/lib/sql/result";

// The one result comparator: evaluation runs and the RFT reward both call compareResults, so a
// prediction scores the same everywhere. Semantics follow test-suite-sql-eval (bag semantics
// unless the gold query orders its rows, columns matched up to permutation) with a numeric
// tolerance added, and every mismatch is explained in one line.

export interface ResultSet {
  columns: string[];
  rows: JsonValue[][];
}

export interface CompareSettings {
  /** Compare rows in order. Callers pass true when the gold query has a top-level ORDER BY. */
  orderMatters: boolean;
  /** Match columns up to permutation. */
  ignoreColumnOrder: boolean;
  floatAbsTol: number;
  floatRelTol: number;
  nullEqualsNull: boolean;
  /** Ignore column names (aliases); when false, matched columns must have the same name (case-insensitive). */
  ignoreColumnNames: boolean;
}

export const DEFAULT_COMPARE_SETTINGS: CompareSettings = Object.freeze({
  orderMatters: false,
  ignoreColumnOrder: true,
  floatAbsTol: 1e-6,
  floatRelTol: 1e-6,
  nullEqualsNull: true,
  ignoreColumnNames: true,
});

export interface CompareOutcome {
  match: boolean;
  reason: string;
}

// Full permutations verified row by row before giving up; pairwise pruning keeps this rarely reached.
const MAX_PERMUTATION_CHECKS = 500;
// Above this many leftover row pairs the quadratic tolerant matching is skipped.
const MAX_QUADRATIC_PAIRS = 4_000_000;

export function compareResults(
  gold: ResultSet,
  pred: ResultSet,
  settings: CompareSettings = DEFAULT_COMPARE_SETTINGS,
): CompareOutcome {
  const s = { ...DEFAULT_COMPARE_SETTINGS, ...settings };
  const eq = makeValueEquals(s);

  if (gold.rows.length === 0 && pred.rows.length === 0) return { match: true, reason: "both results are empty" };

  const goldWidth = widthOf(gold);
  const predWidth = widthOf(pred);
  if (goldWidth !== predWidth) {
    return { match: false, reason: `column count differs: expected ${goldWidth}, got ${predWidth}` };
  }
  if (goldWidth === 0) {
    return gold.rows.length === pred.rows.length
      ? { match: true, reason: "results match" }
      : { match: false, reason: rowCountReason(gold.rows.length, pred.rows.length) };
  }

  const goldCols = toColumns(gold.rows, goldWidth);
  const predCols = toColumns(pred.rows, predWidth);
  const sameRowCount = gold.rows.length === pred.rows.length;

  if (!s.ignoreColumnOrder) {
    if (!s.ignoreColumnNames) {
      for (let i = 0; i < goldWidth; i++) {
        if (!sameName(gold.columns[i], pred.columns[i])) {
          return {
            match: false,
            reason: `column ${i + 1} is named ${quote(pred.columns[i])}, expected ${quote(gold.columns[i])}`,
          };
        }
      }
    }
    return compareRowsWith(gold.rows, pred.rows, identity(goldWidth), s, eq);
  }

  const nameOk = (g: number, p: number) => s.ignoreColumnNames || sameName(gold.columns[g], pred.columns[p]);

  if (!sameRowCount) {
    // The rows cannot match; pick the most plausible column mapping only to explain the difference.
    const mapping = guessMapping(goldCols, predCols, nameOk, s);
    return compareRowsWith(gold.rows, pred.rows, mapping, s, eq);
  }

  // Column-vector step: a pred column is a candidate for a gold column when their value multisets match.
  const sortedGold = goldCols.map((c) => sortValues(c));
  const sortedPred = predCols.map((c) => sortValues(c));
  const candidates: number[][] = [];
  const unmatched: number[] = [];
  for (let g = 0; g < goldWidth; g++) {
    const list: number[] = [];
    for (let p = 0; p < predWidth; p++) {
      if (nameOk(g, p) && sortedEqual(sortedGold[g], sortedPred[p], eq)) list.push(p);
    }
    if (list.length === 0) unmatched.push(g);
    candidates.push(list);
  }
  if (unmatched.length > 0) {
    // A few wrong values read best as row differences; a wholly different column reads best by name.
    const mapping = guessMapping(goldCols, predCols, nameOk, s, candidates);
    const differing = countDifferingRows(gold.rows, pred.rows, mapping, s, eq);
    const g = unmatched[0];
    if (differing === 0) {
      // The values agree; only the names kept the columns apart.
      return { match: false, reason: `no column named ${quote(gold.columns[g])} (gold column ${g + 1}) in the prediction` };
    }
    if (differing <= Math.max(3, Math.floor(gold.rows.length / 10))) {
      return compareRowsWith(gold.rows, pred.rows, mapping, s, eq);
    }
    const label = gold.columns[g] ? ` (${gold.columns[g]})` : "";
    return { match: false, reason: `no column matches gold column ${g + 1}${label}` };
  }

  const search = searchPermutation(gold.rows, pred.rows, goldCols, predCols, candidates, s, eq);
  if (search.found) {
    const reordered = search.found.some((p, g) => p !== g);
    return { match: true, reason: reordered ? "results match (columns in a different order)" : "results match" };
  }
  return compareRowsWith(gold.rows, pred.rows, search.fallback, s, eq);
}

// ---------- row comparison under a fixed column mapping ----------

/** mapping[g] = index of the pred column compared with gold column g. */
function compareRowsWith(
  goldRows: JsonValue[][],
  predRows: JsonValue[][],
  mapping: number[],
  s: CompareSettings,
  eq: ValueEquals,
): CompareOutcome {
  const projected = predRows.map((row) => mapping.map((p) => row[p] ?? null));
  if (s.orderMatters && goldRows.length === projected.length) {
    const firstDiff = firstOrderedDifference(goldRows, projected, eq);
    if (firstDiff === undefined) return { match: true, reason: "results match" };
    const diff = multisetDifference(goldRows, projected, eq);
    if (diff.missing.length === 0 && diff.extra.length === 0) {
      return { match: false, reason: "rows are in a different order" };
    }
    const { row, column } = firstDiff;
    return {
      match: false,
      reason: `row ${row + 1} differs in column ${column + 1}: ${formatValue(goldRows[row][column])} vs ${formatValue(projected[row][column])}`,
    };
  }
  const diff = multisetDifference(goldRows, projected, eq);
  if (diff.missing.length === 0 && diff.extra.length === 0) return { match: true, reason: "results match" };
  return { match: false, reason: differenceReason(diff) };
}

function firstOrderedDifference(
  gold: JsonValue[][],
  pred: JsonValue[][],
  eq: ValueEquals,
): { row: number; column: number } | undefined {
  for (let r = 0; r < gold.length; r++) {
    const g = gold[r];
    const p = pred[r];
    for (let c = 0; c < g.length; c++) {
      if (!eq(g[c], p[c])) return { row: r, column: c };
    }
  }
  return undefined;
}

interface Difference {
  missing: JsonValue[][];
  extra: JsonValue[][];
}

/** Gold rows with no partner in pred ("missing") and pred rows with no partner in gold ("extra"). */
function multisetDifference(gold: JsonValue[][], pred: JsonValue[][], eq: ValueEquals): Difference {
  // 1. Exact matches by key: the common case, linear time.
  const counts = new Map<string, JsonValue[][]>();
  const predLeft: JsonValue[][] = [];
  for (const row of pred) {
    const key = rowKey(row, eq);
    if (key === undefined) {
      predLeft.push(row);
      continue;
    }
    const bucket = counts.get(key);
    if (bucket) bucket.push(row);
    else counts.set(key, [row]);
  }
  const goldLeft: JsonValue[][] = [];
  for (const row of gold) {
    const key = rowKey(row, eq);
    const bucket = key === undefined ? undefined : counts.get(key);
    if (bucket && bucket.length > 0) bucket.pop();
    else goldLeft.push(row);
  }
  for (const bucket of counts.values()) predLeft.push(...bucket);
  if (goldLeft.length === 0 || predLeft.length === 0) return { missing: goldLeft, extra: predLeft };

  // 2. Rows equal only within the numeric tolerance: merge the sorted leftovers.
  goldLeft.sort(compareRows);
  predLeft.sort(compareRows);
  const missing: JsonValue[][] = [];
  const extra: JsonValue[][] = [];
  let i = 0;
  let j = 0;
  while (i < goldLeft.length && j < predLeft.length) {
    if (rowsEqual(goldLeft[i], predLeft[j], eq)) {
      i++;
      j++;
    } else if (compareRows(goldLeft[i], predLeft[j]) < 0) {
      missing.push(goldLeft[i++]);
    } else {
      extra.push(predLeft[j++]);
    }
  }
  while (i < goldLeft.length) missing.push(goldLeft[i++]);
  while (j < predLeft.length) extra.push(predLeft[j++]);

  // 3. Tolerance can reorder near-equal rows; pair whatever is left greedily.
  if (missing.length > 0 && extra.length > 0 && missing.length * extra.length <= MAX_QUADRATIC_PAIRS) {
    const used = new Array<boolean>(extra.length).fill(false);
    const stillMissing: JsonValue[][] = [];
    for (const row of missing) {
      const k = extra.findIndex((candidate, idx) => !used[idx] && rowsEqual(row, candidate, eq));
      if (k === -1) stillMissing.push(row);
      else used[k] = true;
    }
    return { missing: stillMissing, extra: extra.filter((_, idx) => !used[idx]) };
  }
  return { missing, extra };
}

function differenceReason({ missing, extra }: Difference): string {
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`${missing.length} ${missing.length === 1 ? "row" : "rows"} missing`);
  if (extra.length > 0) parts.push(`${extra.length} extra ${extra.length === 1 ? "row" : "rows"}`);
  let reason = parts.join(", ");
  if (missing.length > 0 && extra.length > 0) {
    const g = missing[0];
    const p = extra[0];
    const column = g.findIndex((v, c) => compareValues(v, p[c]) !== 0);
    reason +=
      column >= 0 && g.filter((v, c) => compareValues(v, p[c]) !== 0).length === 1
        ? ` (e.g. column ${column + 1}: ${formatValue(g[column])} vs ${formatValue(p[column])})`
        : ` (e.g. expected ${formatRow(g)}, got ${formatRow(p)})`;
  } else if (missing.length > 0) {
    reason += ` (e.g. ${formatRow(missing[0])})`;
  } else if (extra.length > 0) {
    reason += ` (e.g. ${formatRow(extra[0])})`;
  }
  return reason;
}

function rowCountReason(expected: number, got: number): string {
  return expected > got
    ? `${expected - got} ${expected - got === 1 ? "row" : "rows"} missing`
    : `${got - expected} extra ${got - expected === 1 ? "row" : "rows"}`;
}

// ---------- column permutation search ----------

function searchPermutation(
  goldRows: JsonValue[][],
  predRows: JsonValue[][],
  goldCols: JsonValue[][],
  predCols: JsonValue[][],
  candidates: number[][],
  s: CompareSettings,
  eq: ValueEquals,
): { found?: number[]; fallback: number[] } {
  const width = goldCols.length;
  // Identical pred columns are interchangeable: only try them in index order.
  const twinOf = predCols.map((col, p) => {
    for (let q = p - 1; q >= 0; q--) if (columnsIdentical(predCols[q], col)) return q;
    return p;
  });
  const ambiguous = candidates.some((list) => list.length > 1);
  // Gold columns with fewest candidates first prune the search soonest.
  const order = identity(width).sort((a, b) => candidates[a].length - candidates[b].length);
  const pairCache = new Map<string, boolean>();
  const pairOk = (g1: number, p1: number, g2: number, p2: number): boolean => {
    const key = `${g1},${p1},${g2},${p2}`;
    let ok = pairCache.get(key);
    if (ok === undefined) {
      const gold2 = goldCols[g1].map((v, r) => [v, goldCols[g2][r]]);
      const pred2 = predCols[p1].map((v, r) => [v, predCols[p2][r]]);
      const diff = multisetDifference(gold2, pred2, eq);
      ok = diff.missing.length === 0 && diff.extra.length === 0;
      pairCache.set(key, ok);
    }
    return ok;
  };

  const mapping = new Array<number>(width).fill(-1);
  const used = new Array<boolean>(predCols.length).fill(false);
  let checks = 0;
  let firstComplete: number[] | undefined;
  let found: number[] | undefined;

  const visit = (depth: number): boolean => {
    if (depth === width) {
      firstComplete ??= [...mapping];
      checks++;
      if (compareRowsWith(goldRows, predRows, mapping, s, eq).match) {
        found = [...mapping];
        return true;
      }
      return checks >= MAX_PERMUTATION_CHECKS;
    }
    const g = order[depth];
    // Prefer the same position when it is a candidate: the natural reading of the result.
    const list = candidates[g].includes(g) ? [g, ...candidates[g].filter((p) => p !== g)] : candidates[g];
    for (const p of list) {
      if (used[p]) continue;
      if (twinOf[p] !== p && !used[twinOf[p]]) continue;
      let consistent = true;
      // Pairwise projections prune mappings that match column by column but not row by row.
      // They are a necessary condition in both modes, and only worth paying for when there is a choice.
      if (ambiguous) {
        for (let d = 0; d < depth && consistent; d++) {
          const g2 = order[d];
          consistent = pairOk(g2, mapping[g2], g, p);
        }
      }
      if (!consistent) continue;
      mapping[g] = p;
      used[p] = true;
      if (visit(depth + 1)) return true;
      used[p] = false;
      mapping[g] = -1;
    }
    return false;
  };
  visit(0);
  return { found, fallback: found ?? firstComplete ?? greedyMapping(candidates, predCols.length) };
}

function greedyMapping(candidates: number[][], predWidth: number): number[] {
  const used = new Set<number>();
  const mapping = candidates.map((list) => {
    const p = list.find((c) => !used.has(c));
    if (p !== undefined) used.add(p);
    return p ?? -1;
  });
  const free = identity(predWidth).filter((p) => !used.has(p));
  return mapping.map((p) => (p === -1 ? (free.shift() ?? 0) : p));
}

/** Rows that differ under a mapping: index by index when order matters, else the larger side of the multiset difference. */
function countDifferingRows(
  goldRows: JsonValue[][],
  predRows: JsonValue[][],
  mapping: number[],
  s: CompareSettings,
  eq: ValueEquals,
): number {
  const projected = predRows.map((row) => mapping.map((p) => row[p] ?? null));
  if (s.orderMatters) return goldRows.filter((row, r) => !rowsEqual(row, projected[r], eq)).length;
  const diff = multisetDifference(goldRows, projected, eq);
  return Math.max(diff.missing.length, diff.extra.length);
}

/**
 * Pairs each gold column with the pred column sharing most distinct values (candidates from the
 * column-vector step first). Only used to explain a mismatch.
 */
function guessMapping(
  goldCols: JsonValue[][],
  predCols: JsonValue[][],
  nameOk: (g: number, p: number) => boolean,
  s: CompareSettings,
  candidates?: number[][],
): number[] {
  const mapping = new Array<number>(goldCols.length).fill(-1);
  const used = new Set<number>();
  // Columns whose values already match keep their candidate (same position first).
  candidates?.forEach((list, g) => {
    const p = list.includes(g) && !used.has(g) ? g : list.find((c) => !used.has(c));
    if (p !== undefined) {
      mapping[g] = p;
      used.add(p);
    }
  });
  const openGold = mapping.flatMap((p, g) => (p === -1 ? [g] : []));
  const openPred = identity(predCols.length).filter((p) => !used.has(p));
  const keySet = (col: JsonValue[]) => new Set(col.map((v) => valueKey(v, s)));
  const goldSets = new Map(openGold.map((g) => [g, keySet(goldCols[g])]));
  const predSets = new Map(openPred.map((p) => [p, keySet(predCols[p])]));
  const scored: { g: number; p: number; score: number }[] = [];
  for (const g of openGold) {
    const goldSet = goldSets.get(g)!;
    for (const p of openPred) {
      const predSet = predSets.get(p)!;
      let shared = 0;
      for (const k of goldSet) if (predSet.has(k)) shared++;
      const union = goldSet.size + predSet.size - shared;
      const score = (union === 0 ? 1 : shared / union) + (nameOk(g, p) ? 0.001 : 0) + (g === p ? 0.0001 : 0);
      scored.push({ g, p, score });
    }
  }
  scored.sort((a, b) => b.score - a.score);
  for (const { g, p } of scored) {
    if (mapping[g] !== -1 || used.has(p)) continue;
    mapping[g] = p;
    used.add(p);
  }
  return mapping;
}

// ---------- values ----------

type ValueEquals = ((a: JsonValue, b: JsonValue) => boolean) & { settings: CompareSettings };

function makeValueEquals(s: CompareSettings): ValueEquals {
  const eq = ((a: JsonValue, b: JsonValue): boolean => valuesEqual(a, b, s)) as ValueEquals;
  eq.settings = s;
  return eq;
}

/**
 * Value equality as compareResults applies it (numeric tolerance, NULL handling), for other views
 * of two results, such as the review's row-by-row diff, so they never disagree with the verdict.
 */
export function valueEquality(settings: Partial<CompareSettings> = {}): (a: JsonValue, b: JsonValue) => boolean {
  const s = { ...DEFAULT_COMPARE_SETTINGS, ...settings };
  return (a, b) => valuesEqual(a, b, s);
}

function valuesEqual(a: JsonValue, b: JsonValue, s: CompareSettings): boolean {
  if (a === null || b === null) return a === null && b === null && s.nullEqualsNull;
  if (typeof a === "number" && typeof b === "number") {
    if (a === b) return true;
    const diff = Math.abs(a - b);
    return diff <= s.floatAbsTol || diff <= s.floatRelTol * Math.max(Math.abs(a), Math.abs(b));
  }
  if (typeof a !== typeof b) return false;
  if (typeof a !== "object") return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => valuesEqual(v, b[i], s));
  }
  const bObj = b as { [key: string]: JsonValue };
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(bObj).length) return false;
  return keys.every((k) => k in bObj && valuesEqual(a[k], bObj[k], s));
}

function rowsEqual(a: JsonValue[], b: JsonValue[], eq: ValueEquals): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
  return true;
}

/** Exact-match key of a row, or undefined when the row can only be matched value by value (NULL ≠ NULL). */
function rowKey(row: JsonValue[], eq: ValueEquals): string | undefined {
  if (!eq.settings.nullEqualsNull && row.some((v) => v === null)) return undefined;
  return JSON.stringify(row);
}

function valueKey(v: JsonValue, s: CompareSettings): string {
  if (typeof v === "number") {
    // Coarse rounding: only used to guess a column mapping for explanations.
    const digits = Math.max(0, Math.min(15, Math.round(-Math.log10(Math.max(s.floatAbsTol, 1e-15)))));
    return `n${v.toFixed(digits)}`;
  }
  return JSON.stringify(v);
}

const TYPE_RANK: Record<string, number> = { null: 0, boolean: 1, number: 2, string: 3, object: 4 };

function typeRank(v: JsonValue): number {
  return v === null ? 0 : TYPE_RANK[typeof v];
}

/** A total order over JSON values: NULL < booleans < numbers < strings < arrays/objects. */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (a === null || b === null) return 0;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareRows(a: JsonValue[], b: JsonValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function sortValues(col: JsonValue[]): JsonValue[] {
  return [...col].sort(compareValues);
}

function sortedEqual(a: JsonValue[], b: JsonValue[], eq: ValueEquals): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
  return true;
}

function columnsIdentical(a: JsonValue[], b: JsonValue[]): boolean {
  for (let i = 0; i < a.length; i++) if (compareValues(a[i], b[i]) !== 0) return false;
  return true;
}

// ---------- helpers ----------

function widthOf(result: ResultSet): number {
  return result.columns.length > 0 ? result.columns.length : (result.rows[0]?.length ?? 0);
}

function toColumns(rows: JsonValue[][], width: number): JsonValue[][] {
  const cols: JsonValue[][] = Array.from({ length: width }, () => new Array<JsonValue>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < width; c++) cols[c][r] = row[c] ?? null;
  }
  return cols;
}

function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function sameName(a: string | undefined, b: string | undefined): boolean {
  return (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
}

function quote(name: string | undefined): string {
  return JSON.stringify(name ?? "");
}

function formatValue(v: JsonValue): string {
  if (v === null) return "NULL";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function formatRow(row: JsonValue[]): string {
  const text = `(${row.map(formatValue).join(", ")})`;
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
