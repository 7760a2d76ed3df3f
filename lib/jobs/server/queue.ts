import "server-only";
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@/lib/db/server/client";
import type { Job } from "@/lib/generated/sqlite/client";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/server/audit";
import { clampProgress, decideStaleJob, isTerminal, type JobStatus, type JobView } from "@/lib/jobs/types";

export class JobCancelledError extends Error {
  constructor() {
    super("Cancelled by a user.");
  }
}

/** Thrown inside a transaction to roll it back when the work is already queued under the same key. */
export class AlreadyQueuedError extends Error {
  constructor(readonly job: Job) {
    super("Already queued.");
  }
}

/**
 * Create a job together with the rows it works on, in one transaction. If a job already holds
 * `activeKey` (a double click, two tabs, two requests racing), nothing is created and the job in
 * flight is returned instead.
 */
export async function enqueueJobWith<T>(
  db: Db,
  activeKey: string,
  create: (tx: Tx) => Promise<{ job: Job; value: T }>,
): Promise<{ job: Job; created: true; value: T } | { job: Job; created: false }> {
  const running = await db.job.findUnique({ where: { activeKey } });
  if (running) return { job: running, created: false };
  try {
    const out = await db.$transaction(async (tx) => {
      const existing = await tx.job.findUnique({ where: { activeKey } });
      if (existing) throw new AlreadyQueuedError(existing);
      const created = await create(tx);
      if (created.job.activeKey !== activeKey) throw new Error("enqueueJobWith: the job must hold the activeKey.");
      return created;
    });
    return { job: out.job, created: true, value: out.value };
  } catch (error) {
    if (error instanceof AlreadyQueuedError) return { job: error.job, created: false };
    // A racing request won the unique key; its job is the one to show.
    const winner = await db.job.findUnique({ where: { activeKey } });
    if (winner) return { job: winner, created: false };
    throw error;
  }
}

export function toJobView(job: Job): JobView {
  return {
    id: job.id,
    projectId: job.projectId,
    type: job.type,
    status: job.status as JobStatus,
    progress: job.progress,
    message: job.message,
    error: job.error,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    cancelRequested: job.cancelRequested,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    result: job.result ? JSON.parse(job.result) : null,
  };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

/**
 * Queue a job. With an activeKey, at most one queued-or-running job holds the key: a second
 * request (a double click, two tabs) gets the job already in flight instead of a duplicate.
 */
export async function enqueueJob(
  db: Db | Tx,
  input: { type: string; projectId?: string | null; payload?: unknown; activeKey?: string; maxAttempts?: number; createdById?: string | null },
): Promise<{ job: Job; created: boolean }> {
  if (input.activeKey) {
    const existing = await db.job.findUnique({ where: { activeKey: input.activeKey } });
    if (existing) return { job: existing, created: false };
  }
  try {
    const job = await db.job.create({
      data: {
        type: input.type,
        projectId: input.projectId ?? null,
        payload: JSON.stringify(input.payload ?? {}),
        activeKey: input.activeKey ?? null,
        maxAttempts: input.maxAttempts ?? 3,
        createdById: input.createdById ?? null,
        message: "Waiting for a worker…",
      },
    });
    return { job, created: true };
  } catch (error) {
    if (input.activeKey && isUniqueViolation(error)) {
      const existing = await db.job.findUnique({ where: { activeKey: input.activeKey } });
      if (existing) return { job: existing, created: false };
    }
    throw error;
  }
}

export async function getJob(db: Db, jobId: string): Promise<Job> {
  const job = await db.job.findUnique({ where: { id: jobId } });
  if (!job) throw new NotFoundError("This job does not exist (it may belong to a deleted project).");
  return job;
}

/** Claim the oldest queued job for this worker; null when there is none. */
export async function claimNextJob(db: Db, workerId: string, types?: string[]): Promise<Job | null> {
  for (let tries = 0; tries < 5; tries++) {
    const candidate = await db.job.findFirst({
      where: { status: "queued", ...(types ? { type: { in: types } } : {}) },
      orderBy: { createdAt: "asc" },
    });
    if (!candidate) return null;
    const now = new Date();
    // Compare-and-set on status: of two workers racing for one row, exactly one wins.
    const { count } = await db.job.updateMany({
      where: { id: candidate.id, status: "queued" },
      data: {
        status: "running",
        workerId,
        attempts: { increment: 1 },
        heartbeatAt: now,
        startedAt: candidate.startedAt ?? now,
        message: candidate.attempts > 0 ? `Resuming (attempt ${candidate.attempts + 1} of ${candidate.maxAttempts})…` : "Starting…",
      },
    });
    if (count === 1) return db.job.findUniqueOrThrow({ where: { id: candidate.id } });
  }
  return null;
}

/** Record progress (also the heartbeat); returns whether a user asked to cancel. */
export async function reportProgress(db: Db, jobId: string, workerId: string, progress: number | null, message?: string): Promise<{ cancelRequested: boolean }> {
  await db.job.updateMany({
    where: { id: jobId, workerId, status: "running" },
    data: {
      heartbeatAt: new Date(),
      ...(progress === null ? {} : { progress: clampProgress(progress) }),
      ...(message === undefined ? {} : { message: message.slice(0, 500) }),
    },
  });
  const row = await db.job.findUnique({ where: { id: jobId }, select: { cancelRequested: true } });
  return { cancelRequested: row?.cancelRequested ?? true };
}

export async function finishJob(
  db: Db,
  jobId: string,
  workerId: string,
  outcome: { status: "succeeded"; result?: unknown; message?: string } | { status: "failed" | "cancelled"; error: string },
): Promise<void> {
  await db.job.updateMany({
    where: { id: jobId, workerId, status: "running" },
    data: {
      status: outcome.status,
      activeKey: null,
      finishedAt: new Date(),
      heartbeatAt: new Date(),
      ...(outcome.status === "succeeded"
        ? { progress: 100, message: outcome.message ?? "Done.", result: JSON.stringify(outcome.result ?? null), error: null }
        : { error: outcome.error.slice(0, 2000), message: outcome.status === "cancelled" ? "Cancelled." : "Failed." }),
    },
  });
}

/** Put a failed-by-error job back in the queue for another attempt (transient errors). */
export async function retryJobLater(db: Db, jobId: string, workerId: string, error: string): Promise<void> {
  await db.job.updateMany({
    where: { id: jobId, workerId, status: "running" },
    data: { status: "queued", workerId: null, message: `Will retry: ${error.slice(0, 300)}` },
  });
}

/** Ask a job to stop. A queued job is cancelled at once; a running one stops at its next progress report. */
export async function requestCancel(db: Db, jobId: string, userId?: string | null): Promise<Job> {
  const job = await getJob(db, jobId);
  if (isTerminal(job.status)) throw new ConflictError(`This job has already ${job.status === "succeeded" ? "finished" : job.status}.`);
  // The flag and its audit event are written together; a queued job is cancelled at once.
  await db.$transaction(async (tx) => {
    await tx.job.updateMany({
      where: { id: jobId, status: "queued" },
      data: { status: "cancelled", activeKey: null, cancelRequested: true, finishedAt: new Date(), message: "Cancelled.", error: "Cancelled by a user before it started." },
    });
    await tx.job.updateMany({ where: { id: jobId, status: "running" }, data: { cancelRequested: true, message: "Cancelling…" } });
    await recordAudit(tx, { projectId: job.projectId, userId, action: "job.cancel", entityType: "job", entityId: job.id, summary: `Asked to cancel ${job.type} (${job.status})` });
  });
  return getJob(db, jobId);
}

/**
 * Find running jobs whose heartbeat is older than staleMs (their worker died: a crash, a kill, a
 * restart) and re-queue them, or fail them with a message once their attempts are used up.
 */
export async function recoverStaleJobs(db: Db, staleMs: number): Promise<{ requeued: string[]; failed: string[] }> {
  const cutoff = new Date(Date.now() - staleMs);
  const stale = await db.job.findMany({ where: { status: "running", heartbeatAt: { lt: cutoff } } });
  const requeued: string[] = [];
  const failed: string[] = [];
  for (const job of stale) {
    if (job.cancelRequested) {
      const { count } = await db.job.updateMany({
        where: { id: job.id, status: "running", heartbeatAt: job.heartbeatAt },
        data: { status: "cancelled", activeKey: null, finishedAt: new Date(), message: "Cancelled.", error: "Cancelled by a user; its worker had stopped." },
      });
      if (count) failed.push(job.id);
      continue;
    }
    const decision = decideStaleJob(job.attempts, job.maxAttempts);
    const { count } = await db.job.updateMany({
      where: { id: job.id, status: "running", heartbeatAt: job.heartbeatAt },
      data:
        decision.action === "requeue"
          ? { status: "queued", workerId: null, message: `Its worker stopped; queued again (attempt ${job.attempts + 1} of ${job.maxAttempts} next).` }
          : { status: "failed", activeKey: null, finishedAt: new Date(), message: "Failed.", error: decision.error },
    });
    if (count) (decision.action === "requeue" ? requeued : failed).push(job.id);
  }
  return { requeued, failed };
}

export function newWorkerId(): string {
  return `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** The queued or running job holding this key, for pages that show a progress bar on load. */
export async function findActiveJob(db: Db, activeKey: string): Promise<JobView | null> {
  const job = await db.job.findUnique({ where: { activeKey } });
  return job ? toJobView(job) : null;
}

/** Recent jobs of a project, newest first. */
export async function listProjectJobs(db: Db, projectId: string, take = 20): Promise<JobView[]> {
  const jobs = await db.job.findMany({ where: { projectId }, orderBy: { createdAt: "desc" }, take });
  return jobs.map(toJobView);
}
