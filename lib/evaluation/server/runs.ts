import "server-only";
import type { Db } from "@/lib/db/server/client";
import { NotFoundError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { accuracyWithInterval } from "@/lib/evaluation/metrics";
import type { StoredCompareSettings } from "@/lib/evaluation/server/service";

export async function listEvalRuns(db: Db, projectId: string) {
  await getProject(db, projectId);
  const runs = await db.evalRun.findMany({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    include: { endpoint: { select: { name: true, kind: true } }, datasetVersion: { select: { version: true, name: true } } },
  });
  return runs.map((r) => ({
    id: r.id,
    status: r.status,
    endpointName: r.endpoint.name,
    endpointKind: r.endpoint.kind,
    datasetVersion: r.datasetVersion.version,
    datasetName: r.datasetVersion.name,
    total: r.total,
    done: r.done,
    correct: r.correct,
    errors: r.errors,
    accuracy: r.accuracy,
    interval: r.total ? accuracyWithInterval(r.correct, r.total) : null,
    suiteSize: r.suiteSize,
    suiteAccuracy: r.suiteSize > 0 && r.total ? r.suiteCorrect / r.total : null,
    jobId: r.jobId,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }));
}

export async function getEvalRun(db: Db, projectId: string, runId: string) {
  const run = await db.evalRun.findFirst({
    where: { id: runId, projectId },
    include: { endpoint: true, datasetVersion: { select: { id: true, version: true, name: true } } },
  });
  if (!run) throw new NotFoundError("This evaluation run does not exist in this project.");
  const results = await db.evalResult.findMany({
    where: { evalRunId: runId },
    include: { item: { select: { question: true, sql: true, complexity: true, shape: true, result: true } } },
    orderBy: { createdAt: "asc" },
  });
  const byComplexity = new Map<string, { correct: number; total: number }>();
  const byErrorClass = new Map<string, number>();
  for (const r of results) {
    const g = byComplexity.get(r.item.complexity) ?? { correct: 0, total: 0 };
    g.total++;
    if (r.outcome === "correct") g.correct++;
    byComplexity.set(r.item.complexity, g);
    if (r.errorClass) byErrorClass.set(r.errorClass, (byErrorClass.get(r.errorClass) ?? 0) + 1);
  }
  return {
    id: run.id,
    status: run.status,
    jobId: run.jobId,
    endpoint: { id: run.endpoint.id, name: run.endpoint.name, kind: run.endpoint.kind, model: run.endpoint.model },
    datasetVersion: run.datasetVersion,
    compareSettings: JSON.parse(run.compareSettings) as StoredCompareSettings,
    total: run.total,
    done: run.done,
    correct: run.correct,
    errors: run.errors,
    accuracy: run.accuracy,
    interval: run.total ? accuracyWithInterval(run.correct, run.total) : null,
    suiteSize: run.suiteSize,
    suiteCorrect: run.suiteCorrect,
    suiteAccuracy: run.suiteSize > 0 && run.total ? run.suiteCorrect / run.total : null,
    suiteInterval: run.suiteSize > 0 && run.total ? accuracyWithInterval(run.suiteCorrect, run.total) : null,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    byComplexity: [...byComplexity.entries()].map(([complexity, g]) => ({ complexity, ...g, accuracy: g.total ? g.correct / g.total : 0 })),
    byErrorClass: [...byErrorClass.entries()].map(([errorClass, count]) => ({ errorClass, count })).sort((a, b) => b.count - a.count),
    results: results.map((r) => ({
      id: r.id,
      question: r.item.question,
      goldSql: r.item.sql,
      predictedSql: r.predictedSql,
      outcome: r.outcome,
      reason: r.reason,
      errorClass: r.errorClass,
      complexity: r.item.complexity,
      latencyMs: r.latencyMs,
      suiteMatch: r.suiteMatch,
      suiteSize: r.suiteSize,
      gold: JSON.parse(r.item.result) as { columns: string[]; rows: unknown[][] },
      pred: r.predResult ? (JSON.parse(r.predResult) as { columns: string[]; rows: unknown[][]; rowCount: number }) : null,
    })),
  };
}
