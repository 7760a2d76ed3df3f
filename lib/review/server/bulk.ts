import "server-only";
import { z } from "zod";
import type Database from "better-sqlite3";
import type { Db, Tx } from "@/lib/db/server/client";
import { getFastSqlite, prepared, sqliteNow } from "@/lib/db/server/sqlite-fast";
import { newRowId } from "@/lib/db/ids";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { recordAudit } from "@/lib/audit/server/audit";
import { pairFilterInput, type PairFilter } from "@/lib/review/filter";
import { buildPairWhere, sqliteWhere } from "@/lib/review/server/filter";
import { nextStateFor, type ReviewAction, type ReviewState } from "@/lib/review/states";

// Bulk decisions act on every pair matching the review filter, not only the page on screen. The
// user confirms a count first; the decision is refused if the matching set has changed size since.
// Each changed pair gets its own ReviewEvent (so per-pair history and revisions stay exact), marked
// with the batch id so the whole batch can be undone. On SQLite the work runs synchronously on the
// plain connection inside one IMMEDIATE transaction, like decidePair's, so the two serialize; on
// PostgreSQL every update names the revision it read, so a concurrent decision makes it fail whole.

/** Rows per statement: 1,000 rows × 8 columns stays far below SQLite's 32,766 bound parameters. */
const CHUNK = 1_000;

export const bulkFilterInput = pairFilterInput;
export type BulkFilter = PairFilter;
export { buildPairWhere };

export const bulkDecideInput = z.object({
  action: z.enum(["approve", "reject", "reopen"]),
  filter: bulkFilterInput.default({}),
  expectedCount: z.number().int().min(0),
  reason: z.string().trim().max(500).optional(),
});
export type BulkDecideInput = z.infer<typeof bulkDecideInput>;

export const undoBulkInput = z.object({ batchId: z.string().min(1).max(64) });

interface Candidate {
  id: string;
  revision: number;
  reviewState: string;
  resultRowCount: number | null;
}

const PAST_TENSE: Record<ReviewAction, string> = { approve: "Approved", reject: "Rejected", reopen: "Reopened" };

/** The decision that leads to a state: how an undo is recorded in a pair's history. */
function actionFor(state: string): ReviewAction {
  return state === "approved" ? "approve" : state === "rejected" ? "reject" : "reopen";
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function countChanged(expected: number, actual: number): ConflictError {
  return new ConflictError(`The filter now matches ${actual} pairs, not the ${expected} you confirmed: someone changed them meanwhile. Check the count again, then confirm.`);
}

function emptyMatch(): ValidationError {
  return new ValidationError("No pair matches this filter. Change the filter, then try again.");
}

/** Which of the matching pairs the decision changes: those not already in its state (and, to approve, with a result). */
function selectTargets(matching: Candidate[], action: ReviewAction): Candidate[] {
  const next = nextStateFor(action);
  const targets = matching.filter((p) => p.reviewState !== next && (action !== "approve" || p.resultRowCount !== null));
  if (targets.length === 0) {
    throw new ValidationError(
      action === "approve"
        ? `None of the ${matching.length} matching pairs can be approved: they are approved already or their SQL has no result on the sandbox.`
        : `All ${matching.length} matching pairs are ${next} already. Nothing was changed.`,
    );
  }
  return targets;
}

function bulkSummary(action: ReviewAction, changed: number, reason?: string): string {
  return `${PAST_TENSE[action]} ${changed} pair${changed === 1 ? "" : "s"} in bulk${reason ? `: ${reason}` : ""}`;
}

function insertAuditSqlite(
  conn: Database.Database,
  event: { projectId: string; userId: string | null; action: string; entityType: string; entityId: string; summary: string; after: unknown },
  now: string,
): void {
  prepared(conn, `INSERT INTO "AuditEvent" (id, projectId, userId, action, entityType, entityId, summary, before, after, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`).run(
    newRowId(),
    event.projectId,
    event.userId,
    event.action,
    event.entityType,
    event.entityId,
    event.summary.slice(0, 500),
    JSON.stringify(event.after),
    now,
  );
}

function updatePairsSqlite(conn: Database.Database, ids: string[], state: string, userId: string | null, now: string, revision?: number): number {
  let changed = 0;
  for (const part of chunks(ids)) {
    const holders = part.map(() => "?").join(", ");
    const guard = revision === undefined ? "" : " AND revision = ?";
    const stmt = prepared(conn, `UPDATE "Pair" SET reviewState = ?, revision = revision + 1, reviewedById = ?, reviewedAt = ?, updatedAt = ? WHERE id IN (${holders})${guard}`);
    changed += stmt.run(state, userId, now, now, ...part, ...(revision === undefined ? [] : [revision])).changes;
  }
  return changed;
}

interface EventRow {
  pairId: string;
  action: string;
  revision: number;
  before: string;
  after: string;
}

function insertEventsSqlite(conn: Database.Database, events: EventRow[], userId: string | null, now: string): void {
  for (const part of chunks(events)) {
    const stmt = prepared(
      conn,
      `INSERT INTO "ReviewEvent" (id, pairId, userId, action, revision, before, after, createdAt) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
    );
    stmt.run(...part.flatMap((e) => [newRowId(), e.pairId, userId, e.action, e.revision, e.before, e.after, now]));
  }
}

/**
 * PostgreSQL: one INSERT … SELECT FROM unnest(arrays) per chunk. The ORM's createMany spends about
 * 150 µs per row building its statement, which alone put 10,000 events past a second and a half.
 */
async function insertEventsPg(tx: Tx, events: EventRow[], userId: string | null, now: Date): Promise<void> {
  for (const part of chunks(events)) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "ReviewEvent" ("id", "pairId", "userId", "action", "revision", "before", "after", "createdAt")
       SELECT e.id, e.pair_id, $7::text, e.action, e.revision, e.before, e.after, ($8::timestamptz AT TIME ZONE 'UTC')
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[]) AS e(id, pair_id, action, revision, before, after)`,
      part.map(() => newRowId()),
      part.map((e) => e.pairId),
      part.map((e) => e.action),
      part.map((e) => e.revision),
      part.map((e) => e.before),
      part.map((e) => e.after),
      userId,
      now.toISOString(),
    );
  }
}

function decisionEvents(targets: Candidate[], action: ReviewAction, batchId: string): EventRow[] {
  const after = JSON.stringify({ reviewState: nextStateFor(action), batch: batchId });
  return targets.map((p) => ({ pairId: p.id, action, revision: p.revision + 1, before: JSON.stringify({ reviewState: p.reviewState }), after }));
}

/** How many pairs a filter matches: the number the user confirms before a bulk decision. */
export async function countBulk(db: Db, projectId: string, filter: BulkFilter = {}, userId?: string | null): Promise<number> {
  await getProject(db, projectId);
  const fast = getFastSqlite(db);
  if (fast) {
    const where = sqliteWhere(projectId, filter, userId);
    const row = prepared(fast, `SELECT COUNT(*) AS n FROM "Pair" p JOIN "Query" q ON q.id = p.queryId WHERE ${where.sql}`).get(...where.params) as { n: number };
    return row.n;
  }
  return db.pair.count({ where: buildPairWhere(projectId, filter, userId) });
}

/**
 * Approve, reject or reopen every pair matching the filter, in one transaction. Pairs already in
 * the target state are left alone, and so are pairs without a result when approving (they cannot be
 * labels). Refused when the filter no longer matches `expectedCount` pairs.
 */
export async function bulkDecide(db: Db, projectId: string, input: BulkDecideInput, userId?: string | null): Promise<{ batchId: string; changed: number }> {
  await getProject(db, projectId);
  const action = input.action as ReviewAction;
  const filter = input.filter ?? {};
  const batchId = newRowId();
  const user = userId ?? null;
  const audit = (changed: number) => ({
    projectId,
    userId: user,
    action: "pairs.bulk_decide",
    entityType: "review_batch",
    entityId: batchId,
    summary: bulkSummary(action, changed, input.reason),
    after: { batch: batchId, action, filter, matched: input.expectedCount, changed, ...(input.reason ? { reason: input.reason } : {}) },
  });

  const fast = getFastSqlite(db);
  if (fast) {
    const decide = fast.transaction(() => {
      const where = sqliteWhere(projectId, filter, user);
      const matching = prepared(fast, `SELECT p.id, p.revision, p.reviewState, q.resultRowCount FROM "Pair" p JOIN "Query" q ON q.id = p.queryId WHERE ${where.sql}`).all(
        ...where.params,
      ) as Candidate[];
      if (matching.length === 0) throw emptyMatch();
      if (matching.length !== input.expectedCount) throw countChanged(input.expectedCount, matching.length);
      const targets = selectTargets(matching, action);
      const now = sqliteNow();
      // The IMMEDIATE transaction holds the write lock since the SELECT: nothing changed in between.
      updatePairsSqlite(
        fast,
        targets.map((p) => p.id),
        nextStateFor(action),
        user,
        now,
      );
      insertEventsSqlite(fast, decisionEvents(targets, action, batchId), user, now);
      insertAuditSqlite(fast, audit(targets.length), now);
      return targets.length;
    });
    return { batchId, changed: decide.immediate() };
  }

  const changed = await db.$transaction(
    async (tx) => {
      const rows = await tx.pair.findMany({
        where: buildPairWhere(projectId, filter, user),
        select: { id: true, revision: true, reviewState: true, query: { select: { resultRowCount: true } } },
      });
      const matching = rows.map((r) => ({ id: r.id, revision: r.revision, reviewState: r.reviewState, resultRowCount: r.query.resultRowCount }));
      if (matching.length === 0) throw emptyMatch();
      if (matching.length !== input.expectedCount) throw countChanged(input.expectedCount, matching.length);
      const targets = selectTargets(matching, action);
      const now = new Date();
      // Each update names the revision it read: a pair decided by someone else meanwhile no longer
      // matches, the counts differ, and the whole batch rolls back instead of overwriting them.
      let updated = 0;
      for (const group of groupBy(targets, (p) => String(p.revision)).values()) {
        for (const part of chunks(group)) {
          const { count } = await tx.pair.updateMany({
            where: { id: { in: part.map((p) => p.id) }, revision: part[0].revision },
            data: { reviewState: nextStateFor(action), revision: { increment: 1 }, reviewedById: user, reviewedAt: now },
          });
          updated += count;
        }
      }
      if (updated !== targets.length) throw pairsChangedMeanwhile();
      await insertEventsPg(tx, decisionEvents(targets, action, batchId), user, now);
      await recordAudit(tx, audit(targets.length));
      return targets.length;
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
  return { batchId, changed };
}

function pairsChangedMeanwhile(): ConflictError {
  return new ConflictError("Some of these pairs were changed by someone else while the bulk decision ran. Nothing was changed; check the count again, then confirm.");
}

interface BatchEvent {
  pairId: string;
  revision: number;
  before: string;
  after: string;
  pairRevision: number;
}

/** The batch's own events (not the events of an undo of it, which also name the batch). */
function ownEvents(events: BatchEvent[], batchId: string): BatchEvent[] {
  return events.filter((e) => (JSON.parse(e.after) as { batch?: string }).batch === batchId);
}

function planUndo(events: BatchEvent[], batchId: string) {
  const revert: { pairId: string; revision: number; from: string; to: ReviewState }[] = [];
  let skipped = 0;
  for (const e of events) {
    // Only a pair still at the revision the batch gave it: a later change by anyone wins.
    if (e.pairRevision !== e.revision) {
      skipped++;
      continue;
    }
    revert.push({
      pairId: e.pairId,
      revision: e.revision,
      from: (JSON.parse(e.after) as { reviewState: string }).reviewState,
      to: (JSON.parse(e.before) as { reviewState: ReviewState }).reviewState,
    });
  }
  const rows: EventRow[] = revert.map((r) => ({
    pairId: r.pairId,
    action: actionFor(r.to),
    revision: r.revision + 1,
    before: JSON.stringify({ reviewState: r.from }),
    after: JSON.stringify({ reviewState: r.to, undoOf: batchId }),
  }));
  return { revert, skipped, rows };
}

function undoSummary(reverted: number, skipped: number): string {
  return `Undid a bulk decision: reverted ${reverted} pair${reverted === 1 ? "" : "s"}${skipped ? `, left ${skipped} changed since as they are` : ""}`;
}

function batchNotFound(): NotFoundError {
  return new NotFoundError("There is no bulk decision with this id in this project.");
}

/**
 * Undo a bulk decision: each pair of the batch goes back to its state before it, unless it was
 * changed since (then it is skipped). A second undo of the same batch reverts nothing.
 */
export async function undoBulk(db: Db, projectId: string, batchId: string, userId?: string | null): Promise<{ reverted: number; skipped: number }> {
  await getProject(db, projectId);
  const user = userId ?? null;
  // JSON.stringify writes no spaces, so this is how the batch id appears in its events' `after`.
  const marker = `"batch":${JSON.stringify(batchId)}`;
  const audit = (reverted: number, skipped: number) => ({
    projectId,
    userId: user,
    action: "pairs.bulk_undo",
    entityType: "review_batch",
    entityId: batchId,
    summary: undoSummary(reverted, skipped),
    after: { undoOf: batchId, reverted, skipped },
  });

  const fast = getFastSqlite(db);
  if (fast) {
    const undo = fast.transaction(() => {
      const found = prepared(
        fast,
        `SELECT e.pairId, e.revision, e.before, e.after, p.revision AS pairRevision FROM "ReviewEvent" e JOIN "Pair" p ON p.id = e.pairId WHERE p.projectId = ? AND instr(e.after, ?) > 0`,
      ).all(projectId, marker) as BatchEvent[];
      const events = ownEvents(found, batchId);
      if (events.length === 0) throw batchNotFound();
      const plan = planUndo(events, batchId);
      const now = sqliteNow();
      for (const group of groupBy(plan.revert, (r) => `${r.to}\u0000${r.revision}`).values()) {
        updatePairsSqlite(
          fast,
          group.map((r) => r.pairId),
          group[0].to,
          user,
          now,
          group[0].revision,
        );
      }
      insertEventsSqlite(fast, plan.rows, user, now);
      insertAuditSqlite(fast, audit(plan.revert.length, plan.skipped), now);
      return { reverted: plan.revert.length, skipped: plan.skipped };
    });
    return undo.immediate();
  }

  return db.$transaction(
    async (tx) => {
      const found = await tx.reviewEvent.findMany({
        where: { after: { contains: marker }, pair: { projectId } },
        select: { pairId: true, revision: true, before: true, after: true, pair: { select: { revision: true } } },
      });
      const events = ownEvents(
        found.map((e) => ({ pairId: e.pairId, revision: e.revision, before: e.before, after: e.after, pairRevision: e.pair.revision })),
        batchId,
      );
      if (events.length === 0) throw batchNotFound();
      const plan = planUndo(events, batchId);
      const now = new Date();
      let updated = 0;
      for (const group of groupBy(plan.revert, (r) => `${r.to}\u0000${r.revision}`).values()) {
        for (const part of chunks(group)) {
          const { count } = await tx.pair.updateMany({
            where: { id: { in: part.map((r) => r.pairId) }, revision: part[0].revision },
            data: { reviewState: part[0].to, revision: { increment: 1 }, reviewedById: user, reviewedAt: now },
          });
          updated += count;
        }
      }
      if (updated !== plan.revert.length) throw pairsChangedMeanwhile();
      await insertEventsPg(tx, plan.rows, user, now);
      await recordAudit(tx, audit(plan.revert.length, plan.skipped));
      return { reverted: plan.revert.length, skipped: plan.skipped };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}
