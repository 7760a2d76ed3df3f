import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { AppError, ConflictError, NotFoundError, ProviderError, SqlExecutionError, SqlRefusedError, ValidationError } from "@/lib/errors";
import { AlreadyQueuedError, enqueueJob, enqueueJobWith } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { getSandboxFile, listReadyVariants } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { compareResults, DEFAULT_COMPARE_SETTINGS, type CompareSettings } from "@/lib/evaluation/compare";
import { accuracyWithInterval } from "@/lib/evaluation/metrics";
import { createRetrievalBaseline } from "@/lib/evaluation/retrieval-baseline";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import { extractSql } from "@/lib/providers/extract-sql";
import { openSecret, sealSecret } from "@/lib/secrets/server/crypto";
import { redactSecrets } from "@/lib/redact";
import { logger } from "@/lib/log";
import { promptFor, questionOf, type ItemPrompt, type VersionPrompt } from "@/lib/datasets/prompt";

export const EVAL_JOB = "eval.run";
export const BASELINE_NAME = "Retrieval baseline (no LLM)";

export const createEndpointInput = z.object({
  name: z.string().trim().min(1, "Name the endpoint.").max(80, "Keep the name under 80 characters."),
  baseUrl: z
    .string()
    .trim()
    .url("The base URL must be a full URL, e.g. https://api.example.com/v1.")
    .refine((u) => /^https?:\/\//i.test(u), "The base URL must start with http:// or https://."),
  model: z.string().trim().min(1, "Give the model name the endpoint expects.").max(200),
  apiKey: z.string().trim().max(4_000, "That key is too long to be an API key.").default(""),
});

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

/** Every project has the no-LLM baseline; it needs no key and no network. */
export async function ensureBaselineEndpoint(db: Db, projectId: string) {
  const existing = await db.modelEndpoint.findFirst({ where: { projectId, kind: "retrieval_baseline" } });
  if (existing) return existing;
  try {
    return await db.modelEndpoint.create({ data: { projectId, name: BASELINE_NAME, kind: "retrieval_baseline" } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return db.modelEndpoint.findFirstOrThrow({ where: { projectId, kind: "retrieval_baseline" } });
    throw error;
  }
}

/** An OpenAI-compatible chat endpoint. The key is sealed at rest and never returned to the browser. */
export async function createOpenAiEndpoint(db: Db, projectId: string, input: z.infer<typeof createEndpointInput>, userId?: string | null) {
  await getProject(db, projectId);
  if (await db.modelEndpoint.findFirst({ where: { projectId, name: input.name } })) {
    throw new ConflictError(`An endpoint named "${input.name}" already exists in this project. Pick another name.`);
  }
  const sealed = input.apiKey ? sealSecret(input.apiKey) : null;
  return db.$transaction(async (tx) => {
    const connection = await tx.providerConnection.create({
      data: {
        projectId,
        kind: "openai_compatible",
        name: `${input.name} connection`,
        baseUrl: input.baseUrl.replace(/\/+$/, ""),
        secretCipher: sealed?.cipher ?? null,
        secretKeyId: sealed?.keyId ?? null,
        secretHint: sealed?.hint ?? null,
      },
    });
    const endpoint = await tx.modelEndpoint.create({
      data: { projectId, name: input.name, kind: "openai_compatible", connectionId: connection.id, model: input.model },
    });
    await recordAudit(tx, { projectId, userId, action: "endpoint.create", entityType: "model_endpoint", entityId: endpoint.id, summary: `Added endpoint ${input.name} (${input.model})` });
    return { id: endpoint.id, name: endpoint.name };
  });
}

export async function listEndpoints(db: Db, projectId: string) {
  await getProject(db, projectId);
  await ensureBaselineEndpoint(db, projectId);
  const endpoints = await db.modelEndpoint.findMany({ where: { projectId }, orderBy: { createdAt: "asc" }, include: { connection: true } });
  return endpoints.map((e) => ({
    id: e.id,
    name: e.name,
    kind: e.kind,
    model: e.model,
    baseUrl: e.connection?.baseUrl ?? null,
    keyHint: e.connection?.secretHint ? `…${e.connection.secretHint}` : e.connection?.secretCipher ? "set" : null,
  }));
}

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

interface Predictor {
  predict(item: ItemPrompt): Promise<{ sql: string; latencyMs: number }>;
  concurrency: number;
}

async function createPredictor(db: Db, endpointId: string, datasetVersionId: string, version: VersionPrompt): Promise<Predictor> {
  const endpoint = await db.modelEndpoint.findUniqueOrThrow({ where: { id: endpointId }, include: { connection: true } });
  if (endpoint.kind === "retrieval_baseline") {
    const train = await db.datasetItem.findMany({ where: { datasetVersionId, split: "train" }, select: { question: true, sql: true } });
    const baseline = createRetrievalBaseline(train);
    return {
      concurrency: 1,
      async predict(item) {
        const started = performance.now();
        const { sql } = baseline.answer(questionOf(item));
        return { sql, latencyMs: Math.round(performance.now() - started) };
      },
    };
  }
  if (endpoint.kind === "openai_compatible") {
    if (!endpoint.connection?.baseUrl) throw new ValidationError("This endpoint has no base URL. Add the endpoint again.");
    const apiKey = endpoint.connection.secretCipher ? openSecret(endpoint.connection.secretCipher) : "";
    const client = createChatClient({ baseUrl: endpoint.connection.baseUrl, apiKey, model: endpoint.model, timeoutMs: 60_000, maxRetries: 3 });
    return {
      concurrency: 4,
      async predict(item) {
        // The same messages the version's exports train on.
        const prompt = promptFor(version, item);
        const out = await client.complete(
          [
            { role: "system", content: prompt.system },
            { role: "user", content: prompt.user },
          ],
          { temperature: 0, maxTokens: 1024 },
        );
        return { sql: extractSql(out.text), latencyMs: Math.round(out.latencyMs) };
      },
    };
  }
  throw new ValidationError(`Endpoints of kind "${endpoint.kind}" cannot be evaluated yet.`);
}

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

async function refreshRunCounters(db: Db, runId: string) {
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
