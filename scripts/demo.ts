// npm run demo — set up the studio's database, create the OpenFlights demo project (offline, no
// keys), build the app if needed, and serve it on http://localhost:3000 (PORT to change).
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyMigrations } from "@/lib/db/server/migrate";
import { getDatabaseUrl } from "@/lib/db/config";
import { disconnectDb, getDb } from "@/lib/db/server/client";
import { ensureDemoProject } from "@/lib/demo/server/seed";
import { DEMO_USERS } from "@/lib/auth/server/users";

process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.SANDPIPER_LOG ??= "silent";
const root = path.resolve(import.meta.dirname, "..");
const port = process.env.PORT ?? "3000";
const t0 = Date.now();

// Fail early, before any work, when the port is taken.
const portFree = await new Promise<boolean>((resolve) => {
  const probe = net.createServer().once("error", () => resolve(false)).once("listening", () => probe.close(() => resolve(true)));
  probe.listen(Number(port));
});
if (!portFree) {
  console.error(`Port ${port} is already in use (another studio or server?). Stop it, or pick another port: PORT=3001 npm run demo`);
  process.exit(1);
}

await applyMigrations(getDatabaseUrl(), (l) => console.log(`database: ${l}`));
const { created } = await ensureDemoProject(getDb(), (line) => console.log(`demo: ${line}`));
console.log(created ? `demo: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s` : "demo: already set up");
await disconnectDb();

// Rebuild only when a source file changed since the last build.
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".") || entry.name === "data" || entry.name === "generated") continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(tsx?|css|mjs|json)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}
const stampFile = path.join(root, ".next", "sandpiper-source-stamp");
const stamp = String(Math.max(...["app", "lib", "components"].map((d) => newestSource(path.join(root, d))), statSync(path.join(root, "package.json")).mtimeMs));
if (!existsSync(path.join(root, ".next", "BUILD_ID")) || !existsSync(stampFile) || readFileSync(stampFile, "utf8") !== stamp) {
  console.log("build: building the studio (once; about a minute)…");
  const r = spawnSync("npx", ["next", "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
  writeFileSync(stampFile, stamp);
}

console.log(`\nSandpiper is starting on http://localhost:${port}. Sign in with one of the demo accounts (one per role):`);
for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(10)} ${u.email.padEnd(24)} password: ${u.password}`);
console.log("Ctrl+C stops it.\n");
delete process.env.SANDPIPER_LOG;
const server = spawn("npx", ["next", "start", "-p", port], { cwd: root, stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => server.kill(sig));
server.on("exit", (code) => process.exit(code ?? 0));
