// Shared steps of the crash tests: the environment of a child process, killing it hard, and
// waiting for a job to reach its end after a restart.
import type { ChildProcess } from "node:child_process";
import type { Job } from "@/lib/generated/sqlite/client";
import type { TestDb } from "@/test/helpers/db";
import { waitFor, waitForExit } from "@/test/helpers/processes";

/** What a worker or server child needs to share the test's database and data folder. */
export function childEnv(t: TestDb, staleMs = 1500): Record<string, string> {
  return { DATABASE_URL: t.url, SANDPIPER_DATA_DIR: t.dataDir, SANDPIPER_JOB_STALE_MS: String(staleMs) };
}

/**
 * SIGKILL a child and wait until it is gone. A statement the database had already received when
 * the process died may still be finishing on the server side (PostgreSQL), so settle a moment
 * before the caller looks at the rows.
 */
export async function killHard(child: ChildProcess, settleMs = 300): Promise<void> {
  child.kill("SIGKILL");
  await waitForExit(child);
  await new Promise((r) => setTimeout(r, settleMs));
}

/** Stop a child politely if it is still alive (for finally blocks). */
export async function stopChild(child: ChildProcess | null | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const exited = waitForExit(child);
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function waitForJobEnd(t: TestDb, jobId: string, timeoutMs = 60_000): Promise<Job> {
  return waitFor(
    `job ${jobId} to end`,
    async () => {
      const j = await t.db.job.findUniqueOrThrow({ where: { id: jobId } });
      return j.status === "succeeded" || j.status === "failed" || j.status === "cancelled" ? j : null;
    },
    timeoutMs,
    100,
  );
}
