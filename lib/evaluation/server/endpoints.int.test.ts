import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, usingPostgres, type TestDb } from "@/test/helpers/db";
import { callRoute, type ApiRoute, type Handler } from "@/test/helpers/routes";
import { startOpenAiStandIn, type OpenAiStandIn } from "@/test/stand-ins/openai-server";
import { startBedrockStandIn, type BedrockStandIn, type ConverseBody } from "@/test/stand-ins/bedrock-runtime-server";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { createProject } from "@/lib/projects/server/service";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import {
  BASELINE_NAME,
  createEndpoint,
  createOpenAiEndpoint,
  createPredictor,
  deleteEndpoint,
  ensureBaselineEndpoint,
  listEndpoints,
  testEndpoint,
  updateEndpointSettings,
  type EndpointSummary,
} from "@/lib/evaluation/server/endpoints";
import type { PredictorItem } from "@/lib/evaluation/predictor";

const OPENAI_KEY = "sk-endpoints-openai-0123456789abcdef";
const ROTATED_KEY = "sk-endpoints-rotated-fedcba9876543210";
const ACCESS_KEY_ID = "AKIAENDPOINTSTANDIN1";
const SECRET = "endpoints/Secret/Access/Key/0123456789abcd";
const NOVA = "us.amazon.nova-micro-v1:0";
const SYSTEM = "You write DuckDB SQL for the airports database.";
const TEMPLATE = "Question: {question}";
const OPTS = { timeoutMs: 5_000, maxRetries: 1 };

let t: TestDb;
let openai: OpenAiStandIn;
let bedrock: BedrockStandIn;
let projectId: string;
let otherProjectId: string;
let userId: string;
let baselineId: string;
let version: { id: string; systemPrompt: string; userTemplate: string };
const items: Record<string, PredictorItem & { sql: string; split: string }> = {};

const TRAIN = [
  { key: "france", question: "How many airports are in France?", sql: "SELECT count(*) FROM airports WHERE country = 'France'" },
  { key: "spain", question: "How many airports are in Spain?", sql: "SELECT count(*) FROM airports WHERE country = 'Spain'" },
  { key: "germany", question: "List the airlines based in Germany", sql: "SELECT name FROM airlines WHERE country = 'Germany'" },
  { key: "altitude", question: "What is the average altitude of airports?", sql: "SELECT avg(altitude) FROM airports" },
  { key: "a320", question: "Which routes use an A320 aircraft?", sql: "SELECT * FROM routes WHERE equipment LIKE '%320%'" },
  {
    key: "redacted",
    question: "Which airports did jane.doe@example.com fly from?",
    redactedQuestion: "Which airports did [EMAIL] fly from?",
    sql: "SELECT DISTINCT src FROM flights WHERE passenger = 'p1'",
  },
  { key: "excluded", question: "How many airports are in Portugal?", sql: "SELECT count(*) FROM airports WHERE country = 'Portugal'", excluded: true },
];
const TEST = [
  { key: "italy", question: "How many airports are in Italy?", sql: "SELECT count(*) FROM airports WHERE country = 'Italy'" },
  { key: "highest", question: "Which airport has the highest altitude?", sql: "SELECT name FROM airports ORDER BY altitude DESC LIMIT 1" },
];

beforeAll(async () => {
  t = await createTestDb();
  openai = await startOpenAiStandIn({ apiKey: OPENAI_KEY, models: ["sql-7b"] });
  bedrock = await startBedrockStandIn({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, models: [NOVA] });
  const user = await t.db.user.create({ data: { email: "lead@endpoints.test", name: "Lead" } });
  userId = user.id;
  projectId = (await createProject(t.db, { name: "Endpoints", description: "" }, userId)).id;
  otherProjectId = (await createProject(t.db, { name: "Elsewhere", description: "" }, userId)).id;
  baselineId = (await ensureBaselineEndpoint(t.db, projectId)).id;
  const v = await t.db.datasetVersion.create({
    data: {
      projectId,
      version: 1,
      name: "v1",
      seed: 1,
      testFraction: 0.2,
      systemPrompt: SYSTEM,
      userTemplate: TEMPLATE,
      itemCount: TRAIN.length + TEST.length,
      trainCount: TRAIN.length,
      testCount: TEST.length,
    },
  });
  version = { id: v.id, systemPrompt: v.systemPrompt, userTemplate: v.userTemplate };
  for (const [split, rows] of [["train", TRAIN], ["test", TEST]] as const) {
    for (const row of rows) {
      const item = await t.db.datasetItem.create({
        data: {
          datasetVersionId: v.id,
          pairId: `pair-${row.key}`,
          split,
          question: row.question,
          redactedQuestion: "redactedQuestion" in row ? row.redactedQuestion : null,
          excluded: "excluded" in row ? row.excluded : false,
          sql: row.sql,
          result: '{"columns":[],"rows":[]}',
          complexity: "simple",
          shape: "count",
          templateHash: row.key,
        },
      });
      items[row.key] = { id: item.id, question: item.question, redactedQuestion: item.redactedQuestion, systemPrompt: null, sql: item.sql, split };
    }
  }
}, 120_000);

afterAll(async () => {
  await openai?.close();
  await bedrock?.close();
  await t?.cleanup();
});

beforeEach(() => {
  openai.requests.length = 0;
  bedrock.requests.length = 0;
  openai.configure({ apiKey: OPENAI_KEY, failFirst: 0, delayMs: 0, answer: (messages) => `SELECT 42 -- ${messages.at(-1)?.content}` });
  bedrock.configure({ failFirst: 0, delayMs: 0, models: [NOVA], answer: (messages) => `SELECT 7 -- ${messages.at(-1)?.content[0]?.text}` });
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e as Error,
  );
}

const SECRETS = [OPENAI_KEY, ROTATED_KEY, SECRET];
function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

const openAiInput = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: "openai_compatible" as const,
  name,
  baseUrl: openai.url,
  model: "sql-7b",
  apiKey: OPENAI_KEY,
  settings: { temperature: 0.2, maxTokens: 512, pricing: { inputPerMillion: 0.2, outputPerMillion: 0.6 } },
  ...extra,
});
const bedrockInput = (name: string, extra: Record<string, unknown> = {}) => ({
  kind: "bedrock_converse" as const,
  name,
  region: "us-east-1",
  model: NOVA,
  endpointUrl: bedrock.url,
  accessKeyId: ACCESS_KEY_ID,
  secretAccessKey: SECRET,
  settings: { temperature: 0, maxTokens: 300, pricing: { inputPerMillion: 0.035, outputPerMillion: 0.14 } },
  ...extra,
});

describe("creating endpoints", () => {
  let gpt: EndpointSummary;
  let nova: EndpointSummary;
  let chain: EndpointSummary;
  let fewShot: EndpointSummary;

  beforeAll(async () => {
    gpt = await createEndpoint(t.db, projectId, openAiInput("GPT stand-in"), userId);
    nova = await createEndpoint(t.db, projectId, bedrockInput("Nova stand-in"), userId);
    chain = await createEndpoint(t.db, projectId, bedrockInput("Nova default chain", { accessKeyId: "", secretAccessKey: "", endpointUrl: "" }), userId);
    fewShot = await createEndpoint(t.db, projectId, { kind: "few_shot", name: "Nova 3-shot", baseEndpointId: nova.id, k: 3 }, userId);
  });

  it("returns public fields only, for every kind", async () => {
    const list = await listEndpoints(t.db, projectId);
    const byName = Object.fromEntries(list.map((e) => [e.name, e]));
    expect(byName[BASELINE_NAME]).toMatchObject({ kind: "retrieval_baseline", keyHint: null, model: "", settings: { temperature: null, k: null } });
    expect(byName["GPT stand-in"]).toEqual({
      id: gpt.id,
      name: "GPT stand-in",
      kind: "openai_compatible",
      model: "sql-7b",
      baseUrl: openai.url,
      region: null,
      keyHint: "…cdef",
      usesDefaultCredentials: false,
      settings: { temperature: 0.2, maxTokens: 512, pricing: { inputPerMillion: 0.2, outputPerMillion: 0.6 }, k: null, baseEndpointId: null, baseEndpointName: null },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      runCount: 0,
    });
    expect(byName["Nova stand-in"]).toMatchObject({
      kind: "bedrock_converse",
      model: NOVA,
      baseUrl: bedrock.url,
      region: "us-east-1",
      keyHint: `…${ACCESS_KEY_ID.slice(-4)}`,
      usesDefaultCredentials: false,
      settings: { temperature: 0, maxTokens: 300, pricing: { inputPerMillion: 0.035, outputPerMillion: 0.14 } },
    });
    expect(byName["Nova default chain"]).toMatchObject({ baseUrl: null, keyHint: null, usesDefaultCredentials: true, region: "us-east-1" });
    expect(byName["Nova 3-shot"]).toMatchObject({
      id: fewShot.id,
      kind: "few_shot",
      model: NOVA,
      keyHint: null,
      settings: { k: 3, baseEndpointId: nova.id, baseEndpointName: "Nova stand-in", temperature: 0, maxTokens: 300 },
    });
    expect(leaks(JSON.stringify(list))).toEqual([]);
    expect(JSON.stringify(list)).not.toContain(SECRET.slice(-8));
    expect(chain.region).toBe("us-east-1");
  });

  it("seals the keys: no plaintext in any row, any audit event, or the database file", async () => {
    const connections = await t.db.providerConnection.findMany({ where: { projectId } });
    const kinds = connections.map((c) => c.kind).sort();
    expect(kinds).toEqual(["aws", "aws", "openai_compatible"]);
    for (const c of connections) expect(leaks(JSON.stringify(c))).toEqual([]);
    const aws = connections.find((c) => c.baseUrl === bedrock.url)!;
    expect(aws.secretCipher).toMatch(/^v1\./);
    expect(aws.secretHint).toBe(ACCESS_KEY_ID.slice(-4));
    const endpoints = await t.db.modelEndpoint.findMany({ where: { projectId } });
    expect(leaks(JSON.stringify(endpoints))).toEqual([]);
    expect(JSON.parse(endpoints.find((e) => e.id === nova.id)!.settings)).toMatchObject({ region: "us-east-1" });
    const audit = await t.db.auditEvent.findMany({ where: { projectId, action: "endpoint.create" } });
    expect(audit.map((a) => a.summary)).toEqual(
      expect.arrayContaining(["Added endpoint GPT stand-in (sql-7b)", `Added Bedrock endpoint Nova default chain (${NOVA} in us-east-1, default credentials)`]),
    );
    expect(leaks(JSON.stringify(audit))).toEqual([]);
    if (!usingPostgres()) {
      const file = t.url.slice("file:".length);
      for (const path of [file, `${file}-wal`].filter(existsSync)) expect(leaks(readFileSync(path).toString("latin1"))).toEqual([]);
    }
  });

  it("accepts the shape without kind as an OpenAI-compatible endpoint, with default settings", async () => {
    const legacy = await createEndpoint(t.db, projectId, { name: "Legacy shape", baseUrl: `${openai.url}/`, model: "sql-7b", apiKey: OPENAI_KEY } as never, userId);
    expect(legacy).toMatchObject({ kind: "openai_compatible", baseUrl: openai.url, settings: { temperature: 0, maxTokens: 1024, pricing: null } });
    const viaOldHelper = await createOpenAiEndpoint(t.db, projectId, { name: "Old helper", baseUrl: openai.url, model: "sql-7b", apiKey: "" });
    expect(viaOldHelper.keyHint).toBeNull();
  });

  it("rejects bad input with messages that say what to fix", async () => {
    const cases: [unknown, RegExp][] = [
      [{ kind: "few_shot", name: "On baseline", baseEndpointId: baselineId, k: 3 }, /prompts an LLM: pick an OpenAI-compatible or Bedrock endpoint as its base, not "Retrieval baseline/],
      [{ kind: "few_shot", name: "On few-shot", baseEndpointId: fewShot.id, k: 3 }, /not "Nova 3-shot"/],
      [{ kind: "few_shot", name: "On nothing", baseEndpointId: "missing", k: 3 }, /base endpoint does not exist in this project/],
      [{ kind: "few_shot", name: "Too many", baseEndpointId: nova.id, k: 50 }, /^k: Show at most 20 examples\./],
      [bedrockInput("Half keys", { secretAccessKey: "" }), /^secretAccessKey: Give the secret access key that goes with the access key id/],
      [bedrockInput("Other half", { accessKeyId: undefined }), /^accessKeyId: Give the access key id that goes with the secret access key/],
      [bedrockInput("Bad region", { region: "useast1" }), /^region: Give an AWS region such as us-east-1\./],
      [bedrockInput("Hot", { settings: { temperature: 1.5 } }), /^settings\.temperature: Bedrock takes a temperature between 0 and 1\./],
      [bedrockInput("Far ARN", { model: "arn:aws:bedrock:us-west-2:123456789012:custom-model-deployment/x1" }), /^region: The ARN is in us-west-2 but the endpoint's region is us-east-1/],
      [bedrockInput("Spaces", { model: "amazon nova" }), /has no spaces/],
      [bedrockInput("Bad URL", { endpointUrl: "ftp://vpce.example.com" }), /^endpointUrl: The endpoint URL must start with http:\/\/ or https:\/\//],
      [openAiInput("Negative", { settings: { pricing: { inputPerMillion: -1, outputPerMillion: 0 } } }), /^settings\.pricing\.inputPerMillion: Prices cannot be negative\./],
      [openAiInput("Tiny", { settings: { maxTokens: 4 } }), /^settings\.maxTokens: Max tokens is at least 16\./],
      [{ kind: "claude_direct", name: "x" }, /^kind: Pick the endpoint kind/],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(createEndpoint(t.db, projectId, input as never, userId));
      expect(error, String(message)).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(message);
    }
    const duplicate = await rejection(createEndpoint(t.db, projectId, bedrockInput("GPT stand-in"), userId));
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect(duplicate.message).toBe('An endpoint named "GPT stand-in" already exists in this project. Pick another name.');
    // A base endpoint of another project is not this project's to prompt.
    const foreign = await createEndpoint(t.db, otherProjectId, openAiInput("Foreign"), userId);
    expect((await rejection(createEndpoint(t.db, projectId, { kind: "few_shot", name: "Foreign base", baseEndpointId: foreign.id, k: 2 }))).message).toMatch(
      /does not exist in this project/,
    );
    expect(await t.db.modelEndpoint.count({ where: { projectId, name: { in: ["Half keys", "Bad region", "Foreign base", "On baseline"] } } })).toBe(0);
  });
});

describe("testEndpoint", () => {
  it("makes one small call and reports what the model answered", async () => {
    const list = await listEndpoints(t.db, projectId);
    const id = (name: string) => list.find((e) => e.name === name)!.id;
    const gpt = await testEndpoint(t.db, projectId, id("GPT stand-in"));
    expect(gpt).toMatchObject({ ok: true, model: "sql-7b" });
    expect(gpt.message).toMatch(/^sql-7b answered "SELECT 42 -- Answer with: SELECT 1" in \d+ ms, \d+ tokens\.$/);
    expect(openai.requests[0].body).toMatchObject({ max_tokens: 32, temperature: 0 });
    const nova = await testEndpoint(t.db, projectId, id("Nova stand-in"));
    expect(nova).toMatchObject({ ok: true, model: NOVA });
    const fewShot = await testEndpoint(t.db, projectId, id("Nova 3-shot"));
    expect(fewShot.ok).toBe(true);
    expect(fewShot.message).toMatch(/^Through Nova stand-in: us\.amazon\.nova-micro-v1:0 answered/);
    expect(bedrock.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(await testEndpoint(t.db, projectId, baselineId)).toMatchObject({ ok: true, latencyMs: 0 });
  });

  it("returns ok: false with the provider's advice instead of throwing", async () => {
    const list = await listEndpoints(t.db, projectId);
    const id = (name: string) => list.find((e) => e.name === name)!.id;
    openai.configure({ apiKey: "sk-someone-elses-key-000000000000" });
    const refused = await testEndpoint(t.db, projectId, id("GPT stand-in"));
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/^The endpoint refused the API key \(401\)\. Check the key in the endpoint settings\./);
    expect(leaks(refused.message)).toEqual([]);

    bedrock.configure({ models: [] });
    const missing = await testEndpoint(t.db, projectId, id("Nova stand-in"));
    expect(missing).toMatchObject({ ok: false, model: NOVA });
    expect(missing.message).toMatch(new RegExp(`^The model id or deployment ARN "${NOVA.replace(/\./g, "\\.")}" is not found in region us-east-1`));

    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "AKIANOTTHESTANDINKEY";
    process.env.AWS_SECRET_ACCESS_KEY = "not/the/secret/the/stand/in/expects/00";
    try {
      // The default chain finds these keys; the call goes to the real regional endpoint only if
      // the endpoint URL is unset, so the check runs against an unreachable address instead.
      await t.db.providerConnection.updateMany({ where: { projectId, kind: "aws", baseUrl: null }, data: { baseUrl: "http://127.0.0.1:9" } });
      const unreachable = await testEndpoint(t.db, projectId, id("Nova default chain"));
      expect(unreachable.ok).toBe(false);
      expect(unreachable.message).toMatch(/^Could not reach Bedrock at 127\.0\.0\.1:9: ECONNREFUSED/);
    } finally {
      for (const [name, value] of [["AWS_ACCESS_KEY_ID", saved.id], ["AWS_SECRET_ACCESS_KEY", saved.secret]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect((await rejection(testEndpoint(t.db, projectId, "no-such-endpoint"))).constructor).toBe(NotFoundError);
  });
});

describe("createPredictor", () => {
  const endpointId = async (name: string) => (await listEndpoints(t.db, projectId)).find((e) => e.name === name)!.id;

  it("retrieval baseline: answers locally with the nearest training pair's SQL, never an item's own", async () => {
    const predictor = await createPredictor(t.db, baselineId, version, OPTS);
    expect(predictor).toMatchObject({ kind: "retrieval_baseline", local: true });
    expect(predictor.messages(items.italy)).toEqual([
      { role: "system", content: SYSTEM },
      { role: "user", content: "Question: How many airports are in Italy?" },
    ]);
    const answer = await predictor.answer(items.italy, predictor.messages(items.italy));
    expect(answer).toMatchObject({ text: items.france.sql, promptTokens: 0, completionTokens: 0, attempts: 0 });
    // Evaluated on its own split, a training item is answered from the others.
    expect((await predictor.answer(items.france, [])).text).toBe(items.spain.sql);
    // An item a scan resolution excluded is not a training pair.
    const portugal = await predictor.answer({ id: "x", question: "How many airports are in Portugal?" }, []);
    expect(portugal.text).not.toBe(items.excluded.sql);
  });

  it("OpenAI-compatible: sends the version's prompt with the endpoint's settings and carries usage", async () => {
    const predictor = await createPredictor(t.db, await endpointId("GPT stand-in"), version, OPTS);
    expect(predictor).toMatchObject({ kind: "openai_compatible", local: false, pricing: { inputPerMillion: 0.2, outputPerMillion: 0.6 } });
    const gptRow = await t.db.modelEndpoint.findFirstOrThrow({ where: { name: "GPT stand-in" } });
    expect(JSON.parse(predictor.identity)).toEqual({ kind: "openai_compatible", connection: gptRow.connectionId, baseUrl: openai.url, model: "sql-7b", temperature: 0.2, maxTokens: 512 });
    const messages = predictor.messages(items.italy);
    const answer = await predictor.answer(items.italy, messages);
    expect(answer.text).toBe("SELECT 42 -- Question: How many airports are in Italy?");
    expect(answer.promptTokens).toBeGreaterThan(0);
    expect(answer.completionTokens).toBeGreaterThan(0);
    expect(answer.attempts).toBe(1);
    expect(openai.requests[0].body).toMatchObject({ model: "sql-7b", temperature: 0.2, max_tokens: 512, messages });
    expect(openai.requests[0].authorization).toBe(`Bearer ${OPENAI_KEY}`);
  });

  it("Bedrock: converses through the SDK with the stored keys, region and settings", async () => {
    const predictor = await createPredictor(t.db, await endpointId("Nova stand-in"), version, OPTS);
    const novaRow = await t.db.modelEndpoint.findFirstOrThrow({ where: { name: "Nova stand-in" } });
    expect(JSON.parse(predictor.identity)).toEqual({
      kind: "bedrock_converse",
      connection: novaRow.connectionId,
      region: "us-east-1",
      endpointUrl: bedrock.url,
      model: NOVA,
      temperature: 0,
      maxTokens: 300,
    });
    expect(leaks(predictor.identity)).toEqual([]);
    const answer = await predictor.answer(items.highest, predictor.messages(items.highest));
    expect(answer).toMatchObject({ text: "SELECT 7 -- Question: Which airport has the highest altitude?", attempts: 1 });
    expect(answer.promptTokens).toBe(15);
    expect(answer.completionTokens).toBeGreaterThan(0);
    expect(bedrock.requests[0]).toMatchObject({ status: 200, modelId: NOVA, accessKeyId: ACCESS_KEY_ID });
    expect(bedrock.requests[0].body).toEqual({
      system: [{ text: SYSTEM }],
      messages: [{ role: "user", content: [{ text: "Question: Which airport has the highest altitude?" }] }],
      inferenceConfig: { maxTokens: 300, temperature: 0 },
    });
  });

  it("few-shot: shows the k nearest approved pairs, rendered like the question, through the base endpoint", async () => {
    const predictor = await createPredictor(t.db, await endpointId("Nova 3-shot"), version, OPTS);
    expect(predictor).toMatchObject({ kind: "few_shot", local: false, pricing: { inputPerMillion: 0.035, outputPerMillion: 0.14 } });
    const identity = JSON.parse(predictor.identity) as { kind: string; k: number; base: { kind: string; region: string } };
    expect(identity).toMatchObject({ kind: "few_shot", k: 3, base: { kind: "bedrock_converse", region: "us-east-1", model: NOVA } });

    const messages = predictor.messages(items.italy);
    expect(messages).toHaveLength(1 + 2 * 3 + 1);
    expect(messages[0]).toEqual({ role: "system", content: SYSTEM });
    expect(messages.at(-1)).toEqual({ role: "user", content: "Question: How many airports are in Italy?" });
    // The closest examples, the closest last; every example question goes through the template.
    expect(messages.at(-3)).toEqual({ role: "user", content: "Question: How many airports are in France?" });
    expect(messages.at(-2)).toEqual({ role: "assistant", content: items.france.sql });
    expect(messages.at(-5)).toEqual({ role: "user", content: "Question: How many airports are in Spain?" });
    const shown = messages.filter((m) => m.role === "assistant").map((m) => m.content);
    expect(shown).not.toContain(items.excluded.sql);

    const answer = await predictor.answer(items.italy, messages);
    expect(answer.text).toBe("SELECT 7 -- Question: How many airports are in Italy?");
    expect(answer.promptTokens).toBeGreaterThan(30);
    const sent = bedrock.requests[0].body as ConverseBody;
    expect(sent.system).toEqual([{ text: SYSTEM }]);
    expect(sent.messages!.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant", "user", "assistant", "user"]);
    expect(sent.messages![4].content[0].text).toBe("Question: How many airports are in France?");
    expect(sent.inferenceConfig).toEqual({ maxTokens: 300, temperature: 0 });
  });

  it("few-shot: never shows an item as its own example, and uses redacted questions", async () => {
    const predictor = await createPredictor(t.db, await endpointId("Nova 3-shot"), version, OPTS);
    const own = predictor.messages(items.france);
    expect(own.filter((m) => m.role === "assistant").map((m) => m.content)).not.toContain(items.france.sql);
    expect(own.filter((m) => m.role === "user").map((m) => m.content)).toHaveLength(4);
    // Same question text on another item counts as the item itself.
    const twin = predictor.messages({ id: "twin", question: items.spain.question });
    expect(twin.filter((m) => m.role === "assistant").map((m) => m.content)).not.toContain(items.spain.sql);

    const redacted = predictor.messages({ id: "q", question: "Which airports did [EMAIL] fly from?" });
    const texts = redacted.map((m) => m.content).join("\n");
    expect(texts).not.toContain("jane.doe@example.com");
    expect(texts).not.toContain(items.redacted.sql); // same question text as the redacted example: left out
    const near = predictor.messages({ id: "q2", question: "Which airports did someone fly from?" });
    expect(near.at(-3)).toEqual({ role: "user", content: "Question: Which airports did [EMAIL] fly from?" });
  });

  it("few-shot over an OpenAI-compatible base, with k from the settings", async () => {
    const base = await endpointId("GPT stand-in");
    const few = await createEndpoint(t.db, projectId, { kind: "few_shot", name: "GPT 1-shot", baseEndpointId: base, k: 1 }, userId);
    const predictor = await createPredictor(t.db, few.id, version, OPTS);
    const messages = predictor.messages(items.highest);
    expect(messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(messages[2].content).toBe(items.altitude.sql);
    const answer = await predictor.answer(items.highest, messages);
    expect(answer.completionTokens).toBeGreaterThan(0);
    expect(openai.requests[0].body).toMatchObject({ messages, temperature: 0.2, max_tokens: 512 });
    expect(JSON.parse(predictor.identity)).toMatchObject({ kind: "few_shot", k: 1, base: { kind: "openai_compatible", baseUrl: openai.url } });
  });

  it("stops waiting when the run is cancelled", async () => {
    openai.configure({ delayMs: 2_000 });
    const predictor = await createPredictor(t.db, await endpointId("GPT stand-in"), version, OPTS);
    const controller = new AbortController();
    const started = Date.now();
    const pending = predictor.answer(items.italy, predictor.messages(items.italy), controller.signal);
    setTimeout(() => controller.abort(new Error("Cancelled by the user.")), 100);
    await expect(pending).rejects.toThrow("Cancelled by the user.");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe("updateEndpointSettings", () => {
  const endpointId = async (name: string) => (await listEndpoints(t.db, projectId)).find((e) => e.name === name)!.id;

  it("renames, reprices and retunes, with an audit event and no secret in it", async () => {
    const id = await endpointId("Legacy shape");
    const updated = await updateEndpointSettings(
      t.db,
      projectId,
      id,
      { name: "Legacy renamed", settings: { temperature: 0.7, maxTokens: 2048, pricing: { inputPerMillion: 1, outputPerMillion: 2 } } },
      userId,
    );
    expect(updated).toMatchObject({ name: "Legacy renamed", settings: { temperature: 0.7, maxTokens: 2048, pricing: { inputPerMillion: 1, outputPerMillion: 2 } } });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "endpoint.update", entityId: id } });
    expect(event.summary).toBe(
      "Updated endpoint Legacy renamed: renamed from Legacy shape, temperature 0 → 0.7, max tokens 1024 → 2048, prices $1 / $2 per million tokens",
    );
    const cleared = await updateEndpointSettings(t.db, projectId, id, { settings: { pricing: null } }, userId);
    expect(cleared.settings.pricing).toBeNull();
    // The old name is free again, connection name included.
    await createEndpoint(t.db, projectId, openAiInput("Legacy shape"), userId);
  });

  it("rotates an API key: the next call uses the new one", async () => {
    const id = await endpointId("GPT stand-in");
    const updated = await updateEndpointSettings(t.db, projectId, id, { apiKey: ROTATED_KEY }, userId);
    expect(updated.keyHint).toBe("…3210");
    openai.configure({ apiKey: ROTATED_KEY });
    expect((await testEndpoint(t.db, projectId, id)).ok).toBe(true);
    expect(openai.requests.at(-1)!.authorization).toBe(`Bearer ${ROTATED_KEY}`);
    const audit = await t.db.auditEvent.findMany({ where: { entityId: id } });
    expect(leaks(JSON.stringify(audit))).toEqual([]);
    expect(audit.at(-1)!.summary).toContain("API key replaced");
  });

  it("switches Bedrock credentials between stored keys and the default chain", async () => {
    const id = await endpointId("Nova default chain");
    const withKeys = await updateEndpointSettings(t.db, projectId, id, { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }, userId);
    expect(withKeys).toMatchObject({ usesDefaultCredentials: false, keyHint: `…${ACCESS_KEY_ID.slice(-4)}` });
    const back = await updateEndpointSettings(t.db, projectId, id, { useDefaultCredentials: true }, userId);
    expect(back).toMatchObject({ usesDefaultCredentials: true, keyHint: null });
  });

  it("sets a few-shot endpoint's k", async () => {
    const updated = await updateEndpointSettings(t.db, projectId, await endpointId("Nova 3-shot"), { k: 2 }, userId);
    expect(updated.settings.k).toBe(2);
    const predictor = await createPredictor(t.db, updated.id, version, OPTS);
    expect(predictor.messages(items.italy)).toHaveLength(1 + 2 * 2 + 1);
    await updateEndpointSettings(t.db, projectId, updated.id, { k: 3 }, userId);
  });

  it("refuses changes that do not apply to the endpoint", async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [baselineId, { name: "Mine now" }, /built-in retrieval baseline has no settings/],
      [await endpointId("Nova 3-shot"), { settings: { temperature: 0.5 } }, /change them on the base endpoint/],
      [await endpointId("Nova stand-in"), { apiKey: "sk-not-for-bedrock-000000" }, /takes an access key id and secret, not an API key/],
      [await endpointId("Nova stand-in"), { settings: { temperature: 1.2 } }, /Bedrock takes a temperature between 0 and 1/],
      [await endpointId("Nova stand-in"), { accessKeyId: ACCESS_KEY_ID }, /^secretAccessKey: Give the secret access key/],
      [await endpointId("GPT stand-in"), { k: 4 }, /Only a few-shot endpoint has a number of examples/],
      [await endpointId("GPT stand-in"), { settings: { pricing: { inputPerMillion: -2, outputPerMillion: 1 } } }, /Prices cannot be negative/],
    ];
    for (const [id, input, message] of cases) {
      const error = await rejection(updateEndpointSettings(t.db, projectId, id, input, userId));
      expect(error, String(message)).toBeInstanceOf(ValidationError);
      expect(error.message).toMatch(message);
    }
    const clash = await rejection(updateEndpointSettings(t.db, projectId, await endpointId("GPT stand-in"), { name: "Nova stand-in" }, userId));
    expect(clash).toBeInstanceOf(ConflictError);
    expect(await rejection(updateEndpointSettings(t.db, otherProjectId, await endpointId("GPT stand-in"), { name: "x" }))).toBeInstanceOf(NotFoundError);
  });
});

describe("deleteEndpoint", () => {
  const endpointId = async (name: string) => (await listEndpoints(t.db, projectId)).find((e) => e.name === name)!.id;

  it("refuses the baseline, an endpoint being evaluated, and a few-shot base", async () => {
    const baseline = await rejection(deleteEndpoint(t.db, projectId, baselineId, userId));
    expect(baseline).toBeInstanceOf(ValidationError);
    expect(baseline.message).toMatch(/baseline cannot be deleted/);

    const nova = await endpointId("Nova stand-in");
    const base = await rejection(deleteEndpoint(t.db, projectId, nova, userId));
    expect(base).toBeInstanceOf(ConflictError);
    expect(base.message).toBe('The few-shot endpoint "Nova 3-shot" prompts "Nova stand-in". Delete it first.');

    const gpt = await endpointId("Legacy renamed");
    const run = await t.db.evalRun.create({ data: { projectId, datasetVersionId: version.id, endpointId: gpt, status: "running", compareSettings: "{}" } });
    const busy = await rejection(deleteEndpoint(t.db, projectId, gpt, userId));
    expect(busy).toBeInstanceOf(ConflictError);
    expect(busy.message).toBe('An evaluation of "Legacy renamed" is queued or running. Cancel it or wait until it finishes, then delete the endpoint.');

    // Once the run is over the endpoint goes, with its runs and its connection.
    await t.db.evalRun.update({ where: { id: run.id }, data: { status: "succeeded" } });
    const connectionId = (await t.db.modelEndpoint.findUniqueOrThrow({ where: { id: gpt } })).connectionId!;
    expect((await listEndpoints(t.db, projectId)).find((e) => e.id === gpt)!.runCount).toBe(1);
    expect(await deleteEndpoint(t.db, projectId, gpt, userId)).toEqual({ id: gpt, name: "Legacy renamed", deletedRuns: 1 });
    expect(await t.db.evalRun.count({ where: { id: run.id } })).toBe(0);
    expect(await t.db.providerConnection.count({ where: { id: connectionId } })).toBe(0);
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "endpoint.delete", entityId: gpt } });
    expect(event.summary).toBe("Deleted endpoint Legacy renamed and its 1 evaluation run");
  });

  it("deletes a few-shot endpoint, after which its base can go", async () => {
    await deleteEndpoint(t.db, projectId, await endpointId("Nova 3-shot"), userId);
    const nova = await endpointId("Nova stand-in");
    expect(await deleteEndpoint(t.db, projectId, nova, userId)).toMatchObject({ name: "Nova stand-in", deletedRuns: 0 });
    expect(await rejection(deleteEndpoint(t.db, projectId, nova, userId))).toBeInstanceOf(NotFoundError);
  });
});

describe("the endpoint routes", () => {
  let routes: ApiRoute[];
  let cookie: string;
  const ids: Record<string, string> = {};
  const route = (key: string) => routes.find((r) => r.key === key)!;

  beforeAll(async () => {
    // Only these route modules: the rest of the API is not what this file tests.
    const modules: [string, Promise<Record<string, unknown>>][] = [
      ["/api/projects/[projectId]/endpoints", import("@/app/api/projects/[projectId]/endpoints/route")],
      ["/api/projects/[projectId]/endpoints/[endpointId]", import("@/app/api/projects/[projectId]/endpoints/[endpointId]/route")],
      ["/api/projects/[projectId]/endpoints/[endpointId]/test", import("@/app/api/projects/[projectId]/endpoints/[endpointId]/test/route")],
    ];
    routes = [];
    for (const [urlPath, loading] of modules) {
      const mod = await loading;
      for (const method of ["GET", "POST", "PATCH", "DELETE"]) {
        if (mod[method]) routes.push({ key: `${method} ${urlPath}`, urlPath, method, handler: mod[method] as Handler });
      }
    }
    await t.db.projectMember.upsert({
      where: { projectId_userId: { projectId, userId } },
      create: { projectId, userId, role: "data_lead" },
      update: { role: "data_lead" },
    });
    cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, userId)).cookieValue)}`;
    ids.projectId = projectId;
  });

  it("create, list, change, test and delete a Bedrock endpoint over HTTP", async () => {
    const created = await callRoute(route("POST /api/projects/[projectId]/endpoints"), { ids, cookie, body: bedrockInput("Routed Nova") });
    expect(created.status, created.text).toBe(201);
    const endpoint = (created.json as { endpoint: EndpointSummary }).endpoint;
    expect(endpoint).toMatchObject({ name: "Routed Nova", kind: "bedrock_converse", region: "us-east-1" });
    expect(leaks(created.text)).toEqual([]);
    ids.endpointId = endpoint.id;

    const listed = await callRoute(route("GET /api/projects/[projectId]/endpoints"), { ids, cookie });
    expect((listed.json as { endpoints: EndpointSummary[] }).endpoints.map((e) => e.name)).toContain("Routed Nova");
    expect(leaks(listed.text)).toEqual([]);

    const patched = await callRoute(route("PATCH /api/projects/[projectId]/endpoints/[endpointId]"), { ids, cookie, body: { settings: { maxTokens: 400 } } });
    expect(patched.status, patched.text).toBe(200);
    expect((patched.json as { endpoint: EndpointSummary }).endpoint.settings.maxTokens).toBe(400);

    const tested = await callRoute(route("POST /api/projects/[projectId]/endpoints/[endpointId]/test"), { ids, cookie });
    expect(tested.status).toBe(200);
    expect(tested.json).toMatchObject({ ok: true, model: NOVA, message: expect.stringContaining("answered") });

    const bad = await callRoute(route("POST /api/projects/[projectId]/endpoints"), { ids, cookie, body: bedrockInput("Half", { accessKeyId: "" }) });
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toMatch(/^accessKeyId: Give the access key id/);

    const deleted = await callRoute(route("DELETE /api/projects/[projectId]/endpoints/[endpointId]"), { ids, cookie });
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({ deleted: { id: endpoint.id, name: "Routed Nova", deletedRuns: 0 } });
    const again = await callRoute(route("DELETE /api/projects/[projectId]/endpoints/[endpointId]"), { ids, cookie });
    expect(again.status).toBe(404);
  });
});
