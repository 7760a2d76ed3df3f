import "server-only";
import { compareResults, DEFAULT_COMPARE_SETTINGS, type ResultSet } from "@/lib/evaluation/compare";
import { SqlExecutionError, SqlRefusedError } from "@/lib/errors";
import type { QueryResult } from "@/lib/sql/result";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";

// Agreement between two reviewers' SQL for the same question, judged by execution: two texts
// agree when they return the same result on the sandbox under the studio's one comparator, so
// rewrites (aliases, JOIN vs subquery, reordered columns) count as agreement and only a
// different result or a failure counts against it.

export const AGREEMENT_MAX_ROWS = 5_000;
export const AGREEMENT_TIMEOUT_MS = 10_000;

export interface ExecutionAgreement {
  agree: boolean;
  /** One line: why they agree or not. */
  reason: string;
  errorA?: string;
  errorB?: string;
}

export interface ExecutionAgreementOptions {
  /** Compare rows in order (the first SQL has a top-level ORDER BY). Default false. */
  orderMatters?: boolean;
}

type Outcome = { ok: true; result: QueryResult } | { ok: false; error: string };

/**
 * Runs both SQL texts read-only on the sandbox and compares their results, the first as the
 * reference. A failed or refused query never agrees; neither does a result cut at the row cap,
 * since rows past the cap were never seen. A missing sandbox file still throws.
 */
export async function executionAgreement(
  sandboxPath: string,
  sqlA: string,
  sqlB: string,
  opts: ExecutionAgreementOptions = {},
): Promise<ExecutionAgreement> {
  const [a, b] = await Promise.all([run(sandboxPath, sqlA), run(sandboxPath, sqlB)]);
  if (!a.ok || !b.ok) {
    const errorA = a.ok ? undefined : a.error;
    const errorB = b.ok ? undefined : b.error;
    const failed = [
      errorA === undefined ? null : `SQL A failed: ${firstLine(errorA)}`,
      errorB === undefined ? null : `SQL B failed: ${firstLine(errorB)}`,
    ].filter((part) => part !== null);
    return {
      agree: false,
      reason: failed.join("; "),
      ...(errorA === undefined ? {} : { errorA }),
      ...(errorB === undefined ? {} : { errorB }),
    };
  }
  const cut = [a.result.truncated ? "SQL A" : null, b.result.truncated ? "SQL B" : null].filter(Boolean);
  if (cut.length > 0) {
    return {
      agree: false,
      reason: `${cut.join(" and ")} returned more than ${AGREEMENT_MAX_ROWS.toLocaleString("en-US")} rows: the result was too large to compare`,
    };
  }
  const outcome = compareResults(toResultSet(a.result), toResultSet(b.result), {
    ...DEFAULT_COMPARE_SETTINGS,
    orderMatters: opts.orderMatters ?? false,
  });
  return { agree: outcome.match, reason: outcome.reason };
}

export interface SqlAgreementItem {
  sqlA: string;
  sqlB: string;
  orderMatters?: boolean;
}

export interface SqlAgreementRate {
  agree: number;
  total: number;
  /** agree / total; null when there are no items. */
  rate: number | null;
  disagreements: { index: number; reason: string }[];
}

/** Execution agreement over many items, one after another so the sandbox is not flooded. */
export async function sqlAgreementRate(sandboxPath: string, items: readonly SqlAgreementItem[]): Promise<SqlAgreementRate> {
  let agree = 0;
  const disagreements: { index: number; reason: string }[] = [];
  for (const [index, item] of items.entries()) {
    const outcome = await executionAgreement(sandboxPath, item.sqlA, item.sqlB, { orderMatters: item.orderMatters });
    if (outcome.agree) agree++;
    else disagreements.push({ index, reason: outcome.reason });
  }
  return { agree, total: items.length, rate: items.length === 0 ? null : agree / items.length, disagreements };
}

async function run(sandboxPath: string, sql: string): Promise<Outcome> {
  try {
    return { ok: true, result: await executeReadOnly(sandboxPath, sql, { maxRows: AGREEMENT_MAX_ROWS, timeoutMs: AGREEMENT_TIMEOUT_MS }) };
  } catch (error) {
    // Only the query's own failure is a disagreement; anything else (no sandbox file) is the caller's.
    if (error instanceof SqlExecutionError || error instanceof SqlRefusedError) return { ok: false, error: error.message };
    throw error;
  }
}

function toResultSet(result: QueryResult): ResultSet {
  return { columns: result.columns.map((c) => c.name), rows: result.rows };
}

function firstLine(message: string): string {
  return message.split("\n")[0];
}
