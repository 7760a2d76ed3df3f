import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { ensureBaselineEndpoint } from "@/lib/evaluation/server/endpoints";
import { accuracyTimeline, compareRuns, exportScorecard } from "@/lib/evaluation/server/dashboards";
import { getEvalRun, getEvalRunItem, listEvalRuns } from "@/lib/evaluation/server/runs";
import { addRegressionItems, listRegressionItems, removeRegressionItems } from "@/lib/evaluation/server/regression";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";

// Dashboards read stored answers: two runs are written with known outcomes (no model involved), so
// every figure below is counted by hand.

let t: TestDb;
let projectId: string;
let items: { id: string; complexity: string; question: string }[];
const runIds: string[] = [];

type Outcome = "correct" | "wrong" | "error";

async function writeRun(endpointId: string, versionId: string, label: string, outcomes: Outcome[], createdAt: Date) {
  const correct = outcomes.filter((o) => o === "correct").length;
  const run = await t.db.evalRun.create({
    data: {
      projectId,
      datasetVersionId: versionId,
      endpointId,
      status: "succeeded",
      label,
      compareSettings: JSON.stringify({ ignoreColumnOrder: true, floatAbsTol: 1e-6, floatRelTol: 1e-6, nullEqualsNull: true, orderMatters: "auto" }),
      total: outcomes.length,
      done: outcomes.length,
      correct,
      errors: outcomes.filter((o) => o === "error").length,
      accuracy: correct / outcomes.length,
      createdAt,
      finishedAt: createdAt,
    },
  });
  for (const [i, outcome] of outcomes.entries()) {
    await t.db.evalResult.create({
      data: {
        evalRunId: run.id,
        itemId: items[i]!.id,
        predictedSql: outcome === "correct" ? "SELECT 1" : outcome === "wrong" ? "SELECT 2" : "SELEC",
        outcome,
        reason: outcome === "correct" ? "Results match." : outcome === "wrong" ? "1 row missing." : "Parser Error: syntax error",
        errorClass: outcome === "correct" ? null : outcome === "wrong" ? "wrong_result" : "syntax",
        latencyMs: 100 + i,
        promptTokens: 1_000,
        completionTokens: 100,
        costUsd: 0.001,
        predResult: outcome === "error" ? null : JSON.stringify({ columns: ["x"], rows: [[outcome === "correct" ? 1 : 2]], rowCount: 1, truncated: false }),
      },
    });
  }
  return run.id;
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Dashboards");
  const pending = await t.db.pair.findMany({ where: { projectId, reviewState: "pending" }, include: { query: true } });
  for (const p of pending) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.3, seed: 5 });
  items = (await t.db.datasetItem.findMany({ where: { datasetVersionId: version.id, split: "test" }, orderBy: { id: "asc" }, take: 10 })).map((i) => ({ id: i.id, complexity: i.complexity, question: i.question }));
  expect(items.length).toBe(10);
  const endpoint = await ensureBaselineEndpoint(t.db, projectId);
  // Before: 6 right (items 0–5). After: items 0–3 still right, 4 and 5 broken, 6–8 fixed, 9 still wrong.
  const before: Outcome[] = ["correct", "correct", "correct", "correct", "correct", "correct", "wrong", "error", "wrong", "error"];
  const after: Outcome[] = ["correct", "correct", "correct", "correct", "wrong", "error", "correct", "correct", "correct", "wrong"];
  runIds.push(await writeRun(endpoint.id, version.id, "before", before, new Date("2026-11-01T10:00:00Z")));
  runIds.push(await writeRun(endpoint.id, version.id, "after", after, new Date("2026-11-02T10:00:00Z")));
}, 180_000);

afterAll(async () => {
  await t?.cleanup();
});

describe("evaluation dashboards", () => {
  it("puts two runs side by side and lists what the second fixed and broke", async () => {
    const out = await compareRuns(t.db, projectId, runIds);
    expect(out.runs.map((r) => [r.label, r.scorecard.correct, r.scorecard.total])).toEqual([
      ["before", 6, 10],
      ["after", 7, 10],
    ]);
    expect(out.diff).not.toBeNull();
    const diff = out.diff!;
    expect(diff.shared).toBe(10);
    expect(diff.broken.map((c) => c.itemId).sort()).toEqual([items[4]!.id, items[5]!.id].sort());
    expect(diff.fixed.map((c) => c.itemId).sort()).toEqual([items[6]!.id, items[7]!.id, items[8]!.id].sort());
    expect(diff.bothCorrect).toBe(4);
    expect(diff.bothWrong).toBe(1);
    // Exact McNemar on 3 fixed vs 2 broken: 2·P(X ≤ 2), X ~ Bin(5, 1/2) = 2·16/32 = 1.
    expect(diff.mcnemarP).toBeCloseTo(1, 10);
    const broken5 = diff.broken.find((c) => c.itemId === items[5]!.id)!;
    expect(broken5.before.outcome).toBe("correct");
    expect(broken5.after).toMatchObject({ outcome: "error", errorClass: "syntax", predictedSql: "SELEC" });
    // Every complexity of the ten items has a group, with both runs' scores.
    const complexities = new Set(items.map((i) => i.complexity));
    expect(new Set(out.groups.complexity.map((g) => g.key))).toEqual(complexities);
    for (const g of out.groups.complexity) expect(g.scores).toHaveLength(2);
    const three = await compareRuns(t.db, projectId, [...runIds, runIds[0]!]);
    expect(three.runs).toHaveLength(2);
  });

  it("refuses unknown runs and too many at once", async () => {
    await expect(compareRuns(t.db, projectId, ["nope"])).rejects.toBeInstanceOf(NotFoundError);
    await expect(compareRuns(t.db, projectId, [])).rejects.toBeInstanceOf(ValidationError);
    await expect(compareRuns(t.db, projectId, Array.from({ length: 13 }, (_, i) => `r${i}`))).rejects.toBeInstanceOf(ValidationError);
  });

  it("shows a run's scorecard, its rows and one item's answers", async () => {
    const view = await getEvalRun(t.db, projectId, runIds[1]!);
    expect(view.scorecard).toMatchObject({ total: 10, correct: 7, accuracy: 0.7 });
    expect(view.scorecard.errors.map((e) => [e.errorClass, e.count])).toEqual(
      expect.arrayContaining([
        ["wrong_result", 2],
        ["syntax", 1],
      ]),
    );
    expect(view.scorecard.cost.per1kUsd).toBeCloseTo(1, 10);
    expect(view.results).toHaveLength(10);
    const detail = await getEvalRunItem(t.db, projectId, runIds[1]!, items[5]!.id);
    expect(detail.answers).toHaveLength(1);
    expect(detail.answers[0]).toMatchObject({ outcome: "error", predictedSql: "SELEC", pred: null });
    expect(detail.gold.columns.length).toBeGreaterThan(0);
    await expect(getEvalRunItem(t.db, projectId, runIds[1]!, "missing")).rejects.toBeInstanceOf(NotFoundError);
    const listed = await listEvalRuns(t.db, projectId);
    expect(listed.map((r) => r.label)).toEqual(["after", "before"]);
  });

  it("charts accuracy over time per endpoint", async () => {
    const series = await accuracyTimeline(t.db, projectId);
    expect(series).toHaveLength(1);
    expect(series[0]!.points.map((p) => p.accuracy)).toEqual([0.6, 0.7]);
    expect(series[0]!.points[0]!.low).toBeLessThan(0.6);
    expect(series[0]!.points[0]!.high).toBeGreaterThan(0.6);
  });

  it("exports the scorecard as CSV, JSON and Markdown with the monthly projection", async () => {
    const csv = await exportScorecard(t.db, projectId, runIds[1]!, { format: "csv", monthly: 22_000 });
    expect(csv.fileName).toMatch(/^scorecard-.+\.csv$/);
    const lines = csv.body.split("\r\n");
    expect(lines[0]).toBe("section,key,total,correct,accuracy,ci_low,ci_high,value");
    expect(lines.find((l) => l.startsWith("summary,accuracy,"))).toMatch(/^summary,accuracy,10,7,0\.7,0\.[3-4]\d*,0\.[8-9]\d*,$/);
    const json = JSON.parse((await exportScorecard(t.db, projectId, runIds[1]!, { format: "json", monthly: 22_000 })).body) as { scorecard: { correct: number }; projection: { questionsPerMonth: number; costUsd: number; expectedFailures: number } };
    expect(json.scorecard.correct).toBe(7);
    // 22,000 questions at $0.001 each; 30% of them fail.
    expect(json.projection).toMatchObject({ questionsPerMonth: 22_000, expectedFailures: 6_600 });
    expect(json.projection.costUsd).toBeCloseTo(22, 6);
    const md = await exportScorecard(t.db, projectId, runIds[1]!, { format: "md", monthly: 1_000 });
    expect(md.body).toContain("70.0%");
    expect(md.contentType).toMatch(/markdown/);
    const audited = await t.db.auditEvent.count({ where: { projectId, action: "eval.export" } });
    expect(audited).toBe(3);
  });

  it("keeps a regression set: add once, list with the latest outcome, remove", async () => {
    const broken = [items[4]!.id, items[5]!.id];
    expect(await addRegressionItems(t.db, projectId, { itemIds: broken, runId: runIds[1], note: "broken by after" }, null)).toEqual({ added: 2, alreadyThere: 0 });
    expect(await addRegressionItems(t.db, projectId, { itemIds: [...broken, broken[0]!], note: "" }, null)).toEqual({ added: 0, alreadyThere: 2 });
    await expect(addRegressionItems(t.db, projectId, { itemIds: ["not-an-item"], note: "" }, null)).rejects.toBeInstanceOf(NotFoundError);
    await expect(addRegressionItems(t.db, projectId, { itemIds: broken, runId: "elsewhere", note: "" }, null)).rejects.toBeInstanceOf(ValidationError);
    const listed = await listRegressionItems(t.db, projectId);
    expect(listed.map((i) => i.itemId).sort()).toEqual([...broken].sort());
    for (const i of listed) expect(i.latest).toMatchObject({ runId: runIds[1], outcome: expect.stringMatching(/wrong|error/) });
    const view = await getEvalRun(t.db, projectId, runIds[1]!);
    expect(view.results.filter((r) => r.inRegression).map((r) => r.itemId).sort()).toEqual([...broken].sort());
    expect(await removeRegressionItems(t.db, projectId, [broken[0]!], null)).toEqual({ removed: 1 });
    expect((await listRegressionItems(t.db, projectId)).map((i) => i.itemId)).toEqual([broken[1]]);
  });

  it("reports the run's variant count even when no answer was compared on the variants", async () => {
    await t.db.evalRun.update({ where: { id: runIds[0]! }, data: { suiteSize: 3 } });
    try {
      const view = await getEvalRun(t.db, projectId, runIds[0]!);
      // No stored answer was checked on a variant, so none is test-suite correct.
      expect(view.scorecard.suite).toMatchObject({ variants: 3, correct: 0, accuracy: 0 });
      expect(view.scorecard.suite!.interval.low).toBe(0);
    } finally {
      await t.db.evalRun.update({ where: { id: runIds[0]! }, data: { suiteSize: 0 } });
    }
    expect((await getEvalRun(t.db, projectId, runIds[0]!)).scorecard.suite).toBeNull();
  });

  describe("through the API, bad input gets a clear error and changes nothing", () => {
    let routes: ApiRoute[];
    let cookie: string;
    const ids: Record<string, string> = {};
    const route = (key: string) => routes.find((r) => r.key === key)!;

    beforeAll(async () => {
      routes = await loadApiRoutes();
      const lead = await t.db.user.create({ data: { email: "lead@dashboards.test", name: "Lead", isAdmin: false } });
      await t.db.projectMember.create({ data: { projectId, userId: lead.id, role: "data_lead" } });
      cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, lead.id)).cookieValue)}`;
      Object.assign(ids, { projectId, runId: runIds[1]!, itemId: items[0]!.id });
    });

    it("refuses malformed regression-set changes, and concurrent adds of the same items add each once", async () => {
      const add = route("POST /api/projects/[projectId]/evaluations/regression");
      const before = await t.db.regressionItem.count({ where: { projectId } });
      for (const body of [{ itemIds: "x" }, { itemIds: [] }, { itemIds: Array.from({ length: 5_001 }, (_, i) => `i${i}`) }, { itemIds: [items[0]!.id], note: "n".repeat(501) }, "not json"]) {
        const res = await callRoute(add, { ids, cookie, body });
        expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
        expect(res.json.error?.message).toBeTruthy();
      }
      expect(await t.db.regressionItem.count({ where: { projectId } })).toBe(before);
      const same = [items[7]!.id, items[8]!.id];
      const results = await Promise.all([1, 2, 3].map(() => callRoute(add, { ids, cookie, body: { itemIds: same } })));
      for (const r of results) expect(r.status).toBe(200);
      expect(results.reduce((n, r) => n + (r.json as unknown as { added: number }).added, 0)).toBe(2);
      expect(await t.db.regressionItem.count({ where: { projectId, itemId: { in: same } } })).toBe(2);
    });

    it("refuses bad export and compare queries with a message", async () => {
      const exportRoute = route("GET /api/projects/[projectId]/evaluations/[runId]/export");
      for (const query of ["format=xls", "format=csv&monthly=-1", "format=csv&monthly=2.5", "format=csv&monthly=abc"]) {
        const res = await callRoute(exportRoute, { ids, cookie, query });
        expect(res.status, query).toBe(400);
      }
      const ok = await callRoute(exportRoute, { ids, cookie, query: "format=md" });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-disposition")).toMatch(/attachment; filename="scorecard-.+\.md"/);
      const compare = route("GET /api/projects/[projectId]/evaluations/compare");
      expect((await callRoute(compare, { ids, cookie, query: "runs=" })).status).toBe(400);
      expect((await callRoute(compare, { ids, cookie, query: `runs=${Array.from({ length: 13 }, (_, i) => `r${i}`).join(",")}` })).status).toBe(400);
      expect((await callRoute(compare, { ids, cookie, query: "runs=unknown-run" })).status).toBe(404);
      const item = route("GET /api/projects/[projectId]/evaluations/[runId]/items/[itemId]");
      expect((await callRoute(item, { ids: { ...ids, itemId: "no-such-item" }, cookie })).status).toBe(404);
    });

    it("refuses run settings out of range before anything is queued", async () => {
      const start = route("POST /api/projects/[projectId]/evaluations");
      const version = await t.db.datasetVersion.findFirstOrThrow({ where: { projectId } });
      const endpoint = await ensureBaselineEndpoint(t.db, projectId);
      const jobs = await t.db.job.count();
      for (const settings of [{ concurrency: 500 }, { concurrency: 0 }, { timeoutMs: 10 }, { repeats: 11 }, { maxRetries: -1 }]) {
        const res = await callRoute(start, { ids, cookie, body: { datasetVersionId: version.id, endpointId: endpoint.id, settings } });
        expect(res.status, JSON.stringify(settings)).toBe(400);
        expect(res.json.error?.message).toBeTruthy();
      }
      const empty = await callRoute(start, { ids, cookie, body: { datasetVersionId: version.id, endpointId: endpoint.id, scope: { split: "test", complexities: ["no_such_level"] } } });
      expect(empty.status).toBe(400);
      expect(empty.json.error?.message).toMatch(/No item/);
      expect(await t.db.job.count()).toBe(jobs);
    });
  });
});
