import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { createProject } from "@/lib/projects/server/service";
import { decidePair, editPair } from "@/lib/review/server/service";
import { submitSecondReview } from "@/lib/review/server/second-review";
import { getAgreement, getReviewProgress } from "@/lib/review/server/progress";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
}, 60_000);
afterAll(async () => {
  await closeAllSandboxReaders();
  await t?.cleanup();
});

async function member(projectId: string, key: string, role: string): Promise<string> {
  const user = await t.db.user.create({ data: { email: `${key}-${projectId}@progress.test`, name: key } });
  await t.db.projectMember.create({ data: { projectId, userId: user.id, role } });
  return user.id;
}

/** A project with `n` pairs on one query, no sandbox: enough for progress figures. */
async function bareProject(name: string, n: number): Promise<{ projectId: string; pairIds: string[] }> {
  const project = await createProject(t.db, { name, description: "" });
  const query = await t.db.query.create({ data: { projectId: project.id, sql: "SELECT 1" } });
  for (let i = 0; i < n; i += 1_000) {
    await t.db.pair.createMany({
      data: Array.from({ length: Math.min(1_000, n - i) }, (_, j) => ({ projectId: project.id, queryId: query.id, question: `Question ${i + j}?`, createdAt: new Date(Date.UTC(2025, 0, 1) + i + j) })),
    });
  }
  const pairs = await t.db.pair.findMany({ where: { projectId: project.id }, orderBy: { createdAt: "asc" }, select: { id: true } });
  return { projectId: project.id, pairIds: pairs.map((p) => p.id) };
}

const at = (hhmm: string) => new Date(`2025-01-01T${hhmm}:00.000Z`);

describe("getReviewProgress", () => {
  it("gives exact figures on a constructed timeline", async () => {
    const { projectId, pairIds: p } = await bareProject("Timeline", 10);
    const r1 = await member(projectId, "Ruth", "analyst");
    const r2 = await member(projectId, "Sam", "analyst");
    const lead = await member(projectId, "Lee", "data_lead");
    await member(projectId, "Vic", "viewer");
    let revision = 1;
    const event = (pairId: string, userId: string, action: string, time: string, after: object = {}) =>
      t.db.reviewEvent.create({ data: { pairId, userId, action, revision: ++revision, after: JSON.stringify(after), createdAt: at(time) } });

    // Ruth: 4 approvals, 1 reject, 1 SQL edit; gaps 2, 3, 1, 24 (counts 10), 1 min: 17 active minutes.
    await event(p[0], r1, "approve", "10:00");
    await event(p[1], r1, "approve", "10:02");
    await event(p[2], r1, "approve", "10:05");
    await event(p[3], r1, "reject", "10:06");
    await event(p[4], r1, "edit_sql", "10:30");
    await event(p[4], r1, "approve", "10:31");
    // Sam: 3 approvals in one bulk decision, 2 single rejects, 1 second review: 8 active minutes.
    for (const pairId of [p[5], p[6], p[7]]) await event(pairId, r2, "approve", "11:30", { reviewState: "approved", batch: "batch-1" });
    await event(p[8], r2, "reject", "11:50");
    await event(p[9], r2, "reject", "11:55");
    await t.db.secondReview.create({ data: { pairId: p[0], projectId, reviewerId: r2, decision: "approve", sql: "SELECT 1", shownSql: "SELECT 1", createdAt: at("11:58") } });

    await t.db.pair.updateMany({ where: { id: { in: [p[0], p[1], p[2], p[4]] } }, data: { reviewState: "approved" } });
    await t.db.pair.updateMany({ where: { id: { in: [p[3], p[8]] } }, data: { reviewState: "rejected" } });
    await t.db.pair.updateMany({ where: { id: { in: [p[5], p[6], p[7]] } }, data: { assigneeId: r1 } });
    await t.db.pair.updateMany({ where: { id: { in: [p[1], p[9]] } }, data: { assigneeId: r2 } });
    await t.db.pair.updateMany({ where: { id: { in: [p[0], p[2]] } }, data: { secondReviewerId: r2 } });
    await t.db.pair.updateMany({ where: { id: p[3] }, data: { secondReviewerId: r1 } });

    const progress = await getReviewProgress(t.db, projectId, { now: at("12:00") });
    // Team: Ruth's 17 minutes, a break of 79 (counts 10), Sam's 5: 32 minutes; 7 single decisions.
    expect(progress.project).toEqual({
      pairs: 10,
      pending: 4,
      approved: 4,
      rejected: 2,
      reviewed: 6,
      remaining: 4,
      assigned: 5,
      decisionsLastHour: 5,
      decisionsLast24h: 10,
      activeMinutes: 32,
      ratePerHour: 7 / (32 / 60),
      hoursLeft: 4 / (7 / (32 / 60)),
    });
    expect(progress.project.ratePerHour).toBeCloseTo(13.125, 10);

    const byName = Object.fromEntries(progress.reviewers.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(["Lee", "Ruth", "Sam"]);
    expect(byName.Ruth).toMatchObject({
      userId: r1,
      role: "analyst",
      decisions: 5,
      approved: 4,
      rejected: 1,
      bulkDecisions: 0,
      edits: 1,
      assigned: 3,
      remaining: 3,
      secondReviewsDone: 0,
      secondReviewsOwed: 1,
      activeMinutes: 17,
      lastActiveAt: at("10:31").toISOString(),
    });
    expect(byName.Ruth.ratePerHour).toBeCloseTo(300 / 17, 10);
    expect(byName.Sam).toMatchObject({
      decisions: 5,
      approved: 3,
      rejected: 2,
      bulkDecisions: 3,
      edits: 0,
      assigned: 2,
      remaining: 1,
      secondReviewsDone: 1,
      secondReviewsOwed: 1,
      activeMinutes: 8,
      lastActiveAt: at("11:58").toISOString(),
    });
    // (2 single decisions + 1 second review) over 8 minutes.
    expect(byName.Sam.ratePerHour).toBeCloseTo(22.5, 10);
    expect(byName.Lee).toMatchObject({ userId: lead, role: "data_lead", decisions: 0, activeMinutes: 0, ratePerHour: null, lastActiveAt: null });
    // Most decisions first; on a tie, most second reviews.
    expect(progress.reviewers.map((r) => r.name)).toEqual(["Sam", "Ruth", "Lee"]);
  });

  it("stays fast at 10,000 pairs and 20,000 events", async () => {
    const { projectId, pairIds } = await bareProject("Large", 10_000);
    const reviewers = await Promise.all(["a", "b", "c", "d", "e"].map((k) => member(projectId, k, "analyst")));
    const start = Date.UTC(2025, 0, 1, 9);
    const events = pairIds.flatMap((pairId, i) => [
      { pairId, userId: reviewers[i % 5], action: "edit_question", revision: 2, createdAt: new Date(start + i * 7_000) },
      { pairId, userId: reviewers[i % 5], action: i % 3 === 0 ? "reject" : "approve", revision: 3, createdAt: new Date(start + i * 7_000 + 3_000) },
    ]);
    for (let i = 0; i < events.length; i += 2_000) await t.db.reviewEvent.createMany({ data: events.slice(i, i + 2_000) });
    await t.db.pair.updateMany({ where: { projectId }, data: { reviewState: "approved", assigneeId: reviewers[0] } });

    const began = performance.now();
    const progress = await getReviewProgress(t.db, projectId, { now: new Date(start + 10_000 * 7_000) });
    const elapsed = performance.now() - began;
    console.info(`getReviewProgress on 10,000 pairs / 20,000 events: ${elapsed.toFixed(0)} ms`);
    expect(progress.project.pairs).toBe(10_000);
    expect(progress.reviewers.reduce((n, r) => n + r.decisions + r.edits, 0)).toBe(20_000);
    expect(elapsed).toBeLessThan(2_000);
  }, 60_000);
});

describe("getAgreement", () => {
  let projectId: string;
  let ana: string;
  let bo: string;
  let pairs: { id: string; revision: number; sql: string }[];

  beforeAll(async () => {
    projectId = await buildProjectToReview(t.db, "Agreement");
    ana = await member(projectId, "Ana", "analyst");
    bo = await member(projectId, "Bo", "analyst");
    const rows = await t.db.pair.findMany({
      where: { projectId, query: { resultRowCount: { gt: 0 }, topLevelOrderBy: false } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      include: { query: true },
      take: 11,
    });
    pairs = rows.map((r) => ({ id: r.id, revision: r.revision, sql: r.query.sql }));
    await t.db.pair.updateMany({ where: { id: { in: pairs.map((p) => p.id) } }, data: { assigneeId: ana, secondReviewerId: bo } });

    // Ana rewrites the SQL of pairs 0 and 1 before deciding; Bo sees the original SQL and writes his own.
    const edited = [
      { index: 0, ana: "SELECT name FROM airlines WHERE active = 'Y'", bo: "SELECT a.name AS airline FROM airlines AS a WHERE a.active = 'Y'" },
      { index: 1, ana: "SELECT name FROM airlines WHERE active = 'Y'", bo: "SELECT name FROM airlines WHERE active = 'N'" },
    ];
    for (const e of edited) pairs[e.index].revision = (await editPair(t.db, projectId, pairs[e.index].id, { sql: e.ana, revision: pairs[e.index].revision }, ana)).revision;
    // 10 pairs: both approve 0-4; Ana approves and Bo rejects 5; Ana rejects and Bo approves 6; both reject 7-9.
    const anaDecisions = ["approve", "approve", "approve", "approve", "approve", "approve", "reject", "reject", "reject", "reject"] as const;
    const boDecisions = ["approve", "approve", "approve", "approve", "approve", "reject", "approve", "reject", "reject", "reject"] as const;
    for (let i = 0; i < 10; i++) {
      await decidePair(t.db, projectId, pairs[i].id, { action: anaDecisions[i], revision: pairs[i].revision }, ana);
      const sql = edited.find((e) => e.index === i)?.bo;
      await submitSecondReview(t.db, projectId, pairs[i].id, bo, { decision: boDecisions[i], ...(sql ? { sql } : {}), ...(boDecisions[i] === "reject" ? { reason: `why-${i}` } : {}) });
    }
    // Pair 10: Bo has judged it, nobody has decided it yet.
    await submitSecondReview(t.db, projectId, pairs[10].id, bo, { decision: "approve" });
  }, 120_000);

  it("gives kappa and observed agreement per reviewer pair", async () => {
    const report = await getAgreement(t.db, projectId);
    expect(report).toMatchObject({ secondReviews: 11, awaitingFirstDecision: 1, sameReviewer: 0, measuredSql: false });
    expect(report.pairs).toHaveLength(1);
    const [row] = report.pairs;
    expect(row.first).toMatchObject({ id: ana, name: "Ana" });
    expect(row.second).toMatchObject({ id: bo, name: "Bo" });
    // Observed 8/10; expected 0.6·0.6 + 0.4·0.4 = 0.52; kappa (0.8 − 0.52) / (1 − 0.52) = 7/12.
    expect(row.n).toBe(10);
    expect(row.observed).toBe(0.8);
    expect(row.expected).toBe(0.52);
    expect(row.kappa).toBe(7 / 12);
    expect(row.reading).toBe("moderate");
    expect(row.sql).toBeUndefined();
    expect(row.disagreementCount).toBe(2);
    expect(row.disagreements).toEqual([
      { pairId: pairs[5].id, first: "approve", second: "reject", firstReason: null, secondReason: "why-5" },
      { pairId: pairs[6].id, first: "reject", second: "approve", firstReason: null, secondReason: null },
    ]);
  });

  it("measures SQL agreement by executing both versions", async () => {
    const report = await getAgreement(t.db, projectId, { measureSql: true });
    const sql = report.pairs[0].sql!;
    // The rewrite of pair 0 agrees, the other filter of pair 1 does not; the 8 unedited pairs run the same SQL.
    expect(sql).toMatchObject({ agree: 9, total: 10, rate: 0.9, capped: false });
    expect(sql.disagreements.map((d) => d.pairId)).toEqual([pairs[1].id]);
    expect(sql.disagreements[0].reason).not.toBe("");

    const capped = await getAgreement(t.db, projectId, { measureSql: true, limit: 4 });
    expect(capped.pairs[0].sql).toMatchObject({ total: 4, capped: true });
  });
});
