// The review workspace's server side on a real project: the list's filters, windows and sorts; the
// same filter in SQL and in Prisma; decisions with a reason and flags; comments; concurrent saves of
// one pair; and bad edits that must leave the stored pair exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, usingPostgres, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { ConflictError } from "@/lib/errors";
import { addComment, decidePair, decidePairInput, editPair, editPairInput, listPairs } from "@/lib/review/server/service";
import { countBulk } from "@/lib/review/server/bulk";
import { buildPairWhere } from "@/lib/review/server/filter";
import type { PairFilter } from "@/lib/review/filter";

let t: TestDb;
let projectId: string;
let userId: string;
let otherUserId: string;

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Workspace");
  userId = (await t.db.user.create({ data: { email: "ana@workspace.test", name: "Ana" } })).id;
  otherUserId = (await t.db.user.create({ data: { email: "bo@workspace.test", name: "Bo" } })).id;
}, 180_000);
afterAll(async () => t?.cleanup());

async function pairWithResult(skip = 0) {
  return t.db.pair.findFirstOrThrow({ where: { projectId, reviewState: "pending", query: { resultRowCount: { not: null } } }, orderBy: { createdAt: "asc" }, skip, include: { query: true } });
}

async function stored(pairId: string) {
  const p = await t.db.pair.findUniqueOrThrow({ where: { id: pairId }, include: { query: { select: { sql: true, result: true } }, _count: { select: { events: true } } } });
  return { question: p.question, revision: p.revision, queryId: p.queryId, sql: p.query.sql, result: p.query.result, reviewState: p.reviewState, events: p._count.events };
}

describe("the review list", () => {
  it("pages through the whole filtered set in a stable order, without gaps or repeats", async () => {
    const all = await listPairs(t.db, projectId, { take: 500 });
    expect(all.total).toBeGreaterThan(60);
    const seen: string[] = [];
    for (let offset = 0; offset < all.total; offset += 25) seen.push(...(await listPairs(t.db, projectId, { offset, take: 25 })).pairs.map((p) => p.id));
    expect(seen).toEqual(all.pairs.map((p) => p.id));
    expect(new Set(seen).size).toBe(all.total);
    const byRows = (await listPairs(t.db, projectId, { sort: "-rows", take: 500 })).pairs.map((p) => p.rowCount ?? -1);
    expect(byRows).toEqual([...byRows].sort((a, b) => b - a));
    const byQuestion = (await listPairs(t.db, projectId, { sort: "question", take: 500 })).pairs.map((p) => p.question);
    expect(byQuestion.length).toBe(all.total);
  });

  it("filters by every field, and the bulk count (SQL on SQLite) matches the list (Prisma) for each", async () => {
    const a = await pairWithResult(0);
    const b = await pairWithResult(1);
    await t.db.pair.update({ where: { id: a.id }, data: { assigneeId: userId, flags: JSON.stringify(["ambiguous"]), roundTripStatus: "ambiguous" } });
    await addComment(t.db, projectId, b.id, { body: "Check the join." }, otherUserId);
    const sample = await t.db.query.findFirstOrThrow({ where: { projectId, NOT: { lintFlags: "[]" } } });
    const lintCode = (JSON.parse(sample.lintFlags) as { code: string }[])[0].code;
    const table = (JSON.parse(a.query.features) as { tables: string[] }).tables[0];
    const filters: PairFilter[] = [
      { state: "pending" },
      { complexity: a.query.complexity as PairFilter["complexity"] },
      { shape: a.query.shape },
      { table },
      { origin: "template" },
      { lint: "any" },
      { lint: "none" },
      { lint: lintCode },
      { flag: "ambiguous" },
      { assignee: "me" },
      { assignee: "none" },
      { reviewer: "none" },
      { hasComments: true },
      { hasComments: false },
      { roundTrip: "ambiguous" },
      { q: "airports", complexity: "simple" },
      { table, lint: "none", state: "pending" },
    ];
    const counts: Record<string, number> = {};
    for (const filter of filters) {
      const listed = await listPairs(t.db, projectId, { ...filter, take: 500 }, userId);
      const direct = await t.db.pair.count({ where: buildPairWhere(projectId, filter, userId) });
      expect(listed.total, JSON.stringify(filter)).toBe(direct);
      expect(await countBulk(t.db, projectId, filter, userId), JSON.stringify(filter)).toBe(direct);
      counts[JSON.stringify(filter)] = direct;
    }
    expect(counts['{"flag":"ambiguous"}']).toBe(1);
    expect(counts['{"assignee":"me"}']).toBe(1);
    expect(counts['{"roundTrip":"ambiguous"}']).toBe(1);
    expect(counts['{"hasComments":true}']).toBe(1);
    expect(counts['{"lint":"any"}'] + counts['{"lint":"none"}']).toBe((await listPairs(t.db, projectId)).total);
    expect(counts[`{"table":"${table}"}`]).toBeGreaterThan(0);
    // The comment count travels with the row.
    const row = (await listPairs(t.db, projectId, { hasComments: true })).pairs[0];
    expect(row).toMatchObject({ id: b.id, commentCount: 1 });
  });
});

describe("decisions with a reason and flags", () => {
  it("stores the reject reason, clears it on reopen, and keeps flags until changed", async () => {
    const p = await pairWithResult(2);
    const rejected = await decidePair(t.db, projectId, p.id, decidePairInput.parse({ action: "reject", revision: p.revision, reason: "ambiguous_question", flags: ["needs_expert"] }), userId);
    expect(rejected).toMatchObject({ reviewState: "rejected", rejectReason: "ambiguous_question", flags: ["needs_expert"] });
    const flagged = await decidePair(t.db, projectId, p.id, decidePairInput.parse({ action: "flag", revision: rejected.revision, flags: ["needs_expert", "check_later"] }), userId);
    expect(flagged).toMatchObject({ reviewState: "rejected", rejectReason: "ambiguous_question", flags: ["needs_expert", "check_later"] });
    const reopened = await decidePair(t.db, projectId, p.id, decidePairInput.parse({ action: "reopen", revision: flagged.revision }), userId);
    expect(reopened).toMatchObject({ reviewState: "pending", rejectReason: null, flags: ["needs_expert", "check_later"] });
    const events = await t.db.reviewEvent.findMany({ where: { pairId: p.id }, orderBy: { revision: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["reject", "flag", "reopen"]);
    expect(JSON.parse(events[0].after)).toEqual({ reviewState: "rejected", rejectReason: "ambiguous_question", flags: ["needs_expert"] });
    expect(JSON.parse(events[1].before)).toEqual({ reviewState: "rejected", flags: ["needs_expert"] });
    expect(JSON.parse(events[2].after)).toEqual({ reviewState: "pending", rejectReason: null });
  });

  it("refuses a reason without a reject, unknown reasons and flags", () => {
    expect(decidePairInput.safeParse({ action: "approve", revision: 1, reason: "wrong_sql" }).success).toBe(false);
    expect(decidePairInput.safeParse({ action: "reject", revision: 1, reason: "because" }).success).toBe(false);
    expect(decidePairInput.safeParse({ action: "flag", revision: 1, flags: ["<script>"] }).success).toBe(false);
    expect(decidePairInput.safeParse({ action: "flag", revision: 1 }).success).toBe(false);
  });
});

describe("concurrent saves of one pair", () => {
  it("lets exactly one of many simultaneous edits win; the others get a conflict and nothing is lost or mixed", async () => {
    const p = await pairWithResult(3);
    const before = await stored(p.id);
    const edits = Array.from({ length: 8 }, (_, i) => `Edited question number ${i}: ${p.question}`);
    const outcomes = await Promise.allSettled(edits.map((question) => editPair(t.db, projectId, p.id, editPairInput.parse({ question, revision: p.revision }), userId)));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(ConflictError);
    const after = await stored(p.id);
    expect(after.revision).toBe(before.revision + 1);
    expect(after.events).toBe(before.events + 1);
    expect(edits).toContain(after.question);
    const event = await t.db.reviewEvent.findFirstOrThrow({ where: { pairId: p.id, revision: after.revision } });
    expect(JSON.parse(event.after).question).toBe(after.question);
    expect(JSON.parse(event.before).question).toBe(p.question);
  });

  it("never lets a decision and an edit made on the same revision both land", async () => {
    const p = await pairWithResult(4);
    const outcomes = await Promise.allSettled([
      decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision }, userId),
      editPair(t.db, projectId, p.id, editPairInput.parse({ question: `${p.question} (reworded)`, revision: p.revision }), otherUserId),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const after = await stored(p.id);
    expect(after.revision).toBe(p.revision + 1);
  });
});

describe("bad edits leave the stored pair unchanged", () => {
  const cases: [string, { sql?: string; question?: string }, RegExp][] = [
    ["SQL that is not a SELECT", { sql: "DELETE FROM airports" }, /SELECT|read-only|only/i],
    ["SQL that errors", { sql: "SELECT no_such_column FROM airports" }, /did not run|no_such_column|not found/i],
    ["several statements", { sql: "SELECT 1; SELECT 2" }, /one|single|statement/i],
  ];
  for (const [name, change, message] of cases) {
    it(`refuses ${name} with a clear message`, async () => {
      const p = await pairWithResult(5);
      const before = await stored(p.id);
      await expect(editPair(t.db, projectId, p.id, editPairInput.parse({ ...change, revision: p.revision }), userId)).rejects.toThrow(message);
      expect(await stored(p.id)).toEqual(before);
    });
  }

  it("refuses an empty or blank question before anything runs", () => {
    for (const question of ["", "   ", "\n\t"]) {
      const parsed = editPairInput.safeParse({ question, revision: 1 });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0].message).toMatch(/too short/);
    }
  });

  it(
    "stops SQL that runs too long and keeps the pair",
    async () => {
      const p = await pairWithResult(6);
      const before = await stored(p.id);
      const t0 = Date.now();
      await expect(editPair(t.db, projectId, p.id, editPairInput.parse({ sql: "SELECT count(*) FROM range(1000000000) a, range(1000000000) b", revision: p.revision }), userId)).rejects.toThrow(
        /longer than|stopped|interrupt/i,
      );
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(await stored(p.id)).toEqual(before);
    },
    usingPostgres() ? 30_000 : 20_000,
  );
});
