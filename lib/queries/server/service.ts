import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { AppError, NotFoundError, ValidationError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { listReadyVariants, refreshVariants, requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { quoteIdent } from "@/lib/sql/quote";
import { quoteTable } from "@/lib/sandbox/ddl";
import type { QueryResult } from "@/lib/sql/result";
import { generateTemplateQueries, type ValueSamples } from "@/lib/queries/templates";
import { QUERY_SHAPES, type QueryShape } from "@/lib/queries/shapes";
import { QUERIES_JOB, type QueriesJobPayload } from "@/lib/queries/jobs";
import { canonicalResultHash } from "@/lib/sql/canonical";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { getLintHints, lintQuery, type LintFlag } from "@/lib/queries/lint";
import { lintWithExecution } from "@/lib/queries/server/lint-exec";
import { tablesRead, type QueryFeatures } from "@/lib/queries/features";

export { QUERIES_JOB } from "@/lib/queries/jobs";

/** Ground truth larger than this is refused as a label: nobody can review it and it inflates exports. */
export const MAX_GROUND_TRUTH_ROWS = 5_000;

export const generateQueriesInput = z.object({
  max: z.coerce.number().int().min(1, "Ask for at least one query.").max(2_000, "At most 2,000 queries at a time.").optional(),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  /** Only these shapes ("more of a shape", "fill the gaps"). */
  shapes: z.array(z.enum(QUERY_SHAPES, { error: "Unknown query shape." })).min(1).max(QUERY_SHAPES.length).optional(),
});

export async function requestQueryGeneration(db: Db, projectId: string, input: z.infer<typeof generateQueriesInput>, userId?: string | null) {
  await getProject(db, projectId);
  await requireActiveSandbox(db, projectId);
  return enqueueJob(db, {
    type: QUERIES_JOB,
    projectId,
    // A request for particular shapes draws other literals than the last run (another seed).
    payload: { max: input.max ?? 400, seed: input.seed ?? (input.shapes ? Math.floor(Math.random() * 1_000_000) : 7), shapes: input.shapes },
    activeKey: `queries:${projectId}`,
    createdById: userId,
  });
}

/** Values that really occur in the sandbox, so generated filters return rows. */
export async function sampleValues(sandboxPath: string, model: SchemaModel, perColumn = 12): Promise<ValueSamples> {
  const samples: ValueSamples = {};
  for (const table of model.tables) {
    for (const column of table.columns) {
      const c = quoteIdent(column.name);
      const result = await executeReadOnly(
        sandboxPath,
        `SELECT ${c} AS v, count(*) AS n FROM ${quoteTable(table.name)} WHERE ${c} IS NOT NULL GROUP BY ${c} ORDER BY n DESC, ${c} LIMIT ${perColumn}`,
        { maxRows: perColumn },
      );
      samples[`${table.name}.${column.name}`] = result.rows.map((r) => r[0] as string | number | boolean | null);
    }
  }
  return samples;
}

export function toStoredResult(result: QueryResult): string {
  return JSON.stringify({ columns: result.columns.map((c) => c.name), types: result.columns.map((c) => c.type), rows: result.rows });
}

/**
 * Execute a query on the sandbox for ground truth. Refuses results too large to be a label.
 * Returns the stored form, or the error message the query produced.
 */
export async function executeGroundTruth(
  sandboxPath: string,
  sql: string,
  ordered = false,
): Promise<{ ok: true; stored: string; rowCount: number; hash: string; result: QueryResult } | { ok: false; error: string }> {
  try {
    const result = await executeReadOnly(sandboxPath, sql, { timeoutMs: 10_000, maxRows: MAX_GROUND_TRUTH_ROWS });
    if (result.truncated) return { ok: false, error: `The query returns more than ${MAX_GROUND_TRUTH_ROWS.toLocaleString("en-US")} rows, too many for a label. Add a filter or an aggregate.` };
    return { ok: true, stored: toStoredResult(result), rowCount: result.rowCount, hash: canonicalResultHash(result.rows, ordered), result };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.message };
    throw error;
  }
}

/** Job handler: generate template queries, store the new ones, then execute every query lacking ground truth. */
export async function runQueriesJob(db: Db, ctx: JobContext<QueriesJobPayload>) {
  const projectId = ctx.projectId!;
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const model = toEffectiveSchema(schema.model);
  await ctx.progress(2, "Sampling values from the sandbox…");
  const samples = await sampleValues(sandbox.path, model);
  const drafts = ctx.payload.executeOnly
    ? []
    : generateTemplateQueries(model, samples, { seed: ctx.payload.seed, max: ctx.payload.max, shapes: ctx.payload.shapes as QueryShape[] | undefined });
  const stored = await db.query.findMany({ where: { projectId }, select: { id: true, sql: true, astHash: true } });
  // Queries stored before fingerprints existed get theirs now, so duplicates are seen whatever their spelling.
  for (const q of stored.filter((x) => x.astHash === "")) {
    const analysis = await analyzeSql(q.sql);
    if (!analysis.ok) continue;
    q.astHash = analysis.astHash;
    await db.query.update({ where: { id: q.id }, data: { astHash: analysis.astHash } });
  }
  const existing = new Set(stored.map((q) => q.sql));
  const fingerprints = new Set(stored.map((q) => q.astHash).filter(Boolean));
  const fresh = drafts.filter((d) => !existing.has(d.sql));
  await ctx.progress(10, `Analysing ${fresh.length} new queries…`);
  const hints = getLintHints(model);
  let added = 0;
  for (const [i, draft] of fresh.entries()) {
    const analysis = await analyzeSql(draft.sql);
    // The same query written differently (spacing, case, quoting) is not a new label.
    if (analysis.ok && fingerprints.has(analysis.astHash)) continue;
    if (analysis.ok) fingerprints.add(analysis.astHash);
    const flags: LintFlag[] = analysis.ok ? lintQuery(draft.sql, analysis.features, { hints }) : [];
    await db.query.create({
      data: {
        projectId,
        schemaVersionId: schema.id,
        sql: draft.sql,
        origin: "template",
        shape: draft.shape,
        complexity: analysis.ok ? analysis.complexity : draft.complexity,
        features: analysis.ok ? JSON.stringify(analysis.features) : "{}",
        templateHash: analysis.ok ? analysis.templateHash : "",
        astHash: analysis.ok ? analysis.astHash : "",
        topLevelOrderBy: analysis.ok ? analysis.topLevelOrderBy : /\border\s+by\b/i.test(draft.sql),
        lintFlags: JSON.stringify(flags),
        questionSeed: JSON.stringify(draft.question),
      },
    });
    added++;
    if (i % 20 === 0) await ctx.progress(10 + Math.round((i / Math.max(1, fresh.length)) * 30), `Stored ${added} of ${fresh.length} queries…`);
  }
  // Ground truth: only queries not yet executed on this sandbox, so a resumed job skips stored ones.
  const pending = await db.query.findMany({
    where: { projectId, OR: [{ resultSandboxId: null }, { resultSandboxId: { not: sandbox.id } }] },
    select: { id: true, sql: true, lintFlags: true, topLevelOrderBy: true, features: true },
    orderBy: { createdAt: "asc" },
  });
  let executed = 0;
  let failed = 0;
  let empty = 0;
  for (const [i, q] of pending.entries()) {
    const out = await executeGroundTruth(sandbox.path, q.sql, q.topLevelOrderBy);
    // Lint again with what the run showed: empty or single-NULL results, ties at a LIMIT, huge results.
    const features = JSON.parse(q.features) as Partial<QueryFeatures>;
    const flags = out.ok && features.topLevel ? await lintWithExecution(sandbox.path, q.sql, features as QueryFeatures, { hints, result: out.result }) : (JSON.parse(q.lintFlags) as LintFlag[]);
    if (out.ok && out.rowCount === 0) empty++;
    await db.query.update({
      where: { id: q.id },
      data: out.ok
        ? { result: out.stored, resultRowCount: out.rowCount, resultHash: out.hash, resultSandboxId: sandbox.id, executionError: null, executedAt: new Date(), lintFlags: JSON.stringify(flags) }
        : { result: null, resultRowCount: null, resultHash: null, resultSandboxId: sandbox.id, executionError: out.error, executedAt: new Date() },
    });
    if (out.ok) executed++;
    else failed++;
    if (i % 10 === 0) await ctx.progress(40 + Math.round((i / Math.max(1, pending.length)) * 45), `Executed ${i + 1} of ${pending.length} queries for ground truth…`);
  }
  // Test-suite variants follow the constants of the queries now stored, then get their own ground truth.
  if (added > 0) await refreshVariants(db, sandbox.id, (pct, message) => ctx.progress(pct, message), 85, 90);
  await executeOnVariants(db, projectId, sandbox.id, (pct, message) => ctx.progress(pct, message), 90, 99);
  await db.$transaction((tx) =>
    recordAudit(tx, { projectId, action: "queries.generate", entityType: "query", summary: `Generated ${added} queries; executed ${executed} (${failed} failed, ${empty} empty)` }),
  );
  // Shapes a full run could not build over this schema (no date column, no self-reference…).
  const built = new Set(drafts.map((d) => d.shape));
  const unsupported = ctx.payload.executeOnly || ctx.payload.shapes ? undefined : QUERY_SHAPES.filter((s) => !built.has(s));
  return { message: `${added} new queries; ${executed} executed, ${failed} failed, ${empty} empty.`, result: { added, executed, failed, empty, unsupported } };
}

export const listQueriesInput = z.object({
  complexity: z.enum(["simple", "moderate", "complex", "highly_complex"]).optional(),
  status: z.enum(["ok", "error", "empty", "flagged"]).optional(),
  shape: z.string().max(60).optional(),
  origin: z.string().max(30).optional(),
  /** A lint code: only queries carrying that flag. */
  flag: z.string().regex(/^[a-z_]{1,40}$/, "Unknown lint flag.").optional(),
  /** Words the SQL contains (case-insensitive). */
  q: z.string().max(200).optional(),
  take: z.coerce.number().int().min(1).max(500).default(200),
  skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export async function listQueries(db: Db, projectId: string, filter: Partial<z.infer<typeof listQueriesInput>> = {}) {
  await getProject(db, projectId);
  const where = {
    projectId,
    ...(filter.complexity ? { complexity: filter.complexity } : {}),
    ...(filter.shape ? { shape: filter.shape } : {}),
    ...(filter.origin ? { origin: filter.origin } : {}),
    ...(filter.status === "error" ? { executionError: { not: null } } : {}),
    ...(filter.status === "ok" ? { result: { not: null } } : {}),
    ...(filter.status === "empty" ? { resultRowCount: 0 } : {}),
    ...(filter.status === "flagged" ? { lintFlags: { not: "[]" } } : {}),
    // Flags are stored as JSON text: the code appears quoted exactly once per flag.
    ...(filter.flag ? { lintFlags: { contains: `"code":"${filter.flag}"` } } : {}),
    ...(filter.q?.trim() ? { sql: { contains: filter.q.trim() } } : {}),
  };
  const [rows, total, matching, byComplexity, byShape] = await Promise.all([
    db.query.findMany({ where, orderBy: { createdAt: "asc" }, take: filter.take ?? 200, skip: filter.skip ?? 0 }),
    db.query.count({ where: { projectId } }),
    db.query.count({ where }),
    db.query.groupBy({ by: ["complexity"], where: { projectId }, _count: { _all: true } }),
    db.query.groupBy({ by: ["shape"], where: { projectId }, _count: { _all: true } }),
  ]);
  return {
    total,
    matching,
    byComplexity: Object.fromEntries(byComplexity.map((g) => [g.complexity, g._count._all])) as Record<string, number>,
    byShape: Object.fromEntries(byShape.map((g) => [g.shape, g._count._all])) as Record<string, number>,
    queries: rows.map((q) => ({
      id: q.id,
      sql: q.sql,
      origin: q.origin,
      shape: q.shape,
      complexity: q.complexity,
      rowCount: q.resultRowCount,
      executionError: q.executionError,
      lintFlags: JSON.parse(q.lintFlags) as LintFlag[],
    })),
  };
}

export async function getQuery(db: Db, projectId: string, queryId: string) {
  const q = await db.query.findFirst({ where: { id: queryId, projectId } });
  if (!q) throw new NotFoundError("This query does not exist in this project.");
  return q;
}

export const fixQueryInput = z.object({
  sql: z.string().trim().min(1, "Give the corrected SQL.").max(100_000, "The SQL is over 100 KB; shorten it."),
});

/**
 * Replaces a query by a corrected one (a lint fix or a hand edit): the new SQL must parse and run
 * on the sandbox; it is stored as its own query (or joins the one with the same SQL), and every
 * pair of the old query moves to it, back to pending review with an edit event. Nothing changes
 * when the new SQL fails.
 */
export async function fixQuery(db: Db, projectId: string, queryId: string, input: z.infer<typeof fixQueryInput>, userId?: string | null) {
  const old = await getQuery(db, projectId, queryId);
  const sql = input.sql.replace(/;\s*$/, "");
  if (sql === old.sql) throw new ValidationError("The SQL is unchanged.");
  const analysis = await analyzeSql(sql);
  if (!analysis.ok) throw new ValidationError(`${analysis.error} Nothing was saved.`);
  const sandbox = await requireActiveSandbox(db, projectId);
  const executed = await executeGroundTruth(sandbox.path, sql, analysis.topLevelOrderBy);
  if (!executed.ok) throw new ValidationError(`The SQL did not run on the sandbox: ${executed.error} Nothing was saved.`);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const flags = await lintWithExecution(sandbox.path, sql, analysis.features, { hints: getLintHints(toEffectiveSchema(schema.model)), result: executed.result });
  return db.$transaction(async (tx) => {
    const fixed = await tx.query.upsert({
      where: { projectId_sql: { projectId, sql } },
      create: {
        projectId,
        schemaVersionId: sandbox.schemaVersionId,
        sql,
        origin: "fix",
        shape: old.shape,
        complexity: analysis.complexity,
        features: JSON.stringify(analysis.features),
        templateHash: analysis.templateHash,
        astHash: analysis.astHash,
        topLevelOrderBy: analysis.topLevelOrderBy,
        lintFlags: JSON.stringify(flags),
        questionSeed: old.questionSeed,
        result: executed.stored,
        resultRowCount: executed.rowCount,
        resultHash: executed.hash,
        resultSandboxId: sandbox.id,
        executedAt: new Date(),
      },
      update: { result: executed.stored, resultRowCount: executed.rowCount, resultHash: executed.hash, resultSandboxId: sandbox.id, executionError: null, executedAt: new Date(), lintFlags: JSON.stringify(flags) },
    });
    const pairs = await tx.pair.findMany({ where: { queryId: old.id } });
    for (const pair of pairs) {
      await tx.pair.update({
        where: { id: pair.id },
        data: { queryId: fixed.id, revision: { increment: 1 }, reviewState: "pending", reviewedById: userId ?? null, reviewedAt: new Date() },
      });
      await tx.reviewEvent.create({
        data: {
          pairId: pair.id,
          userId: userId ?? null,
          action: "edit_sql",
          revision: pair.revision + 1,
          before: JSON.stringify({ question: pair.question, sql: old.sql, reviewState: pair.reviewState }),
          after: JSON.stringify({ question: pair.question, sql, reviewState: "pending" }),
        },
      });
    }
    await recordAudit(tx, {
      projectId,
      userId,
      action: "query.fix",
      entityType: "query",
      entityId: fixed.id,
      summary: `Fixed a query (${pairs.length} pair${pairs.length === 1 ? "" : "s"} back to review)`,
    });
    return { id: fixed.id, movedPairs: pairs.length, rowCount: executed.rowCount, lintFlags: flags };
  });
}

/** One query for its page: SQL, structure, stored result, flags and the pairs that use it. */
export async function getQueryDetail(db: Db, projectId: string, queryId: string) {
  const q = await getQuery(db, projectId, queryId);
  const pairs = await db.pair.findMany({ where: { queryId: q.id }, select: { id: true, question: true, reviewState: true }, orderBy: { createdAt: "asc" }, take: 50 });
  return {
    id: q.id,
    sql: q.sql,
    origin: q.origin,
    shape: q.shape,
    complexity: q.complexity,
    templateHash: q.templateHash,
    topLevelOrderBy: q.topLevelOrderBy,
    features: JSON.parse(q.features) as Record<string, unknown>,
    lintFlags: JSON.parse(q.lintFlags) as LintFlag[],
    result: q.result ? (JSON.parse(q.result) as { columns: string[]; types?: string[]; rows: unknown[][] }) : null,
    rowCount: q.resultRowCount,
    executionError: q.executionError,
    executedAt: q.executedAt?.toISOString() ?? null,
    createdAt: q.createdAt.toISOString(),
    pairs,
  };
}

export interface QueryCoverage {
  tables: string[];
  shapes: { shape: string; total: number; empty: number; byTable: Record<string, number> }[];
}

/** Shape × table counts (a query counts for every table it reads), for the coverage matrix. */
export async function queryCoverage(db: Db, projectId: string, shapes: readonly string[]): Promise<QueryCoverage> {
  await getProject(db, projectId);
  const rows = await db.query.findMany({ where: { projectId }, select: { shape: true, features: true, resultRowCount: true } });
  const byShape = new Map<string, { total: number; empty: number; byTable: Record<string, number> }>();
  const tables = new Set<string>();
  for (const shape of shapes) byShape.set(shape, { total: 0, empty: 0, byTable: {} });
  for (const row of rows) {
    const shape = row.shape || "other";
    const entry = byShape.get(shape) ?? { total: 0, empty: 0, byTable: {} };
    entry.total++;
    if (row.resultRowCount === 0) entry.empty++;
    for (const t of new Set(tablesRead(row.features).map((x) => x.toLowerCase()))) {
      tables.add(t);
      entry.byTable[t] = (entry.byTable[t] ?? 0) + 1;
    }
    byShape.set(shape, entry);
  }
  const project = await db.project.findUnique({ where: { id: projectId }, select: { activeSandboxId: true } });
  if (project?.activeSandboxId) {
    const sandbox = await db.sandbox.findUnique({ where: { id: project.activeSandboxId }, select: { rowCounts: true } });
    for (const t of Object.keys(JSON.parse(sandbox?.rowCounts ?? "{}") as Record<string, number>)) tables.add(t.toLowerCase());
  }
  return { tables: [...tables].sort(), shapes: [...byShape.entries()].map(([shape, v]) => ({ shape, ...v })) };
}

/**
 * Ground truth on each ready test-suite variant of the sandbox, for every query with a result on
 * the sandbox and none yet on that variant (a resumed job skips what is stored). Only the size
 * and the canonical hash are kept; evaluation re-runs the gold SQL on the variants.
 */
export async function executeOnVariants(db: Db, projectId: string, sandboxId: string, progress: (pct: number, message: string) => Promise<void>, from: number, to: number) {
  const variants = await listReadyVariants(db, sandboxId);
  if (variants.length === 0) return { executed: 0 };
  const queries = await db.query.findMany({
    where: { projectId, resultSandboxId: sandboxId, result: { not: null } },
    select: { id: true, sql: true, topLevelOrderBy: true, variantResults: { select: { sandboxId: true } } },
    orderBy: { createdAt: "asc" },
  });
  const todo = variants.flatMap((v) => queries.filter((q) => !q.variantResults.some((r) => r.sandboxId === v.id)).map((q) => ({ variant: v, query: q })));
  let executed = 0;
  for (const [i, { variant, query }] of todo.entries()) {
    const out = await executeGroundTruth(variant.path, query.sql, query.topLevelOrderBy);
    const data = out.ok ? { rowCount: out.rowCount, resultHash: out.hash, error: null } : { rowCount: null, resultHash: null, error: out.error.slice(0, 500) };
    await db.queryVariantResult.upsert({
      where: { queryId_sandboxId: { queryId: query.id, sandboxId: variant.id } },
      create: { queryId: query.id, sandboxId: variant.id, ...data },
      update: { ...data, executedAt: new Date() },
    });
    executed++;
    if (i % 25 === 0) await progress(from + Math.round(((to - from) * i) / Math.max(1, todo.length)), `Ground truth on test-suite variants: ${i + 1} of ${todo.length}…`);
  }
  return { executed };
}

/** Shapes the last full generation could not build over the schema, with why the user may care. */
export async function getUnsupportedShapes(db: Db, projectId: string): Promise<string[]> {
  const jobs = await db.job.findMany({ where: { projectId, type: QUERIES_JOB, status: "succeeded" }, orderBy: { createdAt: "desc" }, take: 10, select: { result: true } });
  for (const job of jobs) {
    const result = job.result ? (JSON.parse(job.result) as { unsupported?: string[] }) : null;
    if (result?.unsupported) return result.unsupported;
  }
  return [];
}
