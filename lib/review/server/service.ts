import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import type Database from "better-sqlite3";
import { getFastSqlite, prepared, sqliteNow } from "@/lib/db/server/sqlite-fast";
import { newRowId } from "@/lib/db/ids";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeGroundTruth } from "@/lib/queries/server/service";
import { lintWithExecution } from "@/lib/queries/server/lint-exec";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { getLintHints } from "@/lib/queries/lint";
import { getLatestSchema, getSchemaVersion } from "@/lib/schema/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { type ReviewState, nextStateFor } from "@/lib/review/states";
import { PAIR_FLAGS, REJECT_REASONS, parseFlags } from "@/lib/review/flags";
import { tablesRead } from "@/lib/queries/features";
import { cleanFilter, PAIR_SORTS, pairFilterInput, type PairSort } from "@/lib/review/filter";
import { buildPairWhere, notBlindTo } from "@/lib/review/server/filter";
import type { Prisma } from "@/lib/generated/sqlite/client";

function noLabel(): ValidationError {
  return new ValidationError("This pair's SQL has no result on the sandbox, so it cannot be a label. Fix the SQL first.");
}

/** The pair columns a decision writes: state, and the reject reason / flags when given. */
function decisionColumns(input: DecidePairInput, current: { reviewState: string; rejectReason: string | null; flags: string }) {
  const reviewState = input.action === "flag" ? current.reviewState : nextStateFor(input.action);
  // A reject keeps its reason; any other change of state clears it.
  const rejectReason = input.action === "reject" ? (input.reason ?? null) : input.action === "flag" ? current.rejectReason : null;
  const flags = input.flags ? JSON.stringify([...new Set(input.flags)]) : current.flags;
  return { reviewState, rejectReason, flags };
}

function decisionEvent(input: DecidePairInput, current: { reviewState: string; rejectReason: string | null; flags: string }, next: ReturnType<typeof decisionColumns>) {
  const before: Record<string, unknown> = { reviewState: current.reviewState };
  const after: Record<string, unknown> = { reviewState: next.reviewState };
  if (current.rejectReason !== next.rejectReason) {
    before.rejectReason = current.rejectReason;
    after.rejectReason = next.rejectReason;
  }
  if (current.flags !== next.flags) {
    before.flags = parseFlags(current.flags);
    after.flags = parseFlags(next.flags);
  }
  return { before: JSON.stringify(before), after: JSON.stringify(after) };
}

/** decidePair on SQLite: the same checks and writes as the Prisma path, as prepared statements. */
function decidePairSqlite(conn: Database.Database, projectId: string, pairId: string, input: DecidePairInput, userId: string | null) {
  const decide = conn.transaction(() => {
    const pair = prepared(conn, `SELECT p.revision, p.reviewState, p.rejectReason, p.flags, q.resultRowCount FROM "Pair" p JOIN "Query" q ON q.id = p.queryId WHERE p.id = ? AND p.projectId = ?`).get(pairId, projectId) as
      | { revision: number; reviewState: string; rejectReason: string | null; flags: string; resultRowCount: number | null }
      | undefined;
    if (!pair) throw new NotFoundError("This pair does not exist in this project.");
    if (pair.revision !== input.revision) throw staleRevision();
    if (input.action === "approve" && pair.resultRowCount === null) throw noLabel();
    const next = decisionColumns(input, pair);
    const event = decisionEvent(input, pair, next);
    const now = sqliteNow();
    const updated = prepared(conn, `UPDATE "Pair" SET reviewState = ?, rejectReason = ?, flags = ?, revision = revision + 1, reviewedById = ?, reviewedAt = ?, updatedAt = ? WHERE id = ? AND revision = ?`).run(
      next.reviewState,
      next.rejectReason,
      next.flags,
      userId,
      now,
      now,
      pairId,
      input.revision,
    );
    if (updated.changes !== 1) throw staleRevision();
    prepared(conn, `INSERT INTO "ReviewEvent" (id, pairId, userId, action, revision, before, after, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(
      newRowId(),
      pairId,
      userId,
      input.action,
      input.revision + 1,
      event.before,
      event.after,
      now,
    );
    return { id: pairId, reviewState: next.reviewState as ReviewState, revision: input.revision + 1, rejectReason: next.rejectReason, flags: parseFlags(next.flags) };
  });
  return decide.immediate();
}

export const listPairsInput = pairFilterInput.extend({
  sort: z.enum(PAIR_SORTS).default("created"),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  take: z.coerce.number().int().min(1).max(500).default(200),
});
export type ListPairsInput = z.input<typeof listPairsInput>;

export const decidePairInput = z
  .object({
    action: z.enum(["approve", "reject", "reopen", "flag"]),
    revision: z.number().int().min(1),
    reason: z.enum(REJECT_REASONS, { error: "Pick one of the listed reasons." }).optional(),
    flags: z.array(z.enum(PAIR_FLAGS, { error: "Unknown flag." })).max(PAIR_FLAGS.length).optional(),
  })
  .refine((v) => v.reason === undefined || v.action === "reject", { message: "A reason goes with a reject only.", path: ["reason"] })
  .refine((v) => v.action !== "flag" || v.flags !== undefined, { message: "Say which flags the pair should have.", path: ["flags"] });
export type DecidePairInput = z.infer<typeof decidePairInput>;

export const addCommentInput = z.object({
  body: z.string().trim().min(1, "Write something first.").max(5_000, "Keep a comment under 5,000 characters."),
});

export const editPairInput = z
  .object({
    question: z.string().trim().min(3, "The question is too short.").max(2_000, "Keep the question under 2,000 characters.").optional(),
    sql: z.string().trim().min(1, "The SQL is empty.").max(100_000, "The SQL is over 100 KB.").optional(),
    revision: z.number().int().min(1),
  })
  .refine((v) => v.question !== undefined || v.sql !== undefined, { message: "Change the question or the SQL." });

export const runSqlInput = z.object({ sql: z.string().min(1, "Type a query first.").max(100_000, "The SQL is over 100 KB.") });

function staleRevision(): ConflictError {
  return new ConflictError("Someone else changed this pair since you opened it. Reload it to see their change, then decide again.");
}

const ORDER_BY: Record<PairSort, Prisma.PairOrderByWithRelationInput[]> = {
  created: [{ createdAt: "asc" }, { id: "asc" }],
  "-created": [{ createdAt: "desc" }, { id: "desc" }],
  "-updated": [{ updatedAt: "desc" }, { id: "desc" }],
  rows: [{ query: { resultRowCount: { sort: "asc", nulls: "first" } } }, { id: "asc" }],
  "-rows": [{ query: { resultRowCount: { sort: "desc", nulls: "last" } } }, { id: "asc" }],
  question: [{ question: "asc" }, { id: "asc" }],
  shape: [{ query: { shape: "asc" } }, { createdAt: "asc" }, { id: "asc" }],
};

/**
 * One window of the pairs matching a filter, in a stable order, with the total that match (for the
 * list's scroll height) and the per-state counts of the whole project.
 */
export async function listPairs(db: Db, projectId: string, input: ListPairsInput = {}, userId?: string | null) {
  await getProject(db, projectId);
  const { sort, offset, take, ...rest } = listPairsInput.parse(input);
  const filter = cleanFilter(rest);
  const base = buildPairWhere(projectId, filter, userId);
  const where: Prisma.PairWhereInput = userId ? { AND: [base, notBlindTo(userId)] } : base;
  const [pairs, total, counts] = await Promise.all([
    db.pair.findMany({
      where,
      orderBy: ORDER_BY[sort],
      skip: offset,
      take,
      select: {
        id: true,
        question: true,
        style: true,
        reviewState: true,
        revision: true,
        flags: true,
        rejectReason: true,
        assigneeId: true,
        secondReviewerId: true,
        questionSource: true,
        roundTripStatus: true,
        query: { select: { complexity: true, shape: true, origin: true, resultRowCount: true, lintFlags: true } },
        _count: { select: { comments: true } },
      },
    }),
    db.pair.count({ where }),
    db.pair.groupBy({ by: ["reviewState"], where: { projectId }, _count: { _all: true } }),
  ]);
  return {
    total,
    offset,
    counts: Object.fromEntries(counts.map((c) => [c.reviewState, c._count._all])) as Partial<Record<ReviewState, number>>,
    pairs: pairs.map((p) => ({
      id: p.id,
      question: p.question,
      style: p.style,
      reviewState: p.reviewState as ReviewState,
      revision: p.revision,
      complexity: p.query.complexity,
      shape: p.query.shape,
      origin: p.query.origin,
      rowCount: p.query.resultRowCount,
      lintCount: (JSON.parse(p.query.lintFlags) as unknown[]).length,
      flags: parseFlags(p.flags),
      rejectReason: p.rejectReason,
      commentCount: p._count.comments,
      assigneeId: p.assigneeId,
      secondReviewerId: p.secondReviewerId,
      questionSource: p.questionSource,
      roundTripStatus: p.roundTripStatus,
    })),
  };
}
export type PairListPage = Awaited<ReturnType<typeof listPairs>>;
export type PairListRow = PairListPage["pairs"][number];

/** Refuses a pair's first review, edits, comments and history to its blind second reviewer until they have judged it. */
export async function assertNotBlind(db: Db, projectId: string, pairId: string, userId: string | null | undefined) {
  if (!userId) return;
  const blind = await db.pair.count({ where: { id: pairId, projectId, secondReviewerId: userId, secondReviews: { none: { reviewerId: userId } } } });
  if (blind) throw new ForbiddenError("You are this pair's blind second reviewer: judge it under “My second reviews” first. Its first review stays hidden until then.");
}

export async function getPairDetail(db: Db, projectId: string, pairId: string, userId?: string | null) {
  const pair = await db.pair.findFirst({
    where: { id: pairId, projectId },
    include: { query: true, comments: { orderBy: { createdAt: "asc" }, take: 200 } },
  });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  await assertNotBlind(db, projectId, pairId, userId);
  const people = [...new Set([pair.reviewedById, pair.assigneeId, ...pair.comments.map((c) => c.userId)].filter((id): id is string => !!id))];
  const users = people.length ? await db.user.findMany({ where: { id: { in: people } }, select: { id: true, name: true, email: true } }) : [];
  const nameOf = (id: string | null) => (id ? (users.find((u) => u.id === id)?.name ?? users.find((u) => u.id === id)?.email ?? "a former member") : null);
  return {
    id: pair.id,
    question: pair.question,
    style: pair.style,
    reviewState: pair.reviewState as ReviewState,
    revision: pair.revision,
    sql: pair.query.sql,
    queryId: pair.queryId,
    complexity: pair.query.complexity,
    shape: pair.query.shape,
    origin: pair.query.origin,
    tables: tablesRead(pair.query.features),
    orderMatters: pair.query.topLevelOrderBy,
    lintFlags: JSON.parse(pair.query.lintFlags) as { code: string; message: string }[],
    executionError: pair.query.executionError,
    rowCount: pair.query.resultRowCount,
    result: pair.query.result ? (JSON.parse(pair.query.result) as { columns: string[]; types?: string[]; rows: unknown[][] }) : null,
    flags: parseFlags(pair.flags),
    rejectReason: pair.rejectReason,
    questionSource: pair.questionSource,
    roundTripStatus: pair.roundTripStatus,
    roundTrip: pair.roundTrip ? (JSON.parse(pair.roundTrip) as { sql?: string; reason?: string; checkedAt?: string; model?: string }) : null,
    reviewedBy: nameOf(pair.reviewedById),
    reviewedAt: pair.reviewedAt?.toISOString() ?? null,
    assignee: nameOf(pair.assigneeId),
    assigneeId: pair.assigneeId,
    secondReviewerId: pair.secondReviewerId,
    comments: pair.comments.map((c) => ({ id: c.id, body: c.body, createdAt: c.createdAt.toISOString(), author: nameOf(c.userId) ?? "someone", userId: c.userId })),
  };
}
export type PairDetail = Awaited<ReturnType<typeof getPairDetail>>;

/** A comment on a pair; comments never change the pair's revision, so they never conflict. */
export async function addComment(db: Db, projectId: string, pairId: string, input: z.infer<typeof addCommentInput>, userId?: string | null) {
  const pair = await db.pair.findFirst({ where: { id: pairId, projectId }, select: { id: true } });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  const comment = await db.reviewComment.create({ data: { pairId, userId: userId ?? null, body: input.body } });
  return { id: comment.id, body: comment.body, createdAt: comment.createdAt.toISOString() };
}

/** Approve, reject, reopen or re-flag. The revision the reviewer saw must still be current. */
export async function decidePair(db: Db, projectId: string, pairId: string, input: DecidePairInput, userId?: string | null) {
  const fast = getFastSqlite(db);
  if (fast) return decidePairSqlite(fast, projectId, pairId, input, userId ?? null);
  // resultRowCount is set exactly when a result is stored; reading it spares loading the result.
  const pair = await db.pair.findFirst({
    where: { id: pairId, projectId },
    select: { revision: true, reviewState: true, rejectReason: true, flags: true, query: { select: { resultRowCount: true } } },
  });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  if (pair.revision !== input.revision) throw staleRevision();
  if (input.action === "approve" && pair.query.resultRowCount === null) throw noLabel();
  const next = decisionColumns(input, pair);
  const event = decisionEvent(input, pair, next);
  return db.$transaction(async (tx) => {
    const { count } = await tx.pair.updateMany({
      where: { id: pairId, revision: input.revision },
      data: { ...next, revision: { increment: 1 }, reviewedById: userId ?? null, reviewedAt: new Date() },
    });
    if (count !== 1) throw staleRevision();
    // createMany: one row, without reading it back (this runs on every decision).
    await tx.reviewEvent.createMany({ data: [{ pairId, userId: userId ?? null, action: input.action, revision: input.revision + 1, ...event }] });
    return { id: pairId, reviewState: next.reviewState as ReviewState, revision: input.revision + 1, rejectReason: next.rejectReason, flags: parseFlags(next.flags) };
  });
}

/**
 * Change a pair's question and/or SQL. New SQL is executed on the active sandbox first; if it
 * does not run, nothing is saved and the error says why. An edited pair goes back to pending
 * unless the reviewer approves it in the same step.
 */
export async function editPair(db: Db, projectId: string, pairId: string, input: z.infer<typeof editPairInput>, userId?: string | null) {
  const pair = await db.pair.findFirst({ where: { id: pairId, projectId }, include: { query: true } });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  if (pair.revision !== input.revision) throw staleRevision();
  let queryId = pair.queryId;
  const sqlChanged = input.sql !== undefined && input.sql !== pair.query.sql;
  if (sqlChanged) {
    const sql = input.sql!;
    const sandbox = await requireActiveSandbox(db, projectId);
    const analysis = await analyzeSql(sql);
    const executed = await executeGroundTruth(sandbox.path, sql, analysis.ok && analysis.topLevelOrderBy);
    if (!executed.ok) throw new ValidationError(`The SQL did not run on the sandbox: ${executed.error} Nothing was saved.`);
    const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
    const flags = analysis.ok
      ? await lintWithExecution(sandbox.path, sql, analysis.features, { hints: getLintHints(schema.model), result: executed.result, question: input.question ?? pair.question })
      : [];
    const query = await db.query.upsert({
      where: { projectId_sql: { projectId, sql } },
      create: {
        projectId,
        schemaVersionId: sandbox.schemaVersionId,
        sql,
        origin: "review",
        shape: pair.query.shape,
        complexity: analysis.ok ? analysis.complexity : pair.query.complexity,
        features: analysis.ok ? JSON.stringify(analysis.features) : "{}",
        templateHash: analysis.ok ? analysis.templateHash : "",
        astHash: analysis.ok ? analysis.astHash : "",
        topLevelOrderBy: analysis.ok ? analysis.topLevelOrderBy : /\border\s+by\b/i.test(sql),
        lintFlags: JSON.stringify(flags),
        result: executed.stored,
        resultRowCount: executed.rowCount,
        resultHash: executed.hash,
        resultSandboxId: sandbox.id,
        executedAt: new Date(),
      },
      update: { result: executed.stored, resultRowCount: executed.rowCount, resultHash: executed.hash, resultSandboxId: sandbox.id, executionError: null, executedAt: new Date() },
    });
    queryId = query.id;
  }
  const question = input.question ?? pair.question;
  return db.$transaction(async (tx) => {
    const { count } = await tx.pair.updateMany({
      where: { id: pairId, revision: input.revision },
      data: { question, queryId, revision: { increment: 1 }, reviewState: "pending", rejectReason: null, reviewedById: userId ?? null, reviewedAt: new Date() },
    });
    if (count !== 1) throw staleRevision();
    await tx.reviewEvent.create({
      data: {
        pairId,
        userId: userId ?? null,
        action: sqlChanged ? "edit_sql" : "edit_question",
        revision: input.revision + 1,
        before: JSON.stringify({ question: pair.question, sql: pair.query.sql, reviewState: pair.reviewState }),
        after: JSON.stringify({ question, sql: sqlChanged ? input.sql : pair.query.sql, reviewState: "pending" }),
      },
    });
    return { id: pairId, revision: input.revision + 1, reviewState: "pending" as const };
  });
}

/** Run a reviewer's SQL on the active sandbox without saving anything (the editor's Run button). */
export async function runSqlOnSandbox(db: Db, projectId: string, sql: string) {
  const sandbox = await requireActiveSandbox(db, projectId);
  return executeReadOnly(sandbox.path, sql, { timeoutMs: 5_000, maxRows: 500 });
}

/** What the review page needs besides pairs: the schema for completion and the schema panel, and who can be named in filters. */
export async function getReviewContext(db: Db, projectId: string) {
  const [schema, members] = await Promise.all([
    getLatestSchema(db, projectId),
    db.projectMember.findMany({ where: { projectId }, include: { user: { select: { id: true, name: true, email: true } } }, orderBy: { createdAt: "asc" } }),
  ]);
  return {
    schema: { tables: (schema?.model.tables ?? []).map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ name: c.name, type: c.type })) })) },
    members: members.map((m) => ({ id: m.user.id, name: m.user.name ?? "", email: m.user.email, role: m.role })),
  };
}
