// npm run db:migration -- <name>
// Diffs prisma/schema.prisma against the snapshot taken at the last migration and writes a new
// migration for SQLite and for PostgreSQL (the js schema engine cannot diff a live database here).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]+/gi, "_").toLowerCase();
if (!name) {
  console.error("Usage: npm run db:migration -- <name>");
  process.exit(2);
}
const root = path.resolve(import.meta.dirname, "..");
execFileSync("npx", ["tsx", "scripts/prisma-pg.ts"], { cwd: root, stdio: "inherit" });
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
let wrote = 0;
for (const [kind, schema] of [["sqlite", "prisma/schema.prisma"], ["postgres", "prisma/postgres/schema.prisma"]] as const) {
  const dir = path.join(root, "prisma/migrations", kind);
  const snapshot = path.join(dir, "schema.snapshot.prisma");
  mkdirSync(dir, { recursive: true });
  const from = existsSync(snapshot) ? ["--from-schema-datamodel", snapshot] : ["--from-empty"];
  const sql = execFileSync("npx", ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
    console.log(`${kind}: no changes`);
    continue;
  }
  const out = path.join(dir, `${stamp}_${name}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "migration.sql"), sql);
  copyFileSync(path.join(root, schema), snapshot);
  console.log(`${kind}: wrote ${path.relative(root, out)}/migration.sql`);
  wrote++;
}
if (!wrote) console.log("The schema has not changed since the last migration.");
