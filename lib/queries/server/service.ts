import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { AppError, NotFoundError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { refreshVariants, requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { quoteIdent } from "@/lib/sql/quote";
import { quoteTable } from "@/lib/sandbox/ddl";
import type { QueryResult } from "@/lib/sql/result";
import { generateTemplateQueries, type ValueSamples } from "@/lib/queries/templates";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { getLintHints, lintQuery, type LintFlag } from "@/lib/queries/lint";

export const QUERIES_JOB = "queries.generate";

/** Ground truth larger than this is refused as a label: nobody can review it and it inflates exports. */
export const MAX_GROUND_TRUTH_ROWS = 5_000;

export const generateQueriesInput = z.object({
  max: z.coerce.number().int().min(1, "Ask for at least one query.").max(2_000, "At most 2,000 queries at a time.").optional(),
  seed: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
});

export async function requestQueryGeneration(db: Db, projectId: string, input: z.infer<typeof generateQueriesInput>, userId?: string | null) {
  await getProject(db, projectId);
  await requireActiveSandbox(db, projectId);
  return enqueueJob(db, {
    type: QUERIES_JOB,
    projectId,
    payload: { max: input.max ?? 200, seed: input.seed ?? 7 },
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
export async function executeGroundTruth(sandboxPath: string, sql: string): Promise<{ ok: true; stored: string; rowCount: number } | { ok: false; error: string }> {
  try {
    const result = await executeReadOnly(sandboxPath, sql, { timeoutMs: 10_000, maxRows: MAX_GROUND_TRUTH_ROWS });
    if (result.truncated) return { ok: false, error: `The query returns more than ${MAX_GROUND_TRUTH_ROWS.toLocaleString("en-US")} rows, too many for a label. Add a filter or an aggregate.` };
    return { ok: true, stored: toStoredResult(result), rowCount: result.rowCount };
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: error.message };
    throw error;
  }
}

/** Job handler: generate template queries, store the new ones, then execute every query lacking ground truth. */
export async function runQueriesJob(db: Db, ctx: JobContext<{ max: number; seed: number }>) {
  const projectId = ctx.projectId!;
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const model = toEffectiveSchema(schema.model);
  await ctx.progress(2, "Sampling values from the sandbox…");
  const samples = await sampleValues(sandbox.path, model);
  const drafts = generateTemplateQueries(model, samples, { seed: ctx.payload.seed, max: ctx.payload.max });
  const existing = new Set((await db.query.findMany({ where: { projectId }, select: { sql: true } })).map((q) => q.sql));
  const fresh = drafts.filter((d) => !existing.has(d.sql));
  await ctx.progress(10, `Analysing ${fresh.length} new queries…`);
  const hints = getLintHints(model);
  let added = 0;
  for (const [i, draft] of fresh.entries()) {
    const analysis = await analyzeSql(draft.sql);
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
    select: { id: true, sql: true, lintFlags: true },
    orderBy: { createdAt: "asc" },
  });
  let executed = 0;
  let failed = 0;
  let empty = 0;
  for (const [i, q] of pending.entries()) {
    const out = await executeGroundTruth(sandbox.path, q.sql);
    const flags = (JSON.parse(q.lintFlags) as LintFlag[]).filter((f) => f.code !== "empty_result");
    if (out.ok && out.rowCount === 0) {
      empty++;
      flags.push({ code: "empty_result", message: "Returns no rows on the sandbox: a weak label (any query that returns nothing would match)." });
    }
    await db.query.update({
      where: { id: q.id },
      data: out.ok
        ? { result: out.stored, resultRowCount: out.rowCount, resultSandboxId: sandbox.id, executionError: null, executedAt: new Date(), lintFlags: JSON.stringify(flags) }
        : { result: null, resultRowCount: null, resultSandboxId: sandbox.id, executionError: out.error, executedAt: new Date() },
    });
    if (out.ok) executed++;
    else failed++;
    if (i % 10 === 0) await ctx.progress(40 + Math.round((i / Math.max(1, pending.length)) * 58), `Executed ${i + 1} of ${pending.length} queries for ground truth…`);
  }
  // Test-suite variants follow the constants of the queries now stored.
  if (added > 0) await refreshVariants(db, sandbox.id, (pct, message) => ctx.progress(pct, message), 98, 99);
  await db.$transaction((tx) =>
    recordAudit(tx, { projectId, action: "queries.generate", entityType: "query", summary: `Generated ${added} queries; executed ${executed} (${failed} failed, ${empty} empty)` }),
  );
  return { message: `${added} new queries; ${executed} executed, ${failed} failed, ${empty} empty.`, result: { added, executed, failed, empty } };
}

export const listQueriesInput = z.object({
  complexity: z.enum(["simple", "moderate", "complex", "highly_complex"]).optional(),
  status: z.enum(["ok", "error", "empty", "flagged"]).optional(),
  take: z.coerce.number().int().min(1).max(500).default(200),
});

export async function listQueries(db: Db, projectId: string, filter: Partial<z.infer<typeof listQueriesInput>> = {}) {
  await getProject(db, projectId);
  const where = {
    projectId,
    ...(filter.complexity ? { complexity: filter.complexity } : {}),
    ...(filter.status === "error" ? { executionError: { not: null } } : {}),
    ...(filter.status === "ok" ? { result: { not: null } } : {}),
    ...(filter.status === "empty" ? { resultRowCount: 0 } : {}),
    ...(filter.status === "flagged" ? { lintFlags: { not: "[]" } } : {}),
  };
  const [rows, total, byComplexity, byShape] = await Promise.all([
    db.query.findMany({ where, orderBy: { createdAt: "asc" }, take: filter.take ?? 200 }),
    db.query.count({ where: { projectId } }),
    db.query.groupBy({ by: ["complexity"], where: { projectId }, _count: { _all: true } }),
    db.query.groupBy({ by: ["shape"], where: { projectId }, _count: { _all: true } }),
  ]);
  return {
    total,
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
