import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { decidePair, editPair } from "@/lib/review/server/service";
import { getBlindPair, listSecondReviewQueue, submitSecondReview } from "@/lib/review/server/second-review";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";

let t: TestDb;
let projectId: string;
let first: { id: string; email: string; name: string };
let second: string;
let other: string;
/** Reviewed by `first` (question and SQL edited, then rejected with a reason, a comment and a flag). */
let reviewed: { id: string; question: string; sql: string; result: string };
/** Never touched by a first reviewer. */
let untouched: { id: string; question: string; sql: string };

const EDITED_SQL = "SELECT count(*) AS edited_marker_total FROM airports";
const EDITED_QUESTION = "How many airports are there, edited marker?";
const REASON = "reason-marker: the join is wrong";
const COMMENT = "comment-marker: check the join";

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Second review");
  const make = async (key: string) => {
    const user = await t.db.user.create({ data: { email: `${key}@second.test`, name: `First-reviewer-${key}` } });
    await t.db.projectMember.create({ data: { projectId, userId: user.id, role: "analyst" } });
    return user;
  };
  first = await make("first");
  second = (await make("second")).id;
  other = (await make("other")).id;

  const pairs = await t.db.pair.findMany({
    where: { projectId, query: { resultRowCount: { gt: 0 }, topLevelOrderBy: false } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    include: { query: true },
    take: 2,
  });
  const [p, q] = pairs;
  reviewed = { id: p.id, question: p.question, sql: p.query.sql, result: p.query.result! };
  untouched = { id: q.id, question: q.question, sql: q.query.sql };

  // The first review: a question edit, an SQL edit, a reject with a reason, a flag and a comment.
  let rev = (await editPair(t.db, projectId, p.id, { question: EDITED_QUESTION, revision: p.revision }, first.id)).revision;
  rev = (await editPair(t.db, projectId, p.id, { sql: EDITED_SQL, revision: rev }, first.id)).revision;
  await decidePair(t.db, projectId, p.id, { action: "reject", revision: rev }, first.id);
  await t.db.pair.update({ where: { id: p.id }, data: { rejectReason: REASON, flags: JSON.stringify(["needs_expert"]), assigneeId: first.id } });
  await t.db.reviewComment.create({ data: { pairId: p.id, userId: first.id, body: COMMENT } });
  await t.db.pair.updateMany({ where: { id: { in: [p.id, q.id] } }, data: { secondReviewerId: second } });
}, 120_000);
afterAll(async () => {
  await closeAllSandboxReaders();
  await t?.cleanup();
});

describe("the blind view", () => {
  it("shows the pair as it was before the first review, with that SQL's stored result", async () => {
    const view = await getBlindPair(t.db, projectId, reviewed.id, second);
    expect(view.question).toBe(reviewed.question);
    expect(view.sql).toBe(reviewed.sql);
    const stored = JSON.parse(reviewed.result) as { columns: string[]; rows: unknown[][] };
    expect(view.result?.columns).toEqual(stored.columns);
    expect(view.result?.rows).toEqual(stored.rows.slice(0, 200));
    expect(view.resultError).toBeNull();
    expect(view.submitted).toBeNull();
  });

  it("leaks nothing of the first review", async () => {
    const json = JSON.stringify(await getBlindPair(t.db, projectId, reviewed.id, second));
    for (const secret of [first.id, first.email, first.name, "edited_marker", "edited marker", "reason-marker", "comment-marker", "needs_expert", "rejected", "reject"]) {
      expect(json, secret).not.toContain(secret);
    }
    for (const key of ["reviewState", "revision", "reviewedById", "assigneeId", "rejectReason", "flags", "events", "comments"]) expect(json).not.toContain(`"${key}"`);
  });

  it("shows an untouched pair as it is", async () => {
    const view = await getBlindPair(t.db, projectId, untouched.id, second);
    expect(view).toMatchObject({ question: untouched.question, sql: untouched.sql });
  });

  it("opens only for the pair's second reviewer", async () => {
    await expect(getBlindPair(t.db, projectId, reviewed.id, other)).rejects.toThrow(ForbiddenError);
    await expect(getBlindPair(t.db, projectId, reviewed.id, first.id)).rejects.toThrow(/not this pair's second reviewer/);
    await expect(getBlindPair(t.db, projectId, "no-such-pair", second)).rejects.toThrow(NotFoundError);
  });
});

describe("the queue", () => {
  it("lists my pairs still to judge, with the question as first written, page by page", async () => {
    const page1 = await listSecondReviewQueue(t.db, projectId, second, { take: 1 });
    expect(page1.total).toBe(2);
    expect(page1.items).toHaveLength(1);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await listSecondReviewQueue(t.db, projectId, second, { take: 1, cursor: page1.nextCursor! });
    expect(page2.nextCursor).toBeNull();
    const items = [...page1.items, ...page2.items];
    expect(items.map((i) => i.id).sort()).toEqual([reviewed.id, untouched.id].sort());
    expect(items.find((i) => i.id === reviewed.id)!.question).toBe(reviewed.question);
    expect((await listSecondReviewQueue(t.db, projectId, other)).items).toEqual([]);
  });
});

describe("submitting", () => {
  it("refuses SQL that is not a single SELECT, or does not run, and stores nothing", async () => {
    await expect(submitSecondReview(t.db, projectId, untouched.id, second, { decision: "reject", sql: "DELETE FROM airports" })).rejects.toThrow(ValidationError);
    await expect(submitSecondReview(t.db, projectId, untouched.id, second, { decision: "reject", sql: "SELECT no_such_column FROM airports" })).rejects.toThrow(
      /did not run on the sandbox.*Nothing was saved\./s,
    );
    await expect(submitSecondReview(t.db, projectId, untouched.id, second, { decision: "approve", sql: "SELECT 1; SELECT 2" })).rejects.toThrow(/Nothing was saved/);
    expect(await t.db.secondReview.count()).toBe(0);
  });

  it("refuses anyone but the pair's second reviewer", async () => {
    await expect(submitSecondReview(t.db, projectId, untouched.id, other, { decision: "approve" })).rejects.toThrow(ForbiddenError);
    expect(await t.db.secondReview.count()).toBe(0);
  });

  it("stores the judgement without touching the pair, once", async () => {
    const before = await t.db.pair.findUniqueOrThrow({ where: { id: reviewed.id } });
    const fix = `SELECT * FROM (${reviewed.sql}) AS second_fix`;
    const out = await submitSecondReview(t.db, projectId, reviewed.id, second, { decision: "approve", sql: fix });
    expect(out).toMatchObject({ decision: "approve", sql: fix, sqlChanged: true, firstReview: { reviewState: "rejected" } });
    const stored = await t.db.secondReview.findUniqueOrThrow({ where: { pairId_reviewerId: { pairId: reviewed.id, reviewerId: second } } });
    expect(stored).toMatchObject({ projectId, decision: "approve", sql: fix, shownSql: reviewed.sql, reason: null });
    const after = await t.db.pair.findUniqueOrThrow({ where: { id: reviewed.id } });
    expect(after).toEqual(before);

    await expect(submitSecondReview(t.db, projectId, reviewed.id, second, { decision: "reject" })).rejects.toThrow(ConflictError);
    expect((await t.db.secondReview.findUniqueOrThrow({ where: { id: stored.id } })).decision).toBe("approve");
    expect((await getBlindPair(t.db, projectId, reviewed.id, second)).submitted).toMatchObject({ decision: "approve", sql: fix });
    expect((await listSecondReviewQueue(t.db, projectId, second)).items.map((i) => i.id)).toEqual([untouched.id]);
  });

  it("keeps the SQL shown when none (or the same) is given", async () => {
    const out = await submitSecondReview(t.db, projectId, untouched.id, second, { decision: "reject", reason: "ambiguous_question", sql: `  ${untouched.sql}  ` });
    expect(out).toMatchObject({ sql: untouched.sql, sqlChanged: false, reason: "ambiguous_question" });
    expect((await listSecondReviewQueue(t.db, projectId, second)).total).toBe(0);
  });
});
