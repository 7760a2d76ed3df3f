// Runs once when the studio server starts: bring the database up to date and start the in-process
// job worker and the fine-tune follower (turn both off with SANDPIPER_WORKER=off when workers run
// separately: npm run worker).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { applyMigrations } = await import("@/lib/db/server/migrate");
  const { getDatabaseUrl } = await import("@/lib/db/config");
  await applyMigrations(getDatabaseUrl());
  if (process.env.SANDPIPER_WORKER === "off") return;
  const { getDb } = await import("@/lib/db/server/client");
  const { startWorker } = await import("@/lib/jobs/server/worker");
  const { getJobHandlers } = await import("@/lib/jobs/server/handlers");
  const db = getDb();
  const g = globalThis as unknown as { sandpiperWorker?: unknown };
  if (!g.sandpiperWorker) g.sandpiperWorker = startWorker({ db, handlers: getJobHandlers(db) });
  // Fine-tune jobs are followed from their rows: a restart picks every running job up again.
  const { startFineTuneFollower } = await import("@/lib/finetune/server/follow");
  const f = globalThis as unknown as { sandpiperFollower?: unknown };
  if (!f.sandpiperFollower) f.sandpiperFollower = startFineTuneFollower(db);
}
