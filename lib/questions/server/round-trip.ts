import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ProviderError, ValidationError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/server/queue";
import type { JobContext } from "@/lib/jobs/server/worker";
import { getProject } from "@/lib/projects/server/service";
import { extractSql } from "@/lib/providers/extract-sql";
import { executionAgreement } from "@/lib/review/server/agreement";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { roundTripInput, type RoundTripInput } from "@/lib/questions/input";
import { buildRoundTripPrompt } from "@/lib/questions/llm-prompt";
import { endpointNotWorking, findQuestionEndpoint, loadPromptSchema, openQuestionEndpoint, type ClientOptions, type PromptSchema, type QuestionEndpoint } from "@/lib/questions/server/endpoint";
import { questionsActiveKey } from "@/lib/questions/server/service";
import { parseOrThrow } from "@/lib/validate";

// The round trip: a model writes SQL from a pair's question alone (schema + question), the SQL runs
// read-only on the active sandbox and is compared with the pair's ground truth by the studio's
// comparator (executionAgreement). Same result: consistent. Another result: ambiguous, the
// question may admit another reading. No SQL, or SQL that does not run: failed. Only the pair's
// roundTripStatus and roundTrip change, never its review state or revision.

export const ROUND_TRIP_JOB = "questions.roundtrip";
export type RoundTripStatus = "consistent" | "ambiguous" | "failed";

export interface RoundTripDetails {
  sql: string;
  reason: string;
  checkedAt: string;
  model: string;
}

export interface RoundTripCounts {
  checked: number;
  consistent: number;
  ambiguous: number;
  failed: number;
  /** Pairs left unchecked because the endpoint did not answer. */
  errors: number;
  /** Pairs whose query names a sensitive column: their question is not sent. */
  skippedSensitive: number;
  promptTokens: number;
  completionTokens: number;
  calls: number;
}

export interface RoundTripJobPayload {
  endpointId: string;
  state?: RoundTripInput["state"];
  pairIds?: string[];
  limit: number;
  recheck: boolean;
}

/** When the first requests all fail, the endpoint is not working: stop rather than fail every pair. */
const FIRST_REQUESTS_TO_PROVE_ENDPOINT = 3;
const TEMPERATURE = 0;
const MAX_TOKENS = 1_024;

export function emptyRoundTripCounts(): RoundTripCounts {
  return { checked: 0, consistent: 0, ambiguous: 0, failed: 0, errors: 0, skippedSensitive: 0, promptTokens: 0, completionTokens: 0, calls: 0 };
}

function parseInput(raw: unknown): RoundTripInput {
  return parseOrThrow(roundTripInput, raw ?? {}, "The request is not valid.");
}

export async function requestRoundTrip(db: Db, projectId: string, raw: unknown, userId?: string | null) {
  const input = parseInput(raw);
  await getProject(db, projectId);
  await findQuestionEndpoint(db, projectId, input.endpointId);
  await requireActiveSandbox(db, projectId);
  const pairs = await db.pair.count({ where: roundTripWhere(projectId, input) });
  if (pairs === 0) {
    throw new ValidationError(
      input.recheck || input.pairIds
        ? "No pair matches: nothing to check."
        : "Every matching pair has been checked already. Tick re-check to check them again, or write more questions first.",
    );
  }
  const payload: RoundTripJobPayload = { endpointId: input.endpointId, state: input.state, pairIds: input.pairIds, limit: input.limit, recheck: input.recheck };
  return enqueueJob(db, { type: ROUND_TRIP_JOB, projectId, payload, activeKey: questionsActiveKey(projectId), createdById: userId });
}

function roundTripWhere(projectId: string, input: Pick<RoundTripJobPayload, "state" | "pairIds" | "recheck">) {
  return {
    projectId,
    query: { result: { not: null } },
    ...(input.state ? { reviewState: input.state } : {}),
    ...(input.pairIds ? { id: { in: input.pairIds } } : {}),
    ...(input.recheck || input.pairIds ? {} : { roundTripStatus: null }),
  };
}

/** Job handler: the round trip over the pairs the payload selects. */
export async function runRoundTripJob(db: Db, ctx: JobContext<RoundTripJobPayload>, opts: ClientOptions = {}) {
  const projectId = ctx.projectId!;
  const endpoint = await openQuestionEndpoint(db, projectId, ctx.payload.endpointId, opts);
  const schema = await loadPromptSchema(db, projectId);
  // A resumed attempt skips what an earlier one stored (unless re-checking on purpose).
  const pairs = await db.pair.findMany({
    where: roundTripWhere(projectId, ctx.payload),
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: ctx.payload.limit,
    select: { id: true },
  });
  const counts = emptyRoundTripCounts();
  await checkRoundTrips(db, {
    endpoint,
    schema,
    pairIds: pairs.map((p) => p.id),
    counts,
    progress: (done, total, message) => ctx.progress(2 + Math.round((done / Math.max(1, total)) * 96), message),
  });
  await db.$transaction((tx) =>
    recordAudit(tx, { projectId, action: "questions.roundtrip", entityType: "pair", summary: `Round trip with ${endpoint.name}: ${summarize(counts)}`, after: counts }),
  );
  return { result: counts, message: `Round trip with ${endpoint.name}: ${summarize(counts)}.` };
}

export function summarize(c: RoundTripCounts): string {
  const parts = [`${c.consistent} consistent, ${c.ambiguous} ambiguous, ${c.failed} failed`];
  if (c.errors) parts.push(`${c.errors} not answered`);
  if (c.skippedSensitive) parts.push(`${c.skippedSensitive} skipped (sensitive columns)`);
  return parts.join("; ");
}

/**
 * Checks the given pairs one by one (one question per request, so the model sees nothing but the
 * schema and that question) and stores each outcome on its pair. A pair the endpoint does not
 * answer stays unchecked; when the first requests all fail the endpoint is declared not working.
 */
export async function checkRoundTrips(
  db: Db,
  input: { endpoint: QuestionEndpoint; schema: PromptSchema; pairIds: string[]; counts: RoundTripCounts; progress: (done: number, total: number, message: string) => Promise<void> },
): Promise<void> {
  const { endpoint, schema, counts } = input;
  const pairs = await db.pair.findMany({
    where: { id: { in: input.pairIds } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, question: true, query: { select: { sql: true, topLevelOrderBy: true } } },
  });
  let answered = 0;
  let lastError: ProviderError | null = null;
  for (const [i, pair] of pairs.entries()) {
    await input.progress(i, pairs.length, `Round trip: ${i} of ${pairs.length} pairs checked (${summarize(counts)})…`);
    if (schema.mentionsSensitive(pair.query.sql)) {
      counts.skippedSensitive++;
      continue;
    }
    let text: string;
    try {
      counts.calls++;
      const completion = await endpoint.client.complete(buildRoundTripPrompt(schema.schemaText, pair.question), { temperature: TEMPERATURE, maxTokens: MAX_TOKENS });
      counts.promptTokens += completion.usage?.promptTokens ?? 0;
      counts.completionTokens += completion.usage?.completionTokens ?? 0;
      text = completion.text;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      counts.errors++;
      lastError = error;
      if (answered === 0 && counts.errors >= Math.min(FIRST_REQUESTS_TO_PROVE_ENDPOINT, pairs.length)) {
        throw endpointNotWorking("The round trip", endpoint.name, endpoint.model, counts.errors, error);
      }
      continue;
    }
    answered++;
    const sql = extractSql(text);
    const outcome = sql === "" ? { status: "failed" as const, reason: "The model's answer held no SQL." } : await judge(schema.sandbox.path, pair.query.sql, sql, pair.query.topLevelOrderBy);
    const details: RoundTripDetails = { sql, reason: outcome.reason, checkedAt: new Date().toISOString(), model: endpoint.model };
    await db.pair.update({ where: { id: pair.id }, data: { roundTripStatus: outcome.status, roundTrip: JSON.stringify(details) } });
    counts.checked++;
    counts[outcome.status]++;
  }
  if (pairs.length > 0 && answered === 0 && lastError) throw endpointNotWorking("The round trip", endpoint.name, endpoint.model, counts.errors, lastError);
}

async function judge(sandboxPath: string, truthSql: string, modelSql: string, orderMatters: boolean): Promise<{ status: RoundTripStatus; reason: string }> {
  const outcome = await executionAgreement(sandboxPath, truthSql, modelSql, { orderMatters });
  if (outcome.agree) return { status: "consistent", reason: "The model's SQL returns the same result as the ground truth." };
  if (outcome.errorB !== undefined) return { status: "failed", reason: `The model's SQL did not run: ${firstLine(outcome.errorB)}` };
  if (outcome.errorA !== undefined) return { status: "failed", reason: `The ground truth did not run on the sandbox: ${firstLine(outcome.errorA)}` };
  return { status: "ambiguous", reason: `A different result (${outcome.reason}): the question may admit another reading.` };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!;
}
