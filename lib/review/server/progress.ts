import "server-only";
import { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { getProject } from "@/lib/projects/server/service";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";
import { isRole, roleAllows } from "@/lib/auth/policy";
import { cohensKappa, type ReviewDecision } from "@/lib/review/agreement";
import { sqlAgreementRate } from "@/lib/review/server/agreement";
import { activeTimeMs, hoursLeft, ratePerHour, readKappa, type KappaReading } from "@/lib/review/progress";

// Review progress per project and per reviewer, and agreement between first and second reviewers.
// Counts come from groupBy/aggregates; only the timestamps of single (not bulk) review actions are
// read row by row, for the active time behind the rates (see lib/review/progress.ts).
//
// Rates: a bulk decision (or its undo) takes no reviewing time, so it is counted in the totals but
// neither in the rates nor in the timelines they divide by. The project's rate is single approve
// and reject decisions per hour over the team's merged timeline (time when anyone was reviewing),
// so the hours left are the pending pairs at the pace the team has kept. A reviewer's rate is their
// single decisions plus second reviews per hour over their own timeline (their review events and
// second reviews).

const DECISIONS = ["approve", "reject"];
const EDITS = ["edit_question", "edit_sql"];
const HOUR_MS = 60 * 60_000;

/** JSON.stringify writes no spaces: how a bulk decision and its undo mark their events' `after`. */
const BULK_MARKERS = ['"batch":', '"undoOf":'];

export interface ReviewerProgress {
  userId: string;
  name: string;
  email: string;
  /** Project role, null for someone who is no longer a member. */
  role: string | null;
  decisions: number;
  approved: number;
  rejected: number;
  /** Of the decisions, those made in bulk. */
  bulkDecisions: number;
  edits: number;
  /** Pairs assigned to them, in any state. */
  assigned: number;
  /** Pairs assigned to them and still pending. */
  remaining: number;
  secondReviewsDone: number;
  /** Pairs they are the second reviewer of and have not judged yet. */
  secondReviewsOwed: number;
  activeMinutes: number;
  ratePerHour: number | null;
  lastActiveAt: string | null;
}

export interface ProjectProgress {
  pairs: number;
  pending: number;
  approved: number;
  rejected: number;
  /** Approved or rejected. */
  reviewed: number;
  /** Still pending. */
  remaining: number;
  /** Pairs with an assignee. */
  assigned: number;
  decisionsLastHour: number;
  decisionsLast24h: number;
  activeMinutes: number;
  ratePerHour: number | null;
  hoursLeft: number | null;
}

export interface ReviewProgress {
  generatedAt: string;
  project: ProjectProgress;
  reviewers: ReviewerProgress[];
}

type Counts = Map<string, Map<string, number>>;

function add(counts: Counts, userId: string | null, action: string, n: number): void {
  if (!userId) return;
  let byAction = counts.get(userId);
  if (!byAction) counts.set(userId, (byAction = new Map()));
  byAction.set(action, (byAction.get(action) ?? 0) + n);
}

function sum(counts: Counts, userId: string, actions: readonly string[]): number {
  const byAction = counts.get(userId);
  return byAction ? actions.reduce((n, a) => n + (byAction.get(a) ?? 0), 0) : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const minutes = (ms: number) => ms / 60_000;

/** Progress of the review: project totals and pace, and each reviewer's work. */
export async function getReviewProgress(db: Db, projectId: string, opts: { now?: Date } = {}): Promise<ReviewProgress> {
  await getProject(db, projectId);
  const now = opts.now ?? new Date();
  const inProject = { pair: { projectId } };
  const bulk = { OR: BULK_MARKERS.map((m) => ({ after: { contains: m } })) };
  const [states, actions, bulkActions, singles, lastEvents, assignments, secondAssigned, secondDone, lastHour, last24h, members] = await Promise.all([
    db.pair.groupBy({ by: ["reviewState"], where: { projectId }, _count: { _all: true } }),
    db.reviewEvent.groupBy({ by: ["userId", "action"], where: inProject, _count: { _all: true } }),
    db.reviewEvent.groupBy({ by: ["userId", "action"], where: { ...inProject, ...bulk }, _count: { _all: true } }),
    db.reviewEvent.findMany({ where: { ...inProject, NOT: bulk }, select: { userId: true, action: true, createdAt: true } }),
    db.reviewEvent.groupBy({ by: ["userId"], where: inProject, _max: { createdAt: true } }),
    db.pair.groupBy({ by: ["assigneeId", "reviewState"], where: { projectId, assigneeId: { not: null } }, _count: { _all: true } }),
    db.pair.findMany({ where: { projectId, secondReviewerId: { not: null } }, select: { id: true, secondReviewerId: true } }),
    db.secondReview.findMany({ where: { projectId }, select: { pairId: true, reviewerId: true, createdAt: true } }),
    db.reviewEvent.count({ where: { ...inProject, action: { in: DECISIONS }, createdAt: { gte: new Date(now.getTime() - HOUR_MS) } } }),
    db.reviewEvent.count({ where: { ...inProject, action: { in: DECISIONS }, createdAt: { gte: new Date(now.getTime() - 24 * HOUR_MS) } } }),
    db.projectMember.findMany({ where: { projectId }, select: { userId: true, role: true, user: { select: { name: true, email: true, isAdmin: true } } } }),
  ]);

  const byState = Object.fromEntries(states.map((s) => [s.reviewState, s._count._all])) as Record<string, number | undefined>;
  const pending = byState.pending ?? 0;
  const approved = byState.approved ?? 0;
  const rejected = byState.rejected ?? 0;
  const pairs = states.reduce((n, s) => n + s._count._all, 0);

  const counts: Counts = new Map();
  for (const a of actions) add(counts, a.userId, a.action, a._count._all);
  const bulkCounts: Counts = new Map();
  for (const a of bulkActions) add(bulkCounts, a.userId, a.action, a._count._all);

  const teamTimes: number[] = [];
  let teamSingleDecisions = 0;
  const timelines = new Map<string, number[]>();
  const singleDecisions = new Map<string, number>();
  for (const e of singles) {
    const t = e.createdAt.getTime();
    teamTimes.push(t);
    const decision = DECISIONS.includes(e.action);
    if (decision) teamSingleDecisions++;
    if (!e.userId) continue;
    push(timelines, e.userId, t);
    if (decision) singleDecisions.set(e.userId, (singleDecisions.get(e.userId) ?? 0) + 1);
  }
  const lastActive = new Map<string, number>();
  for (const e of lastEvents) if (e.userId && e._max.createdAt) lastActive.set(e.userId, e._max.createdAt.getTime());

  const assigned = new Map<string, number>();
  const remaining = new Map<string, number>();
  let assignedTotal = 0;
  for (const a of assignments) {
    if (!a.assigneeId) continue;
    assignedTotal += a._count._all;
    assigned.set(a.assigneeId, (assigned.get(a.assigneeId) ?? 0) + a._count._all);
    if (a.reviewState === "pending") remaining.set(a.assigneeId, (remaining.get(a.assigneeId) ?? 0) + a._count._all);
  }

  const judged = new Set(secondDone.map((s) => `${s.pairId}\u0000${s.reviewerId}`));
  const owed = new Map<string, number>();
  for (const p of secondAssigned) if (!judged.has(`${p.id}\u0000${p.secondReviewerId}`)) owed.set(p.secondReviewerId!, (owed.get(p.secondReviewerId!) ?? 0) + 1);
  const done = new Map<string, number>();
  for (const s of secondDone) {
    done.set(s.reviewerId, (done.get(s.reviewerId) ?? 0) + 1);
    const t = s.createdAt.getTime();
    push(timelines, s.reviewerId, t);
    lastActive.set(s.reviewerId, Math.max(lastActive.get(s.reviewerId) ?? 0, t));
  }

  // Reviewers: members whose role may review, and anyone who has done or been given review work.
  const memberOf = new Map(members.map((m) => [m.userId, m]));
  const ids = new Set<string>();
  for (const m of members) if (roleAllows(isRole(m.role) ? m.role : null, "pairs.review", m.user.isAdmin)) ids.add(m.userId);
  for (const id of [...counts.keys(), ...assigned.keys(), ...owed.keys(), ...done.keys()]) ids.add(id);
  const outsiders = [...ids].filter((id) => !memberOf.has(id));
  const others = outsiders.length ? await db.user.findMany({ where: { id: { in: outsiders } }, select: { id: true, name: true, email: true } }) : [];
  const otherById = new Map(others.map((u) => [u.id, u]));

  const reviewers: ReviewerProgress[] = [...ids].map((userId) => {
    const member = memberOf.get(userId);
    const person = member?.user ?? otherById.get(userId);
    const activeMs = activeTimeMs(timelines.get(userId) ?? []);
    const secondReviewsDone = done.get(userId) ?? 0;
    const last = lastActive.get(userId);
    return {
      userId,
      name: person?.name ?? "Deleted user",
      email: person?.email ?? "",
      role: member?.role ?? null,
      decisions: sum(counts, userId, DECISIONS),
      approved: sum(counts, userId, ["approve"]),
      rejected: sum(counts, userId, ["reject"]),
      bulkDecisions: sum(bulkCounts, userId, DECISIONS),
      edits: sum(counts, userId, EDITS),
      assigned: assigned.get(userId) ?? 0,
      remaining: remaining.get(userId) ?? 0,
      secondReviewsDone,
      secondReviewsOwed: owed.get(userId) ?? 0,
      activeMinutes: minutes(activeMs),
      ratePerHour: ratePerHour((singleDecisions.get(userId) ?? 0) + secondReviewsDone, activeMs),
      lastActiveAt: last === undefined ? null : new Date(last).toISOString(),
    };
  });
  reviewers.sort((a, b) => b.decisions - a.decisions || b.secondReviewsDone - a.secondReviewsDone || a.name.localeCompare(b.name) || (a.userId < b.userId ? -1 : 1));

  const teamActiveMs = activeTimeMs(teamTimes);
  const teamRate = ratePerHour(teamSingleDecisions, teamActiveMs);
  return {
    generatedAt: now.toISOString(),
    project: {
      pairs,
      pending,
      approved,
      rejected,
      reviewed: approved + rejected,
      remaining: pending,
      assigned: assignedTotal,
      decisionsLastHour: lastHour,
      decisionsLast24h: last24h,
      activeMinutes: minutes(teamActiveMs),
      ratePerHour: teamRate,
      hoursLeft: hoursLeft(pending, teamRate),
    },
    reviewers,
  };
}

// ---------- agreement between first and second reviewers ----------

export const agreementInput = z.object({
  measureSql: z.preprocess((v) => v === "1" || v === "true" || v === true, z.boolean()).default(false),
  limit: z.coerce.number().int().min(1).max(2_000).default(200),
});
export type AgreementInput = z.infer<typeof agreementInput>;

/** Disagreements listed per reviewer pair; the count says how many there are in all. */
const LISTED_DISAGREEMENTS = 100;

export interface Person {
  id: string;
  name: string;
  email: string;
}

export interface ReviewerPairAgreementView {
  first: Person;
  second: Person;
  n: number;
  kappa: number | null;
  reading: KappaReading;
  observed: number;
  expected: number;
  disagreementCount: number;
  disagreements: { pairId: string; first: ReviewDecision; second: ReviewDecision; firstReason: string | null; secondReason: string | null }[];
  sql?: { agree: number; total: number; rate: number | null; capped: boolean; disagreements: { pairId: string; reason: string }[] };
}

export interface AgreementReport {
  /** Second reviews submitted. */
  secondReviews: number;
  /** Of them, on pairs nobody has approved or rejected yet (not comparable yet). */
  awaitingFirstDecision: number;
  /** Of them, where the latest decider is the second reviewer themself (not counted). */
  sameReviewer: number;
  measuredSql: boolean;
  /** Items measured per reviewer pair at most. */
  limit: number;
  pairs: ReviewerPairAgreementView[];
}

interface Item {
  pairId: string;
  first: ReviewDecision;
  second: ReviewDecision;
  firstReason: string | null;
  secondReason: string | null;
  firstSql: string;
  secondSql: string;
  orderMatters: boolean;
}

/**
 * Agreement of each (first reviewer, second reviewer) pair over the pairs both judged. The first
 * reviewer of a pair is the user of its latest approve/reject event; the second, the author of a
 * SecondReview. Cohen's kappa and observed agreement on the decisions; with `measureSql`, SQL
 * agreement by executing the pair's current SQL (the first review's final SQL) against the second
 * reviewer's, at most `limit` items per reviewer pair (`capped` says when there were more).
 */
export async function getAgreement(db: Db, projectId: string, input: Partial<AgreementInput> = {}): Promise<AgreementReport> {
  await getProject(db, projectId);
  const measureSql = input.measureSql ?? false;
  const limit = input.limit ?? 200;
  const withSecond = { projectId, secondReviews: { some: {} } };
  const [seconds, decisions, pairs] = await Promise.all([
    db.secondReview.findMany({ where: { projectId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { pairId: true, reviewerId: true, decision: true, reason: true, sql: true } }),
    db.reviewEvent.findMany({ where: { pair: withSecond, action: { in: DECISIONS } }, orderBy: [{ pairId: "asc" }, { revision: "asc" }], select: { pairId: true, userId: true, action: true } }),
    db.pair.findMany({ where: withSecond, select: { id: true, rejectReason: true, query: { select: { sql: true, topLevelOrderBy: true } } } }),
  ]);
  const latest = new Map<string, { userId: string | null; decision: ReviewDecision }>();
  for (const e of decisions) latest.set(e.pairId, { userId: e.userId, decision: e.action as ReviewDecision });
  const pairById = new Map(pairs.map((p) => [p.id, p]));

  let awaitingFirstDecision = 0;
  let sameReviewer = 0;
  const groups = new Map<string, { firstId: string; secondId: string; items: Item[] }>();
  for (const s of seconds) {
    const first = latest.get(s.pairId);
    const pair = pairById.get(s.pairId);
    if (!first?.userId || !pair) {
      awaitingFirstDecision++;
      continue;
    }
    if (first.userId === s.reviewerId) {
      sameReviewer++;
      continue;
    }
    const key = `${first.userId}\u0000${s.reviewerId}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { firstId: first.userId, secondId: s.reviewerId, items: [] }));
    group.items.push({
      pairId: s.pairId,
      first: first.decision,
      second: s.decision as ReviewDecision,
      firstReason: first.decision === "reject" ? pair.rejectReason : null,
      secondReason: s.reason,
      firstSql: pair.query.sql,
      secondSql: s.sql,
      orderMatters: pair.query.topLevelOrderBy,
    });
  }

  const userIds = [...new Set([...groups.values()].flatMap((g) => [g.firstId, g.secondId]))];
  const users = userIds.length ? await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }) : [];
  const person = (id: string): Person => users.find((u) => u.id === id) ?? { id, name: "Deleted user", email: "" };
  const sandbox = measureSql && groups.size > 0 ? await requireActiveSandbox(db, projectId) : null;

  const out: ReviewerPairAgreementView[] = [];
  for (const g of groups.values()) {
    const k = cohensKappa(g.items.map((i) => ({ a: i.first, b: i.second })));
    const differing = g.items.filter((i) => i.first !== i.second);
    const view: ReviewerPairAgreementView = {
      first: person(g.firstId),
      second: person(g.secondId),
      n: k.n,
      kappa: k.kappa,
      reading: readKappa(k.kappa),
      observed: k.observed,
      expected: k.expected,
      disagreementCount: differing.length,
      disagreements: differing.slice(0, LISTED_DISAGREEMENTS).map((i) => ({ pairId: i.pairId, first: i.first, second: i.second, firstReason: i.firstReason, secondReason: i.secondReason })),
    };
    if (sandbox) {
      const measured = g.items.slice(0, limit);
      const rate = await sqlAgreementRate(
        sandbox.path,
        measured.map((i) => ({ sqlA: i.firstSql, sqlB: i.secondSql, orderMatters: i.orderMatters })),
      );
      view.sql = {
        agree: rate.agree,
        total: rate.total,
        rate: rate.rate,
        capped: g.items.length > limit,
        disagreements: rate.disagreements.map((d) => ({ pairId: measured[d.index].pairId, reason: d.reason })),
      };
    }
    out.push(view);
  }
  out.sort((a, b) => b.n - a.n || a.first.name.localeCompare(b.first.name) || a.second.name.localeCompare(b.second.name));
  return { secondReviews: seconds.length, awaitingFirstDecision, sameReviewer, measuredSql: sandbox !== null, limit, pairs: out };
}
