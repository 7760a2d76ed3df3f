import "server-only";
import type { Db } from "@/lib/db/server/client";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/log";
import {
  claimNextJob,
  finishJob,
  JobCancelledError,
  newWorkerId,
  recoverStaleJobs,
  reportProgress,
} from "@/lib/jobs/server/queue";

export interface JobContext<P = Record<string, unknown>> {
  jobId: string;
  projectId: string | null;
  payload: P;
  /** 1 on the first run, 2+ when resuming after a crash: handlers skip work already stored. */
  attempt: number;
  /** Report progress (0–100, or null to only refresh the heartbeat). Throws JobCancelledError when a user cancelled. */
  progress(pct: number | null, message?: string): Promise<void>;
}

export type JobHandler = (ctx: JobContext<never>) => Promise<{ result?: unknown; message?: string } | void>;

export interface WorkerOptions {
  db: Db;
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this is taken to have lost its worker. */
  staleMs?: number;
  workerId?: string;
}

export interface RunningWorker {
  workerId: string;
  stop(): Promise<void>;
  /** Run until no queued job is left (used by the demo set-up and tests). */
  drain(): Promise<void>;
}

export function getStaleMs(): number {
  const fromEnv = Number(process.env.SANDPIPER_JOB_STALE_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 30_000;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const db = options.db;
  const workerId = options.workerId ?? newWorkerId();
  const pollMs = options.pollMs ?? 500;
  const heartbeatMs = options.heartbeatMs ?? Math.min(5_000, getStaleMs() / 3);
  const staleMs = options.staleMs ?? getStaleMs();
  let stopped = false;
  let current: Promise<void> | null = null;
  let lastRecovery = 0;
  let timer: NodeJS.Timeout | null = null;

  async function runOne(): Promise<boolean> {
    if (Date.now() - lastRecovery > Math.min(staleMs, 5_000)) {
      lastRecovery = Date.now();
      const { requeued, failed } = await recoverStaleJobs(db, staleMs);
      if (requeued.length || failed.length) logger.warn("recovered jobs whose worker stopped", { requeued, failed });
    }
    const job = await claimNextJob(db, workerId, Object.keys(options.handlers));
    if (!job) return false;
    const handler = options.handlers[job.type];
    const heartbeat = setInterval(() => {
      reportProgress(db, job.id, workerId, null).catch((error) => logger.error("heartbeat failed", { jobId: job.id, error: String(error) }));
    }, heartbeatMs);
    const ctx: JobContext<Record<string, unknown>> = {
      jobId: job.id,
      projectId: job.projectId,
      payload: JSON.parse(job.payload),
      attempt: job.attempts,
      async progress(pct, message) {
        const { cancelRequested } = await reportProgress(db, job.id, workerId, pct, message);
        if (cancelRequested) throw new JobCancelledError();
      },
    };
    try {
      const out = (await handler(ctx as JobContext<never>)) ?? {};
      await finishJob(db, job.id, workerId, { status: "succeeded", result: out.result, message: out.message });
    } catch (error) {
      if (error instanceof JobCancelledError) {
        await finishJob(db, job.id, workerId, { status: "cancelled", error: "Cancelled by a user; work finished before the cancel is kept." });
      } else {
        const message = error instanceof AppError ? error.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
        logger.error("job failed", { jobId: job.id, type: job.type, error: (error as Error)?.stack ?? String(error) });
        await finishJob(db, job.id, workerId, { status: "failed", error: message });
      }
    } finally {
      clearInterval(heartbeat);
    }
    return true;
  }

  async function loop(): Promise<void> {
    if (stopped) return;
    let didWork = false;
    current = (async () => {
      try {
        didWork = await runOne();
      } catch (error) {
        logger.error("worker loop error", { error: String(error) });
      }
    })();
    await current;
    current = null;
    if (!stopped) timer = setTimeout(loop, didWork ? 0 : pollMs);
  }

  timer = setTimeout(loop, 0);

  return {
    workerId,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
    async drain() {
      for (;;) {
        await current;
        const job = await db.job.findFirst({ where: { status: { in: ["queued", "running"] } } });
        if (!job) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
