import "server-only";
import type { Db } from "@/lib/db/server/client";
import { AppError, NotFoundError, ProviderError, SqlExecutionError, SqlRefusedError, ValidationError } from "@/lib/errors";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getSandboxFile, listReadyVariants } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { compareResults, type CompareSettings } from "@/lib/evaluation/compare";
import { createPredictor } from "@/lib/evaluation/server/endpoints";
import type { StoredCompareSettings } from "@/lib/evaluation/server/service";
import { redactSecrets } from "@/lib/redact";
import { logger } from "@/lib/log";

function classifyError(error: unknown): { errorClass: string; reason: string } {
  if (error instanceof SqlRefusedError) return { errorClass: "refused", reason: error.message };
  if (error instanceof SqlExecutionError) return { errorClass: error.kind, reason: error.message };
  if (error instanceof ProviderError) {
    logger.warn("model endpoint error during evaluation", { error: error.message });
    return { errorClass: "provider", reason: error.message };
  }
  if (error instanceof AppError) return { errorClass: "runtime", reason: error.message };
  throw error;
}

/** Job handler: answer every test item not yet answered (a resumed run re-asks only the unfinished ones). */
export async function runEvalJob(db: Db, ctx: JobContext<{ runId: string }>) {
  const run = await db.evalRun.findUnique({ where: { id: ctx.payload.runId }, include: { datasetVersion: true } });
  if (!run) throw new NotFoundError("The evaluation run this job belongs to no longer exists.");
  if (!run.datasetVersion.sandboxId) throw new ValidationError("The dataset version has no sandbox to execute on.");
  const sandbox = await getSandboxFile(db, run.datasetVersion.sandboxId);
  const variants = await listReadyVariants(db, run.datasetVersion.sandboxId);
  const stored = JSON.parse(run.compareSettings) as StoredCompareSettings;
  await db.evalRun.update({ where: { id: run.id }, data: { status: "running", suiteSize: variants.length } });
  const items = await db.datasetItem.findMany({ where: { datasetVersionId: run.datasetVersionId, split: "test" }, orderBy: { id: "asc" } });
  const doneIds = new Set((await db.evalResult.findMany({ where: { evalRunId: run.id }, select: { itemId: true } })).map((r) => r.itemId));
  const todo = items.filter((i) => !doneIds.has(i.id));
  try {
    const predictor = await createPredictor(db, run.endpointId, run.datasetVersionId, run.datasetVersion);
    await ctx.progress(Math.round((doneIds.size / Math.max(1, items.length)) * 100), `${doneIds.size} of ${items.length} answered…`);
    let finished = doneIds.size;
    for (let i = 0; i < todo.length; i += predictor.concurrency) {
      const batch = todo.slice(i, i + predictor.concurrency);
      await Promise.all(
        batch.map(async (item) => {
          let predictedSql = "";
          let latencyMs = 0;
          let outcome: "correct" | "wrong" | "error";
          let reason: string;
          let errorClass: string | null = null;
          let predResult: string | null = null;
          let suiteMatch: boolean | null = null;
          let suiteSize = 0;
          try {
            const answer = await predictor.predict(item);
            // A model (or a proxy in front of it) may echo a key back; nothing secret is stored.
            predictedSql = redactSecrets(answer.sql);
            latencyMs = answer.latencyMs;
            if (!predictedSql.trim()) throw new SqlRefusedError("The model answered without any SQL.");
            const result = await executeReadOnly(sandbox.path, predictedSql, { timeoutMs: 10_000, maxRows: 5_001 });
            const gold = JSON.parse(item.result) as { columns: string[]; rows: unknown[][] };
            const pred = { columns: result.columns.map((c) => c.name), rows: result.rows };
            predResult = redactSecrets(JSON.stringify({ columns: pred.columns, rows: pred.rows.slice(0, 200), rowCount: result.rowCount, truncated: result.truncated }));
            const orderMatters = stored.orderMatters === "auto" ? item.topLevelOrderBy : stored.orderMatters === "always";
            const verdict = compareResults(gold as never, pred as never, { ...stored, orderMatters });
            outcome = verdict.match ? "correct" : "wrong";
            reason = verdict.reason;
            if (!verdict.match) errorClass = "mismatch";
            if (verdict.match && variants.length > 0) {
              const suite = await compareOnVariants(variants, item.sql, predictedSql, { ...stored, orderMatters });
              suiteSize = suite.compared;
              suiteMatch = suite.compared > 0 ? suite.match : null;
              if (!suite.match) reason = `${reason.replace(/[.\s]*$/, "")}. Test suite: ${suite.reason}`;
            }
          } catch (error) {
            const c = classifyError(error);
            outcome = "error";
            errorClass = c.errorClass;
            reason = redactSecrets(c.reason);
          }
          await db.evalResult.upsert({
            where: { evalRunId_itemId_repeat: { evalRunId: run.id, itemId: item.id, repeat: 0 } },
            create: { evalRunId: run.id, itemId: item.id, predictedSql, outcome, reason: reason.slice(0, 1000), errorClass, predResult, latencyMs, suiteMatch, suiteSize },
            update: {},
          });
          finished++;
        }),
      );
      await refreshRunCounters(db, run.id);
      await ctx.progress(Math.round((finished / Math.max(1, items.length)) * 99), `${finished} of ${items.length} answered…`);
    }
    const summary = await refreshRunCounters(db, run.id);
    await db.evalRun.update({ where: { id: run.id }, data: { status: "succeeded", finishedAt: new Date() } });
    return { message: `Accuracy ${(summary.accuracy * 100).toFixed(1)}% (${summary.correct}/${summary.total}).`, result: summary };
  } catch (error) {
    await refreshRunCounters(db, run.id);
    await db.evalRun.update({ where: { id: run.id }, data: { status: error instanceof Error && error.message.startsWith("Cancelled") ? "cancelled" : "failed", finishedAt: new Date() } });
    throw error;
  }
}

/**
 * Test-suite check: the gold query and the prediction are run on every variant sandbox and must
 * agree on each. A variant where the gold query itself fails is left out of the comparison.
 */
async function compareOnVariants(
  variants: { id: string; path: string; seed: number }[],
  goldSql: string,
  predictedSql: string,
  settings: CompareSettings,
): Promise<{ match: boolean; compared: number; reason: string }> {
  let compared = 0;
  for (const [index, variant] of variants.entries()) {
    let gold;
    try {
      gold = await executeReadOnly(variant.path, goldSql, { timeoutMs: 10_000, maxRows: 5_001 });
    } catch {
      continue;
    }
    // A cut-off result cannot be compared fairly: that variant is left out.
    if (gold.truncated) continue;
    let pred;
    try {
      pred = await executeReadOnly(variant.path, predictedSql, { timeoutMs: 10_000, maxRows: 5_001 });
    } catch (error) {
      return { match: false, compared: compared + 1, reason: `on variant ${index + 1} (seed ${variant.seed}) the prediction failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (pred.truncated) {
      return { match: false, compared: compared + 1, reason: `on variant ${index + 1} (seed ${variant.seed}) the prediction returned over ${(5_000).toLocaleString("en-US")} rows, the gold query ${gold.rowCount.toLocaleString("en-US")}.` };
    }
    compared++;
    const verdict = compareResults(
      { columns: gold.columns.map((c) => c.name), rows: gold.rows } as never,
      { columns: pred.columns.map((c) => c.name), rows: pred.rows } as never,
      settings,
    );
    if (!verdict.match) return { match: false, compared, reason: `on variant ${index + 1} (seed ${variant.seed}) the results differ: ${verdict.reason}` };
  }
  return { match: true, compared, reason: "" };
}

export async function refreshRunCounters(db: Db, runId: string) {
  const groups = await db.evalResult.groupBy({ by: ["outcome"], where: { evalRunId: runId }, _count: { _all: true } });
  const count = (o: string) => groups.find((g) => g.outcome === o)?._count._all ?? 0;
  const run = await db.evalRun.findUniqueOrThrow({ where: { id: runId }, select: { total: true } });
  const correct = count("correct");
  const errors = count("error");
  const done = correct + errors + count("wrong");
  const accuracy = run.total ? correct / run.total : 0;
  const suiteCorrect = await db.evalResult.count({ where: { evalRunId: runId, outcome: "correct", suiteMatch: true } });
  await db.evalRun.update({ where: { id: runId }, data: { done, correct, errors, accuracy, suiteCorrect } });
  return { total: run.total, done, correct, errors, accuracy };
}

