import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { accuracyWithInterval } from "@/lib/evaluation/metrics";
import { accuracySeries, diffRuns, groupComparison } from "@/lib/evaluation/run-diff";
import { monthlyProjection } from "@/lib/evaluation/scorecard";
import { scorecardCsv, scorecardJson, scorecardMarkdown } from "@/lib/evaluation/scorecard-export";
import { getEvalRun, loadDiffRows, summarizeRuns } from "@/lib/evaluation/server/runs";
import { recordAudit } from "@/lib/audit/server/audit";

// Dashboards over evaluation runs: side-by-side scorecards, what changed between two runs,
// accuracy over time per model, and scorecard exports.

export const DIMENSIONS = ["complexity", "shape", "table", "style"] as const;

export const compareQuery = z.object({
  runs: z
    .string()
    .max(2_000)
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(1).max(64)).min(1, "Pick at least one run to compare.").max(12, "Compare at most 12 runs at once.")),
});

/** Scorecards side by side, groups per dimension, and — for two runs — what the second fixed and broke. */
export async function compareRuns(db: Db, projectId: string, runIds: string[]) {
  const runs = await summarizeRuns(db, projectId, runIds);
  const cards = runs.map((r) => ({ runId: r.id, card: r.scorecard }));
  const groups = Object.fromEntries(DIMENSIONS.map((d) => [d, groupComparison(cards, d)])) as Record<(typeof DIMENSIONS)[number], ReturnType<typeof groupComparison>>;
  let diff = null;
  if (runs.length === 2) {
    const [first, second] = await Promise.all([loadDiffRows(db, projectId, runs[0]!.id), loadDiffRows(db, projectId, runs[1]!.id)]);
    diff = diffRuns(first, second);
  }
  return { runs, groups, diff };
}

/** Accuracy of every finished run over time, one series per endpoint. */
export async function accuracyTimeline(db: Db, projectId: string) {
  await getProject(db, projectId);
  const runs = await db.evalRun.findMany({
    where: { projectId, status: "succeeded", total: { gt: 0 } },
    orderBy: { createdAt: "asc" },
    include: { endpoint: { select: { name: true } } },
  });
  return accuracySeries(
    runs.map((r) => {
      const interval = accuracyWithInterval(r.correct, r.total);
      return { runId: r.id, endpointName: r.endpoint.name, createdAt: r.createdAt.toISOString(), accuracy: r.correct / r.total, low: interval.low, high: interval.high };
    }),
  );
}

export const EXPORT_FORMATS = ["csv", "json", "md"] as const;
export const exportQuery = z.object({
  format: z.enum(EXPORT_FORMATS, { message: "Pick csv, json or md." }),
  monthly: z.coerce.number().int("The monthly workload is a whole number of questions.").min(0).max(1_000_000_000, "That monthly workload is too large.").default(22_000),
});

/** A run's scorecard as a file; each download is audited. */
export async function exportScorecard(db: Db, projectId: string, runId: string, query: z.infer<typeof exportQuery>, userId?: string | null) {
  const run = await getEvalRun(db, projectId, runId);
  if (run.scorecard.total === 0) throw new ValidationError("This run has no answers yet: there is no scorecard to export.");
  const meta = {
    runId: run.id,
    label: run.label,
    endpointName: run.endpoint.name,
    model: run.endpoint.model,
    datasetVersion: run.datasetVersion.version,
    createdAt: run.createdAt,
    compareSettings: run.compareSettings as unknown as Record<string, unknown>,
    projection: monthlyProjection(run.scorecard, query.monthly),
  };
  const body = query.format === "csv" ? scorecardCsv(meta, run.scorecard) : query.format === "json" ? scorecardJson(meta, run.scorecard) : scorecardMarkdown(meta, run.scorecard);
  const slug = `${run.endpoint.name}-v${run.datasetVersion.version}`.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "run";
  const fileName = `scorecard-${slug}-${run.id.slice(-6)}.${query.format}`;
  const contentType = query.format === "csv" ? "text/csv; charset=utf-8" : query.format === "json" ? "application/json; charset=utf-8" : "text/markdown; charset=utf-8";
  await recordAudit(db, { projectId, userId, action: "eval.export", entityType: "eval_run", entityId: run.id, summary: `Exported the scorecard of ${run.endpoint.name} on v${run.datasetVersion.version} as ${query.format.toUpperCase()}` });
  return { fileName, contentType, body };
}
