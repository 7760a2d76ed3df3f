import "server-only";
import { z } from "zod";
import type { Db, Tx } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { isRole, ROLE_LABELS, roleAllows, type Permission } from "@/lib/auth/policy";
import { openBlockingFindings } from "@/lib/datasets/server/findings-gate";
import { approvalStateLabel, type ApprovalState } from "@/lib/datasets/approval";

// The sign-off workflow of a dataset version:
//
//   draft ──submit──▶ submitted ──approve──▶ signed_off ("approved")
//                      │    ▲
//      request_changes ▼    │ submit (again, once blocking findings are resolved)
//                 changes_requested
//
// A version is immutable, so "changes requested" means: resolve the scan findings, or freeze a new
// version. Submitting needs "pairs.review" (an analyst may submit); approving and requesting changes
// need "datasets.manage" (data lead or admin), checked here as well as on the route, so an analyst
// can never approve whatever calls the service. A data lead may approve a version they submitted
// themselves (a project may have a single data lead); the timeline shows it as self-approved.
// Open blocking scan findings stop submit and approve. Every transition is a DatasetReview row and
// an audit event, written only if the state is still the one it was read in: of two concurrent
// transitions from the same state one wins, the other gets a ConflictError.

export const REVIEW_ACTIONS = ["submit", "approve", "request_changes", "comment"] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export const reviewCommentInput = z.object({
  comment: z.string().trim().max(4000, "Keep the comment under 4,000 characters.").optional(),
});
export const requiredCommentInput = z.object({
  comment: z.string({ message: "Write a comment." }).trim().min(1, "Write a comment that says what must change.").max(4000, "Keep the comment under 4,000 characters."),
});

const PERMISSION: Record<ReviewAction, Permission> = {
  submit: "pairs.review",
  approve: "datasets.manage",
  request_changes: "datasets.manage",
  comment: "pairs.review",
};

const VERB: Record<ReviewAction, string> = {
  submit: "submit dataset versions for sign-off",
  approve: "approve dataset versions",
  request_changes: "request changes to dataset versions",
  comment: "comment on dataset versions",
};

/** Who may do what; a call without a user (scripts, the demo set-up) acts for the studio itself. */
async function assertMay(db: Db, projectId: string, userId: string | null | undefined, action: ReviewAction): Promise<void> {
  if (!userId) return;
  const user = await db.user.findUnique({ where: { id: userId }, select: { isAdmin: true } });
  if (!user) throw new NotFoundError("Your account no longer exists. Sign in again.");
  const member = await db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } }, select: { role: true } });
  const role = member && isRole(member.role) ? member.role : null;
  if (!user.isAdmin && !role) throw new NotFoundError("This project does not exist, or you are not a member of it.");
  if (!roleAllows(role, PERMISSION[action], user.isAdmin)) {
    const who = action === "approve" || action === "request_changes" ? "a data lead or an admin" : "an analyst, a data lead or an admin";
    throw new ForbiddenError(`Your role (${ROLE_LABELS[role!]}) cannot ${VERB[action]}. Ask ${who} of this project.`);
  }
}

async function loadVersion(db: Db, projectId: string, versionId: string) {
  const v = await db.datasetVersion.findFirst({ where: { id: versionId, projectId } });
  if (!v) throw new NotFoundError("This dataset version does not exist in this project.");
  return v;
}

async function assertNoBlockingFindings(db: Db, versionId: string, version: number, doing: string): Promise<void> {
  // A version whose scan never finished has no findings to show: that is not the same as clean.
  const scanned = await db.datasetVersion.findUnique({ where: { id: versionId }, select: { scan: true } });
  if (!(JSON.parse(scanned?.scan || "{}") as { scannedAt?: string }).scannedAt) {
    throw new ConflictError(`v${version} has not been scanned yet. Press "Scan again" in the Scans section, resolve what it finds, then ${doing}.`);
  }
  const open = await openBlockingFindings(db, versionId);
  if (open > 0) {
    throw new ConflictError(
      `v${version} has ${open} open blocking scan finding${open === 1 ? "" : "s"}. Resolve ${open === 1 ? "it" : "them"} in the Scans section (exclude, redact or waive with a reason) before you ${doing}.`,
    );
  }
}

const stateLabel = approvalStateLabel;

interface Step {
  action: Exclude<ReviewAction, "comment">;
  from: readonly string[];
  to: ApprovalState;
}

const STEPS: Record<Step["action"], Step> = {
  submit: { action: "submit", from: ["draft", "changes_requested"], to: "submitted" },
  approve: { action: "approve", from: ["submitted"], to: "signed_off" },
  request_changes: { action: "request_changes", from: ["submitted"], to: "changes_requested" },
};

function refuseFrom(step: Step, version: number, state: string): never {
  if (step.action === "submit") {
    throw new ConflictError(
      state === "submitted" ? `v${version} is already submitted for sign-off.` : `v${version} is ${stateLabel(state)} and cannot be submitted again. Freeze a new version to change it.`,
    );
  }
  if (state === "signed_off") throw new ConflictError(`v${version} is already approved.`);
  throw new ConflictError(`v${version} is ${stateLabel(state)}. It must be submitted for sign-off first.`);
}

/** Moves the version from the state it was read in; a concurrent change makes the update miss. */
async function applyStep(tx: Tx, projectId: string, v: { id: string; version: number; approvalState: string }, step: Step, userId: string | null, comment: string, note = "") {
  const now = new Date();
  const data =
    step.to === "submitted"
      ? { approvalState: step.to, submittedById: userId, submittedAt: now, approvedById: null, approvedAt: null }
      : step.to === "signed_off"
        ? { approvalState: step.to, approvedById: userId, approvedAt: now }
        : { approvalState: step.to };
  const { count } = await tx.datasetVersion.updateMany({ where: { id: v.id, approvalState: v.approvalState }, data });
  if (count !== 1) {
    const now = await tx.datasetVersion.findUnique({ where: { id: v.id }, select: { approvalState: true } });
    throw new ConflictError(`Someone else changed v${v.version} at the same time: it is now ${stateLabel(now?.approvalState ?? "deleted")}. Reload the page to see the latest state.`);
  }
  await tx.datasetReview.create({ data: { datasetVersionId: v.id, userId, action: step.action, comment } });
  const what = { submit: "Submitted", approve: "Approved (signed off)", request_changes: "Requested changes to" }[step.action];
  await recordAudit(tx, {
    projectId,
    userId,
    action: step.action === "approve" ? "dataset.sign_off" : `dataset.${step.action}`,
    entityType: "dataset_version",
    entityId: v.id,
    summary: `${what} v${v.version}${note}${comment ? `: ${comment.slice(0, 200)}` : ""}`,
    before: { approvalState: v.approvalState },
    after: { approvalState: step.to },
  });
}

async function transition(db: Db, projectId: string, versionId: string, action: Step["action"], userId: string | null | undefined, comment: string) {
  await assertMay(db, projectId, userId, action);
  const v = await loadVersion(db, projectId, versionId);
  const step = STEPS[action];
  if (!step.from.includes(v.approvalState)) refuseFrom(step, v.version, v.approvalState);
  if (action === "submit") await assertNoBlockingFindings(db, versionId, v.version, "submit it for sign-off");
  if (action === "approve") await assertNoBlockingFindings(db, versionId, v.version, "approve it");
  const self = action === "approve" && !!userId && v.submittedById === userId;
  await db.$transaction((tx) => applyStep(tx, projectId, v, step, userId ?? null, comment, self ? " (self-approved)" : ""));
  return { id: versionId, approvalState: step.to };
}

/** An analyst, data lead or admin asks for sign-off (again, after changes were requested). */
export async function submitDatasetVersion(db: Db, projectId: string, versionId: string, userId?: string | null, comment = "") {
  return transition(db, projectId, versionId, "submit", userId, comment.trim());
}

/** A data lead or admin approves a submitted version: it can then be exported and trained on. */
export async function approveDatasetVersion(db: Db, projectId: string, versionId: string, userId?: string | null, comment = "") {
  return transition(db, projectId, versionId, "approve", userId, comment.trim());
}

/** A data lead or admin sends a submitted version back, saying why. */
export async function requestDatasetVersionChanges(db: Db, projectId: string, versionId: string, userId: string | null | undefined, comment: string) {
  if (!comment?.trim()) throw new ValidationError("Write a comment that says what must change before requesting changes.");
  return transition(db, projectId, versionId, "request_changes", userId, comment.trim());
}

/** A comment in the version's sign-off conversation; the state does not change. */
export async function commentOnDatasetVersion(db: Db, projectId: string, versionId: string, userId: string | null | undefined, comment: string) {
  if (!comment?.trim()) throw new ValidationError("Write a comment first.");
  await assertMay(db, projectId, userId, "comment");
  const v = await loadVersion(db, projectId, versionId);
  const review = await db.$transaction(async (tx) => {
    const row = await tx.datasetReview.create({ data: { datasetVersionId: v.id, userId: userId ?? null, action: "comment", comment: comment.trim() } });
    await recordAudit(tx, { projectId, userId, action: "dataset.comment", entityType: "dataset_version", entityId: v.id, summary: `Commented on v${v.version}: ${comment.trim().slice(0, 200)}` });
    return row;
  });
  return { id: review.id, approvalState: v.approvalState };
}

/**
 * Submit and approve in one step (the data lead's "Sign off this version", scripts and the demo):
 * the same checks as the two steps, both recorded in the timeline, in one transaction.
 */
export async function signOffDatasetVersion(db: Db, projectId: string, versionId: string, userId?: string | null, comment = "") {
  await assertMay(db, projectId, userId, "approve");
  const v = await loadVersion(db, projectId, versionId);
  if (v.approvalState === "signed_off") throw new ConflictError(`v${v.version} is already approved.`);
  await assertNoBlockingFindings(db, versionId, v.version, "sign it off");
  const actor = userId ?? null;
  await db.$transaction(async (tx) => {
    let current = { id: v.id, version: v.version, approvalState: v.approvalState };
    if (current.approvalState !== "submitted") {
      await applyStep(tx, projectId, current, STEPS.submit, actor, "");
      current = { ...current, approvalState: "submitted" };
    }
    const self = !!actor && (v.approvalState !== "submitted" || v.submittedById === actor);
    await applyStep(tx, projectId, current, STEPS.approve, actor, comment.trim(), self ? " (self-approved)" : "");
  });
  return { id: versionId, approvalState: "signed_off" as const };
}

export interface DatasetReviewView {
  id: string;
  action: string;
  comment: string;
  userId: string | null;
  userName: string | null;
  createdAt: string;
}

/** The sign-off conversation, oldest first. */
export async function listDatasetReviews(db: Db, versionId: string): Promise<DatasetReviewView[]> {
  const rows = await db.datasetReview.findMany({ where: { datasetVersionId: versionId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const ids = [...new Set(rows.map((r) => r.userId).filter((id): id is string => !!id))];
  const users = ids.length ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name || u.email]));
  return rows.map((r) => ({ id: r.id, action: r.action, comment: r.comment, userId: r.userId, userName: r.userId ? (names.get(r.userId) ?? null) : null, createdAt: r.createdAt.toISOString() }));
}
