import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeGroundTruth } from "@/lib/queries/server/service";
import { analyzeSql } from "@/lib/queries/server/analyze";

// A blind second review: a second reviewer judges a pair independently, without seeing anything of
// its first review. They are shown the pair as it was before any first-review edit (the question
// and SQL in `before` of the pair's earliest edit event, else the current ones) with that SQL's
// result, and never the first reviewer's decision, state, reason, flags, comments, edits or
// identity. Their judgement is stored as a SecondReview and never changes the pair (no revision
// bump), so it cannot conflict with the first review. It is submitted once and cannot be changed:
// once submitted, the first review may be shown to them, so a second submission would no longer be
// blind.

export const secondReviewQueueInput = z.object({
  take: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().trim().min(1).max(64).optional(),
});
export type SecondReviewQueueInput = z.infer<typeof secondReviewQueueInput>;

export const submitSecondReviewInput = z.object({
  decision: z.enum(["approve", "reject"]),
  /** Why (a reject reason code from REJECT_REASONS, or a few words). */
  reason: z.string().trim().min(1).max(500, "Keep the reason under 500 characters.").optional(),
  /** The SQL this reviewer holds correct, when it differs from the one shown. */
  sql: z.string().trim().min(1, "The SQL is empty.").max(100_000, "The SQL is over 100 KB.").optional(),
});
export type SubmitSecondReviewInput = z.infer<typeof submitSecondReviewInput>;

/** Rows of the shown SQL's result sent to the browser; the row count says how many there are. */
const SHOWN_ROWS = 200;

const EDIT_ACTIONS = ["edit_question", "edit_sql"];

interface Original {
  question: string;
  sql: string;
}

/**
 * The question and SQL of each pair before any first-review edit. Every edit event stores the
 * question and SQL it replaced, so the earliest one holds the originals (an earlier question edit
 * saw the original SQL, and an earlier SQL edit the original question).
 */
async function originalsOf(db: Db, pairs: readonly { id: string; question: string; sql: string }[]): Promise<Map<string, Original>> {
  const out = new Map<string, Original>(pairs.map((p) => [p.id, { question: p.question, sql: p.sql }]));
  if (pairs.length === 0) return out;
  const events = await db.reviewEvent.findMany({
    where: { pairId: { in: pairs.map((p) => p.id) }, action: { in: EDIT_ACTIONS } },
    orderBy: [{ pairId: "asc" }, { revision: "asc" }],
    select: { pairId: true, before: true },
  });
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.pairId)) continue;
    seen.add(e.pairId);
    const before = parseBefore(e.before);
    const current = out.get(e.pairId)!;
    out.set(e.pairId, { question: before.question ?? current.question, sql: before.sql ?? current.sql });
  }
  return out;
}

function parseBefore(json: string): { question?: string; sql?: string } {
  try {
    const value = JSON.parse(json) as { question?: unknown; sql?: unknown };
    return {
      ...(typeof value.question === "string" ? { question: value.question } : {}),
      ...(typeof value.sql === "string" ? { sql: value.sql } : {}),
    };
  } catch {
    // A malformed event reads as "no original": the current text is shown.
    return {};
  }
}

function notYourSecondReview(): ForbiddenError {
  return new ForbiddenError("You are not this pair's second reviewer. Open the pairs in your second-review queue.");
}

async function findPairFor(db: Db, projectId: string, pairId: string, userId: string) {
  const pair = await db.pair.findFirst({
    where: { id: pairId, projectId },
    select: { id: true, question: true, secondReviewerId: true, query: { select: { sql: true, shape: true } } },
  });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  if (pair.secondReviewerId !== userId) throw notYourSecondReview();
  return pair;
}

/** The pairs waiting for my blind second review, oldest first, with the question as first written. */
export async function listSecondReviewQueue(db: Db, projectId: string, userId: string, input: Partial<SecondReviewQueueInput> = {}) {
  await getProject(db, projectId);
  const take = input.take ?? 50;
  const where = { projectId, secondReviewerId: userId, secondReviews: { none: { reviewerId: userId } } };
  const [rows, total] = await Promise.all([
    db.pair.findMany({
      where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: take + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      select: { id: true, question: true, query: { select: { sql: true, shape: true } } },
    }),
    db.pair.count({ where }),
  ]);
  const page = rows.slice(0, take);
  const originals = await originalsOf(
    db,
    page.map((p) => ({ id: p.id, question: p.question, sql: p.query.sql })),
  );
  return {
    total,
    items: page.map((p) => ({ id: p.id, question: originals.get(p.id)!.question, shape: p.query.shape })),
    nextCursor: rows.length > take ? page[page.length - 1].id : null,
  };
}

export interface BlindPair {
  id: string;
  question: string;
  sql: string;
  complexity: string | null;
  shape: string;
  result: { columns: string[]; rows: unknown[][]; rowCount: number } | null;
  /** Why the SQL has no result (it failed on the sandbox), else null. */
  resultError: string | null;
  /** My own second review, once submitted. */
  submitted: { decision: string; reason: string | null; sql: string; createdAt: string } | null;
}

/** What a blind second reviewer may see of a pair, and nothing more. */
export async function getBlindPair(db: Db, projectId: string, pairId: string, userId: string): Promise<BlindPair> {
  const pair = await findPairFor(db, projectId, pairId, userId);
  const original = (await originalsOf(db, [{ id: pair.id, question: pair.question, sql: pair.query.sql }])).get(pair.id)!;
  const [stored, mine] = await Promise.all([
    db.query.findUnique({ where: { projectId_sql: { projectId, sql: original.sql } }, select: { complexity: true, shape: true, result: true, resultRowCount: true } }),
    db.secondReview.findUnique({ where: { pairId_reviewerId: { pairId, reviewerId: userId } }, select: { decision: true, reason: true, sql: true, createdAt: true } }),
  ]);
  let result: BlindPair["result"] = null;
  let resultError: string | null = null;
  if (stored?.result) {
    const parsed = JSON.parse(stored.result) as { columns: string[]; rows: unknown[][] };
    result = { columns: parsed.columns, rows: parsed.rows.slice(0, SHOWN_ROWS), rowCount: stored.resultRowCount ?? parsed.rows.length };
  } else {
    const executed = await runOnSandbox(db, projectId, original.sql).catch((error: unknown): Executed => {
      // No sandbox (or its file is gone): the pair is still shown, with why there is no result.
      if (error instanceof AppError) return { ok: false, error: error.message };
      throw error;
    });
    if (executed.ok) result = { columns: executed.columns, rows: executed.rows.slice(0, SHOWN_ROWS), rowCount: executed.rowCount };
    else resultError = executed.error;
  }
  return {
    id: pair.id,
    question: original.question,
    sql: original.sql,
    complexity: stored?.complexity ?? null,
    shape: stored?.shape ?? pair.query.shape,
    result,
    resultError,
    submitted: mine ? { decision: mine.decision, reason: mine.reason, sql: mine.sql, createdAt: mine.createdAt.toISOString() } : null,
  };
}

type Executed = { ok: true; columns: string[]; rows: unknown[][]; rowCount: number } | { ok: false; error: string };

/** Runs SQL read-only on the active sandbox under the ground-truth checks (single SELECT, row cap, time limit). */
async function runOnSandbox(db: Db, projectId: string, sql: string): Promise<Executed> {
  const sandbox = await requireActiveSandbox(db, projectId);
  const analysis = await analyzeSql(sql);
  const executed = await executeGroundTruth(sandbox.path, sql, analysis.ok && analysis.topLevelOrderBy);
  if (!executed.ok) return executed;
  return { ok: true, columns: executed.result.columns.map((c) => c.name), rows: executed.result.rows, rowCount: executed.rowCount };
}

/**
 * Store my blind second review of a pair. SQL that differs from the one shown must run on the
 * sandbox as a single SELECT, else nothing is saved. The decision judges the pair with the SQL
 * submitted (a fix and an approval: correct once fixed). The pair itself is never changed. After
 * submitting, the pair's current review state is returned, so the reviewer learns whether the
 * first review agrees.
 */
export async function submitSecondReview(db: Db, projectId: string, pairId: string, userId: string, input: SubmitSecondReviewInput) {
  const pair = await findPairFor(db, projectId, pairId, userId);
  const existing = await db.secondReview.findUnique({ where: { pairId_reviewerId: { pairId, reviewerId: userId } }, select: { createdAt: true } });
  if (existing) throw alreadySubmitted();
  const original = (await originalsOf(db, [{ id: pair.id, question: pair.question, sql: pair.query.sql }])).get(pair.id)!;
  const shownSql = original.sql;
  const given = input.sql?.trim();
  const sql = given && given !== shownSql.trim() ? given : shownSql;
  if (sql !== shownSql) {
    const executed = await runOnSandbox(db, projectId, sql);
    if (!executed.ok) throw new ValidationError(`The SQL did not run on the sandbox: ${executed.error} Nothing was saved.`);
  }
  try {
    const created = await db.secondReview.create({
      data: { pairId, projectId, reviewerId: userId, decision: input.decision, reason: input.reason ?? null, sql, shownSql },
      select: { id: true, decision: true, reason: true, sql: true, createdAt: true },
    });
    const now = await db.pair.findUniqueOrThrow({ where: { id: pairId }, select: { reviewState: true } });
    return {
      id: created.id,
      decision: created.decision,
      reason: created.reason,
      sql: created.sql,
      sqlChanged: sql !== shownSql,
      createdAt: created.createdAt.toISOString(),
      firstReview: { reviewState: now.reviewState },
    };
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw alreadySubmitted();
    throw error;
  }
}

function alreadySubmitted(): ConflictError {
  return new ConflictError("You already submitted your second review of this pair. It cannot be changed, so that it stays independent of the first review.");
}
