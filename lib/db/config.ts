// Where the studio keeps its state. DATABASE_URL picks the database (SQLite file by default,
// PostgreSQL when it starts with postgres:// or postgresql://); SANDPIPER_DATA_DIR holds sandboxes.
import path from "node:path";

export type DatabaseKind = "sqlite" | "postgres";

export function getDataDir(): string {
  return path.resolve(process.env.SANDPIPER_DATA_DIR ?? path.join(/* turbopackIgnore: true */ process.cwd(), "data"));
}

export function getDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? `file:${path.join(getDataDir(), "sandpiper.db")}`;
}

export function getDatabaseKind(url = getDatabaseUrl()): DatabaseKind {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgres";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL); got "${url.split(":")[0]}:…".`);
}

/** The path of a SQLite database URL (file:relative/or/absolute.db). */
export function getSqlitePath(url: string): string {
  return path.resolve(url.slice("file:".length));
}
