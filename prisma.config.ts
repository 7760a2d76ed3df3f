import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The js (WebAssembly) schema engine works offline; the native one would be downloaded.
// The CLI only generates clients and diffs migration SQL (scripts/new-migration.ts);
// migrations are applied by scripts/migrate.ts, for SQLite and PostgreSQL alike.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  adapter: async () => new PrismaBetterSQLite3({ url: "file::memory:" }),
});
