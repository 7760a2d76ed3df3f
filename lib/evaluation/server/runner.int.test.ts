import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { waitFor } from "@/test/helpers/processes";
import { countTokens, standInReply, startOpenAiStandIn, type OpenAiStandIn, type StandInMessage, type StandInReply } from "@/test/stand-ins/openai-server";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { getSandboxFile, requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { executeGroundTruth } from "@/lib/queries/server/service";
import { closeAllSandboxReaders, executeReadOnly } from "@/lib/sql/server/safe-exec";
import { sealSecret } from "@/lib/secrets/server/crypto";
import { requestCancel } from "@/lib/jobs/server/queue";
import { ValidationError } from "@/lib/errors";
import { callCost } from "@/lib/evaluation/endpoints";
import { createPredictor } from "@/lib/evaluation/server/endpoints";
import { cacheKey, storeCachedAnswer } from "@/lib/evaluation/server/cache";
import { startEvalRun, type StartEvalInput } from "@/lib/evaluation/server/service";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

// The evaluation runner against a scripted OpenAI-compatible stand-in, a real studio database and
// real DuckDB sandboxes: every way an answer can fail is classified and counted, retries and
// Retry-After are honoured, the cache saves calls, repeats and regression items are answered,
// and a cancelled run keeps what it finished.

const PRICING = { inputPerMillion: 3, outputPerMillion: 15 };
const KEY = "test-key";
const MODELS = ["test-model", "plain-model", "cache-model", "repeat-model", "slow-model", "resume-model"];

let t: TestDb;
let standIn: OpenAiStandIn;
let projectId: string;
let sandboxA: { id: string; path: string };
let sandboxB: { id: string; path: string };

interface ItemSpec {
  key: string;
  sql: string;
  split?: string;
  complexity?: string;
  shape?: string;
  excluded?: boolean;
}
type Version = Awaited<ReturnType<typeof createVersion>>;
let v1: Version;
let v2: Version;

/** What the stand-in answers, per model and question; anything unscripted gets the gold SQL. */
const scripts = new Map<string, (ask: number) => string | StandInReply>();
const goldByQuestion = new Map<string, string>();
/** Requests per model and question (the stand-in's own count spans models). */
const asks = new Map<string, number>();

const fenced = (sql: string) => "```sql\n" + sql + "\n```";
const userOf = (messages: StandInMessage[]) => messages.find((m) => m.role === "user")?.content ?? "";
const systemOf = (messages: StandInMessage[]) => messages.find((m) => m.role === "system")?.content ?? "";
const questionFor = (versionNo: number, key: string) => `v${versionNo} ${key}: answer this question about the flights data`;

async function createVersion(versionNo: number, sandbox: { id: string; path: string }, specs: ItemSpec[]) {
  const sandboxRow = await t.db.sandbox.findUniqueOrThrow({ where: { id: sandbox.id } });
  const version = await t.db.datasetVersion.create({
    data: {
      projectId,
      version: versionNo,
      name: `v${versionNo}`,
      seed: versionNo,
      testFraction: 1,
      systemPrompt: `You write one DuckDB query over countries, airlines, airports, planes and routes (dataset v${versionNo}).`,
      itemCount: specs.length,
      trainCount: specs.filter((s) => s.split === "train").length,
      testCount: specs.filter((s) => (s.split ?? "test") === "test").length,
      sandboxId: sandbox.id,
      schemaVersionId: sandboxRow.schemaVersionId,
    },
  });
  const items = new Map<string, { id: string; question: string; sql: string }>();
  for (const [i, spec] of specs.entries()) {
    const gold = await executeGroundTruth(sandbox.path, spec.sql);
    if (!gold.ok) throw new Error(`gold SQL failed: ${spec.sql}: ${gold.error}`);
    expect(gold.rowCount, spec.sql).toBeGreaterThan(0);
    const question = questionFor(versionNo, spec.key);
    goldByQuestion.set(question, spec.sql);
    const item = await t.db.datasetItem.create({
      data: {
        datasetVersionId: version.id,
        pairId: `v${versionNo}-${i}`,
        split: spec.split ?? "test",
        question,
        sql: spec.sql,
        result: gold.stored,
        topLevelOrderBy: /\border\s+by\b/i.test(spec.sql),
        complexity: spec.complexity ?? "simple",
        shape: spec.shape ?? "aggregate",
        templateHash: `t${i}`,
        excluded: spec.excluded ?? false,
      },
    });
    items.set(spec.key, { id: item.id, question, sql: spec.sql });
  }
  return { ...version, items };
}

async function addEndpoint(name: string, model: string, options: { apiKey?: string; baseUrl?: string | null; pricing?: boolean } = {}) {
  const sealed = sealSecret(options.apiKey ?? KEY);
  const connection = await t.db.providerConnection.create({
    data: { projectId, kind: "openai_compatible", name: `${name} connection`, baseUrl: options.baseUrl === undefined ? standIn.url : options.baseUrl, secretCipher: sealed.cipher, secretKeyId: sealed.keyId, secretHint: sealed.hint },
  });
  return t.db.modelEndpoint.create({
    data: { projectId, name, kind: "openai_compatible", connectionId: connection.id, model, settings: JSON.stringify(options.pricing ? { pricing: PRICING } : {}) },
  });
}

async function runToEnd(input: StartEvalInput) {
  const { run, job } = await startEvalRun(t.db, projectId, input);
  const worker = startTestWorker(t.db);
  try {
    await worker.drain();
  } finally {
    await worker.stop();
  }
  return {
    run: await t.db.evalRun.findUniqueOrThrow({ where: { id: run.id } }),
    job: await t.db.job.findUniqueOrThrow({ where: { id: job.id } }),
    results: await t.db.evalResult.findMany({ where: { evalRunId: run.id }, orderBy: [{ itemId: "asc" }, { repeat: "asc" }] }),
  };
}

const requestsOf = (model: string) =>
  standIn.requests.filter((r) => r.path === "/v1/chat/completions" && (r.body as { model?: string })?.model === model);

beforeAll(async () => {
  t = await createTestDb();
  standIn = await startOpenAiStandIn({
    apiKey: KEY,
    models: MODELS,
    answer: (messages, body) => {
      const question = userOf(messages);
      const id = `${String(body.model)}|${question}`;
      const n = (asks.get(id) ?? 0) + 1;
      asks.set(id, n);
      const script = scripts.get(id);
      if (script) return script(n);
      const gold = goldByQuestion.get(question);
      return gold ? fenced(gold) : "I do not know.";
    },
  });
  const project = await createProject(t.db, { name: "Runner", description: "" });
  projectId = project.id;
  await ingestDdl(t.db, projectId, OPENFLIGHTS_DDL);
  const worker = startTestWorker(t.db);
  try {
    for (const seed of [42, 43]) {
      await requestSandboxGeneration(t.db, projectId, { seed, tableRows: SMALL_ROWS, variants: 0 });
      await worker.drain();
      const active = (await t.db.project.findUniqueOrThrow({ where: { id: projectId } })).activeSandboxId!;
      const file = await getSandboxFile(t.db, active);
      if (seed === 42) sandboxA = { id: file.id, path: file.path };
      else sandboxB = { id: file.id, path: file.path };
    }
  } finally {
    await worker.stop();
  }

  v1 = await createVersion(1, sandboxA, [
    { key: "fenced", sql: "SELECT count(*) AS n FROM airports", complexity: "simple", shape: "aggregate" },
    { key: "prose", sql: "SELECT country, count(*) AS n FROM airports GROUP BY country", complexity: "simple", shape: "group" },
    { key: "unknown-table", sql: "SELECT name FROM airlines WHERE active = 'Y'", complexity: "simple", shape: "filter" },
    { key: "unknown-column", sql: "SELECT max(altitude) AS highest FROM airports", complexity: "simple", shape: "aggregate" },
    { key: "syntax", sql: "SELECT count(*) AS n FROM routes WHERE stops = 0", complexity: "simple", shape: "filter" },
    { key: "runtime", sql: "SELECT iso_code FROM countries ORDER BY name LIMIT 5", complexity: "moderate", shape: "topk" },
    { key: "no-sql", sql: "SELECT avg(latitude) AS lat FROM airports", complexity: "moderate", shape: "aggregate" },
    { key: "invalid-json", sql: "SELECT count(*) AS n FROM planes", complexity: "moderate", shape: "aggregate" },
    { key: "no-choices", sql: "SELECT count(*) AS n FROM countries", complexity: "moderate", shape: "aggregate" },
    { key: "rate-limited", sql: "SELECT count(*) AS n FROM airlines", complexity: "moderate", shape: "aggregate" },
    { key: "500-once", sql: "SELECT min(altitude) AS lowest FROM airports", complexity: "complex", shape: "aggregate" },
    { key: "500-always", sql: "SELECT count(DISTINCT country) AS n FROM airports", complexity: "complex", shape: "aggregate" },
    { key: "too-slow", sql: "SELECT count(*) AS n FROM routes", complexity: "complex", shape: "aggregate" },
    { key: "wrong", sql: "SELECT count(*) AS n FROM airports WHERE altitude > 0", complexity: "complex", shape: "filter" },
    { key: "empty", sql: "SELECT name FROM airlines WHERE active = 'N'", complexity: "complex", shape: "filter" },
    // Never answered by a scoped run: excluded by a scan, or not in the test split.
    { key: "excluded", sql: "SELECT count(*) AS n FROM routes WHERE stops > 0 OR stops = 0", excluded: true },
    { key: "sandbox-specific", sql: "SELECT name FROM airports ORDER BY airport_id LIMIT 3", split: "train" },
  ]);
  v2 = await createVersion(2, sandboxB, [
    { key: "a", sql: "SELECT count(*) AS n FROM airports" },
    { key: "b", sql: "SELECT country, count(*) AS n FROM airports GROUP BY country" },
    { key: "c", sql: "SELECT max(altitude) AS highest FROM airports" },
    { key: "d", sql: "SELECT count(*) AS n FROM routes WHERE stops = 0" },
    { key: "e", sql: "SELECT avg(longitude) AS lon FROM airports" },
    { key: "f", sql: "SELECT count(*) AS n FROM airlines WHERE active = 'Y'" },
  ]);
}, 60_000);

afterAll(async () => {
  await standIn?.close();
  await closeAllSandboxReaders();
  await t?.cleanup();
});

describe("a scripted evaluation run", () => {
  it("classifies every kind of answer, honours retries and Retry-After, and sums tokens and cost", async () => {
    const q = (key: string) => `test-model|${v1.items.get(key)!.question}`;
    const gold = (key: string) => fenced(v1.items.get(key)!.sql);
    scripts.set(q("fenced"), () => gold("fenced"));
    scripts.set(q("prose"), () => `Sure. Here is the query:\n\n${v1.items.get("prose")!.sql}\n\nIt counts the airports of each country.`);
    scripts.set(q("unknown-table"), () => fenced("SELECT name FROM carriers WHERE active = 'Y'"));
    scripts.set(q("unknown-column"), () => fenced("SELECT max(elevation_ft) AS highest FROM airports"));
    scripts.set(q("syntax"), () => fenced("SELECT count(*) AS n FROM routes WHERE"));
    scripts.set(q("runtime"), () => fenced("SELECT CAST(name AS INTEGER) AS n FROM countries"));
    scripts.set(q("no-sql"), () => "I am sorry, I cannot answer questions about this database.");
    scripts.set(q("invalid-json"), () => standInReply.invalidJson());
    scripts.set(q("no-choices"), () => standInReply.noChoices());
    scripts.set(q("rate-limited"), (n) => (n === 1 ? standInReply.error(429, { retryAfterSeconds: 1 }) : gold("rate-limited")));
    scripts.set(q("500-once"), (n) => (n === 1 ? standInReply.error(500) : gold("500-once")));
    scripts.set(q("500-always"), () => standInReply.error(500));
    scripts.set(q("too-slow"), () => standInReply.slow(2_500, gold("too-slow")));
    scripts.set(q("wrong"), () => fenced("SELECT count(*) + 1 AS n FROM airports WHERE altitude > 0"));
    scripts.set(q("empty"), () => fenced("SELECT name FROM airlines WHERE active = 'X'"));

    const endpoint = await addEndpoint("Scripted", "test-model", { pricing: true });
    const { run, job, results } = await runToEnd({
      datasetVersionId: v1.id,
      endpointId: endpoint.id,
      label: "scripted",
      scope: { split: "test", includeRegression: false },
      settings: { concurrency: 4, timeoutMs: 1_000, maxRetries: 2, repeats: 1, useCache: true },
    });
    expect(job.status).toBe("succeeded");
    expect(job.message).toMatch(/^Accuracy 26\.7% \(4 of 15\) · 15 calls · \$0\.\d{4}\.$/);
    expect(run).toMatchObject({ status: "succeeded", label: "scripted", concurrency: 4, timeoutMs: 1_000, maxRetries: 2, repeats: 1, useCache: true, error: null });
    expect(JSON.parse(run.scope)).toMatchObject({ split: "test", includeRegression: false, complexities: [], shapes: [], limit: 0 });

    const byKey = new Map([...v1.items].map(([key, item]) => [key, results.find((r) => r.itemId === item.id)]));
    const expected: Record<string, [string, string | null]> = {
      fenced: ["correct", null],
      prose: ["correct", null],
      "unknown-table": ["error", "unknown_table"],
      "unknown-column": ["error", "unknown_column"],
      syntax: ["error", "syntax"],
      runtime: ["error", "runtime"],
      "no-sql": ["error", "no_sql"],
      "invalid-json": ["error", "provider"],
      "no-choices": ["error", "provider"],
      "rate-limited": ["correct", null],
      "500-once": ["correct", null],
      "500-always": ["error", "provider"],
      "too-slow": ["error", "provider"],
      wrong: ["wrong", "wrong_result"],
      empty: ["wrong", "empty_result"],
    };
    for (const [key, [outcome, errorClass]] of Object.entries(expected)) {
      const row = byKey.get(key);
      expect({ key, outcome: row?.outcome, errorClass: row?.errorClass, reason: row?.reason }).toMatchObject({ key, outcome, errorClass });
    }
    // Excluded and train items are not in the test scope.
    expect(byKey.get("excluded")).toBeUndefined();
    expect(byKey.get("sandbox-specific")).toBeUndefined();
    expect(results).toHaveLength(15);
    expect(results.every((r) => r.source === "scope" && r.repeat === 0 && !r.cached)).toBe(true);

    // Reasons say what happened.
    expect(byKey.get("no-sql")!.reason).toContain("I am sorry, I cannot answer");
    expect(byKey.get("no-sql")!.responseText).toBe("I am sorry, I cannot answer questions about this database.");
    expect(byKey.get("too-slow")!.reason).toMatch(/did not answer within 1 s/);
    expect(byKey.get("500-always")!.reason).toMatch(/500/);
    expect(byKey.get("wrong")!.predictedSql).toBe("SELECT count(*) + 1 AS n FROM airports WHERE altitude > 0");
    expect(byKey.get("fenced")!).toMatchObject({ exactMatch: true, templateMatch: true, similarity: 1 });
    expect(byKey.get("wrong")!.exactMatch).toBe(false);
    expect(byKey.get("wrong")!.similarity).toBeGreaterThan(0.5);
    expect(byKey.get("wrong")!.similarity).toBeLessThan(1);

    // Counters: 4 correct, 2 wrong, 9 errors, over 15 items.
    expect(run).toMatchObject({ total: 15, done: 15, correct: 4, errors: 9 });
    expect(run.accuracy).toBeCloseTo(4 / 15, 10);

    // Retries: the rate-limited item waited for Retry-After (1 s) before asking again; the 500s
    // were retried, the last one until its retries ran out (1 + 2 attempts).
    expect(byKey.get("rate-limited")!.attempts).toBe(2);
    expect(byKey.get("500-once")!.attempts).toBe(2);
    expect(byKey.get("500-always")!.attempts).toBe(3);
    const limited = requestsOf("test-model").filter((r) => userOf((r.body as { messages: StandInMessage[] }).messages) === v1.items.get("rate-limited")!.question);
    expect(limited.map((r) => r.status)).toEqual([429, 200]);
    expect(limited[1].at - limited[0].repliedAt!).toBeGreaterThanOrEqual(980);

    // Calls: one per item, plus the retries; every request the stand-in saw is an attempt of a row.
    const requests = requestsOf("test-model");
    expect(requests).toHaveLength(results.reduce((n, r) => n + r.attempts, 0));
    expect(requests).toHaveLength(15 + 1 + 1 + 2);
    expect(run.calls).toBe(15);

    // Tokens are what the endpoint reported (characters / 4), cost what the prices make of them.
    for (const r of results.filter((x) => x.errorClass !== "provider")) {
      const item = [...v1.items.values()].find((i) => i.id === r.itemId)!;
      expect(r.promptTokens).toBe(countTokens(v1.systemPrompt + item.question));
      expect(r.completionTokens).toBe(countTokens(r.responseText));
      expect(r.costUsd).toBeCloseTo(callCost(PRICING, r.promptTokens, r.completionTokens), 12);
    }
    for (const r of results.filter((x) => x.errorClass === "provider")) expect({ p: r.promptTokens, c: r.completionTokens, cost: r.costUsd }).toEqual({ p: 0, c: 0, cost: 0 });
    const cost = results.reduce((s, r) => s + r.costUsd, 0);
    expect(cost).toBeGreaterThan(0);
    expect(run.costUsd).toBeCloseTo(cost, 12);
  });

  it("completes with every item classified as an endpoint failure when every call is refused", async () => {
    const endpoint = await addEndpoint("Wrong key", "plain-model", { apiKey: "not-the-key-0000" });
    const { run, job, results } = await runToEnd({ datasetVersionId: v2.id, endpointId: endpoint.id, scope: { includeRegression: false } });
    expect(job.status).toBe("succeeded");
    expect(run).toMatchObject({ status: "succeeded", total: 6, done: 6, correct: 0, errors: 6, error: null });
    expect(results.map((r) => r.errorClass)).toEqual(Array(6).fill("provider"));
    expect(results[0].reason).toMatch(/refused the API key \(401\)/);
  });

  it("fails the run with the message when the endpoint is set up wrongly", async () => {
    const endpoint = await addEndpoint("No URL", "plain-model", { baseUrl: null });
    const before = standIn.requests.length;
    const { run, job, results } = await runToEnd({ datasetVersionId: v2.id, endpointId: endpoint.id, scope: { includeRegression: false } });
    expect(job.status).toBe("failed");
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/base URL/);
    expect(job.error).toBe(run.error);
    expect(results).toHaveLength(0);
    expect(standIn.requests.length).toBe(before);
  });
});

describe("the response cache", () => {
  it("answers a rerun from the cache with no call, and asks again when the cache is off", async () => {
    const endpoint = await addEndpoint("Cached", "cache-model", { pricing: true });
    const base = { datasetVersionId: v2.id, endpointId: endpoint.id, scope: { includeRegression: false } } as const;
    const first = await runToEnd({ ...base, settings: { useCache: true } });
    expect(first.run).toMatchObject({ status: "succeeded", total: 6, correct: 6, calls: 6 });
    expect(requestsOf("cache-model")).toHaveLength(6);
    expect(await t.db.evalCache.count({ where: { projectId } })).toBeGreaterThanOrEqual(6);

    const second = await runToEnd({ ...base, settings: { useCache: true } });
    expect(requestsOf("cache-model")).toHaveLength(6);
    expect(second.run).toMatchObject({ status: "succeeded", total: 6, correct: 6, calls: 0, costUsd: 0 });
    // A cached answer is marked, makes no call, and costs what its call cost (scorecards compare fairly).
    for (const r of second.results) {
      const was = first.results.find((x) => x.itemId === r.itemId)!;
      expect(r).toMatchObject({ cached: true, attempts: 0, outcome: was.outcome, predictedSql: was.predictedSql, latencyMs: was.latencyMs, promptTokens: was.promptTokens, costUsd: was.costUsd });
      expect(r.costUsd).toBeGreaterThan(0);
    }

    const third = await runToEnd({ ...base, settings: { useCache: false } });
    expect(requestsOf("cache-model")).toHaveLength(12);
    expect(third.run).toMatchObject({ status: "succeeded", correct: 6, calls: 6, useCache: false });
    expect(third.results.every((r) => !r.cached && r.attempts === 1)).toBe(true);
  });
});

describe("repeats", () => {
  it("asks each item once per repeat, with its own cache key, and scores accuracy on the first answer", async () => {
    const endpoint = await addEndpoint("Repeats", "repeat-model");
    // One call at a time, so each item's first request is its repeat 0. Every other item is
    // answered wrongly the first time only.
    const wrongFirst = new Set<string>();
    [...v2.items.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).forEach((item, i) => {
      if (i % 2 === 1) wrongFirst.add(item.id);
      scripts.set(`repeat-model|${item.question}`, (n) => (n === 1 && i % 2 === 1 ? fenced("SELECT 42 AS n") : fenced(item.sql)));
    });
    const { run, results } = await runToEnd({
      datasetVersionId: v2.id,
      endpointId: endpoint.id,
      scope: { includeRegression: false },
      settings: { concurrency: 1, repeats: 3, useCache: true },
    });
    expect(run).toMatchObject({ status: "succeeded", repeats: 3, total: 6, done: 6, correct: 3, calls: 18 });
    expect(run.accuracy).toBeCloseTo(0.5, 10);
    expect(results).toHaveLength(18);
    expect(requestsOf("repeat-model")).toHaveLength(18);
    for (const item of v2.items.values()) {
      const rows = results.filter((r) => r.itemId === item.id);
      expect(rows.map((r) => r.repeat)).toEqual([0, 1, 2]);
      expect(rows.map((r) => r.outcome)).toEqual([wrongFirst.has(item.id) ? "wrong" : "correct", "correct", "correct"]);
    }
    // Repeats have their own cache entries: a rerun with the cache asks nothing.
    const again = await runToEnd({ datasetVersionId: v2.id, endpointId: endpoint.id, scope: { includeRegression: false }, settings: { concurrency: 4, repeats: 3 } });
    expect(again.run).toMatchObject({ calls: 0, correct: 3 });
    expect(again.results.every((r) => r.cached)).toBe(true);
    expect(requestsOf("repeat-model")).toHaveLength(18);
  });
});

describe("scope", () => {
  it("filters by complexity and shape, and limit keeps the first items by id", async () => {
    const endpoint = await addEndpoint("Scoped", "plain-model");
    const simple = [...v1.items.entries()].filter(([key]) => ["fenced", "prose", "unknown-table", "unknown-column", "syntax"].includes(key)).map(([, i]) => i.id).sort();
    const { run, results } = await runToEnd({ datasetVersionId: v1.id, endpointId: endpoint.id, scope: { complexities: ["simple"], limit: 2, includeRegression: false } });
    expect(run.total).toBe(2);
    expect(results.map((r) => r.itemId)).toEqual(simple.slice(0, 2));
    expect(results.every((r) => r.outcome === "correct")).toBe(true);

    const filters = await runToEnd({ datasetVersionId: v1.id, endpointId: endpoint.id, scope: { shapes: ["filter"], complexities: ["simple", "complex"], includeRegression: false } });
    const expectedKeys = ["unknown-table", "syntax", "wrong", "empty"];
    expect(filters.results.map((r) => r.itemId).sort()).toEqual(expectedKeys.map((k) => v1.items.get(k)!.id).sort());
  });

  it("refuses a scope that matches no item, and a label that is too long", async () => {
    const endpoint = await addEndpoint("Refused scopes", "plain-model");
    const base = { datasetVersionId: v1.id, endpointId: endpoint.id };
    await expect(startEvalRun(t.db, projectId, { ...base, scope: { split: "validation" } })).rejects.toThrow(/No item of dataset v1 matches this scope \(split validation\)/);
    await expect(startEvalRun(t.db, projectId, { ...base, scope: { complexities: ["highly complex"] } })).rejects.toBeInstanceOf(ValidationError);
    await expect(startEvalRun(t.db, projectId, { ...base, label: "x".repeat(81) })).rejects.toThrow(/80 characters/);
    await expect(startEvalRun(t.db, projectId, { ...base, settings: { concurrency: 0 } })).rejects.toThrow(/at least 1/);
    expect(await t.db.evalRun.count({ where: { endpointId: endpoint.id } })).toBe(0);
  });
});

describe("the regression set", () => {
  it("adds the project's regression items, from other versions, executed on their own sandbox", async () => {
    // The item's gold result holds only on sandbox A: run on B, the same SQL gives other names.
    const specific = v1.items.get("sandbox-specific")!;
    const onA = await executeReadOnly(sandboxA.path, specific.sql);
    const onB = await executeReadOnly(sandboxB.path, specific.sql);
    expect(onA.rows).not.toEqual(onB.rows);
    await t.db.regressionItem.create({ data: { projectId, itemId: specific.id } });
    // A regression item already in scope counts once, as a scope item.
    await t.db.regressionItem.create({ data: { projectId, itemId: v2.items.get("a")!.id } });

    const endpoint = await addEndpoint("Regression", "plain-model");
    const { run: started } = await startEvalRun(t.db, projectId, { datasetVersionId: v2.id, endpointId: endpoint.id });
    expect(started.total).toBe(7);
    const worker = startTestWorker(t.db);
    await worker.drain();
    await worker.stop();
    const run = await t.db.evalRun.findUniqueOrThrow({ where: { id: started.id } });
    const results = await t.db.evalResult.findMany({ where: { evalRunId: run.id } });
    expect(run).toMatchObject({ status: "succeeded", total: 7, done: 7, correct: 7 });
    expect(results).toHaveLength(7);
    const regression = results.filter((r) => r.source === "regression");
    expect(regression.map((r) => r.itemId)).toEqual([specific.id]);
    expect(regression[0].outcome).toBe("correct");
    expect(results.find((r) => r.itemId === v2.items.get("a")!.id)!.source).toBe("scope");
    // Asked with its own version's prompt.
    const asked = requestsOf("plain-model").filter((r) => userOf((r.body as { messages: StandInMessage[] }).messages) === specific.question);
    expect(asked.length).toBeGreaterThan(0);
    expect(systemOf((asked.at(-1)!.body as { messages: StandInMessage[] }).messages)).toBe(v1.systemPrompt);

    // Without the regression set, only the scope.
    const scoped = await runToEnd({ datasetVersionId: v2.id, endpointId: endpoint.id, scope: { includeRegression: false } });
    expect(scoped.run.total).toBe(6);
    expect(scoped.results.every((r) => r.source === "scope")).toBe(true);
    await t.db.regressionItem.deleteMany({ where: { projectId } });
  });
});

describe("cancelling a run", () => {
  it("stops asking, abandons the calls in flight and keeps the finished results", async () => {
    for (const item of v1.items.values()) scripts.set(`slow-model|${item.question}`, () => standInReply.slow(400, fenced(item.sql)));
    const endpoint = await addEndpoint("Slow", "slow-model");
    const { run, job } = await startEvalRun(t.db, projectId, {
      datasetVersionId: v1.id,
      endpointId: endpoint.id,
      scope: { includeRegression: false },
      settings: { concurrency: 2, useCache: false },
    });
    const worker = startTestWorker(t.db);
    let storedAtCancel: string[] = [];
    try {
      await waitFor("some answers stored", async () => (await t.db.evalResult.count({ where: { evalRunId: run.id } })) >= 2, 20_000, 20);
      await requestCancel(t.db, job.id);
      storedAtCancel = (await t.db.evalResult.findMany({ where: { evalRunId: run.id }, select: { itemId: true } })).map((r) => r.itemId);
      await worker.drain();
    } finally {
      await worker.stop();
    }
    const endedJob = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    const ended = await t.db.evalRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(endedJob.status).toBe("cancelled");
    expect(ended.status).toBe("cancelled");
    const results = await t.db.evalResult.findMany({ where: { evalRunId: run.id } });
    for (const id of storedAtCancel) expect(results.some((r) => r.itemId === id)).toBe(true);
    expect(results.length).toBeLessThan(15);
    expect(results.every((r) => r.outcome === "correct")).toBe(true);
    expect(ended.done).toBe(results.length);
    // Nothing is asked after the cancel took effect.
    const asked = requestsOf("slow-model").length;
    expect(asked).toBeLessThanOrEqual(results.length + 2);
    await new Promise((r) => setTimeout(r, 600));
    expect(requestsOf("slow-model").length).toBe(asked);
  });
});

describe("resuming a run", () => {
  it("skips finished units and reuses the answers it got itself, even without the cache", async () => {
    const endpoint = await addEndpoint("Resumed", "resume-model");
    const { run, job } = await startEvalRun(t.db, projectId, {
      datasetVersionId: v2.id,
      endpointId: endpoint.id,
      scope: { includeRegression: false },
      settings: { useCache: false },
    });
    const items = [...v2.items.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    const predictor = await createPredictor(t.db, endpoint.id, { id: v2.id, systemPrompt: v2.systemPrompt, userTemplate: v2.userTemplate }, { timeoutMs: 60_000, maxRetries: 0 });
    const keyOf = (item: (typeof items)[number]) => cacheKey(predictor.identity, predictor.messages(item), 0);
    const answer = (sql: string) => ({ text: fenced(sql), promptTokens: 10, completionTokens: 5, latencyMs: 7, attempts: 1 });
    // What a first attempt left behind when its worker died: a result for item 0, the answer to
    // item 1 (stored, not yet scored).
    await t.db.evalResult.create({ data: { evalRunId: run.id, itemId: items[0].id, predictedSql: items[0].sql, outcome: "correct", reason: "both results match" } });
    await storeCachedAnswer(t.db, projectId, keyOf(items[1]), answer(items[1].sql));
    // An answer stored before the run began is not this run's: without the cache it is not reused.
    await storeCachedAnswer(t.db, projectId, keyOf(items[2]), answer("SELECT 1 AS stale"));
    await t.db.evalCache.update({ where: { projectId_key: { projectId, key: keyOf(items[2]) } }, data: { createdAt: new Date(run.createdAt.getTime() - 60_000) } });
    await t.db.job.update({ where: { id: job.id }, data: { attempts: 1 } });

    const worker = startTestWorker(t.db);
    await worker.drain();
    await worker.stop();
    const ended = await t.db.evalRun.findUniqueOrThrow({ where: { id: run.id } });
    const results = await t.db.evalResult.findMany({ where: { evalRunId: run.id } });
    expect(ended).toMatchObject({ status: "succeeded", total: 6, done: 6, correct: 6, calls: 4 });
    const asked = requestsOf("resume-model").map((r) => userOf((r.body as { messages: StandInMessage[] }).messages));
    expect(asked.sort()).toEqual(items.slice(2).map((i) => i.question).sort());
    expect(results.find((r) => r.itemId === items[1].id)).toMatchObject({ cached: true, outcome: "correct", latencyMs: 7 });
    expect(results.find((r) => r.itemId === items[2].id)).toMatchObject({ cached: false, outcome: "correct" });
  });
});
