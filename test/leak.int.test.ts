// Secrets never leave the server: not in any API response, export, log line or stored answer.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview, startTestWorker } from "@/test/helpers/pipeline";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { startOpenAiStandIn, type OpenAiStandIn } from "@/test/stand-ins/openai-server";
import { startFireworksStandIn, type FireworksStandIn } from "@/test/stand-ins/fireworks-server";
import { pollFineTuneJob } from "@/lib/finetune/server/follow";
import { deployFineTune } from "@/lib/finetune/server/service";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion, signOffDatasetVersion } from "@/lib/datasets/server/service";
import { runScan } from "@/lib/datasets/server/scan";
import { startEvalRun } from "@/lib/evaluation/server/service";

const GOOD_KEY = "sk-leakcheck-good-0123456789abcdef";
const BAD_KEY = "sk-leakcheck-bad-fedcba9876543210";

let t: TestDb;
let standIn: OpenAiStandIn;
let fireworks: FireworksStandIn;
let routes: ApiRoute[];
let cookie: string;
const ids: Record<string, string> = {};
const logged: string[] = [];
/** An evaluator's sandbox access token: shown once when created, then never again. */
let sandboxToken = "";
const savedLog = process.env.SANDPIPER_LOG;

beforeAll(async () => {
  // Capture everything the server would log, with logging switched on.
  delete process.env.SANDPIPER_LOG;
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(" "));
    });
  }
  routes = await loadApiRoutes();
  t = await createTestDb();
  ids.projectId = await buildProjectToReview(t.db, "Leak check");
  const admin = await t.db.user.create({ data: { email: "admin@leak.test", name: "Admin", isAdmin: false } });
  await t.db.projectMember.create({ data: { projectId: ids.projectId, userId: admin.id, role: "admin" } });
  ids.userId = admin.id;
  cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, admin.id)).cookieValue)}`;
  const pairs = await t.db.pair.findMany({ where: { projectId: ids.projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, ids.projectId, p.id, { action: "approve", revision: p.revision });
  ids.pairId = pairs[0].id;
  ids.queryId = pairs[0].queryId;
  // The blind second-review view opens only for the pair's second reviewer; having judged it, they
  // may open the pair's own views too (the first review is hidden from them until then).
  await t.db.pair.update({ where: { id: ids.pairId }, data: { secondReviewerId: admin.id } });
  await t.db.secondReview.create({ data: { pairId: ids.pairId, projectId: ids.projectId, reviewerId: admin.id, decision: "approve", sql: pairs[0].query.sql, shownSql: pairs[0].query.sql } });
  const version = await freezeDatasetVersion(t.db, ids.projectId, { testFraction: 0.2, seed: 5 });
  await runScan(t.db, ids.projectId, version.id);
  await signOffDatasetVersion(t.db, ids.projectId, version.id);
  ids.versionId = version.id;

  // A data lead gives an evaluator a sandbox token, and the evaluator uses it (a query that runs,
  // one that is refused, one that fails), so its requests pass through every logging path.
  const createToken = routes.find((r) => r.key === "POST /api/projects/[projectId]/datasets/[versionId]/access-tokens")!;
  const createdToken = await callRoute(createToken, { ids, cookie, body: { name: "leak check" } });
  expect(createdToken.status).toBe(201);
  sandboxToken = (createdToken.json as { token: { token: string } }).token.token;
  const sandboxQuery = routes.find((r) => r.key === "POST /api/sandbox-access/query")!;
  for (const sql of ["SELECT count(*) FROM airports", "SELECT * FROM read_text('/etc/passwd')", "SELECT nope FROM airports"]) {
    await callRoute(sandboxQuery, { ids, authorization: `Bearer ${sandboxToken}`, body: { sql } });
  }

  // A model endpoint that echoes its own key in an answer, and one whose key is refused.
  standIn = await startOpenAiStandIn({ apiKey: GOOD_KEY, models: ["m"], answer: () => `SELECT '${GOOD_KEY}' AS echoed` });
  const endpoints = routes.find((r) => r.key === "POST /api/projects/[projectId]/endpoints")!;
  const good = await callRoute(endpoints, { ids, cookie, body: { name: "echo", baseUrl: standIn.url, model: "m", apiKey: GOOD_KEY } });
  const bad = await callRoute(endpoints, { ids, cookie, body: { name: "refused", baseUrl: standIn.url, model: "m", apiKey: BAD_KEY } });
  expect(good.status).toBe(201);
  expect(bad.status).toBe(201);
  const goodId = (good.json as { endpoint: { id: string } }).endpoint.id;
  const badId = (bad.json as { endpoint: { id: string } }).endpoint.id;
  // A Fireworks connection with the same key, and an RFT job through it to a deployed endpoint: its
  // pages, timeline and resources are read below.
  fireworks = await startFireworksStandIn({ apiKey: GOOD_KEY, accountId: "leak", runningPolls: 2 });
  const connections = routes.find((r) => r.key === "POST /api/projects/[projectId]/connections")!;
  const conn = await callRoute(connections, { ids, cookie, body: { kind: "fireworks", name: "Leak Fireworks", apiKey: GOOD_KEY, settings: { accountId: "leak", apiBaseUrl: fireworks.apiBaseUrl, inferenceBaseUrl: fireworks.inferenceBaseUrl } } });
  expect(conn.status).toBe(201);
  ids.connectionId = (conn.json as { connection: { id: string } }).connection.id;
  const launch = routes.find((r) => r.key === "POST /api/projects/[projectId]/finetune")!;
  const launched = await callRoute(launch, {
    ids,
    cookie,
    body: { kind: "fireworks_rft", name: "Leak RFT", launchKey: "leak-launch-1", connectionId: ids.connectionId, datasetVersionId: version.id, evaluatorUrl: "https://studio.leak.test", settings: { baseModel: "accounts/fireworks/models/qwen3-8b" } },
  });
  expect(launched.status, launched.text).toBe(201);
  ids.fineTuneJobId = (launched.json as { job: { id: string } }).job.id;
  const launcher = startTestWorker(t.db);
  await launcher.drain();
  await launcher.stop();
  for (let i = 0; i < 20 && (await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: ids.fineTuneJobId } })).state !== "completed"; i++) await pollFineTuneJob(t.db, ids.fineTuneJobId);
  await deployFineTune(t.db, ids.projectId, ids.fineTuneJobId);
  for (let i = 0; i < 10 && (await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: ids.fineTuneJobId } })).deploymentState !== "ready"; i++) await pollFineTuneJob(t.db, ids.fineTuneJobId);
  expect((await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: ids.fineTuneJobId } })).deploymentState).toBe("ready");

  const runGood = await startEvalRun(t.db, ids.projectId, { datasetVersionId: version.id, endpointId: goodId, compare: {} });
  const runBad = await startEvalRun(t.db, ids.projectId, { datasetVersionId: version.id, endpointId: badId, compare: {} });
  ids.runId = runGood.run.id;
  ids.otherRunId = runBad.run.id;
  ids.jobId = runGood.job.id;
  const worker = startTestWorker(t.db);
  await worker.drain();
  await worker.stop();
  const answered = await t.db.evalResult.findFirstOrThrow({ where: { evalRunId: runGood.run.id } });
  ids.itemId = answered.itemId;
  // The regression set's list is read too, with an item in it.
  await t.db.regressionItem.create({ data: { projectId: ids.projectId, itemId: answered.itemId, addedFromRunId: runGood.run.id } });
}, 180_000);

afterAll(async () => {
  vi.restoreAllMocks();
  if (savedLog === undefined) delete process.env.SANDPIPER_LOG;
  else process.env.SANDPIPER_LOG = savedLog;
  await standIn?.close();
  await fireworks?.close();
  await t?.cleanup();
});

function secrets(): string[] {
  return [GOOD_KEY, BAD_KEY, process.env.SANDPIPER_SECRET_KEY!, sandboxToken];
}

function findLeaks(text: string): string[] {
  return secrets().filter((s) => text.includes(s));
}

describe("secrets never leave the server", () => {
  it("the endpoint really used the key (so the checks below are meaningful)", async () => {
    expect(standIn.requests.some((r) => r.authorization === `Bearer ${GOOD_KEY}`)).toBe(true);
    expect(standIn.requests.some((r) => r.authorization === `Bearer ${BAD_KEY}` && r.status === 401)).toBe(true);
    const results = await t.db.evalResult.findMany({ where: { evalRun: { projectId: ids.projectId } } });
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((r) => r.errorClass === "provider")).toBe(true);
  });

  it("is absent from every GET response and every export", async () => {
    const leaks: string[] = [];
    for (const route of routes.filter((r) => r.method === "GET")) {
      const queries = route.key.endsWith("/evaluations/[runId]/export")
        ? ["format=csv", "format=json", "format=md&monthly=1000"]
        : route.key.endsWith("/evaluations/compare")
          ? [`runs=${ids.runId}`, `runs=${ids.runId},${ids.otherRunId}`]
          : route.key.endsWith("/export")
        ? ["format=fireworks_rft", "format=fireworks_sft", "format=fireworks_sft&part=test", "format=bedrock&part=train", "format=jsonl", "format=csv", "format=parquet"]
        : route.key.endsWith("/audit")
          ? ["", "format=csv", "format=json"]
          : route.key.endsWith("/sandbox/rows")
            ? ["table=airports", "table=routes&filter=sk-"]
            : route.key.endsWith("/datasets/compare")
              ? [`a=${ids.versionId}&b=${ids.versionId}`]
              : route.key.endsWith("/alignment")
                ? ["", "target=test&size=5&ngramMax=6"]
                : [""];
      for (const query of queries) {
        const res = await callRoute(route, { ids, cookie, query });
        expect(res.status, `${route.key}?${query}: ${res.text.slice(0, 200)}`).toBeLessThan(400);
        for (const s of findLeaks(res.text)) leaks.push(`${route.key}?${query} contains ${s.slice(0, 12)}…`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("is absent from stored answers and errors, and sealed in the database", async () => {
    const results = await t.db.evalResult.findMany();
    for (const r of results) expect(findLeaks(`${r.predictedSql} ${r.responseText} ${r.reason} ${r.predResult ?? ""}`)).toEqual([]);
    for (const c of await t.db.evalCache.findMany()) expect(findLeaks(c.text)).toEqual([]);
    const jobs = await t.db.job.findMany();
    for (const j of jobs) expect(findLeaks(`${j.error ?? ""} ${j.message} ${j.result ?? ""} ${j.payload}`)).toEqual([]);
    const connections = await t.db.providerConnection.findMany();
    for (const c of connections) expect(findLeaks(JSON.stringify(c))).toEqual([]);
    for (const row of await t.db.sandboxAccessToken.findMany()) expect(findLeaks(JSON.stringify(row))).toEqual([]);
    for (const event of await t.db.auditEvent.findMany()) expect(findLeaks(JSON.stringify(event))).toEqual([]);
  });

  it("is absent from every log line", async () => {
    // Even an error that quotes a key verbatim is masked on its way to the log.
    const { logger } = await import("@/lib/log");
    logger.error("upstream said", { error: `invalid key ${GOOD_KEY} for this account` });
    logger.warn("evaluator said", { error: `token ${sandboxToken} was refused` });
    expect(logged.some((line) => line.includes("model endpoint error"))).toBe(true);
    expect(logged.some((line) => line.includes("upstream said") && line.includes("[redacted]"))).toBe(true);
    expect(logged.some((line) => line.includes("evaluator said") && line.includes("[redacted]"))).toBe(true);
    expect(logged.filter((line) => findLeaks(line).length > 0)).toEqual([]);
  });
});
