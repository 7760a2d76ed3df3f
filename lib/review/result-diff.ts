import { compareValues, valueEquality } from "@/lib/evaluation/compare";
import type { JsonValue } from "@/lib/sql/result";

// The stored result of a pair against the result of the reviewer's edited SQL, row by row and
// column by column, for the review screen. Values are equal exactly when the evaluation
// comparator finds them equal (numeric tolerance, NULL = NULL), so the diff never contradicts the
// verdict a prediction would get. Columns are matched by name (case-insensitive); a column that
// only changed its alias is recognised by its values. Rows are compared on the common columns:
// as multisets unless the order matters, then position by position.

export interface ResultLike {
  columns: string[];
  rows: unknown[][];
}

export interface ResultDiffOptions {
  /** Compare rows position by position (the stored query orders its rows). */
  orderMatters: boolean;
  /** At most this many aligned rows are returned in `rows` and in `differences` (default 200). */
  rowCap?: number;
}

export interface CommonColumn {
  /** The stored result's name for it. */
  name: string;
  editedName: string;
  storedIndex: number;
  editedIndex: number;
  /** Spelled differently in the edited result: "case" (City/city) or "values" (a new alias, same values). */
  renamed: "case" | "values" | null;
  /** Placed elsewhere relative to the other common columns. */
  moved: boolean;
}

export interface ColumnDiff {
  /** In the stored result's order. */
  common: CommonColumn[];
  /** Only in the stored result. */
  removed: { name: string; storedIndex: number }[];
  /** Only in the edited result. */
  added: { name: string; editedIndex: number }[];
}

export type RowStatus = "same" | "removed" | "added" | "changed";

export interface AlignedRow {
  status: RowStatus;
  /** Row index in the stored result (null for an added row). */
  stored: number | null;
  /** Row index in the edited result (null for a removed row). */
  edited: number | null;
  /** For "changed": the positions in `columns.common` whose values differ. */
  changedColumns?: number[];
  /** When this row's values occur more than once on either side: how often on each. */
  copies?: { stored: number; edited: number };
}

export interface ResultDiffCounts {
  storedRows: number;
  editedRows: number;
  /** Rows found on both sides (duplicates counted each time). */
  inBoth: number;
  /** Rows of the stored result with no partner in the edited one. */
  onlyStored: number;
  /** Rows of the edited result with no partner in the stored one. */
  onlyEdited: number;
  /**
   * Order matters: positions where both results have a row and they differ (also counted in
   * onlyStored and onlyEdited). Otherwise: unpartnered rows shown side by side because they agree
   * on most columns.
   */
  changed: number;
}

export interface ResultDiff {
  /** Same columns (up to order and aliases) and the same rows (in the same order when it matters). */
  same: boolean;
  orderMatters: boolean;
  columns: ColumnDiff;
  counts: ResultDiffCounts;
  /** Order matters and the rows are the same multiset, only in another order. */
  reorderedOnly: boolean;
  /** One line for the reviewer, e.g. "3 rows only in the stored result, 1 only in yours; column `city` is new". */
  summary: string;
  /** Every row, aligned for a side-by-side view (at most rowCap entries). */
  rows: AlignedRow[];
  rowsCapped: boolean;
  /** Only the rows that differ (at most rowCap entries), so a late difference is never hidden by the cap. */
  differences: AlignedRow[];
  differencesCapped: boolean;
}

const DEFAULT_ROW_CAP = 200;
// Above this many leftover row pairs the tolerant one-by-one matching is skipped (rows stay unpaired).
const MAX_TOLERANT_PAIRS = 1_000_000;
// Unpartnered rows are shown side by side as "changed" only when this few pairs need checking.
const MAX_CHANGED_PAIRS = 40_000;

type Row = JsonValue[];
const equal = valueEquality();

export function diffResults(stored: ResultLike, edited: ResultLike, options: ResultDiffOptions): ResultDiff {
  const rowCap = options.rowCap ?? DEFAULT_ROW_CAP;
  const storedRows = stored.rows as Row[];
  const editedRows = edited.rows as Row[];
  const columns = matchColumns(stored, edited);
  const width = columns.common.length;
  const noCommon = width === 0 && (widthOf(stored) > 0 || widthOf(edited) > 0);

  const left = noCommon ? [] : storedRows.map((row) => columns.common.map((c) => cell(row, c.storedIndex)));
  const right = noCommon ? [] : editedRows.map((row) => columns.common.map((c) => cell(row, c.editedIndex)));

  let aligned: AlignedRow[];
  let counts: ResultDiffCounts;
  let reorderedOnly = false;
  if (noCommon) {
    aligned = [
      ...storedRows.map((_, i): AlignedRow => ({ status: "removed", stored: i, edited: null })),
      ...editedRows.map((_, j): AlignedRow => ({ status: "added", stored: null, edited: j })),
    ];
    counts = { storedRows: storedRows.length, editedRows: editedRows.length, inBoth: 0, onlyStored: storedRows.length, onlyEdited: editedRows.length, changed: 0 };
  } else if (options.orderMatters) {
    aligned = alignByPosition(left, right);
    const changed = aligned.filter((r) => r.status === "changed").length;
    const onlyStored = aligned.filter((r) => r.status === "removed").length + changed;
    const onlyEdited = aligned.filter((r) => r.status === "added").length + changed;
    counts = { storedRows: left.length, editedRows: right.length, inBoth: aligned.length - onlyStored - onlyEdited + changed, onlyStored, onlyEdited, changed };
    if (changed > 0 && left.length === right.length) {
      const bag = matchMultiset(left, right);
      reorderedOnly = bag.storedMatch.every((j) => j !== -1);
    }
  } else {
    const bag = matchMultiset(left, right);
    aligned = alignAsMultiset(left, right, bag);
    const onlyStored = bag.storedMatch.filter((j) => j === -1).length;
    const onlyEdited = right.length - (left.length - onlyStored);
    counts = {
      storedRows: left.length,
      editedRows: right.length,
      inBoth: left.length - onlyStored,
      onlyStored,
      onlyEdited,
      changed: aligned.filter((r) => r.status === "changed").length,
    };
  }

  const sameColumns = columns.removed.length === 0 && columns.added.length === 0;
  const same = sameColumns && counts.onlyStored === 0 && counts.onlyEdited === 0 && counts.storedRows === counts.editedRows;
  const differences = aligned.filter((r) => r.status !== "same");
  return {
    same,
    orderMatters: options.orderMatters,
    columns,
    counts,
    reorderedOnly,
    summary: describe(columns, counts, { same, orderMatters: options.orderMatters, reorderedOnly, noCommon, changedIn: changedColumnNames(aligned, columns) }),
    rows: aligned.slice(0, rowCap),
    rowsCapped: aligned.length > rowCap,
    differences: differences.slice(0, rowCap),
    differencesCapped: differences.length > rowCap,
  };
}

// ---------- columns ----------

function matchColumns(stored: ResultLike, edited: ResultLike): ColumnDiff {
  const storedNames = namesOf(stored);
  const editedNames = namesOf(edited);
  // The k-th column of a name pairs with the k-th of the same name on the other side.
  const queues = new Map<string, number[]>();
  editedNames.forEach((name, j) => {
    const key = name.toLowerCase();
    const queue = queues.get(key);
    if (queue) queue.push(j);
    else queues.set(key, [j]);
  });
  const pairs: { s: number; e: number; renamed: CommonColumn["renamed"] }[] = [];
  const removedIdx: number[] = [];
  storedNames.forEach((name, i) => {
    const j = queues.get(name.toLowerCase())?.shift();
    if (j === undefined) removedIdx.push(i);
    else pairs.push({ s: i, e: j, renamed: editedNames[j] === name ? null : "case" });
  });
  const usedEdited = new Set(pairs.map((p) => p.e));
  let addedIdx = editedNames.map((_, j) => j).filter((j) => !usedEdited.has(j));

  // A new alias for the same values: the comparator ignores names, so the diff does too.
  const rowCount = stored.rows.length;
  if (removedIdx.length > 0 && addedIdx.length > 0 && rowCount > 0 && rowCount === edited.rows.length) {
    const sortedAdded = new Map(addedIdx.map((j) => [j, sortedColumn(edited.rows as Row[], j)]));
    const stillRemoved: number[] = [];
    for (const i of removedIdx) {
      const values = sortedColumn(stored.rows as Row[], i);
      const j = addedIdx.find((candidate) => sameValues(values, sortedAdded.get(candidate)!));
      if (j === undefined) {
        stillRemoved.push(i);
        continue;
      }
      pairs.push({ s: i, e: j, renamed: "values" });
      addedIdx = addedIdx.filter((k) => k !== j);
    }
    removedIdx.splice(0, removedIdx.length, ...stillRemoved);
  }

  pairs.sort((a, b) => a.s - b.s);
  const kept = longestIncreasing(pairs.map((p) => p.e));
  return {
    common: pairs.map((p, k) => ({
      name: storedNames[p.s],
      editedName: editedNames[p.e],
      storedIndex: p.s,
      editedIndex: p.e,
      renamed: p.renamed,
      moved: !kept.has(k),
    })),
    removed: removedIdx.map((i) => ({ name: storedNames[i], storedIndex: i })),
    added: addedIdx.map((j) => ({ name: editedNames[j], editedIndex: j })),
  };
}

function namesOf(result: ResultLike): string[] {
  const width = widthOf(result);
  return Array.from({ length: width }, (_, i) => result.columns[i] ?? `column ${i + 1}`);
}

function widthOf(result: ResultLike): number {
  return result.columns.length > 0 ? result.columns.length : (result.rows[0]?.length ?? 0);
}

function sortedColumn(rows: Row[], index: number): JsonValue[] {
  return rows.map((row) => cell(row, index)).sort(compareValues);
}

function sameValues(a: JsonValue[], b: JsonValue[]): boolean {
  return a.length === b.length && a.every((v, i) => equal(v, b[i]));
}

/** Positions (into `sequence`) of one longest strictly increasing subsequence: the columns that did not move. */
function longestIncreasing(sequence: number[]): Set<number> {
  const n = sequence.length;
  const length = new Array<number>(n).fill(1);
  const previous = new Array<number>(n).fill(-1);
  let best = -1;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      if (sequence[k] < sequence[i] && length[k] + 1 > length[i]) {
        length[i] = length[k] + 1;
        previous[i] = k;
      }
    }
    if (best === -1 || length[i] > length[best]) best = i;
  }
  const kept = new Set<number>();
  for (let i = best; i !== -1; i = previous[i]) kept.add(i);
  return kept;
}

// ---------- rows ----------

function cell(row: Row | undefined, index: number): JsonValue {
  const v = row?.[index];
  return v === undefined ? null : v;
}

function rowsEqual(a: Row, b: Row): boolean {
  for (let c = 0; c < a.length; c++) if (!equal(a[c], b[c])) return false;
  return true;
}

function compareRows(a: Row, b: Row): number {
  for (let c = 0; c < a.length; c++) {
    const d = compareValues(a[c], b[c]);
    if (d !== 0) return d;
  }
  return 0;
}

function differingColumns(a: Row, b: Row): number[] {
  const out: number[] = [];
  for (let c = 0; c < a.length; c++) if (!equal(a[c], b[c])) out.push(c);
  return out;
}

function alignByPosition(left: Row[], right: Row[]): AlignedRow[] {
  const out: AlignedRow[] = [];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (i >= right.length) out.push({ status: "removed", stored: i, edited: null });
    else if (i >= left.length) out.push({ status: "added", stored: null, edited: i });
    else {
      const changedColumns = differingColumns(left[i], right[i]);
      out.push(changedColumns.length === 0 ? { status: "same", stored: i, edited: i } : { status: "changed", stored: i, edited: i, changedColumns });
    }
  }
  return out;
}

interface MultisetMatch {
  /** storedMatch[i] = the edited row partnered with stored row i, or -1. */
  storedMatch: number[];
  editedMatched: boolean[];
  /** How often each row's exact values occur on each side. */
  storedCopies: { stored: number; edited: number }[];
  editedCopies: { stored: number; edited: number }[];
}

/**
 * Partners rows with equal values, the way the comparator's multiset difference does: exact
 * matches by key first (linear), then rows equal within the numeric tolerance by merging the
 * sorted leftovers, then whatever the tolerance reordered, one by one while that stays cheap.
 */
function matchMultiset(left: Row[], right: Row[]): MultisetMatch {
  const storedMatch = new Array<number>(left.length).fill(-1);
  const editedMatched = new Array<boolean>(right.length).fill(false);
  const leftKeys = left.map((row) => JSON.stringify(row));
  const rightKeys = right.map((row) => JSON.stringify(row));
  const tally = new Map<string, { stored: number; edited: number; queue: number[] }>();
  rightKeys.forEach((key, j) => {
    const entry = tally.get(key);
    if (entry) {
      entry.edited++;
      entry.queue.push(j);
    } else tally.set(key, { stored: 0, edited: 1, queue: [j] });
  });
  const heads = new Map<string, number>();
  leftKeys.forEach((key, i) => {
    let entry = tally.get(key);
    if (!entry) {
      entry = { stored: 0, edited: 0, queue: [] };
      tally.set(key, entry);
    }
    entry.stored++;
    const head = heads.get(key) ?? 0;
    if (head < entry.queue.length) {
      const j = entry.queue[head];
      heads.set(key, head + 1);
      storedMatch[i] = j;
      editedMatched[j] = true;
    }
  });
  const copiesOf = (key: string) => {
    const { stored, edited } = tally.get(key)!;
    return { stored, edited };
  };

  let leftLeft = left.map((_, i) => i).filter((i) => storedMatch[i] === -1);
  let rightLeft = right.map((_, j) => j).filter((j) => !editedMatched[j]);
  if (leftLeft.length > 0 && rightLeft.length > 0) {
    leftLeft.sort((a, b) => compareRows(left[a], left[b]) || a - b);
    rightLeft.sort((a, b) => compareRows(right[a], right[b]) || a - b);
    const missing: number[] = [];
    const extra: number[] = [];
    let a = 0;
    let b = 0;
    while (a < leftLeft.length && b < rightLeft.length) {
      const i = leftLeft[a];
      const j = rightLeft[b];
      if (rowsEqual(left[i], right[j])) {
        storedMatch[i] = j;
        editedMatched[j] = true;
        a++;
        b++;
      } else if (compareRows(left[i], right[j]) < 0) {
        missing.push(i);
        a++;
      } else {
        extra.push(j);
        b++;
      }
    }
    missing.push(...leftLeft.slice(a));
    extra.push(...rightLeft.slice(b));
    if (missing.length > 0 && extra.length > 0 && missing.length * extra.length <= MAX_TOLERANT_PAIRS) {
      for (const i of missing) {
        const j = extra.find((k) => !editedMatched[k] && rowsEqual(left[i], right[k]));
        if (j === undefined) continue;
        storedMatch[i] = j;
        editedMatched[j] = true;
      }
    }
    leftLeft = missing;
    rightLeft = extra;
  }
  return {
    storedMatch,
    editedMatched,
    storedCopies: leftKeys.map(copiesOf),
    editedCopies: rightKeys.map(copiesOf),
  };
}

function alignAsMultiset(left: Row[], right: Row[], bag: MultisetMatch): AlignedRow[] {
  const copies = (c: { stored: number; edited: number }) => (c.stored > 1 || c.edited > 1 ? { copies: c } : {});
  // Unpartnered rows that agree on most columns read best side by side, as one changed row.
  const lonelyLeft = bag.storedMatch.flatMap((j, i) => (j === -1 ? [i] : []));
  const lonelyRight = bag.editedMatched.flatMap((m, j) => (m ? [] : [j]));
  const width = left[0]?.length ?? right[0]?.length ?? 0;
  const partner = new Map<number, { edited: number; changedColumns: number[] }>();
  if (width >= 2 && lonelyLeft.length > 0 && lonelyRight.length > 0 && lonelyLeft.length * lonelyRight.length <= MAX_CHANGED_PAIRS) {
    const taken = new Set<number>();
    for (const i of lonelyLeft) {
      let best: { j: number; differing: number[] } | null = null;
      for (const j of lonelyRight) {
        if (taken.has(j)) continue;
        const differing = differingColumns(left[i], right[j]);
        if (differing.length * 2 <= width && (!best || differing.length < best.differing.length)) best = { j, differing };
      }
      if (best) {
        taken.add(best.j);
        partner.set(i, { edited: best.j, changedColumns: best.differing });
      }
    }
  }
  const paired = new Set([...partner.values()].map((p) => p.edited));
  const out: AlignedRow[] = [];
  left.forEach((_, i) => {
    const j = bag.storedMatch[i];
    if (j !== -1) out.push({ status: "same", stored: i, edited: j, ...copies(bag.storedCopies[i]) });
    else {
      const p = partner.get(i);
      if (p) out.push({ status: "changed", stored: i, edited: p.edited, changedColumns: p.changedColumns });
      else out.push({ status: "removed", stored: i, edited: null, ...copies(bag.storedCopies[i]) });
    }
  });
  for (const j of lonelyRight) if (!paired.has(j)) out.push({ status: "added", stored: null, edited: j, ...copies(bag.editedCopies[j]) });
  return out;
}

// ---------- summary ----------

function rows(n: number): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? "row" : "rows"}`;
}

function names(list: string[]): string {
  return list.map((n) => `\`${n}\``).join(", ");
}

/** The common columns in which changed rows differ, in column order. */
function changedColumnNames(aligned: AlignedRow[], columns: ColumnDiff): string[] {
  const positions = new Set<number>();
  for (const row of aligned) for (const c of row.changedColumns ?? []) positions.add(c);
  return [...positions].sort((a, b) => a - b).map((c) => columns.common[c].name);
}

function describe(
  columns: ColumnDiff,
  counts: ResultDiffCounts,
  flags: { same: boolean; orderMatters: boolean; reorderedOnly: boolean; noCommon: boolean; changedIn: string[] },
): string {
  const parts: string[] = [];
  const changedIn = flags.changedIn.length > 0 && flags.changedIn.length <= 3 ? ` (in ${names(flags.changedIn)})` : "";
  if (flags.noCommon) {
    parts.push(counts.storedRows + counts.editedRows > 0 ? "no column in common, so every row differs" : "no rows on either side");
  } else if (flags.same) {
    parts.push(`same result: ${rows(counts.storedRows)}${flags.orderMatters && counts.storedRows > 1 ? " in the same order" : ""}`);
  } else if (flags.orderMatters) {
    const extraStored = counts.onlyStored - counts.changed;
    const extraEdited = counts.onlyEdited - counts.changed;
    if (flags.reorderedOnly) parts.push("the same rows in a different order");
    else if (counts.changed > 0) parts.push(`${rows(counts.changed)} ${counts.changed === 1 ? "differs" : "differ"} at the same position${changedIn}`);
    if (extraStored > 0) parts.push(`${rows(extraStored)} more in the stored result`);
    if (extraEdited > 0) parts.push(`${rows(extraEdited)} more in yours`);
  } else {
    if (counts.onlyStored > 0 && counts.onlyEdited > 0) parts.push(`${rows(counts.onlyStored)} only in the stored result, ${counts.onlyEdited.toLocaleString("en-US")} only in yours`);
    else if (counts.onlyStored > 0) parts.push(`${rows(counts.onlyStored)} only in the stored result`);
    else if (counts.onlyEdited > 0) parts.push(`${rows(counts.onlyEdited)} only in yours`);
    if (counts.changed > 0) parts.push(`${counts.changed.toLocaleString("en-US")} of them ${counts.changed === 1 ? "differs" : "differ"} from yours only ${changedIn ? changedIn.slice(2, -1) : "in some columns"}`);
    if (counts.inBoth > 0 && (counts.onlyStored > 0 || counts.onlyEdited > 0)) parts.push(`${rows(counts.inBoth)} in both`);
  }
  const added = columns.added.map((c) => c.name);
  const removed = columns.removed.map((c) => c.name);
  if (added.length === 1) parts.push(`column ${names(added)} is new`);
  else if (added.length > 1) parts.push(`columns ${names(added)} are new`);
  if (removed.length === 1) parts.push(`column ${names(removed)} is missing`);
  else if (removed.length > 1) parts.push(`columns ${names(removed)} are missing`);
  for (const c of columns.common) if (c.renamed) parts.push(`\`${c.name}\` is called \`${c.editedName}\``);
  if (columns.common.some((c) => c.moved)) parts.push("columns in a different order");
  const sentence = parts.join("; ");
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}
