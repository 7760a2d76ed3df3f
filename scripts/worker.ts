// npm run worker — run background jobs in a process of their own (the studio server also runs
// one unless SANDPIPER_WORKER=off). Stops cleanly on SIGINT/SIGTERM; a SIGKILL is recovered from
// by whichever worker next sees the job's heartbeat go stale.
import { getDb, disconnectDb } from "@/lib/db/server/client";
import { applyMigrations } from "@/lib/db/server/migrate";
import { getDatabaseUrl } from "@/lib/db/config";
import { startWorker } from "@/lib/jobs/server/worker";
import { getJobHandlers } from "@/lib/jobs/server/handlers";
import { startFineTuneFollower } from "@/lib/finetune/server/follow";
import { logger } from "@/lib/log";

await applyMigrations(getDatabaseUrl());
const db = getDb();
const worker = startWorker({ db, handlers: getJobHandlers(db) });
const follower = startFineTuneFollower(db);
logger.info("worker started", { workerId: worker.workerId });

async function shutdown(signal: string) {
  logger.info("worker stopping", { signal });
  await Promise.all([worker.stop(), follower.stop()]);
  await disconnectDb();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
