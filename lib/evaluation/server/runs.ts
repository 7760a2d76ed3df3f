import "server-only";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { accuracyWithInterval } from "@/lib/evaluation/metrics";
import { isErrorClass } from "@/lib/evaluation/error-class";
import { buildScorecard } from "@/lib/evaluation/scorecard";
import { readEvalScope } from "@/lib/evaluation/run-options";
import { tablesRead } from "@/lib/queries/features";
import type { RunSummary, Scorecard, ScoredItem } from "@/lib/evaluation/scorecard-types";
import type { StoredCompareSettings } from "@/lib/evaluation/server/service";

// Reading evaluation runs: the list, one run's scorecard and per-item rows, one item's answers.

export async function listEvalRuns(db: Db, projectId: string) {
  await getProject(db, projectId);
  const runs = await db.evalRun.findMany({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    include: { endpoint: { select: { id: true, name: true, kind: true, model: true } }, datasetVersion: { select: { version: true, name: true } } },
  });
  return runs.map((r) => ({
    id: r.id,
    label: r.label,
    status: r.status,
    endpointId: r.endpoint.id,
    endpointName: r.endpoint.name,
    endpointKind: r.endpoint.kind,
    model: r.endpoint.model,
    datasetVersion: r.datasetVersion.version,
    datasetName: r.datasetVersion.name,
    split: readEvalScope(r.scope).split,
    total: r.total,
    done: r.done,
    correct: r.correct,
    errors: r.errors,
    accuracy: r.accuracy,
    interval: r.total ? accuracyWithInterval(r.correct, r.total) : null,
    suiteSize: r.suiteSize,
    suiteAccuracy: r.suiteSize > 0 && r.total ? r.suiteCorrect / r.total : null,
    repeats: r.repeats,
    calls: r.calls,
    costUsd: r.costUsd,
    error: r.error,
    jobId: r.jobId,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }));
}

export type EvalRunListItem = Awaited<ReturnType<typeof listEvalRuns>>[number];

async function findRun(db: Db, projectId: string, runId: string) {
  const run = await db.evalRun.findFirst({
    where: { id: runId, projectId },
    include: { endpoint: true, datasetVersion: { select: { id: true, version: true, name: true } } },
  });
  if (!run) throw new NotFoundError("This evaluation run does not exist in this project.");
  return run;
}

/** Every answer of a run (all repeats) with what the scorecard groups by. */
async function loadAnswers(db: Db, runId: string) {
  const rows = await db.evalResult.findMany({
    where: { evalRunId: runId },
    orderBy: [{ repeat: "asc" }, { createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      itemId: true,
      repeat: true,
      source: true,
      outcome: true,
      reason: true,
      errorClass: true,
      predictedSql: true,
      suiteMatch: true,
      suiteSize: true,
      exactMatch: true,
      templateMatch: true,
      similarity: true,
      latencyMs: true,
      promptTokens: true,
      completionTokens: true,
      costUsd: true,
      cached: true,
      attempts: true,
      item: { select: { question: true, redactedQuestion: true, sql: true, complexity: true, shape: true, style: true, features: true, datasetVersionId: true } },
    },
  });
  const scored: ScoredItem[] = rows.map((r) => ({
    itemId: r.itemId,
    repeat: r.repeat,
    source: r.source === "regression" ? "regression" : "scope",
    outcome: r.outcome === "correct" ? "correct" : r.outcome === "wrong" ? "wrong" : "error",
    errorClass: isErrorClass(r.errorClass) ? r.errorClass : null,
    suiteMatch: r.suiteMatch,
    suiteSize: r.suiteSize,
    exactMatch: r.exactMatch,
    templateMatch: r.templateMatch,
    similarity: r.similarity,
    latencyMs: r.latencyMs,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    costUsd: r.costUsd,
    cached: r.cached,
    complexity: r.item.complexity,
    shape: r.item.shape,
    style: r.item.style,
    tables: tablesRead(r.item.features),
  }));
  return { rows, scored };
}

function runMeta(run: Awaited<ReturnType<typeof findRun>>) {
  return {
    id: run.id,
    label: run.label,
    status: run.status,
    error: run.error,
    jobId: run.jobId,
    endpoint: { id: run.endpoint.id, name: run.endpoint.name, kind: run.endpoint.kind, model: run.endpoint.model },
    datasetVersion: run.datasetVersion,
    scope: readEvalScope(run.scope),
    settings: { concurrency: run.concurrency, timeoutMs: run.timeoutMs, maxRetries: run.maxRetries, repeats: run.repeats, useCache: run.useCache },
    compareSettings: JSON.parse(run.compareSettings) as StoredCompareSettings,
    total: run.total,
    done: run.done,
    // The stored counters (first answers), as the runs list shows them
    correct: run.correct,
    errors: run.errors,
    accuracy: run.accuracy,
    suiteSize: run.suiteSize,
    suiteCorrect: run.suiteCorrect,
    suiteAccuracy: run.suiteSize > 0 && run.total ? run.suiteCorrect / run.total : null,
    suiteInterval: run.suiteSize > 0 && run.total ? accuracyWithInterval(run.suiteCorrect, run.total) : null,
    calls: run.calls,
    costUsd: run.costUsd,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export type EvalRunMeta = ReturnType<typeof runMeta>;

/**
 * The scorecard with the run's own variant count: an item's comparison stops at the first variant
 * that disagrees, and a run with no correct answer compared none, yet the run had them all.
 */
function scorecardOf(scored: ScoredItem[], runVariants: number): Scorecard {
  const card = buildScorecard(scored);
  if (runVariants === 0 || card.total === 0) return card;
  if (card.suite) return { ...card, suite: { ...card.suite, variants: Math.max(card.suite.variants, runVariants) } };
  const { low, high } = accuracyWithInterval(0, card.total);
  return { ...card, suite: { variants: runVariants, correct: 0, accuracy: 0, interval: { low, high } } };
}

/** A run's scorecard and one row per item (first answers), without result bodies. */
export async function getEvalRun(db: Db, projectId: string, runId: string) {
  const run = await findRun(db, projectId, runId);
  const { rows, scored } = await loadAnswers(db, run.id);
  const scorecard = scorecardOf(scored, run.suiteSize);
  const flaky = new Set(scorecard.stability?.flakyItemIds ?? []);
  const regression = new Set((await db.regressionItem.findMany({ where: { projectId }, select: { itemId: true } })).map((r) => r.itemId));
  const results = rows
    .filter((r) => r.repeat === 0)
    .map((r) => ({
      id: r.id,
      itemId: r.itemId,
      // The question the model was asked: redacted when a scan finding was resolved that way.
      question: r.item.redactedQuestion ?? r.item.question,
      outcome: r.outcome,
      reason: r.reason,
      errorClass: r.errorClass,
      predictedSql: r.predictedSql,
      complexity: r.item.complexity,
      shape: r.item.shape,
      style: r.item.style,
      source: r.source,
      suiteSize: r.suiteSize,
      latencyMs: r.latencyMs,
      suiteMatch: r.suiteMatch,
      exactMatch: r.exactMatch,
      templateMatch: r.templateMatch,
      similarity: r.similarity,
      costUsd: r.costUsd,
      cached: r.cached,
      flaky: flaky.has(r.itemId),
      inRegression: regression.has(r.itemId),
    }));
  return { ...runMeta(run), scorecard, results };
}

export type EvalRunView = Awaited<ReturnType<typeof getEvalRun>>;

/** One item of a run: the gold query and result, and every answer the model gave (all repeats). */
export async function getEvalRunItem(db: Db, projectId: string, runId: string, itemId: string) {
  const run = await findRun(db, projectId, runId);
  if (!itemId) throw new NotFoundError("Name the item to show.");
  const answers = await db.evalResult.findMany({ where: { evalRunId: run.id, itemId }, orderBy: { repeat: "asc" } });
  if (answers.length === 0) throw new NotFoundError("This run has no answer for that item.");
  const item = await db.datasetItem.findUnique({ where: { id: itemId }, include: { datasetVersion: { select: { version: true } } } });
  if (!item) throw new NotFoundError("That item no longer exists.");
  const inRegression = (await db.regressionItem.count({ where: { projectId, itemId } })) > 0;
  return {
    itemId,
    question: item.redactedQuestion ?? item.question,
    goldSql: item.sql,
    gold: parseResult(item.result),
    orderMatters: item.topLevelOrderBy,
    complexity: item.complexity,
    shape: item.shape,
    style: item.style,
    datasetVersion: item.datasetVersion.version,
    inRegression,
    answers: answers.map((a) => ({
      repeat: a.repeat,
      source: a.source,
      outcome: a.outcome,
      reason: a.reason,
      errorClass: a.errorClass,
      predictedSql: a.predictedSql,
      responseText: a.responseText,
      pred: a.predResult ? parseResult(a.predResult) : null,
      latencyMs: a.latencyMs,
      promptTokens: a.promptTokens,
      completionTokens: a.completionTokens,
      costUsd: a.costUsd,
      attempts: a.attempts,
      cached: a.cached,
      suiteMatch: a.suiteMatch,
      suiteSize: a.suiteSize,
      exactMatch: a.exactMatch,
      templateMatch: a.templateMatch,
      similarity: a.similarity,
    })),
  };
}

export type EvalRunItemView = Awaited<ReturnType<typeof getEvalRunItem>>;

function parseResult(json: string): { columns: string[]; rows: unknown[][]; rowCount?: number; truncated?: boolean } {
  try {
    const parsed = JSON.parse(json) as { columns?: unknown; rows?: unknown };
    if (Array.isArray(parsed.columns) && Array.isArray(parsed.rows)) return parsed as { columns: string[]; rows: unknown[][] };
  } catch {
    // A damaged stored result shows as empty rather than breaking the page.
  }
  return { columns: [], rows: [] };
}

/** Scorecards of several runs, for dashboards. */
export async function summarizeRuns(db: Db, projectId: string, runIds: string[]): Promise<RunSummary[]> {
  await getProject(db, projectId);
  const unique = [...new Set(runIds)];
  if (unique.length === 0) throw new ValidationError("Pick at least one run.");
  if (unique.length > 12) throw new ValidationError("Compare at most 12 runs at once.");
  const out: RunSummary[] = [];
  for (const id of unique) {
    const run = await findRun(db, projectId, id);
    const { scored } = await loadAnswers(db, run.id);
    out.push({
      id: run.id,
      label: run.label,
      endpointId: run.endpoint.id,
      endpointName: run.endpoint.name,
      endpointKind: run.endpoint.kind,
      model: run.endpoint.model,
      datasetVersion: run.datasetVersion.version,
      status: run.status,
      createdAt: run.createdAt.toISOString(),
      scorecard: scorecardOf(scored, run.suiteSize),
    });
  }
  return out;
}

/** First answers of a run, as run-diff rows. */
export async function loadDiffRows(db: Db, projectId: string, runId: string) {
  const run = await findRun(db, projectId, runId);
  const rows = await db.evalResult.findMany({
    where: { evalRunId: run.id, repeat: 0 },
    select: { itemId: true, outcome: true, errorClass: true, predictedSql: true, reason: true, repeat: true, item: { select: { question: true, redactedQuestion: true, complexity: true, shape: true } } },
  });
  return rows.map((r) => ({
    itemId: r.itemId,
    question: r.item.redactedQuestion ?? r.item.question,
    complexity: r.item.complexity,
    shape: r.item.shape,
    outcome: r.outcome === "correct" ? ("correct" as const) : r.outcome === "wrong" ? ("wrong" as const) : ("error" as const),
    errorClass: isErrorClass(r.errorClass) ? r.errorClass : null,
    predictedSql: r.predictedSql,
    reason: r.reason,
    repeat: r.repeat,
  }));
}
