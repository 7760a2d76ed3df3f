// Questions by a model and the round trip, against the OpenAI-compatible stand-in and a real
// sandbox: good answers become llm pairs, bad ones are counted by reason, a failing endpoint ends
// the job with a clear error, the round trip tells consistent, ambiguous and failed apart, and no
// sensitive column ever reaches the endpoint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { startOpenAiStandIn, type OpenAiStandIn, type StandInMessage } from "@/test/stand-ins/openai-server";
import { POST as llmRoute } from "@/app/api/projects/[projectId]/questions/llm/route";
import { POST as roundTripRoute } from "@/app/api/projects/[projectId]/questions/round-trip/route";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { ProviderError } from "@/lib/errors";
import { createOpenAiEndpoint } from "@/lib/evaluation/server/endpoints";
import type { JobContext } from "@/lib/jobs/server/worker";
import { createProject } from "@/lib/projects/server/service";
import { importQueryLog } from "@/lib/queries/server/import";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { updateGlossaryEntry } from "@/lib/schema/server/glossary";
import { ingestDdl } from "@/lib/schema/server/ingest";
import type { RejectReason } from "@/lib/questions/llm-prompt";
import { LLM_QUESTIONS_JOB, runLlmQuestionsJob, type LlmQuestionsJobPayload, type LlmQuestionsResult } from "@/lib/questions/server/llm";
import { ROUND_TRIP_JOB, type RoundTripCounts, type RoundTripDetails } from "@/lib/questions/server/round-trip";
import { requestQuestionGeneration } from "@/lib/questions/server/service";

const KEY = "sk-questions-0123456789abcdef";
const MODEL = "question-writer";
const SENSITIVE_SQL = "SELECT name FROM airlines WHERE callsign IS NOT NULL ORDER BY airline_id";

let t: TestDb;
let standIn: OpenAiStandIn;
let projectId: string;
let userId: string;
let endpointId: string;
let cookie: string;

/** What the stand-in was asked and what it expects of each answer it gave. */
const expected = { rejected: {} as Partial<Record<RejectReason, number>>, roundTrip: new Map<string, "consistent" | "ambiguous" | "failed">() };
let roundTrips = 0;

interface AskedQuery {
  ref: string;
  sql: string;
  values: string[];
  styles: string[];
}

function askedQueries(prompt: string): AskedQuery[] {
  const out: AskedQuery[] = [];
  for (const m of prompt.matchAll(/Query (q\d+):\n([\s\S]*?)\nValues to state: (.*)\nWrite \d+ questions?, in these styles: (.*)\./g)) {
    const values = m[3] === "none" ? [] : (JSON.parse(`[${m[3]}]`) as string[]);
    out.push({ ref: m[1]!, sql: m[2]!, values, styles: m[4]!.split(", ") });
  }
  return out;
}

function count(reason: RejectReason) {
  expected.rejected[reason] = (expected.rejected[reason] ?? 0) + 1;
}

/** Questions: three bad ones first (empty, too long, a value left out), then one good question per style asked. */
function writeQuestions(prompt: string): string {
  const asked = askedQueries(prompt);
  const questions: { query: string; style: string; question: string }[] = [];
  const first = asked[0]!;
  questions.push({ query: first.ref, style: first.styles[0]!, question: "   " });
  count("empty");
  questions.push({ query: first.ref, style: first.styles[0]!, question: `Tell me ${"everything ".repeat(300)}` });
  count("too_long");
  const withValues = asked.find((a) => a.values.length > 0 && a.styles.some((s) => s !== "vague" && s !== "metaphorical"));
  if (withValues) {
    questions.push({ query: withValues.ref, style: withValues.styles.find((s) => s !== "vague" && s !== "metaphorical")!, question: "What does the data say about it?" });
    count("missing_literal");
  }
  questions.push({ query: "q99", style: "formal", question: "Which query is this?" });
  count("unknown_query");
  for (const a of asked) {
    for (const [i, style] of a.styles.entries()) {
      const values = style === "vague" || style === "metaphorical" ? "" : ` ${a.values.join(" and ")}`;
      questions.push({ query: a.ref, style, question: `Question ${i + 1} (${style}) about ${a.sql.length} characters of data${values}?` });
    }
  }
  return "```json\n" + JSON.stringify({ questions }) + "\n```";
}

/** Round trip: the right SQL, another query, or broken SQL, in turn; the outcome expected is noted by question. */
async function writeSql(prompt: string): Promise<string> {
  const question = /\nQuestion: ([\s\S]*)$/.exec(prompt)![1]!;
  const pair = await t.db.pair.findFirst({ where: { projectId, question }, include: { query: { select: { sql: true } } } });
  const turn = roundTrips++ % 3;
  if (!pair || turn === 2) {
    expected.roundTrip.set(question, "failed");
    return "```sql\nSELECT no_such_column FROM airports\n```";
  }
  if (turn === 0) {
    expected.roundTrip.set(question, "consistent");
    return "```sql\n" + pair.query.sql + "\n```";
  }
  expected.roundTrip.set(question, "ambiguous");
  return "```sql\nSELECT 'another reading' AS answer\n```";
}

async function answer(messages: StandInMessage[], body: Record<string, unknown>): Promise<string> {
  const prompt = messages.at(-1)!.content;
  return body.response_format ? writeQuestions(prompt) : writeSql(prompt);
}

async function runWorker() {
  const worker = startTestWorker(t.db);
  try {
    await worker.drain();
  } finally {
    await worker.stop();
  }
}

async function post(route: typeof llmRoute, path: string, body: unknown) {
  const req = new Request(`http://studio.test/api/projects/${projectId}/questions/${path}`, {
    method: "POST",
    headers: { cookie, host: "studio.test", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const res = await route(req, { params: Promise.resolve({ projectId }) });
  return { status: res.status, json: (await res.json()) as { job?: { id: string; type: string }; created?: boolean; error?: { message: string } } };
}

function directContext(payload: LlmQuestionsJobPayload, jobId = "direct"): JobContext<LlmQuestionsJobPayload> {
  return { jobId, projectId, payload, attempt: 1, progress: async () => {} };
}

beforeAll(async () => {
  t = await createTestDb();
  const lead = await t.db.user.create({ data: { email: "lead@llm-questions.test", name: "Lead" } });
  userId = lead.id;
  projectId = (await createProject(t.db, { name: "Model questions", description: "" }, userId)).id;
  await t.db.projectMember.update({ where: { projectId_userId: { projectId, userId } }, data: { role: "data_lead" } });
  cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, userId)).cookieValue)}`;
  await ingestDdl(t.db, projectId, OPENFLIGHTS_DDL);
  await updateGlossaryEntry(t.db, projectId, { table: "airlines", column: "callsign", sensitive: true }, userId);
  await requestSandboxGeneration(t.db, projectId, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
  await runWorker();
  // The query naming the sensitive column comes first, so it is among those picked.
  await importQueryLog(t.db, projectId, { fileName: "sensitive.sql", content: `${SENSITIVE_SQL};\n` }, userId);
  await requestQueryGeneration(t.db, projectId, { max: 30, seed: 7 });
  await runWorker();
  standIn = await startOpenAiStandIn({ apiKey: KEY, models: [MODEL], answer });
  endpointId = (await createOpenAiEndpoint(t.db, projectId, { name: "Writer", baseUrl: standIn.url, model: MODEL, apiKey: KEY }, userId)).id;
}, 120_000);

afterAll(async () => {
  await standIn?.close();
  await t?.cleanup();
});

describe("questions by a model", () => {
  let result: LlmQuestionsResult;

  beforeAll(async () => {
    const bad = await post(llmRoute, "llm", { endpointId, styles: ["formal", "poetic"] });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/styles\.1: "poetic" is not a question style/);
    const queued = await post(llmRoute, "llm", { endpointId, styles: ["formal", "vague", "metaphorical", "concise"], perQuery: 2, limit: 8, roundTrip: true });
    expect(queued.status).toBe(202);
    expect(queued.json.job?.type).toBe(LLM_QUESTIONS_JOB);
    await runWorker();
    const done = await t.db.job.findUniqueOrThrow({ where: { id: queued.json.job!.id } });
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    result = JSON.parse(done.result!) as LlmQuestionsResult;
  }, 60_000);

  it("writes llm pairs in the styles asked, two per query, and counts the rejected ones by reason", async () => {
    expect(result.skippedSensitive).toBe(1);
    expect(result.asked).toBe(8);
    expect(result.calls).toBeGreaterThanOrEqual(2);
    expect(result.written).toBe(16);
    expect(result.rejectedByReason).toEqual(expected.rejected);
    expect(result.rejected).toBe(Object.values(expected.rejected).reduce((a, b) => a + b, 0));
    expect(result.promptTokens).toBeGreaterThan(100);
    const pairs = await t.db.pair.findMany({ where: { projectId, questionSource: "llm" } });
    expect(pairs).toHaveLength(16);
    for (const p of pairs) {
      expect(["formal", "vague", "metaphorical", "concise"]).toContain(p.style);
      expect(p).toMatchObject({ reviewState: "pending", revision: 1 });
    }
    expect(new Set(pairs.map((p) => p.style))).toEqual(new Set(["formal", "vague", "metaphorical", "concise"]));
    const perQuery = new Map<string, Set<string>>();
    for (const p of pairs) perQuery.set(p.queryId, (perQuery.get(p.queryId) ?? new Set()).add(p.question));
    for (const texts of perQuery.values()) expect(texts.size).toBe(2);
  });

  it("checks each new pair by a round trip: consistent, ambiguous or failed, without touching its review", async () => {
    const counts = result.roundTrip!;
    expect(counts.checked).toBe(16);
    const want = { consistent: 0, ambiguous: 0, failed: 0 };
    const pairs = await t.db.pair.findMany({ where: { projectId, questionSource: "llm" } });
    for (const p of pairs) {
      const status = expected.roundTrip.get(p.question)!;
      want[status]++;
      expect(p.roundTripStatus, p.question).toBe(status);
      const details = JSON.parse(p.roundTrip!) as RoundTripDetails;
      expect(details.model).toBe(MODEL);
      expect(Date.parse(details.checkedAt)).toBeGreaterThan(0);
      expect(details.sql).not.toBe("");
      if (status === "ambiguous") expect(details.reason).toMatch(/another reading/);
      if (status === "failed") expect(details.reason).toMatch(/did not run.*no_such_column/);
      expect(p).toMatchObject({ reviewState: "pending", revision: 1 });
    }
    expect(counts).toMatchObject(want);
    expect(want.consistent).toBeGreaterThan(0);
    expect(want.ambiguous).toBeGreaterThan(0);
    expect(want.failed).toBeGreaterThan(0);
  });

  it("never sends a sensitive column, and asks with structured output", async () => {
    const requests = standIn.requests.filter((r) => r.path === "/v1/chat/completions");
    expect(requests.length).toBeGreaterThan(16);
    for (const r of requests) {
      expect(r.authorization).toBe(`Bearer ${KEY}`);
      expect(JSON.stringify(r.body).toLowerCase()).not.toContain("callsign");
    }
    const writing = requests.filter((r) => (r.body as { response_format?: unknown }).response_format);
    expect(writing.length).toBeGreaterThanOrEqual(2);
    for (const r of writing) {
      expect((r.body as { response_format: unknown }).response_format).toMatchObject({ type: "json_schema", json_schema: { name: "written_questions", strict: true } });
      expect(askedQueries((r.body as { messages: StandInMessage[] }).messages.at(-1)!.content).length).toBeLessThanOrEqual(5);
    }
  });

  it("asks only about queries without a model question on a second run", async () => {
    const before = standIn.requests.length;
    const ctx = directContext({ endpointId, styles: ["colloquial"], perQuery: 1, limit: 3, roundTrip: false });
    const { result: again } = await runLlmQuestionsJob(t.db, ctx);
    expect(again, JSON.stringify(again)).toMatchObject({ asked: 3 });
    expect(again.written).toBe(3);
    const sent = standIn.requests.slice(before).map((r) => (r.body as { messages: StandInMessage[] }).messages.at(-1)!.content).join("\n");
    const firstRun = await t.db.query.findMany({ where: { projectId, pairs: { some: { questionSource: "llm", style: { not: "colloquial" } } } }, select: { sql: true } });
    for (const q of firstRun) expect(sent).not.toContain(`\n${q.sql}\n`);
  }, 30_000);
});

describe("a failing endpoint", () => {
  it("ends the job with a clear error when it answers 500 to every request", async () => {
    standIn.configure({ failFirst: 1_000, failStatus: 500 });
    try {
      const queued = await post(llmRoute, "llm", { endpointId, styles: ["formal"], limit: 12, roundTrip: false });
      expect(queued.status).toBe(202);
      await runWorker();
      const job = await t.db.job.findUniqueOrThrow({ where: { id: queued.json.job!.id } });
      expect(job.status).toBe("failed");
      expect(job.error).toMatch(/^Writing questions stopped: Writer \(model "question-writer"\) failed on each of the first 2 requests.*base URL, API key and model name/s);
      expect(job.error).not.toContain(KEY);
    } finally {
      standIn.configure({ failFirst: 0 });
    }
  }, 60_000);

  it("stops on timeouts with the same clear error, and counts a single failed request without stopping", async () => {
    standIn.configure({ delayMs: 1_000 });
    try {
      const job = runLlmQuestionsJob(t.db, directContext({ endpointId, styles: ["formal"], perQuery: 1, limit: 10, roundTrip: false }), { timeoutMs: 150, maxRetries: 0 });
      await expect(job).rejects.toThrow(ProviderError);
      await expect(job).rejects.toThrow(/Writing questions stopped: .*failed on each of the first 2 requests/);
    } finally {
      standIn.configure({ delayMs: 0 });
    }
    standIn.configure({ failFirst: 1, failStatus: 500 });
    const { result } = await runLlmQuestionsJob(t.db, directContext({ endpointId, styles: ["formal"], perQuery: 1, limit: 10, roundTrip: false }), { maxRetries: 0 });
    expect(result.failedRequests).toHaveLength(1);
    expect(result.failedRequests[0]!.error).toMatch(/500|overloaded/);
    // The first request (5 queries) failed; the rest were answered.
    expect(result.asked).toBeGreaterThan(5);
    expect(result.unanswered).toBe(5);
    expect(result.written).toBe(result.asked - 5);
  }, 30_000);
});

describe("the round-trip job", () => {
  it("checks unchecked pairs of a review state, leaving their review alone", async () => {
    await requestQuestionGeneration(t.db, projectId, userId, { perQuery: 1 });
    await runWorker();
    const bad = await post(roundTripRoute, "round-trip", { endpointId, state: "done" });
    expect(bad.status).toBe(400);
    const next = await t.db.pair.findMany({ where: { projectId, reviewState: "pending", roundTripStatus: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: 6, select: { id: true } });
    expect(next).toHaveLength(6);
    const queued = await post(roundTripRoute, "round-trip", { endpointId, state: "pending", limit: 6 });
    expect(queued.status).toBe(202);
    expect(queued.json.job?.type).toBe(ROUND_TRIP_JOB);
    await runWorker();
    const done = await t.db.job.findUniqueOrThrow({ where: { id: queued.json.job!.id } });
    expect(done.status).toBe("succeeded");
    const counts = JSON.parse(done.result!) as RoundTripCounts;
    expect(counts.checked).toBe(6);
    expect(counts.consistent + counts.ambiguous + counts.failed).toBe(6);
    const checked = await t.db.pair.findMany({ where: { id: { in: next.map((p) => p.id) } } });
    expect(checked).toHaveLength(6);
    for (const p of checked) {
      expect(p.roundTripStatus).toBe(expected.roundTrip.get(p.question));
      expect(p).toMatchObject({ reviewState: "pending", revision: 1 });
    }
  }, 60_000);
});
