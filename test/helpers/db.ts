// A throwaway studio database for one integration test file: a fresh SQLite file in a temp
// folder, or (SANDPIPER_TEST_DB=postgres) the local PostgreSQL `test` database wiped and migrated.
// The guard refuses any database that is not plainly a test one.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { applyMigrations } from "@/lib/db/server/migrate";
import { createDb, type Db } from "@/lib/db/server/client";
import { closeFastSqlite } from "@/lib/db/server/sqlite-fast";

export const TEST_PG_URL = process.env.SANDPIPER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export function usingPostgres(): boolean {
  return process.env.SANDPIPER_TEST_DB === "postgres";
}

function assertTestDatabase(url: string): void {
  if (url.startsWith("file:")) {
    if (!path.resolve(url.slice(5)).startsWith(os.tmpdir())) throw new Error(`Refusing to run tests against ${url}: not in the temp folder.`);
    return;
  }
  const name = new URL(url).pathname.slice(1);
  if (!/test/i.test(name)) throw new Error(`Refusing to run tests against PostgreSQL database "${name}": its name must contain "test".`);
}

export interface TestDb {
  db: Db;
  url: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-test-"));
  let url: string;
  if (usingPostgres()) {
    url = TEST_PG_URL;
    assertTestDatabase(url);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
    await client.end();
  } else {
    url = `file:${path.join(dataDir, "studio.db")}`;
    assertTestDatabase(url);
  }
  await applyMigrations(url);
  process.env.DATABASE_URL = url;
  process.env.SANDPIPER_DATA_DIR = dataDir;
  const db = createDb(url);
  return {
    db,
    url,
    dataDir,
    async cleanup() {
      closeFastSqlite();
      await db.$disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
