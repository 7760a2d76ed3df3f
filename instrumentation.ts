// Runs once when the studio server starts: bring the database up to date and start the in-process
// job workers and the fine-tune follower (turn them off with SANDPIPER_WORKER=off when workers run
// separately: npm run worker).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { applyMigrations } = await import("@/lib/db/server/migrate");
  const { getDatabaseUrl } = await import("@/lib/db/config");
  await applyMigrations(getDatabaseUrl());
  if (process.env.SANDPIPER_WORKER === "off") return;
  const { getDb } = await import("@/lib/db/server/client");
  const { startStudioWorkers } = await import("@/lib/jobs/server/handlers");
  const db = getDb();
  // Fine-tune jobs are followed from their rows: a restart picks every running job up again.
  const g = globalThis as unknown as { sandpiperWorkers?: unknown };
  if (!g.sandpiperWorkers) g.sandpiperWorkers = startStudioWorkers(db);
}
