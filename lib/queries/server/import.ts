import "server-only";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, SqlExecutionError, SqlRefusedError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { toEffectiveSchema } from "@/lib/schema/model";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { executeReadOnly, firstKeyword } from "@/lib/sql/server/safe-exec";
import { parseQueryLog, type QueryLogFormat, type QueryLogSkip } from "@/lib/queries/import";
import { getLintHints, lintQuery } from "@/lib/queries/lint";
import { lintWithExecution } from "@/lib/queries/server/lint-exec";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { QUERIES_IMPORT_JOB } from "@/lib/queries/jobs";
import { classifyShape } from "@/lib/queries/classify";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { executeGroundTruth } from "@/lib/queries/server/service";

export const importQueriesInput = z.object({
  fileName: z
    .string()
    .trim()
    .min(1, "Give the file's name: its extension (.sql, .csv, .jsonl) tells how to read it.")
    .max(255, "The file name is longer than 255 characters. Rename the file and upload it again."),
  content: z.string(),
});
export type ImportQueriesInput = z.infer<typeof importQueriesInput>;

/** Where the queries come from when they are not a person's query log (a model's answer, say). */
export interface ImportProvenance {
  /** Stored as each query's origin, and as the style of the pairs made from its questions. Default "imported". */
  origin?: string;
  /** Stored as each query's shape. Default: each query's own, read from its structure (`classifyShape`). */
  shape?: string;
  /** Called every few queries while they are checked and executed (a job's progress). */
  onProgress?: (done: number, total: number) => Promise<void>;
  /** The audit event's action. Default "queries.import". */
  auditAction?: string;
}

export interface ImportReport {
  format: QueryLogFormat;
  /** Statements (or rows) found in the file: added + alreadyKnown + invalid + skipped. */
  total: number;
  added: number;
  /** Queries the project already had (from an earlier import, generation or review). */
  alreadyKnown: number;
  /** Queries that do not parse or do not match the current schema; nothing is stored for them. */
  invalid: { line: number; sql: string; error: string }[];
  skipped: QueryLogSkip[];
  /** Imported or already-known queries that came with a question. */
  withQuestion: number;
  /** Question/SQL pairs created from those questions (a pair already holding the question is not repeated). */
  pairsAdded: number;
  /** Ground truth of the added queries on the active sandbox. */
  groundTruth: { executed: number; failed: number; empty: number };
}

const WRITE_CHUNK = 200;
const QUERY_KEYWORDS = new Set(["SELECT", "WITH", "FROM"]);
const CHECK_TIMEOUT_MS = 10_000;

interface PreparedQuery {
  line: number;
  sql: string;
  question?: string;
  /** The shape read from the query's structure (used when the provenance names none). */
  shape: string;
  data: {
    complexity: string;
    features: string;
    templateHash: string;
    astHash: string;
    topLevelOrderBy: boolean;
    lintFlags: string;
    result: string | null;
    resultRowCount: number | null;
    resultHash: string | null;
    executionError: string | null;
    executedAt: Date;
  };
}

/**
 * Imports a query log into a project. Each query is parsed, bound against the active sandbox's
 * schema and executed there for ground truth before anything is written; then every new query (and
 * a pending pair for each question given) is stored in one transaction with the audit event, so an
 * interrupted import stores nothing and importing the same file again adds nothing.
 * `queryIds` are the queries this import added. `provenance` labels what is stored when the
 * queries are not an uploaded log; the checks are the same whatever their source.
 */
export async function importQueryLog(
  db: Db,
  projectId: string,
  input: ImportQueriesInput,
  userId?: string | null,
  provenance: ImportProvenance = {},
): Promise<{ report: ImportReport; queryIds: string[] }> {
  await getProject(db, projectId);
  const log = parseQueryLog(input.content, input.fileName);
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const hints = getLintHints(toEffectiveSchema(schema.model));

  const storedQueries = await db.query.findMany({ where: { projectId }, select: { id: true, sql: true, astHash: true } });
  const known = new Map(storedQueries.map((q) => [q.sql, q.id]));
  // The same query written differently (spacing, keyword case, quoting, comments) is known too.
  const knownByTree = new Map(storedQueries.filter((q) => q.astHash).map((q) => [q.astHash, q.id]));
  const fileTrees = new Set<string>();
  const invalid: ImportReport["invalid"] = [];
  const prepared: PreparedQuery[] = [];
  const knownQuestions: { queryId: string; question: string }[] = [];
  let alreadyKnown = 0;
  let withQuestion = 0;

  for (const [index, entry] of log.entries.entries()) {
    if (provenance.onProgress && index % 20 === 0) await provenance.onProgress(index, log.entries.length);
    const knownId = known.get(entry.sql);
    if (knownId !== undefined) {
      alreadyKnown++;
      if (entry.question) {
        withQuestion++;
        knownQuestions.push({ queryId: knownId, question: entry.question });
      }
      continue;
    }
    const analysis = await analyzeSql(entry.sql);
    if (!analysis.ok) {
      invalid.push({ line: entry.line, sql: entry.sql, error: analysis.error });
      continue;
    }
    const sameTree = knownByTree.get(analysis.astHash);
    if (sameTree !== undefined || fileTrees.has(analysis.astHash)) {
      alreadyKnown++;
      if (entry.question) {
        withQuestion++;
        if (sameTree !== undefined) knownQuestions.push({ queryId: sameTree, question: entry.question });
      }
      continue;
    }
    fileTrees.add(analysis.astHash);
    // DuckDB reads some commands (SUMMARIZE, SHOW…) as SELECTs; execution refuses them, so does the import.
    if (!QUERY_KEYWORDS.has(firstKeyword(entry.sql))) {
      invalid.push({ line: entry.line, sql: entry.sql, error: "Only SELECT (or WITH … SELECT) statements are allowed." });
      continue;
    }
    const mismatch = await checkAgainstSandbox(sandbox.path, entry.sql, entry.line);
    if (mismatch) {
      invalid.push({ line: entry.line, sql: entry.sql, error: mismatch });
      continue;
    }
    const truth = await executeGroundTruth(sandbox.path, entry.sql, analysis.topLevelOrderBy);
    const flags = truth.ok
      ? await lintWithExecution(sandbox.path, entry.sql, analysis.features, { hints, result: truth.result, question: entry.question })
      : lintQuery(entry.sql, analysis.features, { hints, question: entry.question });
    if (entry.question) withQuestion++;
    prepared.push({
      line: entry.line,
      sql: entry.sql,
      question: entry.question,
      shape: classifyShape(analysis.features, entry.sql),
      data: {
        complexity: analysis.complexity,
        features: JSON.stringify(analysis.features),
        templateHash: analysis.templateHash,
        astHash: analysis.astHash,
        topLevelOrderBy: analysis.topLevelOrderBy,
        lintFlags: JSON.stringify(flags),
        result: truth.ok ? truth.stored : null,
        resultRowCount: truth.ok ? truth.rowCount : null,
        resultHash: truth.ok ? truth.hash : null,
        executionError: truth.ok ? null : truth.error,
        executedAt: new Date(),
      },
    });
  }

  const written = await writeImport(db, {
    projectId,
    schemaVersionId: sandbox.schemaVersionId,
    sandboxId: sandbox.id,
    fileName: input.fileName,
    userId: userId ?? null,
    origin: provenance.origin ?? "imported",
    shape: provenance.shape,
    auditAction: provenance.auditAction ?? "queries.import",
    prepared,
    knownQuestions,
    summary: { format: log.format, total: log.entries.length + log.skipped.length, invalid: invalid.length, skipped: log.skipped.length },
  });

  const added = prepared.filter((p) => !written.raced.has(p.sql));
  const report: ImportReport = {
    format: log.format,
    total: log.entries.length + log.skipped.length,
    added: written.queryIds.length,
    alreadyKnown: alreadyKnown + written.raced.size,
    invalid,
    skipped: log.skipped,
    withQuestion,
    pairsAdded: written.pairsAdded,
    groundTruth: {
      executed: added.filter((p) => p.data.result !== null).length,
      failed: added.filter((p) => p.data.executionError !== null).length,
      empty: added.filter((p) => p.data.resultRowCount === 0).length,
    },
  };
  return { report, queryIds: written.queryIds };
}

/**
 * Binds the query on the sandbox without reading rows. Returns why it does not fit the schema (or
 * cannot run there at all), or null. Runtime failures are left to ground truth, which records them.
 */
async function checkAgainstSandbox(sandboxPath: string, sql: string, line: number): Promise<string | null> {
  try {
    // The newlines keep a trailing line comment of the query from swallowing the wrapper.
    await executeReadOnly(sandboxPath, `SELECT * FROM (\n${sql}\n) AS q LIMIT 0`, { timeoutMs: CHECK_TIMEOUT_MS, maxRows: 1 });
    return null;
  } catch (error) {
    if (error instanceof SqlRefusedError) return error.message;
    if (error instanceof SqlExecutionError && (error.kind === "binder" || error.kind === "syntax")) {
      return describeBindError(error.message, error.kind, line);
    }
    if (error instanceof SqlExecutionError) return null;
    throw error;
  }
}

/**
 * DuckDB's message without its excerpt of the wrapped statement, pointing at the line of the file.
 * Binder and catalog messages name the unknown table or column and suggest the closest one.
 */
export function describeBindError(message: string, kind: "binder" | "syntax", line: number): string {
  const at = /\n\s*LINE (\d+):/.exec(message);
  const head = (at ? message.slice(0, at.index) : message)
    .replace(/\s*\n\s*/g, " ")
    .replace(/: :\s/g, ": ")
    .trim();
  // Line 1 of the statement is line 2 of the wrapper.
  const fileLine = at ? Math.max(line, line + Number(at[1]) - 2) : line;
  return `${kind === "binder" ? "Does not match the current schema" : "Syntax error"} (line ${fileLine}): ${head}`;
}

async function writeImport(
  db: Db,
  args: {
    projectId: string;
    schemaVersionId: string;
    sandboxId: string;
    fileName: string;
    userId: string | null;
    origin: string;
    /** One shape for every query (a model asked for that shape); else each query's own. */
    shape?: string;
    auditAction: string;
    prepared: PreparedQuery[];
    knownQuestions: { queryId: string; question: string }[];
    summary: { format: QueryLogFormat; total: number; invalid: number; skipped: number };
  },
): Promise<{ queryIds: string[]; pairsAdded: number; raced: Set<string> }> {
  const { projectId } = args;
  try {
    return await db.$transaction(
      async (tx) => {
        // Queries stored since the check (another import, a generation job) count as known.
        const stored = new Map<string, string>();
        for (let i = 0; i < args.prepared.length; i += 500) {
          const sqls = args.prepared.slice(i, i + 500).map((p) => p.sql);
          for (const q of await tx.query.findMany({ where: { projectId, sql: { in: sqls } }, select: { id: true, sql: true } })) stored.set(q.sql, q.id);
        }
        const fresh = args.prepared.filter((p) => !stored.has(p.sql));
        const queryIds: string[] = [];
        const questions = [...args.knownQuestions, ...args.prepared.filter((p) => stored.has(p.sql) && p.question).map((p) => ({ queryId: stored.get(p.sql)!, question: p.question! }))];
        for (let i = 0; i < fresh.length; i += WRITE_CHUNK) {
          const chunk = fresh.slice(i, i + WRITE_CHUNK);
          const created = await tx.query.createManyAndReturn({
            data: chunk.map((p) => ({
              projectId,
              schemaVersionId: args.schemaVersionId,
              sql: p.sql,
              origin: args.origin,
              shape: args.shape ?? p.shape,
              questionSeed: null,
              resultSandboxId: args.sandboxId,
              ...p.data,
            })),
            select: { id: true, sql: true },
          });
          const idBySql = new Map(created.map((q) => [q.sql, q.id]));
          for (const p of chunk) {
            const id = idBySql.get(p.sql)!;
            queryIds.push(id);
            if (p.question) questions.push({ queryId: id, question: p.question });
          }
        }
        const pairsAdded = await createMissingPairs(tx, projectId, questions, args.origin);
        await recordAudit(tx, {
          projectId,
          userId: args.userId,
          action: args.auditAction,
          entityType: "query",
          summary: `Imported ${queryIds.length} ${queryIds.length === 1 ? "query" : "queries"} from ${args.fileName}`,
          after: { fileName: args.fileName, ...(args.shape ? { shape: args.shape } : {}), ...args.summary, added: queryIds.length, pairsAdded },
        });
        return { queryIds, pairsAdded, raced: new Set(stored.keys()) };
      },
      { timeout: 120_000, maxWait: 15_000 },
    );
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      throw new ConflictError("Some of these queries were stored by someone else at the same moment. Upload the file again: queries already stored are counted as known, not added twice.");
    }
    throw error;
  }
}

/**
 * One pending pair per (query, question), skipping questions the query's pairs already hold. The
 * style is the queries' origin: a person's log ("imported") or a model ("llm"), apart from the
 * template styles.
 */
async function createMissingPairs(tx: Tx, projectId: string, questions: { queryId: string; question: string }[], style: string): Promise<number> {
  if (questions.length === 0) return 0;
  const have = new Set<string>();
  const queryIds = [...new Set(questions.map((q) => q.queryId))];
  for (let i = 0; i < queryIds.length; i += 500) {
    const pairs = await tx.pair.findMany({ where: { projectId, queryId: { in: queryIds.slice(i, i + 500) } }, select: { queryId: true, question: true } });
    for (const p of pairs) have.add(`${p.queryId}\u0000${p.question}`);
  }
  const data = [];
  for (const q of questions) {
    const key = `${q.queryId}\u0000${q.question}`;
    if (have.has(key)) continue;
    have.add(key);
    data.push({ projectId, queryId: q.queryId, question: q.question, style, reviewState: "pending" });
  }
  for (let i = 0; i < data.length; i += WRITE_CHUNK) await tx.pair.createMany({ data: data.slice(i, i + WRITE_CHUNK) });
  return data.length;
}

/** Logs with more statements than this are imported by a job with a progress bar; smaller ones answer at once. */
export const IMPORT_JOB_THRESHOLD = 200;

export interface ImportJobPayload {
  fileName: string;
  content: string;
}

/** Requests a background import (large logs): the file is checked for format errors first. */
export async function requestQueryImport(db: Db, projectId: string, input: ImportQueriesInput, userId?: string | null) {
  await getProject(db, projectId);
  await requireActiveSandbox(db, projectId);
  parseQueryLog(input.content, input.fileName); // format, size and encoding errors answer now
  const payload: ImportJobPayload = { fileName: input.fileName, content: input.content };
  const out = await enqueueJob(db, { type: QUERIES_IMPORT_JOB, projectId, payload, activeKey: `queries:${projectId}`, createdById: userId });
  if (!out.created && out.job.type !== QUERIES_IMPORT_JOB) {
    throw new ConflictError("Queries are being generated or imported right now. Upload the log again when that job has finished.");
  }
  return out;
}

/** Job handler: the whole import, then one write; a resumed attempt starts over (the import is idempotent). */
export async function runImportJob(db: Db, ctx: JobContext<ImportJobPayload>) {
  const job = await db.job.findUnique({ where: { id: ctx.jobId }, select: { createdById: true } });
  const { report } = await importQueryLog(db, ctx.projectId!, { fileName: ctx.payload.fileName, content: ctx.payload.content }, job?.createdById ?? null, {
    onProgress: (done, total) => ctx.progress(Math.round((95 * done) / Math.max(1, total)), `Checked ${done} of ${total} statements of ${ctx.payload.fileName}…`),
  });
  return {
    message: `${report.added} new ${report.added === 1 ? "query" : "queries"}, ${report.alreadyKnown} already known, ${report.invalid.length} invalid, ${report.skipped.length} skipped.`,
    result: { report },
  };
}
