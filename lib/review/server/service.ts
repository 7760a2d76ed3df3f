import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import type Database from "better-sqlite3";
import { getFastSqlite, prepared, sqliteNow } from "@/lib/db/server/sqlite-fast";
import { newRowId } from "@/lib/db/ids";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeGroundTruth } from "@/lib/queries/server/service";
import { lintWithExecution } from "@/lib/queries/server/lint-exec";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { getLintHints } from "@/lib/queries/lint";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { REVIEW_STATES, type ReviewState, nextStateFor, type ReviewAction } from "@/lib/review/states";

function noLabel(): ValidationError {
  return new ValidationError("This pair's SQL has no result on the sandbox, so it cannot be a label. Fix the SQL first.");
}

/** decidePair on SQLite: the same checks and writes as the Prisma path, as prepared statements. */
function decidePairSqlite(conn: Database.Database, projectId: string, pairId: string, input: z.infer<typeof decidePairInput>, userId: string | null) {
  const next = nextStateFor(input.action as ReviewAction);
  const decide = conn.transaction(() => {
    const pair = prepared(conn, `SELECT p.revision, p.reviewState, q.resultRowCount FROM "Pair" p JOIN "Query" q ON q.id = p.queryId WHERE p.id = ? AND p.projectId = ?`).get(pairId, projectId) as
      | { revision: number; reviewState: string; resultRowCount: number | null }
      | undefined;
    if (!pair) throw new NotFoundError("This pair does not exist in this project.");
    if (pair.revision !== input.revision) throw staleRevision();
    if (input.action === "approve" && pair.resultRowCount === null) throw noLabel();
    const now = sqliteNow();
    const updated = prepared(conn, `UPDATE "Pair" SET reviewState = ?, revision = revision + 1, reviewedById = ?, reviewedAt = ?, updatedAt = ? WHERE id = ? AND revision = ?`).run(
      next,
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
      JSON.stringify({ reviewState: pair.reviewState }),
      JSON.stringify({ reviewState: next }),
      now,
    );
  });
  decide.immediate();
  return { id: pairId, reviewState: next, revision: input.revision + 1 };
}

export const listPairsInput = z.object({
  state: z.enum(REVIEW_STATES).optional(),
  q: z.string().trim().max(200).optional(),
  take: z.coerce.number().int().min(1).max(500).default(200),
});

export const decidePairInput = z.object({
  action: z.enum(["approve", "reject", "reopen"]),
  revision: z.number().int().min(1),
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

export async function listPairs(db: Db, projectId: string, filter: Partial<z.infer<typeof listPairsInput>> = {}) {
  await getProject(db, projectId);
  const where = {
    projectId,
    ...(filter.state ? { reviewState: filter.state } : {}),
    ...(filter.q ? { OR: [{ question: { contains: filter.q } }, { query: { sql: { contains: filter.q } } }] } : {}),
  };
  const [pairs, counts] = await Promise.all([
    db.pair.findMany({
      where,
      orderBy: { createdAt: "asc" },
      take: filter.take ?? 200,
      include: { query: { select: { sql: true, complexity: true, shape: true, resultRowCount: true, lintFlags: true } } },
    }),
    db.pair.groupBy({ by: ["reviewState"], where: { projectId }, _count: { _all: true } }),
  ]);
  return {
    counts: Object.fromEntries(counts.map((c) => [c.reviewState, c._count._all])) as Partial<Record<ReviewState, number>>,
    pairs: pairs.map((p) => ({
      id: p.id,
      question: p.question,
      style: p.style,
      reviewState: p.reviewState as ReviewState,
      revision: p.revision,
      sql: p.query.sql,
      complexity: p.query.complexity,
      shape: p.query.shape,
      rowCount: p.query.resultRowCount,
      flagCount: (JSON.parse(p.query.lintFlags) as unknown[]).length,
    })),
  };
}

export async function getPairDetail(db: Db, projectId: string, pairId: string) {
  const pair = await db.pair.findFirst({
    where: { id: pairId, projectId },
    include: { query: true, events: { orderBy: { createdAt: "desc" }, take: 20 } },
  });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  return {
    id: pair.id,
    question: pair.question,
    style: pair.style,
    reviewState: pair.reviewState as ReviewState,
    revision: pair.revision,
    sql: pair.query.sql,
    complexity: pair.query.complexity,
    shape: pair.query.shape,
    lintFlags: JSON.parse(pair.query.lintFlags) as { code: string; message: string }[],
    executionError: pair.query.executionError,
    result: pair.query.result ? (JSON.parse(pair.query.result) as { columns: string[]; types?: string[]; rows: unknown[][] }) : null,
    events: pair.events.map((e) => ({ id: e.id, action: e.action, revision: e.revision, createdAt: e.createdAt.toISOString(), userId: e.userId })),
  };
}

/** Approve, reject or reopen. The revision the reviewer saw must still be current. */
export async function decidePair(db: Db, projectId: string, pairId: string, input: z.infer<typeof decidePairInput>, userId?: string | null) {
  const fast = getFastSqlite(db);
  if (fast) return decidePairSqlite(fast, projectId, pairId, input, userId ?? null);
  // resultRowCount is set exactly when a result is stored; reading it spares loading the result.
  const pair = await db.pair.findFirst({ where: { id: pairId, projectId }, select: { revision: true, reviewState: true, query: { select: { resultRowCount: true } } } });
  if (!pair) throw new NotFoundError("This pair does not exist in this project.");
  if (pair.revision !== input.revision) throw staleRevision();
  if (input.action === "approve" && pair.query.resultRowCount === null) throw noLabel();
  const next = nextStateFor(input.action as ReviewAction);
  return db.$transaction(async (tx) => {
    const { count } = await tx.pair.updateMany({
      where: { id: pairId, revision: input.revision },
      data: { reviewState: next, revision: { increment: 1 }, reviewedById: userId ?? null, reviewedAt: new Date() },
    });
    if (count !== 1) throw staleRevision();
    // createMany: one row, without reading it back (this runs on every decision).
    await tx.reviewEvent.createMany({
      data: [
        {
          pairId,
          userId: userId ?? null,
          action: input.action,
          revision: input.revision + 1,
          before: JSON.stringify({ reviewState: pair.reviewState }),
          after: JSON.stringify({ reviewState: next }),
        },
      ],
    });
    return { id: pairId, reviewState: next, revision: input.revision + 1 };
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
      data: { question, queryId, revision: { increment: 1 }, reviewState: "pending", reviewedById: userId ?? null, reviewedAt: new Date() },
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
