// Bulk decisions over a filtered set of 10,000 pairs, their undo, and their race with single decisions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { createProject } from "@/lib/projects/server/service";
import { COMPLEXITIES } from "@/lib/queries/complexity";
import { ConflictError, ValidationError } from "@/lib/errors";
import { decidePair } from "@/lib/review/server/service";
import { buildPairWhere, bulkDecide, countBulk, undoBulk, type BulkFilter } from "@/lib/review/server/bulk";

const TOTAL = 10_000;
let t: TestDb;
let projectId: string;
let otherProjectId: string;
let userId: string;

type Snapshot = Map<string, { reviewState: string; revision: number }>;

async function snapshot(): Promise<Snapshot> {
  const pairs = await t.db.pair.findMany({ where: { projectId }, select: { id: true, reviewState: true, revision: true } });
  return new Map(pairs.map((p) => [p.id, { reviewState: p.reviewState, revision: p.revision }]));
}

async function matchingIds(filter: BulkFilter): Promise<string[]> {
  return (await t.db.pair.findMany({ where: buildPairWhere(projectId, filter), select: { id: true } })).map((p) => p.id);
}

/** Every pair's history is one event per revision, and the last event says its current state. */
async function expectConsistentHistory(pairIds: string[]) {
  // In slices: Prisma's SQLite client binds at most 999 values per statement.
  const pairs = [];
  for (let i = 0; i < pairIds.length; i += 500) {
    pairs.push(...(await t.db.pair.findMany({ where: { id: { in: pairIds.slice(i, i + 500) } }, include: { events: { orderBy: { revision: "asc" } } } })));
  }
  expect(pairs).toHaveLength(pairIds.length);
  for (const p of pairs) {
    expect(p.events.map((e) => e.revision)).toEqual(Array.from({ length: p.revision - 1 }, (_, i) => i + 2));
    const last = p.events.at(-1);
    expect(last ? (JSON.parse(last.after) as { reviewState: string }).reviewState : "pending").toBe(p.reviewState);
  }
}

beforeAll(async () => {
  t = await createTestDb();
  userId = (await t.db.user.create({ data: { email: "analyst@bulk.test", name: "Analyst" } })).id;
  projectId = (await createProject(t.db, { name: "Bulk", description: "" })).id;
  otherProjectId = (await createProject(t.db, { name: "Elsewhere", description: "" })).id;
  for (const [pid, count] of [
    [projectId, TOTAL],
    [otherProjectId, 50],
  ] as const) {
    // Every 50th query has no result on the sandbox (it cannot be approved); questions alternate topics.
    await t.db.query.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        projectId: pid,
        sql: `SELECT ${i} FROM ${i % 2 ? "routes" : "airports"}`,
        complexity: COMPLEXITIES[i % COMPLEXITIES.length],
        resultRowCount: i % 50 === 2 ? null : 1,
      })),
    });
    const queries = await t.db.query.findMany({ where: { projectId: pid }, select: { id: true, sql: true } });
    await t.db.pair.createMany({
      data: queries.map((q) => ({ projectId: pid, queryId: q.id, question: `How many rows in ${q.sql.endsWith("routes") ? "Routes" : "Airports"}?` })),
    });
  }
}, 120_000);
afterAll(async () => t?.cleanup());

describe("bulk review decisions", () => {
  it("counts the same set as the review list's filter", async () => {
    expect(await countBulk(t.db, projectId)).toBe(TOTAL);
    expect(await countBulk(t.db, projectId, { complexity: "moderate" })).toBe(TOTAL / 4);
    for (const filter of [{ q: "airports" }, { q: "Airports", complexity: "simple" as const }, { q: "100%" }, { state: "approved" as const }]) {
      expect(await countBulk(t.db, projectId, filter), JSON.stringify(filter)).toBe(await t.db.pair.count({ where: buildPairWhere(projectId, filter) }));
    }
    expect(await countBulk(t.db, projectId, { q: "Airports" })).toBe(TOTAL / 2);
  });

  it("refuses a count that is not the one the user confirmed, and changes nothing", async () => {
    const before = await snapshot();
    const events = await t.db.reviewEvent.count();
    const filter = { complexity: "complex" as const };
    const count = await countBulk(t.db, projectId, filter);
    await expect(bulkDecide(t.db, projectId, { action: "approve", filter, expectedCount: count + 1 }, userId)).rejects.toBeInstanceOf(ConflictError);
    await expect(bulkDecide(t.db, projectId, { action: "approve", filter: { q: "no such text" }, expectedCount: 0 }, userId)).rejects.toBeInstanceOf(ValidationError);
    expect(await snapshot()).toEqual(before);
    expect(await t.db.reviewEvent.count()).toBe(events);
  });

  it("approves exactly the matching pairs, one event each with the batch id, and audits it", async () => {
    const filter: BulkFilter = { complexity: "complex", q: "Airports" };
    const before = await snapshot();
    const matching = new Set(await matchingIds(filter));
    const count = await countBulk(t.db, projectId, filter);
    expect(count).toBe(matching.size);
    const labelled = (await t.db.pair.findMany({ where: { ...buildPairWhere(projectId, filter), query: { complexity: "complex", resultRowCount: { not: null } } }, select: { id: true } })).map((p) => p.id);
    expect(labelled.length).toBeLessThan(matching.size);

    const { batchId, changed } = await bulkDecide(t.db, projectId, { action: "approve", filter, expectedCount: count, reason: "spot-checked" }, userId);
    expect(changed).toBe(labelled.length);
    const after = await snapshot();
    for (const [id, was] of before) {
      const now = after.get(id)!;
      if (labelled.includes(id)) expect(now).toEqual({ reviewState: "approved", revision: was.revision + 1 });
      else expect(now, id).toEqual(was);
    }
    const events = await t.db.reviewEvent.findMany({ where: { after: { contains: batchId } } });
    expect(events.map((e) => e.pairId).sort()).toEqual([...labelled].sort());
    for (const e of events) {
      expect(e.action).toBe("approve");
      expect(e.userId).toBe(userId);
      expect(Math.abs(e.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
      expect(e.revision).toBe(before.get(e.pairId)!.revision + 1);
      expect(JSON.parse(e.before)).toEqual({ reviewState: "pending" });
      expect(JSON.parse(e.after)).toEqual({ reviewState: "approved", batch: batchId });
    }
    const reviewed = await t.db.pair.findFirst({ where: { id: labelled[0] } });
    expect(reviewed?.reviewedById).toBe(userId);
    expect(reviewed?.reviewedAt).toBeInstanceOf(Date);
    const audit = await t.db.auditEvent.findMany({ where: { projectId, action: "pairs.bulk_decide", entityId: batchId } });
    expect(audit).toHaveLength(1);
    expect(audit[0].summary).toBe(`Approved ${labelled.length} pairs in bulk: spot-checked`);
    expect(audit[0].userId).toBe(userId);

    // The same decision again changes nothing, and says so.
    await expect(bulkDecide(t.db, projectId, { action: "approve", filter, expectedCount: count }, userId)).rejects.toBeInstanceOf(ValidationError);
  });

  it("rejects all 10,000 pairs in under 3 s, and undoes it once", async () => {
    const before = await snapshot();
    const started = performance.now();
    const { batchId, changed } = await bulkDecide(t.db, projectId, { action: "reject", filter: {}, expectedCount: TOTAL }, userId);
    const decideMs = performance.now() - started;
    expect(changed).toBe(TOTAL);
    expect(decideMs).toBeLessThan(3_000);
    expect(await t.db.reviewEvent.count({ where: { after: { contains: batchId } } })).toBe(TOTAL);
    expect(await countBulk(t.db, projectId, { state: "rejected" })).toBe(TOTAL);
    // The other project is untouched.
    expect(await t.db.pair.count({ where: { projectId: otherProjectId, reviewState: { not: "pending" } } })).toBe(0);

    const undoStarted = performance.now();
    expect(await undoBulk(t.db, projectId, batchId, userId)).toEqual({ reverted: TOTAL, skipped: 0 });
    const undoMs = performance.now() - undoStarted;
    expect(undoMs).toBeLessThan(3_000);
    console.info(`bulk reject of ${TOTAL} pairs: ${decideMs.toFixed(0)} ms; undo: ${undoMs.toFixed(0)} ms`);
    const after = await snapshot();
    for (const [id, was] of before) expect(after.get(id)).toEqual({ reviewState: was.reviewState, revision: was.revision + 2 });
    const undoEvents = await t.db.reviewEvent.findMany({ where: { after: { contains: `"undoOf":"${batchId}"` } }, take: 5000 });
    expect(undoEvents).toHaveLength(5000);
    for (const e of undoEvents) {
      const state = (JSON.parse(e.after) as { reviewState: string }).reviewState;
      expect(e.action).toBe(state === "approved" ? "approve" : "reopen");
    }

    // A second undo finds every pair moved on since the batch (by the first undo): nothing reverts.
    expect(await undoBulk(t.db, projectId, batchId, userId)).toEqual({ reverted: 0, skipped: TOTAL });
    expect(await snapshot()).toEqual(after);
    expect(await t.db.auditEvent.count({ where: { projectId, action: "pairs.bulk_undo", entityId: batchId } })).toBe(2);
    await expectConsistentHistory([...before.keys()].slice(0, 500));
  }, 30_000);

  it("leaves a pair decided after the batch as it is, and reverts the others", async () => {
    const filter: BulkFilter = { complexity: "highly_complex", state: "pending", q: "routes" };
    const count = await countBulk(t.db, projectId, filter);
    const { batchId, changed } = await bulkDecide(t.db, projectId, { action: "approve", filter, expectedCount: count }, userId);
    const events = await t.db.reviewEvent.findMany({ where: { after: { contains: batchId } } });
    expect(events).toHaveLength(changed);
    const touched = events[0];
    await decidePair(t.db, projectId, touched.pairId, { action: "reject", revision: touched.revision }, userId);

    await expect(undoBulk(t.db, otherProjectId, batchId, userId)).rejects.toThrow(/no bulk decision/);
    expect(await undoBulk(t.db, projectId, batchId, userId)).toEqual({ reverted: changed - 1, skipped: 1 });
    expect(await t.db.pair.findUnique({ where: { id: touched.pairId } })).toMatchObject({ reviewState: "rejected", revision: touched.revision + 1 });
    expect(await t.db.pair.count({ where: { projectId, reviewState: "pending", events: { some: { after: { contains: batchId } } } } })).toBe(changed - 1);
    expect(await undoBulk(t.db, projectId, batchId, userId)).toEqual({ reverted: 0, skipped: changed });
    await expectConsistentHistory(events.map((e) => e.pairId));
  });

  it("never loses a single decision racing a bulk decision, nor the bulk one", async () => {
    for (let round = 0; round < 6; round++) {
      // Without a state filter a single decision that lands first keeps the count, so the bulk one runs after it.
      const complexity = (["simple", "moderate", "highly_complex"] as const)[round % 3];
      const filter: BulkFilter = { complexity, q: complexity === "simple" ? "airports" : "routes", ...(round % 2 ? { state: "pending" as const } : {}) };
      const count = await countBulk(t.db, projectId, filter);
      const ids = await matchingIds(filter);
      const target = await t.db.pair.findFirstOrThrow({ where: { ...buildPairWhere(projectId, filter), reviewState: "pending", query: { complexity: filter.complexity, resultRowCount: { not: null } } }, skip: round * 7 });
      const single = () => decidePair(t.db, projectId, target.id, { action: "reject", revision: target.revision }, userId);
      const bulk = () => bulkDecide(t.db, projectId, { action: "approve", filter, expectedCount: count }, userId);
      const [s, b] = round % 4 < 2 ? await Promise.allSettled([single(), bulk()]) : await Promise.allSettled([bulk(), single()]).then(([x, y]) => [y, x] as const);
      for (const r of [s, b]) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
      expect(s.status === "fulfilled" || b.status === "fulfilled").toBe(true);

      const events = await t.db.reviewEvent.findMany({ where: { pairId: target.id, revision: { gt: target.revision } }, orderBy: { revision: "asc" } });
      const actions = events.map((e) => e.action);
      // Each write that reported success is in the history; a refused one left no trace.
      expect(actions.includes("reject")).toBe(s.status === "fulfilled");
      expect(actions.includes("approve")).toBe(b.status === "fulfilled");
      if (b.status === "fulfilled") {
        expect(await t.db.reviewEvent.count({ where: { after: { contains: b.value.batchId } } })).toBe(b.value.changed);
        await undoBulk(t.db, projectId, b.value.batchId, userId);
      }
      await expectConsistentHistory(ids);
    }
  }, 60_000);
});
