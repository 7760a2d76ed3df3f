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
    const exact = sameRowCount && !s.orderMatters ? indexExactValues(goldCols, predCols, gold.rows, s) : undefined;
    return compareRowsWith(gold.rows, pred.rows, identity(goldWidth), s, eq, exact);
  }

  const nameOk = (g: number, p: number) => s.ignoreColumnNames || sameName(gold.columns[g], pred.columns[p]);

  if (!sameRowCount) {
    // The rows cannot match; pick the most plausible column mapping only to explain the difference.
    const mapping = guessMapping(goldCols, predCols, nameOk, s);
    return compareRowsWith(gold.rows, pred.rows, mapping, s, eq);
  }

  // Column-vector step: a pred column is a candidate for a gold column when their value multisets match.
  const exact = indexExactValues(goldCols, predCols, gold.rows, s);
  const goldTypes = goldCols.map(countTypes);
  const predTypes = predCols.map(countTypes);
  const sortedGold = lazyList(goldWidth, (g) => sortValues(goldCols[g]));
  const sortedPred = lazyList(predWidth, (p) => sortValues(predCols[p]));
  const columnsMatch = (g: number, p: number): boolean => {
    // Sorted columns can only agree position by position when they hold as many values of each type.
    if (!sameCounts(goldTypes[g], predTypes[p])) return false;
    if (sameSortedIds(exact.sortedGold(g), exact.sortedPred(p))) return true;
    return sortedEqual(sortedGold(g), sortedPred(p), eq);
  };
  const candidates: number[][] = [];
  const unmatched: number[] = [];
  for (let g = 0; g < goldWidth; g++) {
    const list: number[] = [];
    for (let p = 0; p < predWidth; p++) {
      if (nameOk(g, p) && columnsMatch(g, p)) list.push(p);
    }
    if (list.length === 0) unmatched.push(g);
    candidates.push(list);
  }
  if (unmatched.length > 0) {
    // A few wrong values read best as row differences; a wholly different column reads best by name.
    const mapping = guessMapping(goldCols, predCols, nameOk, s, candidates);
    const { differing, diff } = countDifferingRows(gold.rows, pred.rows, mapping, s, eq);
    const g = unmatched[0];
    if (differing === 0) {
      // The values agree; only the names kept the columns apart.
      return { match: false, reason: `no column named ${quote(gold.columns[g])} (gold column ${g + 1}) in the prediction` };
    }
    if (differing <= Math.max(3, Math.floor(gold.rows.length / 10))) {
      // The multiset difference is already known (and not empty): explain it rather than recompute it.
      return diff ? { match: false, reason: differenceReason(diff) } : compareRowsWith(gold.rows, pred.rows, mapping, s, eq);
    }
    const label = gold.columns[g] ? ` (${gold.columns[g]})` : "";
    return { match: false, reason: `no column matches gold column ${g + 1}${label}` };
  }

  const search = searchPermutation(gold.rows, pred.rows, goldCols, predCols, candidates, s, eq, exact);
  if (search.found) {
    const reordered = search.found.some((p, g) => p !== g);
    return { match: true, reason: reordered ? "results match (columns in a different order)" : "results match" };
  }
  return compareRowsWith(gold.rows, pred.rows, search.fallback, s, eq, exact);
}

// ---------- row comparison under a fixed column mapping ----------

/** mapping[g] = index of the pred column compared with gold column g. */
function compareRowsWith(
  goldRows: JsonValue[][],
  predRows: JsonValue[][],
  mapping: number[],
  s: CompareSettings,
  eq: ValueEquals,
  exact?: ExactIndex,
): CompareOutcome {
  const exactSame = () => exact !== undefined && goldRows.length === predRows.length && sameExactRows(exact, mapping);
  if (!s.orderMatters && exactSame()) return { match: true, reason: "results match" };
  const projected = predRows.map((row) => mapping.map((p) => row[p] ?? null));
  if (s.orderMatters && goldRows.length === projected.length) {
    const firstDiff = firstOrderedDifference(goldRows, projected, eq);
    if (firstDiff === undefined) return { match: true, reason: "results match" };
    if (exactSame()) return { match: false, reason: "rows are in a different order" };
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
  exact: ExactIndex,
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
      ok = sameExactPairs(exact, g1, p1, g2, p2);
      if (!ok && !(exact.exactOnly(g1, p1) && exact.exactOnly(g2, p2))) {
        const gold2 = goldCols[g1].map((v, r) => [v, goldCols[g2][r]]);
        const pred2 = predCols[p1].map((v, r) => [v, predCols[p2][r]]);
        const diff = multisetDifference(gold2, pred2, eq);
        ok = diff.missing.length === 0 && diff.extra.length === 0;
      }
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
      if (rowsMatchWith(goldRows, predRows, mapping, s, eq, exact)) {
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

/**
 * Rows that differ under a mapping: index by index when order matters, else the larger side of the
 * multiset difference (returned too, so a caller explaining it need not compute it again).
 */
function countDifferingRows(
  goldRows: JsonValue[][],
  predRows: JsonValue[][],
  mapping: number[],
  s: CompareSettings,
  eq: ValueEquals,
): { differing: number; diff?: Difference } {
  const projected = predRows.map((row) => mapping.map((p) => row[p] ?? null));
  if (s.orderMatters) return { differing: goldRows.filter((row, r) => !rowsEqual(row, projected[r], eq)).length };
  const diff = multisetDifference(goldRows, projected, eq);
  return { differing: Math.max(diff.missing.length, diff.extra.length), diff };
}

/** compareRowsWith(...).match without building the explanation of a mismatch. */
function rowsMatchWith(
  goldRows: JsonValue[][],
  predRows: JsonValue[][],
  mapping: number[],
  s: CompareSettings,
  eq: ValueEquals,
  exact: ExactIndex,
): boolean {
  if (s.orderMatters && goldRows.length === predRows.length) {
    const width = mapping.length;
    for (let r = 0; r < goldRows.length; r++) {
      const g = goldRows[r];
      if (g.length > width) return false;
      const row = predRows[r];
      for (let c = 0; c < g.length; c++) if (!eq(g[c], row[mapping[c]] ?? null)) return false;
    }
    return true;
  }
  if (goldRows.length === predRows.length) {
    if (sameExactRows(exact, mapping)) return true;
    // Where equal means identical, the ids have decided.
    if (exact.goldRegular && mapping.every((p, g) => exact.exactOnly(g, p))) return false;
  }
  return compareRowsWith(goldRows, predRows, mapping, s, eq).match;
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

/**
 * The column sorted by compareValues. Each type is sorted on its own (numbers as a Float64Array,
 * strings by code unit, as `<` orders them), which gives the same order up to ties, and tied
 * values are interchangeable to every comparison made on the sorted column.
 */
function sortValues(col: JsonValue[]): JsonValue[] {
  let nulls = 0;
  let falses = 0;
  let trues = 0;
  const numbers: number[] = [];
  const strings: string[] = [];
  const objects: JsonValue[] = [];
  for (const v of col) {
    if (v === null) nulls++;
    else if (typeof v === "number") numbers.push(v);
    else if (typeof v === "string") strings.push(v);
    else if (typeof v === "boolean") {
      if (v) trues++;
      else falses++;
    } else objects.push(v);
  }
  const sortedNumbers = Float64Array.from(numbers).sort();
  strings.sort();
  objects.sort(compareValues);
  const out = new Array<JsonValue>(col.length);
  let k = 0;
  for (let i = 0; i < nulls; i++) out[k++] = null;
  for (let i = 0; i < falses; i++) out[k++] = false;
  for (let i = 0; i < trues; i++) out[k++] = true;
  for (const n of sortedNumbers) out[k++] = n;
  for (const t of strings) out[k++] = t;
  for (const o of objects) out[k++] = o;
  return out;
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

// ---------- exact-value fast paths ----------
// Most comparisons of large results end in a match where every value is exactly equal. Each value
// is interned to an integer id (equal ids: the same value, so equal under any tolerance), and
// multisets of ids are compared with typed-array sorts instead of comparator sorts and JSON keys.
// An id check only ever confirms a match; when ids differ the tolerant comparison decides, so the
// verdicts and reasons are those the tolerant comparison alone gives.

interface ExactIndex {
  goldIds: Int32Array[];
  predIds: Int32Array[];
  /** Bound on every id. */
  size: number;
  /** Every gold row holds exactly one value per column (a ragged row never matches exactly). */
  goldRegular: boolean;
  sortedGold: (g: number) => Int32Array;
  sortedPred: (p: number) => Int32Array;
  /**
   * Whether values of gold column g and pred column p are equal only when identical: no arrays or
   * objects (compared ignoring key order), and no two distinct numbers of the two columns within
   * the tolerance. Then the ids decide a comparison of these columns either way.
   */
  exactOnly: (g: number, p: number) => boolean;
}

function indexExactValues(goldCols: JsonValue[][], predCols: JsonValue[][], goldRows: JsonValue[][], s: CompareSettings): ExactIndex {
  const primitives = new Map<string | number | boolean, number>();
  const objects = new Map<string, number>();
  let next = 1;
  const idOf = (v: JsonValue): number => {
    // NULL never equals NULL (nor a value holding one) under nullEqualsNull = false: a fresh id each time.
    if (v === null) return s.nullEqualsNull ? 0 : next++;
    if (typeof v === "object") {
      if (!s.nullEqualsNull) return next++;
      const key = JSON.stringify(v);
      let id = objects.get(key);
      if (id === undefined) objects.set(key, (id = next++));
      return id;
    }
    let id = primitives.get(v);
    if (id === undefined) primitives.set(v, (id = next++));
    return id;
  };
  const ids = (col: JsonValue[]) => {
    const out = new Int32Array(col.length);
    for (let r = 0; r < col.length; r++) out[r] = idOf(col[r]);
    return out;
  };
  const goldIds = goldCols.map(ids);
  const predIds = predCols.map(ids);
  const width = goldCols.length;
  const exactOnlyCache = new Map<string, boolean>();
  const exactOnly = (g: number, p: number): boolean => {
    const key = `${g},${p}`;
    let ok = exactOnlyCache.get(key);
    if (ok === undefined) {
      ok = valuesDistinctUnderTolerance(goldCols[g], predCols[p], s);
      exactOnlyCache.set(key, ok);
    }
    return ok;
  };
  return {
    exactOnly,
    goldIds,
    predIds,
    size: next,
    goldRegular: goldRows.every((row) => row.length === width),
    sortedGold: lazyList(goldIds.length, (g) => goldIds[g].slice().sort()),
    sortedPred: lazyList(predIds.length, (p) => predIds[p].slice().sort()),
  };
}

function sameSortedIds(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * No arrays or objects, and no two distinct numbers within the tolerance. Checking neighbours in
 * sorted order suffices: if a < b < c and a is within the tolerance of c, then so is b of a (an
 * absolute tolerance, or both negative) or of c (both positive), and a relative tolerance that
 * spans zero is at least 1, which makes every same-signed pair equal.
 */
function valuesDistinctUnderTolerance(a: JsonValue[], b: JsonValue[], s: CompareSettings): boolean {
  const numbers: number[] = [];
  for (const col of [a, b]) {
    for (const v of col) {
      if (typeof v === "number") numbers.push(v);
      else if (v !== null && typeof v === "object") return false;
    }
  }
  const sorted = Float64Array.from(numbers).sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== sorted[i - 1] && valuesEqual(sorted[i - 1], sorted[i], s)) return false;
  }
  return true;
}

/** Whether gold columns (g1, g2) and pred columns (p1, p2) hold exactly the same multiset of value pairs. */
function sameExactPairs(exact: ExactIndex, g1: number, p1: number, g2: number, p2: number): boolean {
  const m = exact.size;
  if (m * m > Number.MAX_SAFE_INTEGER) return false;
  const pairs = (a: Int32Array, b: Int32Array) => {
    const out = new Float64Array(a.length);
    for (let r = 0; r < a.length; r++) out[r] = a[r] * m + b[r];
    return out.sort();
  };
  return sameSortedIds(pairs(exact.goldIds[g1], exact.goldIds[g2]), pairs(exact.predIds[p1], exact.predIds[p2]));
}

/** Whether gold rows and pred rows projected through mapping are exactly the same multiset. */
function sameExactRows(exact: ExactIndex, mapping: number[]): boolean {
  if (!exact.goldRegular || mapping.length === 0) return false;
  if (mapping.some((p) => p < 0 || p >= exact.predIds.length)) return false;
  let gold: ArrayLike<number> = exact.goldIds[0];
  let pred: ArrayLike<number> = exact.predIds[mapping[0]];
  // Row codes grow one column at a time: (code so far, next id) is interned to a new code, so codes stay small.
  for (let c = 1; c < mapping.length; c++) {
    const codes = new Map<number, number>();
    const bound = Math.max(exact.size, 2 * gold.length + 1);
    if (bound * exact.size > Number.MAX_SAFE_INTEGER) return false;
    const combine = (prev: ArrayLike<number>, ids: Int32Array) => {
      const out = new Int32Array(prev.length);
      for (let r = 0; r < prev.length; r++) {
        const key = prev[r] * exact.size + ids[r];
        let code = codes.get(key);
        if (code === undefined) codes.set(key, (code = codes.size));
        out[r] = code;
      }
      return out;
    };
    gold = combine(gold, exact.goldIds[c]);
    pred = combine(pred, exact.predIds[mapping[c]]);
  }
  return sameSortedIds(Int32Array.from(gold).sort(), Int32Array.from(pred).sort());
}

/** Values of each type (NULL, boolean, number, string, array/object) in a column. */
function countTypes(col: JsonValue[]): number[] {
  const counts = [0, 0, 0, 0, 0];
  for (const v of col) counts[typeRank(v)]++;
  return counts;
}

function sameCounts(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** list(i) computes item i on first use and keeps it. */
function lazyList<T>(length: number, make: (i: number) => T): (i: number) => T {
  const items = new Array<T | undefined>(length);
  return (i) => (items[i] ??= make(i));
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
