import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ProviderError, ValidationError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { collectComparedConstants } from "@/lib/queries/constants";
import { parseSqlTree } from "@/lib/queries/server/analyze";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import type { QuestionSeed } from "@/lib/questions/seed";
import { llmQuestionsInput, type LlmQuestionsInput } from "@/lib/questions/input";
import {
  buildQuestionPrompt, parseQuestionAnswer, questionAnswerSchema, QUESTIONS_SCHEMA_NAME, sortAnswer,
  type QuestionRequestItem, type RejectReason,
} from "@/lib/questions/llm-prompt";
import type { QuestionStyle } from "@/lib/questions/styles";
import { endpointNotWorking, findQuestionEndpoint, loadPromptSchema, openQuestionEndpoint, type ClientOptions } from "@/lib/questions/server/endpoint";
import { checkRoundTrips, emptyRoundTripCounts, summarize, type RoundTripCounts } from "@/lib/questions/server/round-trip";
import { questionsActiveKey } from "@/lib/questions/server/service";
import { parseOrThrow } from "@/lib/validate";

// Questions written by a model of the project (an OpenAI-compatible endpoint) for executed queries
// that have none from a model yet, in any of the eight styles. Several queries go in one request
// with structured output; every question is checked (not empty, under 2,000 characters, stating
// the SQL's values unless vague or metaphorical, no repeat) and the rejected ones are counted with
// their reason. A request that fails costs its queries only; when the first requests all fail the
// job stops with the endpoint's error. Optionally each new pair then gets its round trip.

export const LLM_QUESTIONS_JOB = "questions.llm";

export type LlmQuestionsJobPayload = LlmQuestionsInput;

export interface LlmQuestionsResult {
  /** Queries asked about. */
  asked: number;
  written: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  /** Questions asked for that the answers did not hold. */
  unanswered: number;
  /** Queries naming a sensitive column: never sent. */
  skippedSensitive: number;
  failedRequests: { queries: number; error: string }[];
  promptTokens: number;
  completionTokens: number;
  calls: number;
  roundTrip?: RoundTripCounts;
}

/** Queries per request: enough to save tokens on the schema, few enough for a short answer. */
export const QUERIES_PER_REQUEST = 5;
const FIRST_REQUESTS_TO_PROVE_ENDPOINT = 2;
const TEMPERATURE = 0.8;
const MAX_TOKENS_CAP = 8_192;

function parseInput(raw: unknown): LlmQuestionsInput {
  return parseOrThrow(llmQuestionsInput, raw ?? {}, "The request is not valid.");
}

const withoutModelQuestion = (projectId: string) => ({
  projectId,
  result: { not: null },
  executionError: null,
  pairs: { none: { questionSource: "llm" } },
});

/** Queue questions by a model; one questions job per project at a time. */
export async function requestLlmQuestions(db: Db, projectId: string, raw: unknown, userId?: string | null) {
  const input = parseInput(raw);
  await getProject(db, projectId);
  await findQuestionEndpoint(db, projectId, input.endpointId);
  await requireActiveSandbox(db, projectId);
  const waiting = await db.query.count({ where: withoutModelQuestion(projectId) });
  if (waiting === 0) throw new ValidationError("Every executed query already has a question written by a model. Generate or import more queries first.");
  return enqueueJob(db, { type: LLM_QUESTIONS_JOB, projectId, payload: input, activeKey: questionsActiveKey(projectId), createdById: userId });
}

/** The values a question about this query must state: the template's literals, else the constants the SQL compares columns with. */
async function literalsOf(sql: string, seedJson: string | null): Promise<string[]> {
  if (seedJson) return (JSON.parse(seedJson) as QuestionSeed).literals;
  const parsed = await parseSqlTree(sql);
  if (!parsed.ok) return [];
  const values = collectComparedConstants(parsed.node)
    .map((c) => c.value)
    .filter((v): v is string | number => typeof v === "string" || typeof v === "number")
    .map(String);
  return [...new Set(values)];
}

/** Styles for the i-th query: `perQuery` of them, taken in turn so the project's questions spread over the styles. */
export function stylesFor(styles: readonly QuestionStyle[], perQuery: number, index: number): QuestionStyle[] {
  return Array.from({ length: perQuery }, (_, j) => styles[(index + j) % styles.length]!);
}

/** Job handler: ask the model in chunks of queries, keep the questions that pass the checks, then the round trip. */
export async function runLlmQuestionsJob(db: Db, ctx: JobContext<LlmQuestionsJobPayload>, opts: ClientOptions = {}) {
  const projectId = ctx.projectId!;
  const { styles, perQuery, limit, roundTrip } = ctx.payload;
  const job = await db.job.findUnique({ where: { id: ctx.jobId }, select: { createdById: true } });
  const endpoint = await openQuestionEndpoint(db, projectId, ctx.payload.endpointId, opts);
  const schema = await loadPromptSchema(db, projectId);
  const result: LlmQuestionsResult = {
    asked: 0, written: 0, rejected: 0, rejectedByReason: {}, unanswered: 0, skippedSensitive: 0, failedRequests: [], promptTokens: 0, completionTokens: 0, calls: 0,
  };
  // A resumed attempt only finds the queries the earlier one did not finish. Queries naming a
  // sensitive column are never sent, and do not count against the limit.
  const candidates = await db.query.findMany({ where: withoutModelQuestion(projectId), orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, sql: true } });
  const chosen = candidates.filter((q) => {
    if (!schema.mentionsSensitive(q.sql)) return true;
    result.skippedSensitive++;
    return false;
  }).slice(0, limit);
  const details = await db.query.findMany({
    where: { id: { in: chosen.map((q) => q.id) } },
    select: { id: true, sql: true, questionSeed: true, pairs: { select: { question: true } } },
  });
  const byId = new Map(details.map((q) => [q.id, q]));
  const sendable = chosen.map((q) => byId.get(q.id)!);
  const chunks: (typeof sendable)[] = [];
  for (let i = 0; i < sendable.length; i += QUERIES_PER_REQUEST) chunks.push(sendable.slice(i, i + QUERIES_PER_REQUEST));
  const share = roundTrip ? 60 : 98;
  const newPairIds: string[] = [];
  let answered = 0;
  let index = 0;

  for (const [c, chunk] of chunks.entries()) {
    await ctx.progress(1 + Math.round((c / Math.max(1, chunks.length)) * share), `Asking ${endpoint.name} about queries ${index + 1}–${index + chunk.length} of ${sendable.length}… ${tokens(result)}`);
    const items: QuestionRequestItem[] = [];
    for (const [j, q] of chunk.entries()) {
      items.push({ ref: `q${j + 1}`, sql: q.sql, styles: stylesFor(styles, perQuery, index + j), literals: await literalsOf(q.sql, q.questionSeed) });
    }
    index += chunk.length;
    result.asked += chunk.length;
    const wanted = items.reduce((n, item) => n + item.styles.length, 0);
    let text: string;
    try {
      result.calls++;
      const completion = await endpoint.client.complete(buildQuestionPrompt({ schemaText: schema.schemaText, items }), {
        jsonSchema: { name: QUESTIONS_SCHEMA_NAME, schema: questionAnswerSchema(styles) },
        temperature: TEMPERATURE,
        maxTokens: Math.min(MAX_TOKENS_CAP, 300 + wanted * 200),
      });
      result.promptTokens += completion.usage?.promptTokens ?? 0;
      result.completionTokens += completion.usage?.completionTokens ?? 0;
      text = completion.text;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      result.failedRequests.push({ queries: chunk.length, error: error.message });
      result.unanswered += wanted;
      if (answered === 0 && result.failedRequests.length >= Math.min(FIRST_REQUESTS_TO_PROVE_ENDPOINT, chunks.length)) {
        throw endpointNotWorking("Writing questions", endpoint.name, endpoint.model, result.failedRequests.length, error);
      }
      continue;
    }
    answered++;
    const written = parseQuestionAnswer(text);
    if (written === null) {
      result.failedRequests.push({ queries: chunk.length, error: 'The model\'s answer could not be read (expected JSON: {"questions": [{"query", "style", "question"}]}).' });
      result.unanswered += wanted;
      continue;
    }
    const existing = new Map(chunk.map((q, j) => [`q${j + 1}`, new Set(q.pairs.map((p) => p.question))]));
    const sorted = sortAnswer(items, written, existing);
    for (const r of sorted.rejected) result.rejectedByReason[r.reason] = (result.rejectedByReason[r.reason] ?? 0) + 1;
    result.rejected += sorted.rejected.length;
    result.unanswered += wanted - sorted.accepted.length;
    const queryOf = new Map(chunk.map((q, j) => [`q${j + 1}`, q.id]));
    // One transaction per request: a crash leaves a query with all of its new questions or none.
    const created = await db.$transaction(async (tx) => {
      const ids: string[] = [];
      for (const a of sorted.accepted) {
        const pair = await tx.pair.create({ data: { projectId, queryId: queryOf.get(a.ref)!, question: a.question, style: a.style, questionSource: "llm" }, select: { id: true } });
        ids.push(pair.id);
      }
      return ids;
    });
    newPairIds.push(...created);
    result.written += created.length;
  }

  if (roundTrip && newPairIds.length > 0) {
    result.roundTrip = emptyRoundTripCounts();
    await checkRoundTrips(db, {
      endpoint,
      schema,
      pairIds: newPairIds,
      counts: result.roundTrip,
      progress: (done, total, message) => ctx.progress(62 + Math.round((done / Math.max(1, total)) * 36), message),
    });
  }

  const summary =
    `${result.written} ${result.written === 1 ? "question" : "questions"} from ${endpoint.name} for ${result.asked} ${result.asked === 1 ? "query" : "queries"}; ` +
    `${result.rejected} rejected${result.failedRequests.length ? `, ${result.failedRequests.length} ${result.failedRequests.length === 1 ? "request" : "requests"} failed` : ""}` +
    `${result.skippedSensitive ? `, ${result.skippedSensitive} skipped (sensitive columns)` : ""}. ${tokens(result)}` +
    `${result.roundTrip ? ` Round trip: ${summarize(result.roundTrip)}.` : ""}`;
  await db.$transaction((tx) =>
    recordAudit(tx, { projectId, userId: job?.createdById ?? null, action: "questions.llm", entityType: "pair", summary, after: { ...result, failedRequests: result.failedRequests.length } }),
  );
  return { result, message: summary };
}

function tokens(result: { promptTokens: number; completionTokens: number; calls: number }): string {
  return `${(result.promptTokens + result.completionTokens).toLocaleString("en-US")} tokens in ${result.calls} ${result.calls === 1 ? "call" : "calls"}.`;
}
