// Shared steps of the crash tests: the environment of a child process, killing it hard, waiting
// for a job to reach its end after a restart, and starting the review server.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
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

export interface ReviewServer {
  child: ChildProcess;
  url: string;
}

/** Start test/helpers/review-server.ts as its own process; resolves once it listens. */
export async function spawnReviewServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ReviewServer> {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "test/helpers/review-server.ts"], {
    cwd: root,
    env: { ...process.env, SANDPIPER_LOG: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (d) => process.stderr.write(`[review-server ${child.pid}] ${d}`));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error("The review server did not start in time.")), timeoutMs);
      child.stdout?.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        const m = /listening (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The review server exited before listening (code ${code}, signal ${signal}).`));
      });
    });
    return { child, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}
