import "server-only";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/sqlite/client";
import { PrismaClient as PgPrismaClient } from "@/lib/generated/postgres/client";
import { getDatabaseKind, getDatabaseUrl, getSqlitePath } from "@/lib/db/config";

export type Db = PrismaClient;
/** A transaction client, accepted wherever repositories take the client. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

const globalForDb = globalThis as unknown as { sandpiperDb?: Db; sandpiperDbUrl?: string };

export function createDb(url = getDatabaseUrl()): Db {
  if (getDatabaseKind(url) === "postgres") {
    // The PostgreSQL client is generated from the same model (scripts/prisma-pg.ts), so its API
    // is the SQLite client's; only the adapter and the SQL it emits differ.
    return new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) }) as unknown as Db;
  }
  // busy timeout: writers wait for each other instead of failing with SQLITE_BUSY.
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: getSqlitePath(url), timeout: 10_000 }) });
  // In WAL mode (set by the migrator), NORMAL survives a crash of the process without an fsync per
  // commit; better-sqlite3 is synchronous, so every fsync would stall the whole server.
  void client.$executeRawUnsafe("PRAGMA synchronous = NORMAL").catch(() => {});
  // Lets hot paths open their own plain connection to the same file (lib/db/server/sqlite-fast.ts).
  return Object.assign(client, { sandpiperSqlitePath: getSqlitePath(url) });
}

/** The process-wide client (one per server or worker process). */
export function getDb(): Db {
  const url = getDatabaseUrl();
  if (!globalForDb.sandpiperDb || globalForDb.sandpiperDbUrl !== url) {
    globalForDb.sandpiperDb = createDb(url);
    globalForDb.sandpiperDbUrl = url;
  }
  return globalForDb.sandpiperDb;
}

export async function disconnectDb(): Promise<void> {
  const db = globalForDb.sandpiperDb;
  globalForDb.sandpiperDb = undefined;
  globalForDb.sandpiperDbUrl = undefined;
  await db?.$disconnect();
}
