import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { toCsv } from "@/lib/audit/csv";

export const auditFilterInput = z.object({
  action: z.string().trim().max(60).optional(),
  entityType: z.string().trim().max(60).optional(),
  userId: z.string().trim().max(60).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  take: z.coerce.number().int().min(1).max(10_000).default(200),
  format: z.enum(["json", "csv"]).optional(),
});
export type AuditFilter = z.infer<typeof auditFilterInput>;

const REVIEW_ACTIONS = ["approve", "reject", "reopen", "edit_question", "edit_sql"];

/**
 * The audit trail of a project: AuditEvent rows, plus each pair's review history (ReviewEvent rows,
 * the append-only record of every decision and edit), merged newest first as `pair.<action>`.
 */
export async function listAuditEvents(db: Db, projectId: string, filter: Partial<AuditFilter> = {}) {
  const take = filter.take ?? 200;
  const createdAt = filter.from || filter.to ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {};
  const where = {
    projectId,
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.entityType ? { entityType: filter.entityType } : {}),
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...createdAt,
  };
  const reviewActions = REVIEW_ACTIONS.filter((a) => !filter.action || `pair.${a}`.startsWith(filter.action) || filter.action.startsWith(`pair.${a}`));
  const wantReviews = (!filter.entityType || filter.entityType === "pair") && reviewActions.length > 0;
  const [events, reviews, actions, reviewCounts] = await Promise.all([
    db.auditEvent.findMany({ where, orderBy: { createdAt: "desc" }, take }),
    wantReviews
      ? db.reviewEvent.findMany({
          where: { pair: { projectId }, action: { in: reviewActions }, ...(filter.userId ? { userId: filter.userId } : {}), ...createdAt },
          orderBy: { createdAt: "desc" },
          take,
          include: { pair: { select: { question: true } } },
        })
      : Promise.resolve([]),
    db.auditEvent.groupBy({ by: ["action"], where: { projectId }, _count: { _all: true } }),
    db.reviewEvent.groupBy({ by: ["action"], where: { pair: { projectId } }, _count: { _all: true } }),
  ]);
  const userIds = [...new Set([...events, ...reviews].map((e) => e.userId).filter((u): u is string => !!u))];
  const users = new Map((await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
  const rows = [
    ...events.map((e) => ({
      id: e.id,
      at: e.createdAt.toISOString(),
      user: e.userId ? (users.get(e.userId) ?? e.userId) : "system",
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      summary: e.summary,
      before: e.before ? (JSON.parse(e.before) as unknown) : null,
      after: e.after ? (JSON.parse(e.after) as unknown) : null,
    })),
    ...reviews.map((r) => ({
      id: r.id,
      at: r.createdAt.toISOString(),
      user: r.userId ? (users.get(r.userId) ?? r.userId) : "system",
      action: `pair.${r.action}`,
      entityType: "pair",
      entityId: r.pairId,
      summary: `${r.action.replace("_", " ")} → revision ${r.revision}: “${r.pair.question.slice(0, 120)}”`,
      before: JSON.parse(r.before) as unknown,
      after: JSON.parse(r.after) as unknown,
    })),
  ]
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, take);
  return {
    actions: [
      ...actions.map((a) => ({ action: a.action, count: a._count._all })),
      ...reviewCounts.map((a) => ({ action: `pair.${a.action}`, count: a._count._all })),
    ].sort((a, b) => a.action.localeCompare(b.action)),
    events: rows,
  };
}

export async function exportAuditEvents(db: Db, projectId: string, filter: Partial<AuditFilter>, format: "json" | "csv") {
  const { events } = await listAuditEvents(db, projectId, { ...filter, take: filter.take ?? 10_000 });
  if (format === "json") return { body: JSON.stringify(events, null, 2), contentType: "application/json" };
  const rows = events.map((e) => [e.at, e.user, e.action, e.entityType, e.entityId, e.summary, e.before, e.after]);
  return { body: toCsv(["at", "user", "action", "entity_type", "entity_id", "summary", "before", "after"], rows), contentType: "text/csv; charset=utf-8" };
}
