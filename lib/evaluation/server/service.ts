import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { AlreadyQueuedError, enqueueJob, enqueueJobWith } from "@/lib/jobs/server/queue";
import { getProject } from "@/lib/projects/server/service";
import { DEFAULT_COMPARE_SETTINGS, type CompareSettings } from "@/lib/evaluation/compare";
import { evalScopeSchema, runSettingsSchema } from "@/lib/evaluation/run-options";
import { describeScope, planEvalItems } from "@/lib/evaluation/server/plan";
import { parseOrThrow } from "@/lib/validate";

export const EVAL_JOB = "eval.run";

export const startEvalInput = z.object({
  datasetVersionId: z.string().min(1, "Pick a dataset version."),
  endpointId: z.string().min(1, "Pick a model endpoint."),
  /** Shown on dashboards next to the endpoint's name */
  label: z.string().trim().max(80, "Keep the label under 80 characters.").optional(),
  /** What the run answers (default: the test split, plus the project's regression set) */
  scope: evalScopeSchema.optional(),
  /** How the model is called (default: 4 at once, 60 s per call, 3 retries, asked once, cache on) */
  settings: runSettingsSchema.optional(),
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

/** What callers pass: every field but the version and the endpoint may be left out. */
export type StartEvalInput = z.input<typeof startEvalInput>;

export type StoredCompareSettings = Omit<CompareSettings, "orderMatters"> & { orderMatters: "auto" | "always" | "never" };

/**
 * Queue an evaluation of one endpoint on one dataset version. At most one run of the same endpoint
 * on the same version is active; a second request returns the run in flight (created: false).
 * The run stores its label, scope, call settings and compare settings; `total` is the number of
 * distinct items it covers (scope items, then regression items not already in scope).
 */
export async function startEvalRun(db: Db, projectId: string, input: StartEvalInput, userId?: string | null) {
  const parsed = parseOrThrow(startEvalInput, input, "The evaluation settings are not valid.");
  const { label = "", compare } = parsed;
  const scope = parsed.scope ?? evalScopeSchema.parse({});
  const run = parsed.settings ?? runSettingsSchema.parse({});

  await getProject(db, projectId);
  const version = await db.datasetVersion.findFirst({ where: { id: parsed.datasetVersionId, projectId } });
  if (!version) throw new NotFoundError("That dataset version does not exist in this project.");
  const endpoint = await db.modelEndpoint.findFirst({ where: { id: parsed.endpointId, projectId } });
  if (!endpoint) throw new NotFoundError("That model endpoint does not exist in this project.");

  const plan = await planEvalItems(db, projectId, version.id, scope);
  if (!plan.some((p) => p.source === "scope")) {
    const filtered = scope.complexities.length > 0 || scope.shapes.length > 0;
    throw new ValidationError(
      !filtered && scope.split === "test"
        ? "That dataset version has no test split to evaluate on."
        : `No item of dataset v${version.version} matches this scope (${describeScope(scope)}). Pick another split or widen the filters.`,
    );
  }

  const settings: StoredCompareSettings = { ...DEFAULT_COMPARE_SETTINGS, orderMatters: "auto", ...compare };
  const activeKey = `eval:${version.id}:${endpoint.id}`;
  const out = await enqueueJobWith(db, activeKey, async (tx) => {
    const created = await tx.evalRun.create({
      data: {
        projectId,
        datasetVersionId: version.id,
        endpointId: endpoint.id,
        label,
        scope: JSON.stringify(scope),
        compareSettings: JSON.stringify(settings),
        concurrency: run.concurrency,
        timeoutMs: run.timeoutMs,
        maxRetries: run.maxRetries,
        repeats: run.repeats,
        useCache: run.useCache,
        total: plan.length,
        createdById: userId ?? null,
      },
    });
    const { job, created: queued } = await enqueueJob(tx, { type: EVAL_JOB, projectId, payload: { runId: created.id }, activeKey, createdById: userId });
    if (!queued) throw new AlreadyQueuedError(job);
    await tx.evalRun.update({ where: { id: created.id }, data: { jobId: job.id } });
    const what = `${plan.length.toLocaleString("en-US")} item${plan.length === 1 ? "" : "s"}${run.repeats > 1 ? ` × ${run.repeats}` : ""}`;
    await recordAudit(tx, {
      projectId,
      userId,
      action: "eval.start",
      entityType: "eval_run",
      entityId: created.id,
      summary: `Evaluating ${endpoint.name} on dataset v${version.version} (${what})${label ? `: ${label}` : ""}`,
    });
    return { job, value: created };
  });
  if (out.created) return { run: out.value, job: out.job, created: true };
  const existing = await db.evalRun.findFirst({ where: { jobId: out.job.id } });
  if (!existing) throw new ConflictError("An evaluation of this endpoint on this version is being set up. Try again in a moment.");
  return { run: existing, job: out.job, created: false };
}
