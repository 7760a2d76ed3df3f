// npm run worker — run background jobs in a process of their own (the studio server also runs
// one unless SANDPIPER_WORKER=off). Stops cleanly on SIGINT/SIGTERM; a SIGKILL is recovered from
// by whichever worker next sees the job's heartbeat go stale.
import { getDb, disconnectDb } from "@/lib/db/server/client";
import { applyMigrations } from "@/lib/db/server/migrate";
import { getDatabaseUrl } from "@/lib/db/config";
import { startStudioWorkers } from "@/lib/jobs/server/handlers";
import { logger } from "@/lib/log";

await applyMigrations(getDatabaseUrl());
const db = getDb();
const workers = startStudioWorkers(db);
logger.info("worker started", { pid: process.pid, lanes: ["jobs", "fine-tune launches"], follower: true });

async function shutdown(signal: string) {
  logger.info("worker stopping", { signal });
  await workers.stop();
  await disconnectDb();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
