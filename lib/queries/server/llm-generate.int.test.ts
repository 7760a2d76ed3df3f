// Query generation by a model: a stand-in OpenAI-compatible endpoint answers per shape with good
// and bad queries; every one goes through the checks of an imported query log on a real sandbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { startOpenAiStandIn, type OpenAiStandIn, type StandInMessage } from "@/test/stand-ins/openai-server";
import { POST as llmRoute } from "@/app/api/projects/[projectId]/queries/llm/route";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { createOpenAiEndpoint, ensureBaselineEndpoint } from "@/lib/evaluation/server/endpoints";
import { createProject } from "@/lib/projects/server/service";
import { importQueryLog } from "@/lib/queries/server/import";
import type { JobContext } from "@/lib/jobs/server/worker";
import { LLM_QUERIES_JOB, requestLlmQueryGeneration, runLlmQueriesJob, type LlmQueriesJobPayload, type LlmQueriesResult } from "@/lib/queries/server/llm-generate";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { updateGlossaryEntry } from "@/lib/schema/server/glossary";
import { ingestDdl } from "@/lib/schema/server/ingest";

const KEY = "sk-llm-queries-0123456789abcdef";
const MODEL = "sql-writer";
const KNOWN_SQL = "SELECT count(*) AS n FROM planes";
const SENSITIVE_EXAMPLE = "SELECT name FROM airlines WHERE callsign IS NOT NULL ORDER BY airline_id";
const PLAIN_EXAMPLE = "SELECT name FROM planes WHERE iata IS NOT NULL ORDER BY plane_id";

let t: TestDb;
let standIn: OpenAiStandIn;
let projectId: string;
let userId: string;
let endpointId: string;

/** The shape a request asks for, read from its prompt. */
function askedShape(messages: StandInMessage[]): string {
  return /Write exactly \d+ new quer(?:y|ies) of the shape "[^"]*" \(([a-z_]+)\)/.exec(messages.at(-1)!.content)?.[1] ?? "";
}

/** Per shape: two good queries (one filtering on a sampled country), three bad ones, and one the project already has. */
function answer(messages: StandInMessage[]): string {
  const prompt = messages.at(-1)!.content;
  const literal = /^airports\.country: ('(?:[^']|'')*')/m.exec(prompt)?.[1] ?? "'nowhere'";
  const country = literal.slice(1, -1).replace(/''/g, "'");
  const good: Record<string, { sql: string; question: string }[]> = {
    filter_equals: [
      { sql: `SELECT name FROM airports WHERE country = ${literal} ORDER BY airport_id`, question: `Which airports are in ${country}?` },
      { sql: "SELECT name FROM airlines WHERE active = 'Y' ORDER BY airline_id", question: "Which airlines are active (Y)?" },
    ],
    group_having: [
      { sql: "SELECT country, count(*) AS n FROM airports GROUP BY country HAVING count(*) > 1 ORDER BY country", question: "Which countries have more than 1 airport, and how many?" },
      { sql: "SELECT stops, count(*) AS n FROM routes GROUP BY stops HAVING count(*) >= 5 ORDER BY stops", question: "For each number of stops with at least 5 routes, how many routes?" },
    ],
    count_rows: [{ sql: "SELECT count(*) AS n FROM routes", question: "How many routes are there?" }],
    top_k: [{ sql: "SELECT name FROM airports ORDER BY latitude DESC, airport_id LIMIT 3", question: "Which 3 airports are furthest north?" }],
  };
  const queries = [
    ...(good[askedShape(messages)] ?? []),
    { sql: "SELEC name FROM planes", question: "Name every plane." },
    { sql: "SELECT altitud FROM airports ORDER BY airport_id", question: "What is each airport's altitude?" },
    { sql: "INSERT INTO planes VALUES (999, 'x', 'y', 'z')", question: "Add a plane." },
    { sql: KNOWN_SQL, question: "How many aircraft types are there?" },
  ];
  return "```json\n" + JSON.stringify({ queries }) + "\n```";
}

async function runWorker() {
  const worker = startTestWorker(t.db);
  try {
    await worker.drain();
  } finally {
    await worker.stop();
  }
}

async function chatRequests() {
  return standIn.requests.filter((r) => r.path === "/v1/chat/completions");
}

beforeAll(async () => {
  t = await createTestDb();
  const lead = await t.db.user.create({ data: { email: "lead@llm.test", name: "Lead" } });
  userId = lead.id;
  projectId = (await createProject(t.db, { name: "Model queries", description: "" }, lead.id)).id;
  await t.db.projectMember.update({ where: { projectId_userId: { projectId, userId } }, data: { role: "data_lead" } });
  await ingestDdl(t.db, projectId, OPENFLIGHTS_DDL);
  await updateGlossaryEntry(t.db, projectId, { table: "airlines", column: "callsign", sensitive: true }, userId);
  await requestSandboxGeneration(t.db, projectId, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
  await runWorker();
  standIn = await startOpenAiStandIn({ apiKey: KEY, models: [MODEL], answer });
  endpointId = (await createOpenAiEndpoint(t.db, projectId, { name: "Writer", baseUrl: standIn.url, model: MODEL, apiKey: KEY }, userId)).id;
  await importQueryLog(t.db, projectId, { fileName: "known.sql", content: `${KNOWN_SQL};\n` }, userId);
  await importQueryLog(t.db, projectId, { fileName: "examples.sql", content: `${SENSITIVE_EXAMPLE};\n${PLAIN_EXAMPLE};\n` }, userId, { shape: "filter_equals" });
}, 120_000);

afterAll(async () => {
  await standIn?.close();
  await t?.cleanup();
});

describe("runLlmQueriesJob", () => {
  let result: LlmQueriesResult;
  let before: { queries: number; pairs: number };

  beforeAll(async () => {
    before = { queries: await t.db.query.count({ where: { projectId } }), pairs: await t.db.pair.count({ where: { projectId } }) };
    const { job, created } = await requestLlmQueryGeneration(t.db, projectId, { endpointId, shapes: ["filter_equals", "group_having"], perShape: 6 }, userId);
    expect(created).toBe(true);
    expect(job.type).toBe(LLM_QUERIES_JOB);
    await runWorker();
    const done = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(done.error).toBeNull();
    expect(done.status).toBe("succeeded");
    result = JSON.parse(done.result!) as LlmQueriesResult;
  }, 120_000);

  it("keeps the valid queries, counts the invalid ones and the known one, and records tokens", () => {
    expect(result).toMatchObject({ added: 4, invalid: 6, alreadyKnown: 2, failedShapes: [], calls: 2 });
    expect(result.byShape).toEqual({ filter_equals: { added: 2, invalid: 3, alreadyKnown: 1 }, group_having: { added: 2, invalid: 3, alreadyKnown: 1 } });
    expect(result.promptTokens).toBeGreaterThan(100);
    expect(result.completionTokens).toBeGreaterThan(10);
  });

  it("stores them with origin llm, the shape asked for and ground truth, filters selecting real rows", async () => {
    const stored = await t.db.query.findMany({ where: { projectId, origin: "llm" }, orderBy: { sql: "asc" } });
    expect(stored).toHaveLength(4);
    expect(stored.map((q) => q.shape).sort()).toEqual(["filter_equals", "filter_equals", "group_having", "group_having"]);
    for (const q of stored) {
      expect(q.executionError).toBeNull();
      expect(q.result).not.toBeNull();
      expect(q.resultRowCount).toBeGreaterThan(0);
      expect(q.templateHash).not.toBe("");
    }
    const byCountry = stored.find((q) => q.sql.includes("WHERE country ="))!;
    expect(byCountry.shape).toBe("filter_equals");
    expect(byCountry.complexity).toBe("simple");
    expect(stored.find((q) => q.sql.includes("GROUP BY country"))!.complexity).toBe("moderate");
    expect(await t.db.query.count({ where: { projectId, OR: [{ sql: { contains: "altitud " } }, { sql: { startsWith: "SELEC " } }, { sql: { startsWith: "INSERT" } }] } })).toBe(0);
    const known = await t.db.query.findUniqueOrThrow({ where: { projectId_sql: { projectId, sql: KNOWN_SQL } } });
    // The query that was already known keeps its origin and the shape read from its structure.
    expect(known).toMatchObject({ origin: "imported" });
    expect(known.shape).not.toBe("");
  });

  it("makes a pending pair of each question, attributed to the model", async () => {
    const pairs = await t.db.pair.findMany({ where: { projectId, query: { origin: "llm" } }, include: { query: true } });
    expect(pairs).toHaveLength(4);
    for (const p of pairs) expect(p).toMatchObject({ reviewState: "pending", style: "llm" });
    const country = pairs.find((p) => p.query.sql.includes("WHERE country ="))!;
    const literal = /country = '((?:[^']|'')*)'/.exec(country.query.sql)![1]!.replace(/''/g, "'");
    expect(country.question).toBe(`Which airports are in ${literal}?`);
    // The known query's question became one pair, not two.
    const knownPairs = await t.db.pair.findMany({ where: { projectId, query: { sql: KNOWN_SQL } } });
    expect(knownPairs.map((p) => p.question)).toEqual(["How many aircraft types are there?"]);
    expect(await t.db.query.count({ where: { projectId } })).toBe(before.queries + 4);
    expect(await t.db.pair.count({ where: { projectId } })).toBe(before.pairs + 5);
  });

  it("audits each shape as queries.llm by the person who asked", async () => {
    const events = await t.db.auditEvent.findMany({ where: { projectId, action: "queries.llm" }, orderBy: { createdAt: "asc" } });
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.userId).toBe(userId);
    expect(events.map((e) => (JSON.parse(e.after!) as { shape: string; fileName: string }).fileName).sort()).toEqual(["model-filter_equals.jsonl", "model-group_having.jsonl"]);
    expect(events.map((e) => (JSON.parse(e.after!) as { shape: string }).shape).sort()).toEqual(["filter_equals", "group_having"]);
  });

  it("asks with structured output, the schema, real sample values and examples, never a sensitive column", async () => {
    const requests = await chatRequests();
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      expect(r.authorization).toBe(`Bearer ${KEY}`);
      const body = r.body as { model: string; temperature: number; max_tokens: number; response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } }; messages: StandInMessage[] };
      expect(body.model).toBe(MODEL);
      expect(body.temperature).toBe(0.7);
      expect(body.max_tokens).toBeGreaterThan(0);
      expect(body.response_format).toMatchObject({ type: "json_schema", json_schema: { name: "generated_queries", strict: true } });
      const prompt = body.messages.map((m) => m.content).join("\n");
      expect(prompt).toContain("CREATE TABLE airlines (");
      expect(prompt).toContain("CREATE TABLE routes (");
      expect(prompt).toMatch(/^airports\.country: '/m);
      expect(prompt).toContain("Write exactly 6 new queries");
      expect(JSON.stringify(r.body).toLowerCase()).not.toContain("callsign");
    }
    const shapes = requests.map((r) => askedShape((r.body as { messages: StandInMessage[] }).messages));
    expect(shapes).toEqual(["filter_equals", "group_having"]);
    const first = (requests[0]!.body as { messages: StandInMessage[] }).messages.at(-1)!.content;
    expect(first).toContain(PLAIN_EXAMPLE);
    expect(first).toMatch(/Complexity level: simple:/);
    expect((requests[1]!.body as { messages: StandInMessage[] }).messages.at(-1)!.content).toMatch(/Complexity level: moderate:/);
  });

  it("keeps the API key out of everything it stores", async () => {
    const texts = [
      ...(await t.db.job.findMany()).map((j) => `${j.payload} ${j.message} ${j.error ?? ""} ${j.result ?? ""}`),
      ...(await t.db.query.findMany({ where: { projectId } })).map((q) => `${q.sql} ${q.result ?? ""} ${q.executionError ?? ""} ${q.lintFlags}`),
      ...(await t.db.pair.findMany({ where: { projectId } })).map((p) => p.question),
      ...(await t.db.auditEvent.findMany()).map((e) => `${e.summary} ${e.before ?? ""} ${e.after ?? ""}`),
    ];
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.filter((x) => x.includes(KEY))).toEqual([]);
    // Sealed at rest: the connection row does not hold it in clear either.
    expect(JSON.stringify(await t.db.providerConnection.findMany())).not.toContain(KEY);
  });
});

describe("an endpoint that fails every call", () => {
  it("fails the job after the first 3 shapes with what to check, and stores nothing", async () => {
    const counts = async () => ({
      queries: await t.db.query.count({ where: { projectId } }),
      pairs: await t.db.pair.count({ where: { projectId } }),
      audits: await t.db.auditEvent.count({ where: { projectId, action: "queries.llm" } }),
    });
    const before = await counts();
    const asked = (await chatRequests()).length;
    standIn.configure({ failFirst: 1_000, failStatus: 503, retryAfterSeconds: 0 });
    try {
      const { job } = await requestLlmQueryGeneration(t.db, projectId, { endpointId, shapes: ["count_rows", "top_k", "cte", "ratio"], perShape: 2 }, userId);
      await runWorker();
      const done = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(done.status).toBe("failed");
      expect(done.error).toMatch(/^Query generation stopped: Writer \(model "sql-writer"\) failed on each of the first 3 shapes/);
      expect(done.error).toMatch(/Check the endpoint's base URL, API key and model name/);
      expect(done.error).toMatch(/failed with 503/);
      expect(done.error).not.toContain(KEY);
      // Three shapes, each tried three times (two retries); the fourth shape is never asked.
      const failedRequests = (await chatRequests()).slice(asked);
      expect(failedRequests).toHaveLength(9);
      expect(failedRequests.every((r) => r.status === 503)).toBe(true);
      expect(new Set(failedRequests.map((r) => askedShape((r.body as { messages: StandInMessage[] }).messages)))).toEqual(new Set(["count_rows", "top_k", "cte"]));
      expect(await counts()).toEqual(before);
    } finally {
      standIn.configure({ failFirst: 0, retryAfterSeconds: undefined });
    }
  }, 60_000);
});

describe("a resumed attempt", () => {
  it("does not ask again for the shapes an interrupted attempt imported, and counts them", async () => {
    const { job } = await requestLlmQueryGeneration(t.db, projectId, { endpointId, shapes: ["count_rows", "top_k"], perShape: 2 }, userId);
    const asked = (await chatRequests()).length;
    const ctx = (attempt: number, progress: JobContext["progress"]): JobContext<LlmQueriesJobPayload> => ({
      jobId: job.id,
      projectId,
      payload: JSON.parse(job.payload) as LlmQueriesJobPayload,
      attempt,
      progress,
    });
    try {
      // The worker dies as the second shape starts, after the first one was imported.
      const dying = ctx(1, async (_pct, message) => {
        if (message?.startsWith("Top-k rows: asking")) throw new Error("worker killed");
      });
      await expect(runLlmQueriesJob(t.db, dying)).rejects.toThrow("worker killed");
      expect(await t.db.query.count({ where: { projectId, origin: "llm", shape: "count_rows" } })).toBe(1);
      const { result } = await runLlmQueriesJob(t.db, ctx(2, async () => {}));
      const shapesAsked = (await chatRequests()).slice(asked).map((r) => askedShape((r.body as { messages: StandInMessage[] }).messages));
      expect(shapesAsked).toEqual(["count_rows", "top_k"]);
      expect(result).toMatchObject({ added: 2, invalid: 6, alreadyKnown: 2, calls: 1, failedShapes: [] });
      expect(result.byShape).toEqual({ count_rows: { added: 1, invalid: 3, alreadyKnown: 1 }, top_k: { added: 1, invalid: 3, alreadyKnown: 1 } });
      expect(await t.db.query.count({ where: { projectId, origin: "llm", shape: { in: ["count_rows", "top_k"] } } })).toBe(2);
    } finally {
      await t.db.job.update({ where: { id: job.id }, data: { status: "failed", activeKey: null } });
    }
  }, 60_000);
});

describe("requestLlmQueryGeneration", () => {
  it("refuses an endpoint of another project, one that is not OpenAI-compatible, a project without a sandbox, and bad input", async () => {
    const jobs = await t.db.job.count();
    const other = await createProject(t.db, { name: "Elsewhere", description: "" }, userId);
    const foreign = await createOpenAiEndpoint(t.db, other.id, { name: "Foreign", baseUrl: standIn.url, model: MODEL, apiKey: KEY });
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId: foreign.id, shapes: ["count_rows"] })).rejects.toThrow(NotFoundError);
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId: foreign.id, shapes: ["count_rows"] })).rejects.toThrow(/does not exist in this project/);
    const baseline = await ensureBaselineEndpoint(t.db, projectId);
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId: baseline.id, shapes: ["count_rows"] })).rejects.toThrow(ValidationError);
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId: baseline.id, shapes: ["count_rows"] })).rejects.toThrow(/pick an OpenAI-compatible endpoint/);
    await expect(requestLlmQueryGeneration(t.db, other.id, { endpointId: foreign.id, shapes: ["count_rows"] })).rejects.toThrow(/no sandbox yet/);
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId, shapes: [] })).rejects.toThrow(/at least one query shape/);
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId, shapes: ["count_rows"], perShape: 21 })).rejects.toThrow(/At most 20/);
    await expect(requestLlmQueryGeneration(t.db, projectId, { endpointId, shapes: ["no_such_shape" as "count_rows"] })).rejects.toThrow(/Unknown query shape/);
    expect(await t.db.job.count()).toBe(jobs);
  });
});

describe("POST /api/projects/:projectId/queries/llm", () => {
  it("queues the job (202), returns it again while it waits (200), and shares the slot with template generation", async () => {
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, userId)).cookieValue)}`;
    const post = async (body: unknown) => {
      const req = new Request(`http://studio.test/api/projects/${projectId}/queries/llm`, {
        method: "POST",
        headers: { cookie, host: "studio.test", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const res = await llmRoute(req, { params: Promise.resolve({ projectId }) });
      return { status: res.status, json: (await res.json()) as { job?: { id: string; type: string; status: string }; created?: boolean; error?: { message: string } } };
    };
    const first = await post({ endpointId, shapes: ["count_rows"], perShape: "2" });
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ created: true, job: { type: LLM_QUERIES_JOB, status: "queued" } });
    const again = await post({ endpointId, shapes: ["top_k"] });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ created: false, job: { id: first.json.job!.id } });
    const templates = await requestQueryGeneration(t.db, projectId, { max: 5 });
    expect(templates).toMatchObject({ created: false, job: { id: first.json.job!.id } });
    const bad = await post({ endpointId, shapes: ["count_rows"], perShape: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/at least one query per shape/);
    await runWorker();
    expect(await t.db.job.findUniqueOrThrow({ where: { id: first.json.job!.id } })).toMatchObject({ status: "succeeded" });
  }, 60_000);
});
