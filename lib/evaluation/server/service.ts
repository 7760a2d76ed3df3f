import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { AlreadyQueuedError, enqueueJob, enqueueJobWith } from "@/lib/jobs/server/queue";
import { getProject } from "@/lib/projects/server/service";
import { DEFAULT_COMPARE_SETTINGS, type CompareSettings } from "@/lib/evaluation/compare";

export const EVAL_JOB = "eval.run";

export const startEvalInput = z.object({
  datasetVersionId: z.string().min(1, "Pick a dataset version."),
  endpointId: z.string().min(1, "Pick a model endpoint."),
  compare: z
    .object({
      ignoreColumnOrder: z.boolean().optional(),
      floatAbsTol: z.number().min(0).max(1).optional(),
      floatRelTol: z.number().min(0).max(1).optional(),
      nullEqualsNull: z.boolean().optional(),
      orderMatters: z.enum(["auto", "always", "never"]).optional(),
    })
    .default({}),
});

export type StoredCompareSettings = Omit<CompareSettings, "orderMatters"> & { orderMatters: "auto" | "always" | "never" };

export async function startEvalRun(db: Db, projectId: string, input: z.infer<typeof startEvalInput>, userId?: string | null) {
  await getProject(db, projectId);
  const version = await db.datasetVersion.findFirst({ where: { id: input.datasetVersionId, projectId } });
  if (!version) throw new NotFoundError("That dataset version does not exist in this project.");
  if (version.testCount === 0) throw new ValidationError("That dataset version has no test split to evaluate on.");
  const endpoint = await db.modelEndpoint.findFirst({ where: { id: input.endpointId, projectId } });
  if (!endpoint) throw new NotFoundError("That model endpoint does not exist in this project.");
  const settings: StoredCompareSettings = { ...DEFAULT_COMPARE_SETTINGS, orderMatters: "auto", ...input.compare };
  const activeKey = `eval:${version.id}:${endpoint.id}`;
  const out = await enqueueJobWith(db, activeKey, async (tx) => {
    const run = await tx.evalRun.create({
      data: { projectId, datasetVersionId: version.id, endpointId: endpoint.id, compareSettings: JSON.stringify(settings), total: version.testCount, createdById: userId ?? null },
    });
    const { job, created } = await enqueueJob(tx, { type: EVAL_JOB, projectId, payload: { runId: run.id }, activeKey, createdById: userId });
    if (!created) throw new AlreadyQueuedError(job);
    await tx.evalRun.update({ where: { id: run.id }, data: { jobId: job.id } });
    await recordAudit(tx, { projectId, userId, action: "eval.start", entityType: "eval_run", entityId: run.id, summary: `Evaluating ${endpoint.name} on dataset v${version.version}` });
    return { job, value: run };
  });
  if (out.created) return { run: out.value, job: out.job, created: true };
  const run = await db.evalRun.findFirst({ where: { jobId: out.job.id } });
  if (!run) throw new ConflictError("An evaluation of this endpoint on this version is being set up. Try again in a moment.");
  return { run, job: out.job, created: false };
}

