import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { AppError, NotFoundError, ProviderError, ValidationError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import type { ChatClient, ChatMessage } from "@/lib/providers/chat";
import { openSecret } from "@/lib/secrets/server/crypto";
import { redactSecrets } from "@/lib/redact";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { renderSchemaPrompt } from "@/lib/schema/prompt";
import { refreshVariants, requireActiveSandbox } from "@/lib/sandbox/server/service";
import { QUERY_SHAPES, SHAPE_FAMILIES, type QueryShape } from "@/lib/queries/shapes";
import { MAX_QUERY_BYTES } from "@/lib/queries/import";
import { buildQueryGenerationPrompt, parseGeneratedQueries, queryGenerationSchema, type GeneratedQuery } from "@/lib/queries/llm-prompt";
import { importQueryLog, type ImportReport } from "@/lib/queries/server/import";
import { executeOnVariants, sampleValues } from "@/lib/queries/server/service";

// More queries of chosen shapes, written by a model of the project (an OpenAI-compatible
// endpoint). The model only proposes: each answer becomes a small query log that goes through
// importQueryLog, the same parse, schema binding, ground truth, lint and deduplication as a
// log a person uploads. Sensitive columns never reach the model (schema, samples, examples).

export const LLM_QUERIES_JOB = "queries.llm";
const AUDIT_ACTION = "queries.llm";

export const llmQueriesInput = z.object({
  endpointId: z.string().min(1, "Pick the model endpoint that writes the queries."),
  shapes: z
    .array(z.enum(QUERY_SHAPES, { error: "Unknown query shape." }))
    .min(1, "Pick at least one query shape.")
    .max(QUERY_SHAPES.length),
  perShape: z.coerce.number().int().min(1, "Ask for at least one query per shape.").max(20, "At most 20 queries per shape at a time.").default(5),
});
export type LlmQueriesInput = z.infer<typeof llmQueriesInput>;

export interface LlmQueriesJobPayload {
  endpointId: string;
  shapes: QueryShape[];
  perShape: number;
}

export interface LlmQueriesResult {
  added: number;
  /** Queries the model wrote that failed the checks (syntax, schema, not a SELECT). */
  invalid: number;
  /** Queries the project already had. */
  alreadyKnown: number;
  pairsAdded: number;
  /** Shapes for which the model gave nothing usable, and why. */
  failedShapes: { shape: QueryShape; error: string }[];
  promptTokens: number;
  completionTokens: number;
  calls: number;
  byShape: Partial<Record<QueryShape, ShapeCounts>>;
}

interface ShapeCounts {
  added: number;
  invalid: number;
  alreadyKnown: number;
}

/** When this many first shapes all fail, the endpoint is not working: stop rather than fail every shape. */
const FIRST_SHAPES_TO_PROVE_ENDPOINT = 3;
const EXAMPLES_PER_SHAPE = 3;
const TEMPERATURE = 0.7;
const MAX_TOKENS_CAP = 8_192;
const SCHEMA_NAME = "generated_queries";

/**
 * Queue generation of queries by a model. One query job per project at a time: while template
 * generation or another model run is queued or running, the job in flight is returned.
 */
export async function requestLlmQueryGeneration(db: Db, projectId: string, raw: z.input<typeof llmQueriesInput>, userId?: string | null) {
  const parsed = llmQueriesInput.safeParse(raw);
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? "The request is not valid.");
  const input = parsed.data;
  await getProject(db, projectId);
  await findUsableEndpoint(db, projectId, input.endpointId);
  await requireActiveSandbox(db, projectId);
  const payload: LlmQueriesJobPayload = { endpointId: input.endpointId, shapes: [...new Set(input.shapes)], perShape: input.perShape };
  return enqueueJob(db, { type: LLM_QUERIES_JOB, projectId, payload, activeKey: `queries:${projectId}`, createdById: userId });
}

async function findUsableEndpoint(db: Db, projectId: string, endpointId: string) {
  const endpoint = await db.modelEndpoint.findFirst({ where: { id: endpointId, projectId }, include: { connection: true } });
  if (!endpoint) throw new NotFoundError("That model endpoint does not exist in this project. Pick one of the project's endpoints.");
  if (endpoint.kind !== "openai_compatible" || !endpoint.connection?.baseUrl) {
    throw new ValidationError(`${endpoint.name} cannot write queries: pick an OpenAI-compatible endpoint (add one on the Evaluations page).`);
  }
  return { ...endpoint, connection: endpoint.connection, baseUrl: endpoint.connection.baseUrl };
}

/** Job handler: per shape, ask the model, then import its answer as a query log. */
export async function runLlmQueriesJob(db: Db, ctx: JobContext<LlmQueriesJobPayload>): Promise<{ result: LlmQueriesResult; message: string }> {
  const projectId = ctx.projectId!;
  const { shapes, perShape } = ctx.payload;
  const job = await db.job.findUnique({ where: { id: ctx.jobId }, select: { createdAt: true, createdById: true } });
  // Who asked: the stored queries, pairs and audit events are theirs.
  const userId = job?.createdById ?? null;
  const endpoint = await findUsableEndpoint(db, projectId, ctx.payload.endpointId).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new ValidationError("The endpoint chosen to write queries no longer exists. Pick another and ask again.");
    throw error;
  });
  const sandbox = await requireActiveSandbox(db, projectId);
  const schema = await getSchemaVersion(db, projectId, sandbox.schemaVersionId);
  const model = toEffectiveSchema(schema.model);
  const sensitive = sensitiveColumns(model);
  const schemaText = renderSchemaPrompt(model, { excludeColumns: sensitive });

  await ctx.progress(1, "Sampling values from the sandbox…");
  const samples = await sampleValues(sandbox.path, withoutColumns(model, sensitive));
  const apiKey = endpoint.connection.secretCipher ? openSecret(endpoint.connection.secretCipher) : "";
  const client = createChatClient({ baseUrl: endpoint.baseUrl, apiKey, model: endpoint.model, timeoutMs: 120_000, maxRetries: 2 });

  const result: LlmQueriesResult = { added: 0, invalid: 0, alreadyKnown: 0, pairsAdded: 0, failedShapes: [], promptTokens: 0, completionTokens: 0, calls: 0, byShape: {} };
  // A resumed attempt skips the shapes an earlier attempt already imported (one event each).
  const done = ctx.attempt > 1 && job ? await importedShapes(db, projectId, job.createdAt) : new Map<QueryShape, ShapeCounts>();
  for (const [shape, counts] of done) {
    result.byShape[shape] = counts;
    result.added += counts.added;
    result.invalid += counts.invalid;
    result.alreadyKnown += counts.alreadyKnown;
  }
  const mustSucceedWithin = Math.min(FIRST_SHAPES_TO_PROVE_ENDPOINT, shapes.length);
  let answered = 0;

  for (const [i, shape] of shapes.entries()) {
    const info = SHAPE_FAMILIES[shape];
    if (done.has(shape)) continue;
    await ctx.progress(progressAt(i, shapes.length), `${info.label}: asking ${endpoint.name} for ${perShape} ${perShape === 1 ? "query" : "queries"}… ${tokensSoFar(result)}`);
    const examples = await listExamples(db, projectId, shape, sensitive);
    const messages = buildQueryGenerationPrompt({
      schemaText,
      shape: { id: shape, label: info.label, description: info.description, complexity: info.complexity },
      examples,
      samples,
      count: perShape,
    });

    let generated: GeneratedQuery[];
    try {
      generated = await askModel(client, messages, perShape, result);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      result.failedShapes.push({ shape, error: error.message });
      if (answered === 0 && result.failedShapes.length >= mustSucceedWithin) throw endpointNotWorking(endpoint.name, endpoint.model, result.failedShapes.length, error);
      continue;
    }
    answered++;
    if (generated.length === 0) {
      result.failedShapes.push({ shape, error: "The model's answer held no queries that could be read (expected JSON: {\"queries\": [{\"sql\", \"question\"}]})." });
      continue;
    }

    let report: ImportReport;
    try {
      ({ report } = await importQueryLog(
        db,
        projectId,
        { fileName: `model-${shape}.jsonl`, content: toJsonLines(generated) },
        userId,
        { origin: "llm", shape, auditAction: AUDIT_ACTION },
      ));
    } catch (error) {
      // A query log the checks refuse as a whole, or an import racing this one: this shape only.
      if (!(error instanceof AppError) || error instanceof ProviderError) throw error;
      result.failedShapes.push({ shape, error: error.message });
      continue;
    }
    const counts = { added: report.added, invalid: countInvalid(report), alreadyKnown: report.alreadyKnown };
    result.byShape[shape] = counts;
    result.added += counts.added;
    result.invalid += counts.invalid;
    result.alreadyKnown += counts.alreadyKnown;
    result.pairsAdded += report.pairsAdded;
    await ctx.progress(progressAt(i + 1, shapes.length), `${info.label}: ${counts.added} added, ${counts.invalid} invalid. ${result.added} added so far, ${tokensSoFar(result)}`);
  }

  // Test-suite variants follow the constants of the queries now stored, then get their own ground truth.
  if (result.added > 0) await refreshVariants(db, sandbox.id, (pct, message) => ctx.progress(pct, message), 85, 90);
  await executeOnVariants(db, projectId, sandbox.id, (pct, message) => ctx.progress(pct, message), 90, 99);

  const failed = result.failedShapes.length;
  const message =
    `${result.added} new ${result.added === 1 ? "query" : "queries"} from ${endpoint.name}; ${result.invalid} invalid, ${result.alreadyKnown} already known` +
    `${failed ? `; ${failed} ${failed === 1 ? "shape" : "shapes"} failed` : ""}. ${(result.promptTokens + result.completionTokens).toLocaleString("en-US")} tokens in ${result.calls} ${result.calls === 1 ? "call" : "calls"}.`;
  return { result, message };
}

async function askModel(client: ChatClient, messages: ChatMessage[], count: number, result: LlmQueriesResult): Promise<GeneratedQuery[]> {
  result.calls++;
  const completion = await client.complete(messages, {
    jsonSchema: { name: SCHEMA_NAME, schema: queryGenerationSchema(count) },
    temperature: TEMPERATURE,
    maxTokens: Math.min(MAX_TOKENS_CAP, 400 + count * 300),
  });
  result.promptTokens += completion.usage?.promptTokens ?? 0;
  result.completionTokens += completion.usage?.completionTokens ?? 0;
  // A query too long to run would make the import refuse the whole answer: drop it here.
  return parseGeneratedQueries(completion.text).filter((q) => Buffer.byteLength(q.sql, "utf8") <= MAX_QUERY_BYTES);
}

/** JSON Lines the query-log reader takes: one {"sql", "question"} object a line. */
function toJsonLines(queries: GeneratedQuery[]): string {
  return `${queries.map((q) => JSON.stringify(q.question ? { sql: q.sql, question: q.question } : { sql: q.sql })).join("\n")}\n`;
}

/** Statements that failed the checks or are not queries; a repeat within the answer is not counted. */
function countInvalid(report: ImportReport): number {
  return report.invalid.length + report.skipped.filter((s) => !s.reason.startsWith("duplicate of line")).length;
}

function sensitiveColumns(model: SchemaModel): Set<string> {
  return new Set(model.tables.flatMap((t) => t.columns.filter((c) => c.sensitive).map((c) => `${t.name}.${c.name}`)));
}

function withoutColumns(model: SchemaModel, excluded: Set<string>): SchemaModel {
  return { ...model, tables: model.tables.map((t) => ({ ...t, columns: t.columns.filter((c) => !excluded.has(`${t.name}.${c.name}`)) })) };
}

/**
 * Up to three stored queries of the shape that ran, oldest first. A query naming a sensitive
 * column (by its bare name: a false match only drops an example) is not shown to the model.
 */
async function listExamples(db: Db, projectId: string, shape: QueryShape, sensitive: Set<string>): Promise<string[]> {
  const names = [...new Set([...sensitive].map((key) => key.slice(key.lastIndexOf(".") + 1).toLowerCase()))];
  const mentions = (sql: string) => {
    const words = new Set(sql.toLowerCase().match(/[a-z_][a-z0-9_$]*/g) ?? []);
    return names.some((n) => words.has(n) || sql.toLowerCase().includes(`"${n}"`));
  };
  const rows = await db.query.findMany({
    where: { projectId, shape, executionError: null, result: { not: null } },
    orderBy: { createdAt: "asc" },
    select: { sql: true },
    take: 50,
  });
  return rows
    .map((r) => r.sql)
    .filter((sql) => !mentions(sql))
    .slice(0, EXAMPLES_PER_SHAPE);
}

/** Shapes this job imported in an earlier attempt, read from their audit events (one per shape). */
async function importedShapes(db: Db, projectId: string, queuedAt: Date): Promise<Map<QueryShape, ShapeCounts>> {
  const done = new Map<QueryShape, ShapeCounts>();
  // One query job per project at a time, so events of this action since the job was queued are its own.
  const events = await db.auditEvent.findMany({ where: { projectId, action: AUDIT_ACTION, createdAt: { gte: queuedAt } }, select: { after: true } });
  for (const event of events) {
    const after = event.after ? (JSON.parse(event.after) as { shape?: string; added?: number; invalid?: number; skipped?: number; total?: number }) : {};
    if (!after.shape || !(QUERY_SHAPES as readonly string[]).includes(after.shape)) continue;
    const added = after.added ?? 0;
    const invalid = (after.invalid ?? 0) + (after.skipped ?? 0);
    done.set(after.shape as QueryShape, { added, invalid, alreadyKnown: Math.max(0, (after.total ?? 0) - added - invalid) });
  }
  return done;
}

function endpointNotWorking(name: string, model: string, failed: number, last: ProviderError): ProviderError {
  const message = redactSecrets(
    `Query generation stopped: ${name} (model "${model}") failed on ${failed === 1 ? "the only shape asked" : `each of the first ${failed} shapes`}, so nothing more was asked. ` +
      `Check the endpoint's base URL, API key and model name, and that the model supports structured output (response_format json_schema). Last error: ${last.message}`,
  );
  return new ProviderError(message, { model, failedShapes: failed, status: last.details?.status });
}

function progressAt(done: number, total: number): number {
  return 2 + Math.round((done / Math.max(1, total)) * 83);
}

function tokensSoFar(result: LlmQueriesResult): string {
  return `${(result.promptTokens + result.completionTokens).toLocaleString("en-US")} tokens so far.`;
}
