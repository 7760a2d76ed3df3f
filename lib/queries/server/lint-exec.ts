import "server-only";
import { AppError } from "@/lib/errors";
import type { QueryFeatures } from "@/lib/queries/features";
import { DEFAULT_HUGE_RESULT_ROWS, lintQuery, orderKeyText, type LintFlag, type LintOptions, type LintResultInfo } from "@/lib/queries/lint";
import { summarizeParseTree } from "@/lib/queries/parse-tree";
import { parseSqlTree } from "@/lib/queries/server/analyze";
import { applyEdits, readTopLevelClauses, type SqlEdit } from "@/lib/queries/sql-text";
import type { QueryResult } from "@/lib/sql/result";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";

// Lint rules that need the sandbox: does LIMIT cut through ties, is the result empty, a lone NULL,
// too large to review, floating-point? Queries run through executeReadOnly like any untrusted SQL.

// The serialized tree is untyped JSON; fields are checked where they are read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ast = any;

export interface TiesCheckOptions {
  /** Per probe query (default: executeReadOnly's). */
  timeoutMs?: number;
}

const TIE_KEY_PREFIX = "__tie_key_";

/**
 * For a query whose top level has ORDER BY … LIMIT k: are the k-th row and the (k+1)-th row equal
 * on every ORDER BY key (and, with OFFSET, the first row kept and the last one skipped)? Then which
 * of them the query returns is arbitrary. Null when the query has no such ORDER BY … LIMIT, or when
 * it cannot tell (LIMIT is not a literal, the keys cannot be read back, the probe fails).
 *
 * The probe reads only the two rows around each cut (LIMIT 2 at the right OFFSET) with the ORDER BY
 * keys added as output columns. The sorted sequence of key values is the same however ties are
 * broken, so those two rows show whether a tie straddles the cut.
 */
export async function checkTiesAtLimit(sandboxPath: string, sql: string, opts: TiesCheckOptions = {}): Promise<boolean | null> {
  const parsed = await parseSqlTree(sql);
  return parsed.ok ? checkTiesWithTree(sandboxPath, sql, parsed.node, opts) : null;
}

async function checkTiesWithTree(sandboxPath: string, sql: string, tree: unknown, opts: TiesCheckOptions): Promise<boolean | null> {
  const root = tree as Ast;
  const modifiers: Ast[] = Array.isArray(root?.modifiers) ? root.modifiers : [];
  const order = modifiers.find((m) => m?.type === "ORDER_MODIFIER" && Array.isArray(m.orders) && m.orders.length > 0);
  const limit = modifiers.find((m) => m?.type === "LIMIT_MODIFIER");
  if (!order || !limit) return null;
  const k = integerConstant(limit.limit);
  const offset = limit.offset ? integerConstant(limit.offset) : 0;
  if (k === undefined || offset === undefined) return null;
  if (k === 0) return false;

  const clauses = readTopLevelClauses(sql);
  const orders: Ast[] = order.orders;
  if (!clauses?.orderBy || clauses.orderBy.items.length !== orders.length || clauses.limit?.value?.n !== k) return null;
  if (limit.offset && clauses.offset?.value?.n !== offset) return null;

  // Where each ORDER BY key can be read in the probe's output: an output column, or an added one.
  const keys: ({ output: number } | { name: string } | { added: number } | { all: true })[] = [];
  const added: string[] = [];
  const selectList: Ast[] = root.type === "SELECT_NODE" && Array.isArray(root.select_list) ? root.select_list : [];
  for (const [i, o] of orders.entries()) {
    const e = o?.expression;
    const position = integerConstant(e);
    if (e?.class === "STAR") keys.push({ all: true });
    else if (position !== undefined) keys.push({ output: position - 1 });
    else if (root.type === "SET_OPERATION_NODE") {
      const names: string[] = e?.class === "COLUMN_REF" && Array.isArray(e.column_names) ? e.column_names : [];
      if (names.length === 0) return null;
      keys.push({ name: String(names[names.length - 1]).toLowerCase() });
    } else if (root.type === "SELECT_NODE") {
      const single = e?.class === "COLUMN_REF" && Array.isArray(e.column_names) && e.column_names.length === 1 ? String(e.column_names[0]).toLowerCase() : undefined;
      const aliased = single ? selectList.findIndex((s) => typeof s?.alias === "string" && s.alias.toLowerCase() === single) : -1;
      if (aliased !== -1) keys.push({ output: aliased });
      else {
        keys.push({ added: added.length });
        added.push(orderKeyText(sql, clauses.orderBy.items[i]));
      }
    } else return null;
  }
  const distinct = modifiers.find((m) => m?.type === "DISTINCT_MODIFIER");
  // Extra output columns would change which rows SELECT DISTINCT keeps.
  if (added.length > 0 && distinct && !(Array.isArray(distinct.distinct_on_targets) && distinct.distinct_on_targets.length > 0)) return null;
  if (added.length > 0 && clauses.selectItems.length === 0) return null;

  const probe = (start: number): string => {
    const edits: SqlEdit[] = [];
    if (added.length > 0) {
      const last = clauses.selectItems[clauses.selectItems.length - 1];
      edits.push({ at: last.end, insert: added.map((text, j) => `, ${text} AS ${TIE_KEY_PREFIX}${j + 1}`).join("") });
    }
    const value = clauses.limit!.value!;
    edits.push({ at: value.start, remove: value.end - value.start, insert: "2" });
    const offsetValue = clauses.offset?.value;
    if (offsetValue) edits.push({ at: offsetValue.start, remove: offsetValue.end - offsetValue.start, insert: String(start) });
    else edits.push({ at: value.end, insert: ` OFFSET ${start}` });
    return applyEdits(sql, edits);
  };

  const boundaries = [offset + k - 1, ...(offset > 0 ? [offset - 1] : [])];
  let tied = false;
  for (const start of boundaries) {
    let result: QueryResult;
    try {
      result = await executeReadOnly(sandboxPath, probe(start), { maxRows: 2, timeoutMs: opts.timeoutMs });
    } catch (error) {
      if (error instanceof AppError) return null;
      throw error;
    }
    if (result.rows.length < 2) continue;
    const width = result.columns.length - added.length;
    const indexes: number[] = [];
    for (const key of keys) {
      if ("all" in key) indexes.push(...Array.from({ length: width }, (_, i) => i));
      else if ("output" in key) indexes.push(key.output);
      else if ("added" in key) indexes.push(width + key.added);
      else {
        const at = result.columns.findIndex((c) => c.name.toLowerCase() === key.name);
        if (at === -1) return null;
        indexes.push(at);
      }
    }
    if (indexes.some((i) => i < 0 || i >= result.columns.length)) return null;
    const [a, b] = result.rows;
    if (indexes.every((i) => JSON.stringify(a[i]) === JSON.stringify(b[i]))) tied = true;
  }
  return tied;
}

function integerConstant(e: Ast): number | undefined {
  const node = e?.class === "CAST" ? e.child : e;
  const value = node?.class === "CONSTANT" ? node.value?.value : undefined;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The parts of a query result the lint reads. */
export type ResultForLint = Pick<QueryResult, "columns" | "rows" | "rowCount" | "truncated">;

export interface LintWithExecutionOptions extends Omit<LintOptions, "tree" | "result"> {
  /** The result already read (e.g. the ground truth); without it the query runs here. */
  result?: ResultForLint;
  timeoutMs?: number;
}

/**
 * lintQuery with what the sandbox shows: row count (empty_result, huge_result), the first row
 * (single_null), column types (float_result) and ties at the LIMIT (ties_at_limit). Fixes are kept
 * only when the rewritten SQL parses, runs on the sandbox and no longer raises its flag.
 * A query that fails to run is linted without result information.
 */
export async function lintWithExecution(sandboxPath: string, sql: string, features: QueryFeatures, opts: LintWithExecutionOptions = {}): Promise<LintFlag[]> {
  const { result: given, timeoutMs, ...lintOptions } = opts;
  const parsed = await parseSqlTree(sql);
  const tree = parsed.ok ? parsed.node : undefined;
  const hugeRows = opts.hugeResultRows ?? DEFAULT_HUGE_RESULT_ROWS;
  // Reading one row past the limit is not needed: executeReadOnly reports a result it had to cut.
  const result = given ?? (await runQuietly(sandboxPath, sql, hugeRows, timeoutMs));
  const top = features.topLevel;
  const ties = tree && top.limit && top.orderBy.length > 0 ? await checkTiesWithTree(sandboxPath, sql, tree, { timeoutMs }) : null;
  const info = result ? toResultInfo(result, ties) : undefined;
  const flags = lintQuery(sql, features, { ...lintOptions, tree, result: info });
  return Promise.all(
    flags.map(async (flag) => {
      if (!flag.fix || (await fixHolds(sandboxPath, flag, info, { ...lintOptions, timeoutMs }))) return flag;
      const { fix: _dropped, ...rest } = flag;
      return rest;
    }),
  );
}

function toResultInfo(result: ResultForLint, tiesAtLimit: boolean | null): LintResultInfo {
  return {
    rowCount: result.rowCount,
    truncated: result.truncated,
    firstRow: result.rows[0],
    columnTypes: result.columns.map((c) => c.type),
    columnNames: result.columns.map((c) => c.name),
    ...(tiesAtLimit === null ? {} : { tiesAtLimit }),
  };
}

async function runQuietly(sandboxPath: string, sql: string, maxRows: number, timeoutMs?: number): Promise<QueryResult | undefined> {
  try {
    return await executeReadOnly(sandboxPath, sql, { maxRows, timeoutMs });
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
}

/** The fix parses, runs on the sandbox, and linting it no longer raises the flag it fixes. */
async function fixHolds(sandboxPath: string, flag: LintFlag, info: LintResultInfo | undefined, opts: Omit<LintWithExecutionOptions, "result">): Promise<boolean> {
  const sql = flag.fix!.sql;
  const parsed = await parseSqlTree(sql);
  if (!parsed.ok) return false;
  const { timeoutMs, ...lintOptions } = opts;
  if (!(await runQuietly(sandboxPath, sql, 1, timeoutMs))) return false;
  const features = summarizeParseTree(parsed.node).features;
  let recheck = info;
  if (info && flag.code === "ties_at_limit") {
    const ties = await checkTiesWithTree(sandboxPath, sql, parsed.node, { timeoutMs });
    recheck = { ...info, tiesAtLimit: ties ?? undefined };
  }
  return !lintQuery(sql, features, { ...lintOptions, tree: parsed.node, result: recheck }).some((f) => f.code === flag.code);
}
