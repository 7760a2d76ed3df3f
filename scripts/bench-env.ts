// Shared by the benchmark scripts: numbers read from the environment, and a throwaway studio (its
// own data folder and SQLite database) set up before any studio module reads its settings.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** A positive number from the environment (an integer unless `integer` is false); exits with a message otherwise. */
export function numberFromEnv(name: string, fallback: number, { integer = false }: { integer?: boolean } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    console.error(`${name} must be a positive ${integer ? "integer" : "number"}; got "${raw}".`);
    process.exit(1);
  }
  return value;
}

/**
 * A temp folder with a fresh data dir and studio database, exported to SANDPIPER_DATA_DIR and
 * DATABASE_URL (logs silenced). Call it before importing the studio's modules: they read these once.
 */
export function throwawayStudio(name: string): { workDir: string; dataDir: string; databaseUrl: string } {
  const workDir = mkdtempSync(path.join(os.tmpdir(), `sandpiper-bench-${name}-`));
  const dataDir = path.join(workDir, "data");
  const databaseUrl = `file:${path.join(dataDir, "sandpiper.db")}`;
  process.env.SANDPIPER_DATA_DIR = dataDir;
  process.env.DATABASE_URL = databaseUrl;
  process.env.SANDPIPER_LOG = "silent";
  return { workDir, dataDir, databaseUrl };
}
