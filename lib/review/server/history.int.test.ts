// A pair's history lists every change, in order, with its author and before/after values that chain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { callRoute, loadApiRoutes } from "@/test/helpers/routes";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { createProject } from "@/lib/projects/server/service";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { decidePair, editPair } from "@/lib/review/server/service";
import { bulkDecide, countBulk, undoBulk } from "@/lib/review/server/bulk";
import { getPairHistory, type HistoryEvent, type PairHistory } from "@/lib/review/server/history";

let t: TestDb;
let projectId: string;
let pairId: string;
let originalQuestion: string;
let originalSql: string;
let batchId: string;
const people: Record<"alice" | "bob" | "carol", string> = { alice: "", bob: "", carol: "" };
const NEW_QUESTION = "Which airports does the history check list (zq7 marker)?";
let newSql: string;
let commentId: string;

/** Timestamps are kept to the millisecond: a short pause keeps successive steps apart. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function revision(): Promise<number> {
  return (await t.db.pair.findUniqueOrThrow({ where: { id: pairId } })).revision;
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "History");
  for (const name of ["alice", "bob", "carol"] as const) {
    const user = await t.db.user.create({ data: { email: `${name}@history.test`, name: name[0].toUpperCase() + name.slice(1) } });
    people[name] = user.id;
    await t.db.projectMember.create({ data: { projectId, userId: user.id, role: "analyst" } });
  }
  const pair = await t.db.pair.findFirstOrThrow({ where: { projectId, query: { resultRowCount: { not: null } } }, include: { query: true }, orderBy: { createdAt: "asc" } });
  pairId = pair.id;
  originalQuestion = pair.question;
  originalSql = pair.query.sql;
  newSql = `SELECT * FROM (${originalSql.replace(/;\s*$/, "")}) AS checked LIMIT 3`;

  // Each kind of change, by different people.
  await decidePair(t.db, projectId, pairId, { action: "approve", revision: 1 }, people.alice);
  await tick();
  await editPair(t.db, projectId, pairId, { question: NEW_QUESTION, revision: 2 }, people.bob);
  await tick();
  commentId = (await t.db.reviewComment.create({ data: { pairId, userId: people.alice, body: "Is LIMIT 3 what the question means?" } })).id;
  await tick();
  await editPair(t.db, projectId, pairId, { sql: newSql, revision: 3 }, people.alice);
  await tick();
  await decidePair(t.db, projectId, pairId, { action: "reject", revision: 4 }, people.bob);
  await tick();
  const filter = { q: "zq7 marker" };
  const expectedCount = await countBulk(t.db, projectId, filter);
  expect(expectedCount).toBe(1);
  batchId = (await bulkDecide(t.db, projectId, { action: "approve", filter, expectedCount }, people.carol)).batchId;
  await tick();
  expect(await undoBulk(t.db, projectId, batchId, people.alice)).toEqual({ reverted: 1, skipped: 0 });
  await tick();
  await decidePair(t.db, projectId, pairId, { action: "reopen", revision: await revision() }, null);
  await tick();
  await t.db.reviewComment.create({ data: { pairId, userId: people.bob, body: "Reopened for a second look." } });
  // Carol leaves the studio: her bulk decision stays in the history, without her name.
  await t.db.user.delete({ where: { id: people.carol } });
}, 180_000);
afterAll(async () => t?.cleanup());

function eventsOf(history: PairHistory): HistoryEvent[] {
  return history.entries.filter((e): e is HistoryEvent => e.kind === "event");
}

describe("pair history", () => {
  it("lists every change once, in revision order, with contiguous revisions 2..n", async () => {
    const history = await getPairHistory(t.db, projectId, pairId);
    const events = eventsOf(history);
    expect(history.pair.revision).toBe(8);
    expect(events.map((e) => e.revision)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(history.eventCount).toBe(7);
    expect(await t.db.reviewEvent.count({ where: { pairId } })).toBe(7);
    expect(events.map((e) => e.action)).toEqual(["approve", "edit_question", "edit_sql", "reject", "approve", "reject", "reopen"]);
    expect(events.map((e) => e.label)).toEqual(["approve", "edit question", "edit SQL", "reject", "bulk approve", "undo of bulk approve", "reopen"]);
    for (let i = 1; i < events.length; i++) expect(events[i].at >= events[i - 1].at).toBe(true);
  });

  it("names who made each change: a user, a deleted user or the system", async () => {
    const events = eventsOf(await getPairHistory(t.db, projectId, pairId));
    expect(events.map((e) => e.actor.name)).toEqual(["Alice", "Bob", "Alice", "Bob", "deleted user", "Alice", "system"]);
    expect(events[0].actor).toEqual({ kind: "user", id: people.alice, name: "Alice", email: "alice@history.test" });
    expect(events[4].actor).toEqual({ kind: "deleted", id: people.carol, name: "deleted user" });
    expect(events[6].actor).toEqual({ kind: "system", name: "system" });
  });

  it("chains before and after: each event starts where the previous change of that field ended", async () => {
    const history = await getPairHistory(t.db, projectId, pairId);
    const current: Record<string, unknown> = { reviewState: "pending", question: originalQuestion, sql: originalSql };
    for (const event of eventsOf(history)) {
      for (const [field, value] of Object.entries(event.before)) {
        if (field in current) expect(value, `revision ${event.revision}, ${field}`).toEqual(current[field]);
      }
      for (const [field, value] of Object.entries(event.after)) if (field !== "batch" && field !== "undoOf") current[field] = value;
    }
    expect(current.reviewState).toBe(history.pair.reviewState);
    expect(current.question).toBe(history.pair.question);
    expect(current.sql).toBe(history.pair.sql);
  });

  it("gives the question and SQL before and after each edit", async () => {
    const events = eventsOf(await getPairHistory(t.db, projectId, pairId));
    const [, editQuestion, editSql] = events;
    expect(editQuestion.question).toEqual({ before: originalQuestion, after: NEW_QUESTION });
    expect(editQuestion.sql).toEqual({ before: originalSql, after: originalSql });
    expect(editQuestion.changes.map((c) => c.field).sort()).toEqual(["question", "reviewState"]);
    expect(editSql.sql).toEqual({ before: originalSql, after: newSql });
    expect(editSql.question).toEqual({ before: NEW_QUESTION, after: NEW_QUESTION });
    expect(editSql.changes).toContainEqual({ field: "sql", before: originalSql, after: newSql });
    expect(events[0].question).toBeNull();
    expect(events[0].changes).toEqual([{ field: "reviewState", before: "pending", after: "approved" }]);
  });

  it("surfaces the bulk batch and its undo", async () => {
    const events = eventsOf(await getPairHistory(t.db, projectId, pairId));
    expect(events[4]).toMatchObject({ batch: batchId, undoOf: null, changes: [{ field: "reviewState", before: "rejected", after: "approved" }] });
    expect(events[5]).toMatchObject({ batch: null, undoOf: batchId, changes: [{ field: "reviewState", before: "approved", after: "rejected" }] });
    expect(events.filter((e) => e.batch || e.undoOf)).toHaveLength(2);
  });

  it("interleaves comments by time", async () => {
    const history = await getPairHistory(t.db, projectId, pairId);
    expect(history.commentCount).toBe(2);
    const sequence = history.entries.map((e) => (e.kind === "comment" ? `comment:${e.actor.name}` : e.revision));
    expect(sequence).toEqual([2, 3, "comment:Alice", 4, 5, 6, 7, 8, "comment:Bob"]);
    const comment = history.entries.find((e) => e.kind === "comment" && e.id === commentId);
    expect(comment).toMatchObject({ kind: "comment", body: "Is LIMIT 3 what the question means?", actor: { kind: "user", name: "Alice" } });
  });

  it("refuses a pair of another project", async () => {
    const other = await createProject(t.db, { name: "Elsewhere", description: "" });
    await expect(getPairHistory(t.db, other.id, pairId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getPairHistory(t.db, projectId, "no-such-pair")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("stays hidden from the pair's blind second reviewer until they have judged it", async () => {
    const dave = await t.db.user.create({ data: { email: "dave@history.test", name: "Dave" } });
    await t.db.pair.update({ where: { id: pairId }, data: { secondReviewerId: dave.id } });
    try {
      await expect(getPairHistory(t.db, projectId, pairId, dave.id)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await getPairHistory(t.db, projectId, pairId, people.bob)).eventCount).toBe(7);
      await t.db.secondReview.create({ data: { pairId, projectId, reviewerId: dave.id, decision: "approve", sql: newSql, shownSql: newSql } });
      expect((await getPairHistory(t.db, projectId, pairId, dave.id)).eventCount).toBe(7);
    } finally {
      await t.db.secondReview.deleteMany({ where: { pairId } });
      await t.db.pair.update({ where: { id: pairId }, data: { secondReviewerId: null } });
    }
  });

  it("answers over HTTP for a member of the project", async () => {
    const routes = await loadApiRoutes();
    const route = routes.find((r) => r.key === "GET /api/projects/[projectId]/pairs/[pairId]/history")!;
    const cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, people.bob)).cookieValue)}`;
    const res = await callRoute(route, { ids: { projectId, pairId }, cookie });
    expect(res.status).toBe(200);
    const body = res.json as unknown as PairHistory;
    expect(body.entries).toHaveLength(9);
    expect(body.pair.id).toBe(pairId);
    const elsewhere = await callRoute(route, { ids: { projectId, pairId: "no-such-pair" }, cookie });
    expect(elsewhere.status).toBe(404);
  });
});
