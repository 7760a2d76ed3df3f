import "server-only";
import Database from "better-sqlite3";
import type { Db } from "@/lib/db/server/client";

// The review decision and its authorization run on every keystroke of a fast reviewer. On SQLite
// they go through one plain better-sqlite3 connection with prepared statements (microseconds)
// instead of the ORM's per-query compilation; PostgreSQL keeps the Prisma path. The two paths
// are tested against each other by the same integration tests.

const connections = new Map<string, Database.Database>();
const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** The raw connection for a SQLite-backed client, or null on PostgreSQL. */
export function getFastSqlite(db: Db): Database.Database | null {
  const file = (db as unknown as { sandpiperSqlitePath?: string }).sandpiperSqlitePath;
  if (!file) return null;
  let conn = connections.get(file);
  if (!conn || !conn.open) {
    conn = new Database(file, { timeout: 10_000, fileMustExist: true });
    conn.pragma("journal_mode = WAL");
    conn.pragma("synchronous = NORMAL");
    conn.pragma("foreign_keys = ON");
    connections.set(file, conn);
  }
  return conn;
}

export function prepared(conn: Database.Database, sql: string): Database.Statement {
  let byText = statements.get(conn);
  if (!byText) statements.set(conn, (byText = new Map()));
  let stmt = byText.get(sql);
  if (!stmt) byText.set(sql, (stmt = conn.prepare(sql)));
  return stmt;
}

/** DateTime as Prisma's SQLite adapter stores it (ISO 8601 with an explicit offset). */
export function sqliteNow(date = new Date()): string {
  return date.toISOString().replace("Z", "+00:00");
}

export function closeFastSqlite(file?: string): void {
  for (const [path, conn] of connections) {
    if (file && path !== file) continue;
    conn.close();
    connections.delete(path);
  }
}
