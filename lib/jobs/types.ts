// Job states and the shapes the UI reads. A job is a row; a worker claims it, reports progress
// (which is also its heartbeat), and finishes it. See lib/jobs/README.md for the invariants.

export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ["succeeded", "failed", "cancelled"];

export interface JobView {
  id: string;
  projectId: string | null;
  type: string;
  status: JobStatus;
  progress: number;
  message: string;
  error: string | null;
  attempts: number;
  maxAttempts: number;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: unknown;
}

export function isTerminal(status: string): boolean {
  return (TERMINAL_JOB_STATUSES as readonly string[]).includes(status);
}

/** Clamp a progress figure to an integer percentage. */
export function clampProgress(pct: number): number {
  if (!Number.isFinite(pct)) return 0;
  return Math.max(0, Math.min(100, Math.round(pct)));
}

/** What to do with a running job whose worker stopped sending heartbeats. */
export function decideStaleJob(attempts: number, maxAttempts: number): { action: "requeue" } | { action: "fail"; error: string } {
  if (attempts < maxAttempts) return { action: "requeue" };
  return {
    action: "fail",
    error: `The worker running this job stopped (attempt ${attempts} of ${maxAttempts}), so it was given up. Start it again; finished steps are kept.`,
  };
}
