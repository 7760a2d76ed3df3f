import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { recordAudit } from "@/lib/audit/server/audit";

// The regression set: items a run broke, which every later run of the project also answers
// (lib/evaluation/server/plan.ts adds them), so a fix that breaks them again shows at once.

export const regressionChangeInput = z.object({
  itemIds: z.array(z.string().min(1).max(64)).min(1, "Pick at least one item.").max(5_000, "At most 5,000 items at a time."),
  /** The run the items were found in (kept as provenance) */
  runId: z.string().max(64).optional(),
  note: z.string().trim().max(500, "Keep the note under 500 characters.").default(""),
});

export async function listRegressionItems(db: Db, projectId: string) {
  await getProject(db, projectId);
  const items = await db.regressionItem.findMany({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    include: { item: { select: { question: true, redactedQuestion: true, sql: true, complexity: true, shape: true, datasetVersion: { select: { version: true } } } } },
  });
  // The latest answer each item got, so the list shows whether it is still broken.
  const latest = new Map<string, { outcome: string; runId: string; at: string }>();
  if (items.length > 0) {
    const answers = await db.evalResult.findMany({
      where: { itemId: { in: items.map((i) => i.itemId) }, repeat: 0, evalRun: { projectId } },
      orderBy: { createdAt: "desc" },
      select: { itemId: true, outcome: true, evalRunId: true, createdAt: true },
    });
    for (const a of answers) if (!latest.has(a.itemId)) latest.set(a.itemId, { outcome: a.outcome, runId: a.evalRunId, at: a.createdAt.toISOString() });
  }
  return items.map((r) => ({
    itemId: r.itemId,
    question: r.item.redactedQuestion ?? r.item.question,
    sql: r.item.sql,
    complexity: r.item.complexity,
    shape: r.item.shape,
    datasetVersion: r.item.datasetVersion.version,
    addedFromRunId: r.addedFromRunId,
    note: r.note,
    addedAt: r.createdAt.toISOString(),
    latest: latest.get(r.itemId) ?? null,
  }));
}

export async function addRegressionItems(db: Db, projectId: string, input: z.infer<typeof regressionChangeInput>, userId?: string | null) {
  await getProject(db, projectId);
  const ids = [...new Set(input.itemIds)];
  const found = await db.datasetItem.findMany({ where: { id: { in: ids }, datasetVersion: { projectId } }, select: { id: true } });
  if (found.length !== ids.length) throw new NotFoundError(`${ids.length - found.length} of those items do not exist in this project.`);
  if (input.runId && !(await db.evalRun.findFirst({ where: { id: input.runId, projectId }, select: { id: true } }))) {
    throw new ValidationError("That run does not exist in this project.");
  }
  // One insert per item, outside a transaction: two people adding the same items at once each add
  // what is not there yet, and a duplicate (the unique key) counts as already there instead of
  // failing the request (PostgreSQL would abort a whole transaction on it).
  let added = 0;
  for (const itemId of ids) {
    try {
      await db.regressionItem.create({ data: { projectId, itemId, addedFromRunId: input.runId ?? null, addedById: userId ?? null, note: input.note } });
      added++;
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
  }
  if (added > 0) {
    await recordAudit(db, { projectId, userId, action: "eval.regression_add", entityType: "eval_run", entityId: input.runId ?? null, summary: `Added ${added} item${added === 1 ? "" : "s"} to the regression set` });
  }
  return { added, alreadyThere: ids.length - added };
}

export async function removeRegressionItems(db: Db, projectId: string, itemIds: string[], userId?: string | null) {
  await getProject(db, projectId);
  const { count } = await db.regressionItem.deleteMany({ where: { projectId, itemId: { in: itemIds } } });
  if (count > 0) await recordAudit(db, { projectId, userId, action: "eval.regression_remove", entityType: "project", entityId: projectId, summary: `Removed ${count} item${count === 1 ? "" : "s"} from the regression set` });
  return { removed: count };
}
