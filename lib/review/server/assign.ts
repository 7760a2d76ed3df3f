import "server-only";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/server/client";
import { newRowId } from "@/lib/db/ids";
import { ConflictError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { recordAudit } from "@/lib/audit/server/audit";
import { isRole, PERMISSIONS, ROLE_LABELS, roleAllows, type Role } from "@/lib/auth/policy";
import { pairFilterInput, type PairFilter } from "@/lib/review/filter";
import { buildPairWhere } from "@/lib/review/server/filter";

// Assignment hands the pairs matching the review filter to reviewers, optionally with a blind
// second reviewer for each. The user confirms the matching count first (GET …/pairs/bulk, the same
// filter); the assignment is refused if the filter matches a different number by then.
//
// Split: round-robin over the matching pairs in a stable order (createdAt, then id): pair 0 to the
// first reviewer, pair 1 to the second, … Pairs are created run by run and shape by shape, so
// contiguous slices would give one reviewer all the joins and another all the aggregates;
// round-robin gives everyone the same mix, and counts that differ by at most one.
//
// Second reviewers: each pair gets, from the second list, the reviewer other than its assignee who
// has been given the fewest second reviews so far in this assignment (ties: list order). Refused
// when some assignee has nobody else in the second list (e.g. one person in both lists).
//
// Assignment writes only assigneeId and secondReviewerId. It never changes a pair's review state or
// revision, so it never makes a reviewer's concurrent decision stale, and a decision never undoes
// an assignment: the two cannot conflict.

const userIdInput = z.string().trim().min(1).max(64);

export const assignPairsInput = z.object({
  filter: pairFilterInput.default({}),
  reviewerIds: z.array(userIdInput).min(1, "Pick at least one reviewer.").max(200, "Pick at most 200 reviewers."),
  /** A blind second review of each assigned pair, by one of these reviewers (never the pair's assignee). */
  secondReview: z
    .object({ reviewerIds: z.array(userIdInput).min(1, "Pick at least one second reviewer.").max(200, "Pick at most 200 second reviewers.") })
    .nullable()
    .optional(),
  /** Assign only the first `limit` matching pairs (stable order); the others are left as they are. */
  limit: z.number().int().min(1, "The limit must be at least 1.").max(1_000_000).optional(),
  /** The number of matching pairs the user confirmed (with onlyUnassigned, of the unassigned ones). */
  expectedCount: z.number().int().min(0),
  /** Only pairs nobody is assigned to. */
  onlyUnassigned: z.boolean().optional(),
});
export type AssignPairsInput = z.infer<typeof assignPairsInput>;

export const unassignPairsInput = z.object({
  filter: pairFilterInput.default({}),
  expectedCount: z.number().int().min(0),
});
export type UnassignPairsInput = z.infer<typeof unassignPairsInput>;

/** Rows per updateMany: far below both databases' bound-parameter limits. */
const CHUNK = 1_000;

export interface AssignmentPlanItem {
  pairId: string;
  assigneeId: string;
  /** undefined: leave the pair's second reviewer as it is. */
  secondReviewerId?: string;
}

/**
 * Who gets which pair. `pairIds` in the stable order; reviewer lists without duplicates. Throws a
 * ValidationError when a second reviewer cannot be found for some assignee.
 */
export function planAssignment(pairIds: readonly string[], reviewerIds: readonly string[], secondReviewerIds?: readonly string[] | null): AssignmentPlanItem[] {
  if (reviewerIds.length === 0) throw new ValidationError("Pick at least one reviewer.");
  const usedAssignees = reviewerIds.slice(0, Math.min(reviewerIds.length, pairIds.length));
  if (secondReviewerIds) {
    const stuck = usedAssignees.filter((r) => secondReviewerIds.every((s) => s === r));
    if (stuck.length > 0) {
      throw new ValidationError(
        "A pair's second reviewer must be someone other than its reviewer, and the second-review list has nobody else for " +
          `${stuck.length === 1 ? "one of the reviewers" : `${stuck.length} of the reviewers`}. Add another person to the second reviewers, or take them off the first list.`,
      );
    }
  }
  const load = new Map<string, number>((secondReviewerIds ?? []).map((s) => [s, 0]));
  return pairIds.map((pairId, i) => {
    const assigneeId = reviewerIds[i % reviewerIds.length];
    if (!secondReviewerIds) return { pairId, assigneeId };
    let pick: string | undefined;
    for (const s of secondReviewerIds) if (s !== assigneeId && (pick === undefined || load.get(s)! < load.get(pick)!)) pick = s;
    load.set(pick!, load.get(pick!)! + 1);
    return { pairId, assigneeId, secondReviewerId: pick! };
  });
}

function countChanged(expected: number, actual: number): ConflictError {
  return new ConflictError(`The filter now matches ${actual} pairs, not the ${expected} you confirmed: someone changed them meanwhile. Check the count again, then confirm.`);
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Refuses anyone who is not a member of the project with a role that may review. */
async function assertReviewers(db: Db | Tx, projectId: string, ids: readonly string[]): Promise<void> {
  const members = await db.projectMember.findMany({
    where: { projectId, userId: { in: [...ids] } },
    select: { userId: true, role: true, user: { select: { name: true, email: true, isAdmin: true } } },
  });
  const byId = new Map(members.map((m) => [m.userId, m]));
  const problems: string[] = [];
  for (const id of ids) {
    const m = byId.get(id);
    if (!m) problems.push(`${id} is not a member of this project`);
    else if (!roleAllows(isRole(m.role) ? m.role : null, "pairs.review", m.user.isAdmin)) {
      problems.push(`${m.user.name || m.user.email} is a ${isRole(m.role) ? ROLE_LABELS[m.role].toLowerCase() : m.role}`);
    }
  }
  if (problems.length > 0) {
    const who = (PERMISSIONS["pairs.review"] as readonly Role[]).map((r) => `${ROLE_LABELS[r].toLowerCase()}s`).join(", ");
    throw new ValidationError(`Only project members who may review can be assigned pairs: ${problems.join("; ")}. Pick ${who}.`);
  }
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function tally(values: readonly (string | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) if (v !== undefined) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/**
 * Assign the pairs matching the filter (at most `limit` of them) to reviewers, in one transaction
 * with one audit event. Without `secondReview`, pairs keep their second reviewer, unless it would
 * be their new assignee: that is refused.
 */
export async function assignPairs(db: Db, projectId: string, input: AssignPairsInput, userId?: string | null): Promise<{ assignmentId: string; matched: number; assigned: number; byReviewer: Record<string, number>; bySecondReviewer: Record<string, number> }> {
  await getProject(db, projectId);
  const reviewerIds = unique(input.reviewerIds);
  const secondIds = input.secondReview ? unique(input.secondReview.reviewerIds) : null;
  const filter: PairFilter = input.filter ?? {};
  await assertReviewers(db, projectId, unique([...reviewerIds, ...(secondIds ?? [])]));
  const assignmentId = newRowId();
  const where = buildPairWhere(projectId, filter, userId);

  return db.$transaction(
    async (tx) => {
      const matching = await tx.pair.findMany({
        where: input.onlyUnassigned ? { AND: [where, { assigneeId: null }] } : where,
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
        select: { id: true, secondReviewerId: true },
      });
      if (matching.length === 0) throw new ValidationError("No pair matches this filter. Change the filter, then try again.");
      if (matching.length !== input.expectedCount) throw countChanged(input.expectedCount, matching.length);
      const chosen = input.limit === undefined ? matching : matching.slice(0, input.limit);
      const plan = planAssignment(
        chosen.map((p) => p.id),
        reviewerIds,
        secondIds,
      );
      if (!secondIds) {
        const clash = plan.filter((item, i) => chosen[i].secondReviewerId === item.assigneeId).length;
        if (clash > 0) {
          throw new ValidationError(
            `${plural(clash, "pair")} would be assigned to ${clash === 1 ? "its" : "their"} own second reviewer. Add a blind second review to pick new second reviewers, or leave those reviewers out.`,
          );
        }
      }
      const groups = new Map<string, AssignmentPlanItem[]>();
      for (const item of plan) {
        const key = `${item.assigneeId}\u0000${item.secondReviewerId ?? ""}`;
        const group = groups.get(key);
        if (group) group.push(item);
        else groups.set(key, [item]);
      }
      for (const group of groups.values()) {
        const { assigneeId, secondReviewerId } = group[0];
        for (const part of chunks(group)) {
          await tx.pair.updateMany({
            where: { projectId, id: { in: part.map((p) => p.pairId) } },
            data: { assigneeId, ...(secondReviewerId === undefined ? {} : { secondReviewerId }) },
          });
        }
      }
      const byReviewer = tally(plan.map((p) => p.assigneeId));
      const bySecondReviewer = tally(plan.map((p) => p.secondReviewerId));
      await recordAudit(tx, {
        projectId,
        userId: userId ?? null,
        action: "pairs.assign",
        entityType: "review_assignment",
        entityId: assignmentId,
        summary: `Assigned ${plural(plan.length, "pair")} to ${plural(reviewerIds.length, "reviewer")}${secondIds ? `, with a blind second review by ${plural(secondIds.length, "reviewer")}` : ""}`,
        after: { filter, onlyUnassigned: input.onlyUnassigned ?? false, limit: input.limit ?? null, matched: matching.length, assigned: plan.length, byReviewer, bySecondReviewer },
      });
      return { assignmentId, matched: matching.length, assigned: plan.length, byReviewer, bySecondReviewer };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}

/**
 * Take the pairs matching the filter off everyone's list: their assignee and second reviewer are
 * cleared (second reviews already submitted stay). One transaction, one audit event.
 */
export async function unassignPairs(db: Db, projectId: string, input: UnassignPairsInput, userId?: string | null): Promise<{ unassigned: number }> {
  await getProject(db, projectId);
  const filter: PairFilter = input.filter ?? {};
  const where = buildPairWhere(projectId, filter, userId);
  return db.$transaction(
    async (tx) => {
      const matching = await tx.pair.findMany({ where, select: { id: true, assigneeId: true, secondReviewerId: true } });
      if (matching.length === 0) throw new ValidationError("No pair matches this filter. Change the filter, then try again.");
      if (matching.length !== input.expectedCount) throw countChanged(input.expectedCount, matching.length);
      const targets = matching.filter((p) => p.assigneeId !== null || p.secondReviewerId !== null);
      for (const part of chunks(targets)) {
        await tx.pair.updateMany({ where: { projectId, id: { in: part.map((p) => p.id) } }, data: { assigneeId: null, secondReviewerId: null } });
      }
      await recordAudit(tx, {
        projectId,
        userId: userId ?? null,
        action: "pairs.unassign",
        entityType: "review_assignment",
        entityId: newRowId(),
        summary: `Unassigned ${plural(targets.length, "pair")}`,
        after: { filter, matched: matching.length, unassigned: targets.length },
      });
      return { unassigned: targets.length };
    },
    { maxWait: 10_000, timeout: 60_000 },
  );
}
