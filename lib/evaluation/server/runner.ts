import "server-only";
import { holdsSql } from "@/lib/evaluation/answer-sql";
import { abortable } from "@/lib/abort";
import { setMaxListeners } from "node:events";
import type { Db } from "@/lib/db/server/client";
import { newRowId } from "@/lib/db/ids";
import { getFastSqlite, prepared, sqliteNow } from "@/lib/db/server/sqlite-fast";
import type { Prisma } from "@/lib/generated/sqlite/client";
import { AppError, ForbiddenError, NotFoundError, ProviderError, SqlExecutionError, SqlRefusedError, ValidationError } from "@/lib/errors";
import { JobCancelledError } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getSandboxFile, listReadyVariants } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { compareResults, type CompareSettings, type ResultSet } from "@/lib/evaluation/compare";
import { callCost } from "@/lib/evaluation/endpoints";
import { classifyExecutionError, type ErrorClass } from "@/lib/evaluation/error-class";
import type { ModelAnswer, Predictor, PredictorItem } from "@/lib/evaluation/predictor";
import { readEvalScope } from "@/lib/evaluation/run-options";
import { exactMatch, sqlSimilarity, templateMatch } from "@/lib/evaluation/sql-match";
import { cacheKey, findCachedAnswers, storeCachedAnswer, type CachedAnswer } from "@/lib/evaluation/server/cache";
import { createPredictor } from "@/lib/evaluation/server/endpoints";
import { planEvalItems, type ItemSource, type PlannedItem } from "@/lib/evaluation/server/plan";
import type { StoredCompareSettings } from "@/lib/evaluation/server/service";
import type { ChatMessage } from "@/lib/providers/chat";
import { extractSql } from "@/lib/providers/extract-sql";
import { quoteOneLine } from "@/lib/providers/server/retry";
import { redactSecrets } from "@/lib/redact";
import { logger } from "@/lib/log";

// The evaluation run as a job. Two stages joined by a bounded queue:
//   calls      — up to `run.concurrency` model calls in flight; the next starts as soon as one ends;
//   execution  — extract the SQL, run it read-only on the item's sandbox, compare with the gold
//                result, check the test-suite variants; a few at once, so a slow query never
//                holds a model-call slot.
// Results are written in small batches as they finish. Every answer is stored in the response
// cache as soon as it arrives, so a crash loses only calls in flight: a restart skips the units
// that have a result row and answers the others from the cache where it can.

/** SQL execution limits for model answers: the same as ground truth (5,000 rows + 1 to see a cut). */
const EXECUTION_TIMEOUT_MS = 10_000;
const MAX_PREDICTED_ROWS = 5_001;
/** DuckDB executions at once: the sandbox reader keeps up to 4 idle connections. */
const EXECUTIONS_AT_ONCE = 3;
/** Answers waiting for execution before no new call is started (bounds memory when DuckDB lags). */
const EXECUTION_BACKLOG = 64;
/** Items loaded (prompt fields, gold result) and looked up in the cache at once. */
const PAGE_SIZE = 200;
/** Result rows are written when this many are waiting, or this long after the first one. */
const WRITE_BATCH_ROWS = 50;
const WRITE_BATCH_MS = 100;
/** Counters, progress and the cancellation check. */
const TICK_MS = 500;
const RESPONSE_TEXT_CHARS = 4_000;
const PRED_RESULT_ROWS = 200;

type ResultRow = Prisma.EvalResultCreateManyInput;

interface LoadedItem extends PredictorItem {
  datasetVersionId: string;
  sql: string;
  result: string;
  topLevelOrderBy: boolean;
  source: ItemSource;
  gold?: ResultSet;
}

interface SandboxTarget {
  path: string;
  variants: { id: string; path: string; seed: number }[];
}

interface VersionContext {
  predictor: Predictor;
  /** Where its items execute, or why they cannot. */
  sandbox: SandboxTarget | { error: string };
}

interface Unit {
  item: LoadedItem;
  repeat: number;
  version: VersionContext;
  messages: ChatMessage[];
  /** Response-cache key; null for built-in endpoints (no network, nothing to cache). */
  key: string | null;
}

interface Answered {
  unit: Unit;
  answer: ModelAnswer;
  cached: boolean;
}

interface Counters {
  done: number;
  correct: number;
  errors: number;
  suiteCorrect: number;
  calls: number;
  costUsd: number;
}

type EvalRunRow = NonNullable<Awaited<ReturnType<typeof loadRun>>>;

function loadRun(db: Db, runId: string) {
  return db.evalRun.findUnique({ where: { id: runId }, include: { datasetVersion: true } });
}

/** Job handler: answer every unit (item × repeat) of the run that has no result yet. */
export async function runEvalJob(db: Db, ctx: JobContext<{ runId: string }>) {
  const run = await loadRun(db, ctx.payload.runId);
  if (!run) throw new NotFoundError("The evaluation run this job belongs to no longer exists.");
  await db.evalRun.update({ where: { id: run.id }, data: { status: "running", error: null, finishedAt: null } });
  try {
    const summary = await evaluateRun(db, ctx, run);
    await db.evalRun.update({ where: { id: run.id }, data: { status: "succeeded", finishedAt: new Date() } });
    const cost = summary.costUsd > 0 ? ` · $${summary.costUsd.toFixed(summary.costUsd < 1 ? 4 : 2)}` : "";
    return {
      message: `Accuracy ${(summary.accuracy * 100).toFixed(1)}% (${fmt(summary.correct)} of ${fmt(summary.total)}) · ${fmt(summary.calls)} call${summary.calls === 1 ? "" : "s"}${cost}.`,
      result: summary,
    };
  } catch (error) {
    const cancelled = error instanceof JobCancelledError;
    await refreshRunCounters(db, run.id).catch((e: unknown) => logger.error("could not refresh evaluation counters", { runId: run.id, error: String(e) }));
    await db.evalRun.update({
      where: { id: run.id },
      data: { status: cancelled ? "cancelled" : "failed", error: cancelled ? null : describeFailure(error), finishedAt: new Date() },
    });
    throw error;
  }
}

function describeFailure(error: unknown): string {
  const message = error instanceof AppError ? error.message : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  return redactSecrets(message).slice(0, 2_000);
}

async function evaluateRun(db: Db, ctx: JobContext<{ runId: string }>, run: EvalRunRow) {
  // Answers stored from here on are this attempt's own; see the cache window below.
  const attemptStartedAt = new Date();
  const scope = readEvalScope(run.scope);
  const stored = JSON.parse(run.compareSettings) as StoredCompareSettings;
  const repeats = Math.max(1, run.repeats);

  const plan = await planEvalItems(db, run.projectId, run.datasetVersionId, scope);
  if (plan.length !== run.total) await db.evalRun.update({ where: { id: run.id }, data: { total: plan.length } });
  const finished = await db.evalResult.findMany({ where: { evalRunId: run.id }, select: { itemId: true, repeat: true } });
  const done = new Set(finished.map((r) => `${r.itemId}:${r.repeat}`));
  const todo = plan.filter((p) => Array.from({ length: repeats }, (_, r) => r).some((r) => !done.has(`${p.id}:${r}`)));
  const totalUnits = plan.length * repeats;

  const versions = await prepareVersions(db, run, todo);
  // The run's own version is always prepared, and a missing sandbox of its own fails the run.
  const own = versions.get(run.datasetVersionId)!.sandbox as SandboxTarget;
  await db.evalRun.update({ where: { id: run.id }, data: { suiteSize: own.variants.length } });

  const counters = await readCounters(db, run.id);
  const pipeline = new EvalPipeline(db, ctx, run, {
    plan: todo,
    done,
    repeats,
    totalItems: plan.length,
    totalUnits,
    unitsDone: finished.filter((r) => r.repeat < repeats).length,
    versions,
    compare: stored,
    counters,
    // Without the cache, a resumed run still reuses the answers it got itself before the restart
    // (stored since it was created, before this attempt began); a first attempt asks every unit.
    cacheWindow: run.useCache ? {} : ctx.attempt > 1 ? { storedFrom: run.createdAt, storedBefore: attemptStartedAt } : null,
  });
  await pipeline.execute();
  return refreshRunCounters(db, run.id);
}

/**
 * A predictor and a sandbox per dataset version with work left (regression items may come from
 * other versions). The run's own version without a usable sandbox fails the run; another
 * version's items are scored as errors without a call.
 */
async function prepareVersions(db: Db, run: EvalRunRow, todo: PlannedItem[]): Promise<Map<string, VersionContext>> {
  const ids = [...new Set([run.datasetVersionId, ...todo.map((p) => p.datasetVersionId)])];
  const rows = await db.datasetVersion.findMany({ where: { id: { in: ids } }, select: { id: true, version: true, systemPrompt: true, userTemplate: true, sandboxId: true } });
  const sandboxes = new Map<string, Promise<SandboxTarget>>();
  const sandboxOf = (sandboxId: string) => {
    let found = sandboxes.get(sandboxId);
    if (!found) {
      found = (async () => ({ path: (await getSandboxFile(db, sandboxId)).path, variants: await listReadyVariants(db, sandboxId) }))();
      sandboxes.set(sandboxId, found);
    }
    return found;
  };
  const contexts = new Map<string, VersionContext>();
  for (const version of rows) {
    const isOwn = version.id === run.datasetVersionId;
    let sandbox: VersionContext["sandbox"];
    if (!version.sandboxId) {
      if (isOwn) throw new ValidationError("The dataset version has no sandbox to execute on.");
      sandbox = { error: `Dataset v${version.version}, which this regression item belongs to, has no sandbox to execute on.` };
    } else {
      try {
        sandbox = await sandboxOf(version.sandboxId);
      } catch (error) {
        if (isOwn || !(error instanceof AppError)) throw error;
        sandbox = { error: `The sandbox of dataset v${version.version} (this regression item's version) cannot be used: ${error.message}` };
      }
    }
    // A configuration error (no base URL, unknown kind) fails the run here, before any call.
    const predictor = await createPredictor(db, run.endpointId, { id: version.id, systemPrompt: version.systemPrompt, userTemplate: version.userTemplate }, {
      timeoutMs: run.timeoutMs,
      maxRetries: run.maxRetries,
    });
    contexts.set(version.id, { predictor, sandbox });
  }
  return contexts;
}

interface PipelineInput {
  plan: PlannedItem[];
  done: Set<string>;
  repeats: number;
  totalItems: number;
  totalUnits: number;
  unitsDone: number;
  versions: Map<string, VersionContext>;
  compare: StoredCompareSettings;
  counters: Counters;
  /** Which stored answers may be reused; null: none. */
  cacheWindow: { storedFrom?: Date; storedBefore?: Date } | null;
}

class EvalPipeline {
  private readonly abort = new AbortController();
  /** Why the run stops early: JobCancelledError, a configuration error, or a failed write. */
  private stopReason: unknown = null;
  private readonly waiters = new Set<() => void>();
  private inFlight = 0;
  /** Answers received and stored, about to be queued for execution. */
  private receiving = 0;
  private readonly executionQueue: Answered[] = [];
  private executing = 0;
  private pendingRows: ResultRow[] = [];
  private writeTimer: NodeJS.Timeout | null = null;
  private writes: Promise<void> = Promise.resolve();
  private unitsDone: number;
  private retried = 0;
  private endpointErrors = 0;
  private loggedEndpointError = false;

  constructor(
    private readonly db: Db,
    private readonly ctx: JobContext<{ runId: string }>,
    private readonly run: EvalRunRow,
    private readonly input: PipelineInput,
  ) {
    this.unitsDone = input.unitsDone;
    // Every call in flight listens for the abort (here and in the endpoint client).
    setMaxListeners(0, this.abort.signal);
  }

  async execute(): Promise<void> {
    await this.ctx.progress(this.percent(), this.progressMessage());
    let ticking = true;
    let endSleep = () => {};
    const ticker = (async () => {
      while (ticking) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, TICK_MS);
          endSleep = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (ticking) await this.tick();
      }
    })();
    try {
      try {
        await this.produce();
      } catch (error) {
        // Loading items or the cache failed: calls in flight are abandoned and the run fails.
        this.stop(error);
      }
      // After a stop, calls in flight were abandoned; answers already received are still scored.
      await this.until(() => this.inFlight === 0 && this.receiving === 0 && this.executionQueue.length === 0 && this.executing === 0);
      await this.flush();
    } finally {
      ticking = false;
      endSleep();
      await ticker;
    }
    if (this.stopReason) throw this.stopReason;
    await this.writeCounters();
    await this.ctx.progress(99, `${fmt(this.unitsDone)} of ${fmt(this.input.totalUnits)} answered; summing up…`);
  }

  // ---------- the producer: walks the plan page by page, starting calls while slots are free

  private async produce(): Promise<void> {
    const pages: PlannedItem[][] = [];
    for (let i = 0; i < this.input.plan.length; i += PAGE_SIZE) pages.push(this.input.plan.slice(i, i + PAGE_SIZE));
    let next: Promise<{ units: Unit[]; hits: Map<string, CachedAnswer> }> | null = pages.length ? this.loadPage(pages[0]) : null;
    for (let p = 0; p < pages.length && next && !this.stopReason; p++) {
      const page = await next;
      // The next page loads while this one is being asked.
      next = p + 1 < pages.length ? this.loadPage(pages[p + 1]) : null;
      next?.catch(() => {});
      for (const unit of page.units) {
        if (this.stopReason) break;
        if ("error" in unit.version.sandbox) {
          this.addRow(this.unusableSandboxRow(unit, unit.version.sandbox.error));
          continue;
        }
        const hit = unit.key ? page.hits.get(unit.key) : undefined;
        await this.until(() => this.stopReason !== null || (this.executionQueue.length + this.receiving < EXECUTION_BACKLOG && (hit !== undefined || this.inFlight < this.run.concurrency)));
        if (this.stopReason) break;
        if (hit) this.enqueueAnswer({ unit, cached: true, answer: { text: hit.text, promptTokens: hit.promptTokens, completionTokens: hit.completionTokens, latencyMs: hit.latencyMs, attempts: 0 } });
        else void this.ask(unit);
      }
    }
  }

  private async loadPage(planned: PlannedItem[]): Promise<{ units: Unit[]; hits: Map<string, CachedAnswer> }> {
    const rows = await this.db.datasetItem.findMany({
      where: { id: { in: planned.map((p) => p.id) } },
      select: { id: true, datasetVersionId: true, question: true, redactedQuestion: true, systemPrompt: true, sql: true, result: true, topLevelOrderBy: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const units: Unit[] = [];
    for (const p of planned) {
      const row = byId.get(p.id);
      const version = this.input.versions.get(p.datasetVersionId);
      // An item deleted since the plan was made has nothing left to answer.
      if (!row || !version) continue;
      const item: LoadedItem = { ...row, source: p.source };
      const messages = version.predictor.messages(item);
      for (let repeat = 0; repeat < this.input.repeats; repeat++) {
        if (this.input.done.has(`${p.id}:${repeat}`)) continue;
        const key = version.predictor.local ? null : cacheKey(version.predictor.identity, messages, repeat);
        units.push({ item, repeat, version, messages, key });
      }
    }
    const keys = units.flatMap((u) => (u.key ? [u.key] : []));
    const window = this.input.cacheWindow;
    const hits = keys.length && window ? await findCachedAnswers(this.db, this.run.projectId, keys, window) : new Map<string, CachedAnswer>();
    return { units, hits };
  }

  // ---------- the call stage

  private async ask(unit: Unit): Promise<void> {
    this.inFlight++;
    const started = performance.now();
    let answer: ModelAnswer;
    try {
      answer = await abortable(unit.version.predictor.answer(unit.item, unit.messages, this.abort.signal), this.abort.signal, () => new Error("aborted"));
    } catch (error) {
      this.inFlight--;
      this.wake();
      this.callFailed(unit, error, Math.round(performance.now() - started));
      return;
    }
    if (answer.attempts > 1) this.retried++;
    if (unit.key) {
      // Stored before the slot is freed: a crash can cost at most `concurrency` calls (those in
      // flight), and a result row never exists without its answer in the cache.
      try {
        await storeCachedAnswer(this.db, this.run.projectId, unit.key, answer);
      } catch (error) {
        // The answer is still scored; only a restart would have to ask again.
        logger.warn("could not store an answer in the response cache", { runId: this.run.id, error: String(error) });
      }
    }
    // The slot is free: the next call starts before this answer is scored.
    this.receiving++;
    this.inFlight--;
    this.wake();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.receiving--;
    this.enqueueAnswer({ unit, answer, cached: false });
  }

  private callFailed(unit: Unit, error: unknown, latencyMs: number): void {
    // Stopped (cancelled, or the run failed): the call in flight is abandoned, not scored.
    if (this.abort.signal.aborted) return;
    if (isConfigurationError(error)) {
      this.stop(error);
      return;
    }
    this.endpointErrors++;
    const attempts = attemptsOf(error);
    if (attempts > 1) this.retried++;
    if (!this.loggedEndpointError) {
      this.loggedEndpointError = true;
      logger.warn("model endpoint error during evaluation", { runId: this.run.id, error: error instanceof Error ? error.message : String(error) });
    }
    this.addRow(this.failedCallRow(unit, error, attempts, latencyMs));
  }

  // ---------- the execution stage

  private enqueueAnswer(answered: Answered): void {
    this.executionQueue.push(answered);
    this.pumpExecutions();
  }

  private pumpExecutions(): void {
    while (this.executing < EXECUTIONS_AT_ONCE && this.executionQueue.length > 0) {
      const answered = this.executionQueue.shift()!;
      this.executing++;
      void this.score(answered)
        .catch((error: unknown) => {
          // A bug in one item's scoring never stops the others: it is recorded on that item.
          logger.error("scoring an evaluation answer failed", { runId: this.run.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
          return this.unexpectedScoringRow(answered, error);
        })
        .then((row) => this.addRow(row))
        .finally(() => {
          this.executing--;
          this.pumpExecutions();
          this.wake();
        });
    }
  }

  private async score({ unit, answer, cached }: Answered): Promise<ResultRow> {
    const { item } = unit;
    const sandbox = unit.version.sandbox as SandboxTarget;
    const base = this.baseRow(unit, answer, cached);
    const sql = redactSecrets(extractSql(answer.text));
    if (!holdsSql(answer.text, sql)) {
      return { ...base, outcome: "error", errorClass: "no_sql", reason: `The answer holds no SQL: ${quoteStart(answer.text)}` };
    }
    const withSql = { ...base, predictedSql: sql, exactMatch: exactMatch(item.sql, sql), templateMatch: templateMatch(item.sql, sql), similarity: sqlSimilarity(item.sql, sql) };
    let result;
    try {
      result = await executeReadOnly(sandbox.path, sql, { timeoutMs: EXECUTION_TIMEOUT_MS, maxRows: MAX_PREDICTED_ROWS });
    } catch (error) {
      const failure = classifyFailedExecution(error);
      return { ...withSql, outcome: "error", errorClass: failure.errorClass, reason: cut(redactSecrets(failure.reason)) };
    }
    const gold = (item.gold ??= JSON.parse(item.result) as ResultSet);
    const pred: ResultSet = { columns: result.columns.map((c) => c.name), rows: result.rows };
    const predResult = redactSecrets(JSON.stringify({ columns: pred.columns, rows: pred.rows.slice(0, PRED_RESULT_ROWS), rowCount: result.rowCount, truncated: result.truncated }));
    const orderMatters = this.input.compare.orderMatters === "auto" ? item.topLevelOrderBy : this.input.compare.orderMatters === "always";
    const settings: CompareSettings = { ...this.input.compare, orderMatters };
    const verdict = compareResults(gold, pred, settings);
    if (!verdict.match) {
      const errorClass: ErrorClass = pred.rows.length === 0 && gold.rows.length > 0 ? "empty_result" : "wrong_result";
      return { ...withSql, predResult, outcome: "wrong", errorClass, reason: cut(redactSecrets(verdict.reason)) };
    }
    let reason = verdict.reason;
    let suiteMatch: boolean | null = null;
    let suiteSize = 0;
    if (sandbox.variants.length > 0) {
      const suite = await compareOnVariants(sandbox.variants, item.sql, sql, settings);
      suiteSize = suite.compared;
      suiteMatch = suite.compared > 0 ? suite.match : null;
      if (!suite.match) reason = `${reason.replace(/[.\s]*$/, "")}. Test suite: ${suite.reason}`;
    }
    return { ...withSql, predResult, outcome: "correct", errorClass: null, reason: cut(redactSecrets(reason)), suiteMatch, suiteSize };
  }

  // ---------- result rows

  /**
   * Tokens, latency and cost of the answer. A cached answer costs what its call would cost, so
   * scorecards of a cached rerun compare fairly with the first run; it is marked cached, makes no
   * call and adds nothing to the run's spend (EvalRun.calls and costUsd).
   */
  private baseRow(unit: Unit, answer: ModelAnswer, cached: boolean): ResultRow {
    return {
      evalRunId: this.run.id,
      itemId: unit.item.id,
      repeat: unit.repeat,
      source: unit.item.source,
      predictedSql: "",
      responseText: redactSecrets(answer.text).slice(0, RESPONSE_TEXT_CHARS),
      outcome: "error",
      reason: "",
      errorClass: null,
      predResult: null,
      latencyMs: Math.round(answer.latencyMs),
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      costUsd: callCost(unit.version.predictor.pricing, answer.promptTokens, answer.completionTokens),
      attempts: cached ? 0 : answer.attempts,
      cached,
    };
  }

  private failedCallRow(unit: Unit, error: unknown, attempts: number, latencyMs: number): ResultRow {
    const message =
      error instanceof ProviderError
        ? error.message
        : `The endpoint call failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
    return {
      ...this.baseRow(unit, { text: "", promptTokens: 0, completionTokens: 0, latencyMs, attempts }, false),
      errorClass: "provider",
      reason: cut(redactSecrets(message)),
    };
  }

  private unusableSandboxRow(unit: Unit, reason: string): ResultRow {
    return { ...this.baseRow(unit, { text: "", promptTokens: 0, completionTokens: 0, latencyMs: 0, attempts: 0 }, false), errorClass: "runtime", reason: cut(reason) };
  }

  private unexpectedScoringRow({ unit, answer, cached }: Answered, error: unknown): ResultRow {
    return {
      ...this.baseRow(unit, answer, cached),
      errorClass: "runtime",
      reason: cut(redactSecrets(`Scoring this answer failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`)),
    };
  }

  // ---------- the writer: small batches, one write at a time

  private addRow(row: ResultRow): void {
    this.pendingRows.push(row);
    if (this.pendingRows.length >= WRITE_BATCH_ROWS) void this.flush();
    else if (!this.writeTimer) this.writeTimer = setTimeout(() => void this.flush(), WRITE_BATCH_MS);
  }

  private flush(): Promise<void> {
    if (this.writeTimer) {
      clearTimeout(this.writeTimer);
      this.writeTimer = null;
    }
    const batch = this.pendingRows;
    if (batch.length === 0) return this.writes;
    this.pendingRows = [];
    this.writes = this.writes
      .then(() => this.writeRows(batch))
      .catch((error: unknown) => this.stop(error));
    return this.writes;
  }

  private async writeRows(batch: ResultRow[]): Promise<void> {
    const written = await insertResultRows(this.db, batch);
    if (written) {
      for (const row of written) this.count(row);
      return;
    }
    // Some units were already written by another worker (a job recovered while its first worker
    // was still alive): their rows are kept, and the counters are read back from the rows.
    this.unitsDone = (await this.db.evalResult.count({ where: { evalRunId: this.run.id, repeat: { lt: this.input.repeats } } }));
    Object.assign(this.input.counters, await readCounters(this.db, this.run.id));
  }

  private count(row: ResultRow): void {
    this.unitsDone++;
    const c = this.input.counters;
    if (!row.cached && (row.attempts ?? 0) > 0) {
      c.calls++;
      c.costUsd += row.costUsd ?? 0;
    }
    if ((row.repeat ?? 0) !== 0) return;
    c.done++;
    if (row.outcome === "correct") {
      c.correct++;
      if (row.suiteMatch === true) c.suiteCorrect++;
    } else if (row.outcome === "error") c.errors++;
  }

  // ---------- progress, counters, cancellation

  private async tick(): Promise<void> {
    try {
      await this.ctx.progress(this.percent(), this.progressMessage());
    } catch (error) {
      if (error instanceof JobCancelledError) this.stop(error);
      else logger.warn("could not report evaluation progress", { runId: this.run.id, error: String(error) });
    }
    await this.writeCounters().catch((error: unknown) => logger.warn("could not write evaluation counters", { runId: this.run.id, error: String(error) }));
  }

  private async writeCounters(): Promise<void> {
    const c = this.input.counters;
    await this.db.evalRun.update({
      where: { id: this.run.id },
      data: { done: c.done, correct: c.correct, errors: c.errors, suiteCorrect: c.suiteCorrect, accuracy: this.input.totalItems ? c.correct / this.input.totalItems : 0, calls: c.calls, costUsd: c.costUsd },
    });
  }

  private percent(): number {
    return Math.floor((this.unitsDone / Math.max(1, this.input.totalUnits)) * 99);
  }

  private progressMessage(): string {
    const parts = [`${fmt(this.unitsDone)} of ${fmt(this.input.totalUnits)} answered`];
    if (this.inFlight > 0) parts.push(`${fmt(this.inFlight)} call${this.inFlight === 1 ? "" : "s"} in flight`);
    if (this.retried > 0) parts.push(`${fmt(this.retried)} retried`);
    if (this.endpointErrors > 0) parts.push(`${fmt(this.endpointErrors)} endpoint error${this.endpointErrors === 1 ? "" : "s"}`);
    return `${parts.join(" · ")}…`;
  }

  private stop(reason: unknown): void {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.abort.abort();
    this.wake();
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }

  /** Waits until the condition holds, re-checking whenever a call or an execution ends or the run stops. */
  private async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.waiters.add(resolve));
  }
}

const RESULT_COLUMNS = [
  "id", "evalRunId", "itemId", "repeat", "source", "predictedSql", "responseText", "outcome", "reason", "errorClass", "predResult", "latencyMs",
  "exactMatch", "templateMatch", "similarity", "promptTokens", "completionTokens", "costUsd", "attempts", "cached", "suiteMatch", "suiteSize", "createdAt",
] as const;

/**
 * Writes result rows, keeping any row of the same unit already there. Returns the rows written,
 * or null when some were already there and it cannot tell which (PostgreSQL). On SQLite the rows
 * go through the plain connection in one transaction: the ORM's createMany costs the event loop
 * a third of a millisecond per row, which a run at full speed cannot spare.
 */
async function insertResultRows(db: Db, rows: ResultRow[]): Promise<ResultRow[] | null> {
  const fast = getFastSqlite(db);
  if (!fast) {
    try {
      await db.evalResult.createMany({ data: rows });
      return rows;
    } catch (error) {
      if ((error as { code?: string }).code !== "P2002") throw error;
    }
    for (const row of rows) {
      await db.evalResult.upsert({ where: { evalRunId_itemId_repeat: { evalRunId: row.evalRunId, itemId: row.itemId, repeat: row.repeat ?? 0 } }, create: row, update: {} });
    }
    return null;
  }
  const insert = prepared(
    fast,
    `INSERT INTO "EvalResult" (${RESULT_COLUMNS.map((c) => `"${c}"`).join(", ")}) VALUES (${RESULT_COLUMNS.map(() => "?").join(", ")})
     ON CONFLICT ("evalRunId", "itemId", "repeat") DO NOTHING`,
  );
  const now = sqliteNow();
  const flag = (value: boolean | null | undefined) => (value === null || value === undefined ? null : value ? 1 : 0);
  const written: ResultRow[] = [];
  fast.transaction(() => {
    for (const r of rows) {
      const { changes } = insert.run(
        newRowId(), r.evalRunId, r.itemId, r.repeat ?? 0, r.source ?? "scope", r.predictedSql, r.responseText ?? "", r.outcome, r.reason, r.errorClass ?? null,
        r.predResult ?? null, r.latencyMs ?? 0, flag(r.exactMatch) ?? 0, flag(r.templateMatch) ?? 0, r.similarity ?? 0, r.promptTokens ?? 0,
        r.completionTokens ?? 0, r.costUsd ?? 0, r.attempts ?? 0, flag(r.cached) ?? 0, flag(r.suiteMatch), r.suiteSize ?? 0, now,
      );
      if (changes > 0) written.push(r);
    }
  })();
  return written;
}


/** Errors no retry or other item can fix: the endpoint is set up wrongly, so the run fails with the message. */
function isConfigurationError(error: unknown): boolean {
  return error instanceof ValidationError || error instanceof NotFoundError || error instanceof ForbiddenError;
}

function attemptsOf(error: unknown): number {
  const attempts = (error as { details?: { attempts?: unknown } })?.details?.attempts;
  return typeof attempts === "number" && attempts > 0 ? attempts : 1;
}

function quoteStart(text: string): string {
  const line = quoteOneLine(redactSecrets(text), 120);
  return line ? `"${line}"` : "the answer was empty.";
}

function classifyFailedExecution(error: unknown): { errorClass: ErrorClass; reason: string } {
  if (error instanceof SqlRefusedError) return { errorClass: classifyExecutionError("refused", error.message), reason: error.message };
  if (error instanceof SqlExecutionError) return { errorClass: classifyExecutionError(error.kind, error.message), reason: error.message };
  if (error instanceof AppError) return { errorClass: "runtime", reason: error.message };
  throw error;
}

function cut(text: string): string {
  return text.length > 1_000 ? `${text.slice(0, 999)}…` : text;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
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
      gold = await executeReadOnly(variant.path, goldSql, { timeoutMs: EXECUTION_TIMEOUT_MS, maxRows: MAX_PREDICTED_ROWS });
    } catch {
      continue;
    }
    // A cut-off result cannot be compared fairly: that variant is left out.
    if (gold.truncated) continue;
    let pred;
    try {
      pred = await executeReadOnly(variant.path, predictedSql, { timeoutMs: EXECUTION_TIMEOUT_MS, maxRows: MAX_PREDICTED_ROWS });
    } catch (error) {
      return { match: false, compared: compared + 1, reason: `on variant ${index + 1} (seed ${variant.seed}) the prediction failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (pred.truncated) {
      return { match: false, compared: compared + 1, reason: `on variant ${index + 1} (seed ${variant.seed}) the prediction returned over ${fmt(MAX_PREDICTED_ROWS - 1)} rows, the gold query ${fmt(gold.rowCount)}.` };
    }
    compared++;
    const verdict = compareResults({ columns: gold.columns.map((c) => c.name), rows: gold.rows }, { columns: pred.columns.map((c) => c.name), rows: pred.rows }, settings);
    if (!verdict.match) return { match: false, compared, reason: `on variant ${index + 1} (seed ${variant.seed}) the results differ: ${verdict.reason}` };
  }
  return { match: true, compared, reason: "" };
}

/** The run's counters as its result rows hold them (accuracy and error counts over repeat 0). */
async function readCounters(db: Db, runId: string): Promise<Counters> {
  const [outcomes, suiteCorrect, spend] = await Promise.all([
    db.evalResult.groupBy({ by: ["outcome"], where: { evalRunId: runId, repeat: 0 }, _count: { _all: true } }),
    db.evalResult.count({ where: { evalRunId: runId, repeat: 0, outcome: "correct", suiteMatch: true } }),
    db.evalResult.aggregate({ where: { evalRunId: runId, cached: false, attempts: { gt: 0 } }, _count: { _all: true }, _sum: { costUsd: true } }),
  ]);
  const count = (o: string) => outcomes.find((g) => g.outcome === o)?._count._all ?? 0;
  const correct = count("correct");
  const errors = count("error");
  return { done: correct + errors + count("wrong"), correct, errors, suiteCorrect, calls: spend._count._all, costUsd: spend._sum.costUsd ?? 0 };
}

/** Recomputes the run's counters from its result rows and stores them. */
export async function refreshRunCounters(db: Db, runId: string) {
  const counters = await readCounters(db, runId);
  const run = await db.evalRun.findUniqueOrThrow({ where: { id: runId }, select: { total: true } });
  const accuracy = run.total ? counters.correct / run.total : 0;
  await db.evalRun.update({ where: { id: runId }, data: { ...counters, accuracy } });
  return { total: run.total, ...counters, accuracy };
}
