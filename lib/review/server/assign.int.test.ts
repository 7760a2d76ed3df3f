import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { ConflictError, ValidationError } from "@/lib/errors";
import type { PairFilter } from "@/lib/review/filter";
import { assignPairs, planAssignment, unassignPairs } from "@/lib/review/server/assign";
import { countBulk } from "@/lib/review/server/bulk";
import { decidePair } from "@/lib/review/server/service";

let t: TestDb;
let projectId: string;
const users: Record<"lead" | "ana" | "bo" | "cy" | "viewer" | "outsider", string> = { lead: "", ana: "", bo: "", cy: "", viewer: "", outsider: "" };

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Assignment");
  const roles = { lead: "data_lead", ana: "analyst", bo: "analyst", cy: "analyst", viewer: "viewer", outsider: null } as const;
  for (const [key, role] of Object.entries(roles) as [keyof typeof users, string | null][]) {
    const user = await t.db.user.create({ data: { email: `${key}@assign.test`, name: key } });
    users[key] = user.id;
    if (role) await t.db.projectMember.create({ data: { projectId, userId: user.id, role } });
  }
}, 120_000);
afterAll(async () => t?.cleanup());

async function resetAssignments() {
  await t.db.pair.updateMany({ where: { projectId }, data: { assigneeId: null, secondReviewerId: null } });
}

/** The filter with the most pairs among the complexities, and not every pair. */
async function partialFilter(): Promise<{ filter: PairFilter; count: number; total: number }> {
  const total = await t.db.pair.count({ where: { projectId } });
  const groups = await t.db.query.groupBy({ by: ["complexity"], where: { projectId, pairs: { some: {} } }, _count: { _all: true } });
  const complexity = groups.sort((a, b) => b._count._all - a._count._all)[0].complexity as PairFilter["complexity"];
  const filter: PairFilter = { complexity };
  const count = await countBulk(t.db, projectId, filter, users.lead);
  expect(count).toBeGreaterThan(3);
  expect(count).toBeLessThan(total);
  return { filter, count, total };
}

describe("planAssignment", () => {
  it("deals the pairs round-robin, in the order given", () => {
    const plan = planAssignment(["p1", "p2", "p3", "p4", "p5"], ["a", "b"]);
    expect(plan.map((p) => p.assigneeId)).toEqual(["a", "b", "a", "b", "a"]);
    expect(plan.every((p) => p.secondReviewerId === undefined)).toBe(true);
  });

  it("gives every pair a second reviewer other than its assignee, evenly", () => {
    const plan = planAssignment(
      Array.from({ length: 12 }, (_, i) => `p${i}`),
      ["a", "b", "c"],
      ["a", "b", "c"],
    );
    for (const item of plan) expect(item.secondReviewerId).not.toBe(item.assigneeId);
    const load: Record<string, number> = {};
    for (const item of plan) load[item.secondReviewerId!] = (load[item.secondReviewerId!] ?? 0) + 1;
    expect(load).toEqual({ a: 4, b: 4, c: 4 });
  });

  it("refuses when an assignee has nobody else in the second list", () => {
    expect(() => planAssignment(["p1", "p2"], ["a"], ["a"])).toThrow(ValidationError);
    expect(() => planAssignment(["p1", "p2"], ["a", "b"], ["b"])).toThrow(/nobody else for one of the reviewers/);
    // b is never given a pair here, so "b" alone can be everyone's second reviewer.
    expect(planAssignment(["p1"], ["a", "b"], ["b"])).toEqual([{ pairId: "p1", assigneeId: "a", secondReviewerId: "b" }]);
  });
});

describe("assignPairs", () => {
  it("splits exactly the filtered set round-robin, and changes no review state or revision", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    const before = await t.db.pair.findMany({ where: { projectId }, select: { id: true, revision: true, reviewState: true } });
    const audits = await t.db.auditEvent.count({ where: { projectId, action: "pairs.assign" } });
    const out = await assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana, users.bo], expectedCount: count }, users.lead);
    expect(out.assigned).toBe(count);
    expect(out.byReviewer[users.ana] + out.byReviewer[users.bo]).toBe(count);
    expect(Math.abs(out.byReviewer[users.ana] - out.byReviewer[users.bo])).toBeLessThanOrEqual(1);

    const matching = await t.db.pair.findMany({ where: { projectId, query: { complexity: filter.complexity } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(matching.map((p) => p.assigneeId)).toEqual(matching.map((_, i) => (i % 2 === 0 ? users.ana : users.bo)));
    const others = await t.db.pair.findMany({ where: { projectId, NOT: { query: { complexity: filter.complexity } } } });
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((p) => p.assigneeId === null && p.secondReviewerId === null)).toBe(true);

    const after = await t.db.pair.findMany({ where: { projectId }, select: { id: true, revision: true, reviewState: true } });
    expect(after.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(before.sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await t.db.auditEvent.count({ where: { projectId, action: "pairs.assign" } })).toBe(audits + 1);
  });

  it("refuses a stale count and changes nothing", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana], expectedCount: count + 1 }, users.lead)).rejects.toThrow(ConflictError);
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana], expectedCount: count + 1 }, users.lead)).rejects.toThrow(
      `The filter now matches ${count} pairs, not the ${count + 1} you confirmed`,
    );
    expect(await t.db.pair.count({ where: { projectId, assigneeId: { not: null } } })).toBe(0);
  });

  it("refuses people who are not members, or whose role may not review", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana, users.outsider], expectedCount: count }, users.lead)).rejects.toThrow(/not a member of this project/);
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.viewer], expectedCount: count }, users.lead)).rejects.toThrow(/viewer is a viewer.*Pick admins, data leads, analysts/);
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana], secondReview: { reviewerIds: [users.viewer] }, expectedCount: count }, users.lead)).rejects.toThrow(ValidationError);
    expect(await t.db.pair.count({ where: { projectId, assigneeId: { not: null } } })).toBe(0);
  });

  it("gives each pair a blind second reviewer who is never its assignee", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    const out = await assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana, users.bo, users.cy], secondReview: { reviewerIds: [users.ana, users.bo] }, expectedCount: count }, users.lead);
    const assigned = await t.db.pair.findMany({ where: { projectId, assigneeId: { not: null } } });
    expect(assigned).toHaveLength(count);
    for (const p of assigned) {
      expect(p.secondReviewerId).not.toBeNull();
      expect(p.secondReviewerId).not.toBe(p.assigneeId);
    }
    expect(out.bySecondReviewer[users.ana] + out.bySecondReviewer[users.bo]).toBe(count);
    // ana's pairs all go to bo and bo's to ana; cy's are shared evenly between them.
    expect(assigned.filter((p) => p.assigneeId === users.ana).every((p) => p.secondReviewerId === users.bo)).toBe(true);
    expect(assigned.filter((p) => p.assigneeId === users.bo).every((p) => p.secondReviewerId === users.ana)).toBe(true);
  });

  it("refuses one person in both lists, and a reassignment onto a pair's own second reviewer", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana], secondReview: { reviewerIds: [users.ana] }, expectedCount: count }, users.lead)).rejects.toThrow(
      /second reviewer must be someone other than its reviewer/,
    );
    await assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana], secondReview: { reviewerIds: [users.bo] }, expectedCount: count }, users.lead);
    await expect(assignPairs(t.db, projectId, { filter, reviewerIds: [users.bo], expectedCount: count }, users.lead)).rejects.toThrow(/assigned to their own second reviewer/);
    // Without a second review, second reviewers are kept.
    await assignPairs(t.db, projectId, { filter, reviewerIds: [users.cy], expectedCount: count }, users.lead);
    const assigned = await t.db.pair.findMany({ where: { projectId, assigneeId: { not: null } } });
    expect(assigned.every((p) => p.assigneeId === users.cy && p.secondReviewerId === users.bo)).toBe(true);
  });

  it("assigns only unassigned pairs, and at most `limit`", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    const first = await t.db.pair.findFirst({ where: { projectId, query: { complexity: filter.complexity } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    await t.db.pair.update({ where: { id: first!.id }, data: { assigneeId: users.cy } });
    const unassigned = await countBulk(t.db, projectId, { ...filter, assignee: "none" });
    expect(unassigned).toBe(count - 1);
    const out = await assignPairs(t.db, projectId, { filter, reviewerIds: [users.ana], onlyUnassigned: true, limit: 3, expectedCount: unassigned }, users.lead);
    expect(out).toMatchObject({ matched: count - 1, assigned: 3 });
    expect(await t.db.pair.count({ where: { projectId, assigneeId: users.ana } })).toBe(3);
    expect((await t.db.pair.findUnique({ where: { id: first!.id } }))!.assigneeId).toBe(users.cy);
  });

  it("never makes a reviewer's concurrent decision stale", async () => {
    await resetAssignments();
    const { filter, count } = await partialFilter();
    const pair = await t.db.pair.findFirst({ where: { projectId, query: { complexity: filter.complexity, resultRowCount: { not: null } } } });
    await assignPairs(t.db, projectId, { filter, reviewerIds: [users.bo], expectedCount: count }, users.lead);
    // The reviewer opened the pair before the assignment; their revision is still current.
    const decided = await decidePair(t.db, projectId, pair!.id, { action: "approve", revision: pair!.revision }, users.ana);
    expect(decided.revision).toBe(pair!.revision + 1);
    expect((await t.db.pair.findUnique({ where: { id: pair!.id } }))!.assigneeId).toBe(users.bo);
  });
});

describe("unassignPairs", () => {
  it("clears the reviewer and the second reviewer of exactly the filtered set", async () => {
    await resetAssignments();
    await t.db.pair.updateMany({ where: { projectId }, data: { assigneeId: users.ana, secondReviewerId: users.bo } });
    const { filter, count, total } = await partialFilter();
    await expect(unassignPairs(t.db, projectId, { filter, expectedCount: count - 1 }, users.lead)).rejects.toThrow(ConflictError);
    const out = await unassignPairs(t.db, projectId, { filter, expectedCount: count }, users.lead);
    expect(out.unassigned).toBe(count);
    expect(await t.db.pair.count({ where: { projectId, assigneeId: null, secondReviewerId: null } })).toBe(count);
    expect(await t.db.pair.count({ where: { projectId, assigneeId: users.ana, secondReviewerId: users.bo } })).toBe(total - count);
    expect(await t.db.auditEvent.count({ where: { projectId, action: "pairs.unassign" } })).toBe(1);
  });
});
