import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview, startTestWorker } from "@/test/helpers/pipeline";
import { decidePair, editPair } from "@/lib/review/server/service";
import { freezeDatasetVersion, signOffDatasetVersion } from "@/lib/datasets/server/service";
import { buildExport } from "@/lib/datasets/server/export";
import { ensureBaselineEndpoint } from "@/lib/evaluation/server/endpoints";
import { getEvalRun } from "@/lib/evaluation/server/runs";
import { startEvalRun } from "@/lib/evaluation/server/service";
import { resolveSandboxPath } from "@/lib/sandbox/server/service";
import { ConflictError, ValidationError } from "@/lib/errors";
import { exportAuditEvents, listAuditEvents } from "@/lib/audit/server/service";

let t: TestDb;
let projectId: string;

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db);
}, 120_000);
afterAll(async () => t?.cleanup());

describe("the walking skeleton, schema to scorecard", () => {
  it("builds a ready sandbox file whose rows are counted", async () => {
    const project = await t.db.project.findUniqueOrThrow({ where: { id: projectId } });
    const sandbox = await t.db.sandbox.findUniqueOrThrow({ where: { id: project.activeSandboxId! } });
    expect(sandbox.status).toBe("ready");
    expect(existsSync(resolveSandboxPath(sandbox.filePath!))).toBe(true);
    expect(JSON.parse(sandbox.rowCounts)).toMatchObject({ routes: 600, airports: 120 });
  });

  it("stores executed queries with ground truth and a question for each", async () => {
    const queries = await t.db.query.findMany({ where: { projectId } });
    expect(queries.length).toBeGreaterThan(30);
    const executed = queries.filter((q) => q.result !== null);
    expect(executed.length / queries.length).toBeGreaterThan(0.9);
    const levels = new Set(executed.map((q) => q.complexity));
    expect(levels.size).toBeGreaterThanOrEqual(3);
    const pairs = await t.db.pair.count({ where: { projectId } });
    expect(pairs).toBe(executed.filter((q) => q.questionSeed).length);
  });

  it("refuses to approve a stale revision and keeps both decisions in history", async () => {
    const pair = await t.db.pair.findFirstOrThrow({ where: { projectId } });
    await decidePair(t.db, projectId, pair.id, { action: "approve", revision: pair.revision });
    await expect(decidePair(t.db, projectId, pair.id, { action: "reject", revision: pair.revision })).rejects.toBeInstanceOf(ConflictError);
    const after = await t.db.pair.findUniqueOrThrow({ where: { id: pair.id } });
    expect(after.reviewState).toBe("approved");
    expect(after.revision).toBe(pair.revision + 1);
    expect(await t.db.reviewEvent.count({ where: { pairId: pair.id } })).toBe(1);
    // Written by the fast path on SQLite and by Prisma on PostgreSQL: both read back the same way.
    const event = await t.db.reviewEvent.findFirstOrThrow({ where: { pairId: pair.id } });
    expect(event).toMatchObject({ action: "approve", revision: pair.revision + 1, before: '{"reviewState":"pending"}', after: '{"reviewState":"approved"}' });
    expect(Math.abs(event.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(Math.abs(after.reviewedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(pair.updatedAt.getTime());
  });

  it("lists review decisions in the project's audit trail and its CSV export", async () => {
    const { events, actions } = await listAuditEvents(t.db, projectId, {});
    expect(events.some((e) => e.action === "pair.approve")).toBe(true);
    expect(actions.find((a) => a.action === "pair.approve")?.count).toBeGreaterThan(0);
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort().reverse());
    const onlyPairs = await listAuditEvents(t.db, projectId, { action: "pair." });
    expect(onlyPairs.events.length).toBeGreaterThan(0);
    expect(onlyPairs.events.every((e) => e.action.startsWith("pair."))).toBe(true);
    const csv = await exportAuditEvents(t.db, projectId, {}, "csv");
    expect(csv.body.split("\r\n")[0]).toBe("at,user,action,entity_type,entity_id,summary,before,after");
    expect(csv.body).toContain("pair.approve");
  });

  it("executes edited SQL before saving it, and saves nothing when it fails", async () => {
    const pair = await t.db.pair.findFirstOrThrow({ where: { projectId, reviewState: "pending" }, include: { query: true } });
    await expect(editPair(t.db, projectId, pair.id, { sql: "SELECT no_such_column FROM airports", revision: pair.revision })).rejects.toBeInstanceOf(ValidationError);
    await expect(editPair(t.db, projectId, pair.id, { sql: "DROP TABLE airports", revision: pair.revision })).rejects.toBeInstanceOf(ValidationError);
    const unchanged = await t.db.pair.findUniqueOrThrow({ where: { id: pair.id } });
    expect(unchanged.revision).toBe(pair.revision);
    expect(unchanged.queryId).toBe(pair.queryId);

    const out = await editPair(t.db, projectId, pair.id, { sql: "SELECT count(*) AS n FROM airports", revision: pair.revision });
    expect(out.revision).toBe(pair.revision + 1);
    const edited = await t.db.pair.findUniqueOrThrow({ where: { id: pair.id }, include: { query: true } });
    expect(edited.query.sql).toBe("SELECT count(*) AS n FROM airports");
    expect(JSON.parse(edited.query.result!).rows).toEqual([[120]]);
    expect(edited.query.origin).toBe("review");
  });

  it("freezes approved pairs into a split with no structure on both sides, gated by sign-off", async () => {
    const pending = await t.db.pair.findMany({ where: { projectId, reviewState: "pending" }, include: { query: true } });
    for (const p of pending) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
    const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 13 });
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: version.id } });
    expect(items.length).toBe(version.itemCount);
    const train = new Set(items.filter((i) => i.split === "train").map((i) => i.templateHash));
    const test = items.filter((i) => i.split === "test");
    expect(test.length).toBeGreaterThan(0);
    expect(test.filter((i) => train.has(i.templateHash))).toEqual([]);

    await expect(buildExport(t.db, projectId, version.id, { format: "fireworks_rft" })).rejects.toBeInstanceOf(ConflictError);
    await signOffDatasetVersion(t.db, projectId, version.id);
    const file = await buildExport(t.db, projectId, version.id, { format: "fireworks_rft" });
    const lines = String(file.body).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBe(version.trainCount);
    expect(lines[0].messages.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
    expect(lines[0].messages[0].content).toContain("CREATE TABLE");
    expect(typeof lines[0].ground_truth).toBe("string");

    // Later review edits never change a frozen version.
    const frozenSql = items[0].sql;
    const pair = await t.db.pair.findUniqueOrThrow({ where: { id: items[0].pairId } });
    await editPair(t.db, projectId, pair.id, { sql: "SELECT count(*) AS c FROM routes", revision: pair.revision });
    const again = await t.db.datasetItem.findUniqueOrThrow({ where: { id: items[0].id } });
    expect(again.sql).toBe(frozenSql);
  });

  it("evaluates the retrieval baseline over the test split and scores every item", async () => {
    const version = await t.db.datasetVersion.findFirstOrThrow({ where: { projectId } });
    const endpoint = await ensureBaselineEndpoint(t.db, projectId);
    const { run } = await startEvalRun(t.db, projectId, { datasetVersionId: version.id, endpointId: endpoint.id, compare: {} });
    const worker = startTestWorker(t.db);
    await worker.drain();
    await worker.stop();
    const view = await getEvalRun(t.db, projectId, run.id);
    expect(view.status).toBe("succeeded");
    expect(view.results.length).toBe(version.testCount);
    expect(view.correct).toBe(view.results.filter((r) => r.outcome === "correct").length);
    expect(view.accuracy).toBeCloseTo(view.correct / version.testCount, 10);
    for (const r of view.results) expect(r.reason.length).toBeGreaterThan(0);
  });
});
