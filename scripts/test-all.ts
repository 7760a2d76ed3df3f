// npm test — every tier, in order, stopping at the first failure:
// typecheck, lint, unit, integration on SQLite, integration on PostgreSQL, production build, e2e.
// Set SANDPIPER_SKIP_PG=1 only on a machine without PostgreSQL (CI never does).
import { spawnSync } from "node:child_process";
import net from "node:net";

const started = Date.now();
const timings: [string, number][] = [];

function step(name: string, cmd: string, args: string[], env: Record<string, string> = {}) {
  const t0 = Date.now();
  console.log(`\n━━ ${name} ━━ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  timings.push([name, Date.now() - t0]);
  if (r.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function canReach(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, timeout: 2000 }, () => {
      s.end();
      resolve(true);
    });
    s.on("error", () => resolve(false));
    s.on("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}

step("typecheck", "npx", ["tsc", "--noEmit"]);
step("lint", "npx", ["eslint", "."]);
step("unit", "npx", ["vitest", "run", "--project", "unit"]);
step("integration (SQLite)", "npx", ["vitest", "run", "--project", "int"]);
if (process.env.SANDPIPER_SKIP_PG === "1") {
  console.log("\n━━ integration (PostgreSQL) ━━ not run: SANDPIPER_SKIP_PG=1");
} else {
  if (!(await canReach("127.0.0.1", 5432))) {
    console.error("PostgreSQL is not reachable on 127.0.0.1:5432. Start it (see CONTRIBUTING.md) or set SANDPIPER_SKIP_PG=1 on a machine without it.");
    process.exit(1);
  }
  step("integration (PostgreSQL)", "npx", ["vitest", "run", "--project", "int"], { SANDPIPER_TEST_DB: "postgres" });
}
step("build", "npx", ["next", "build"]);
step("e2e", "npx", ["playwright", "test"]);

console.log("\n━━ summary ━━");
for (const [name, ms] of timings) console.log(`${name.padEnd(28)} ${(ms / 1000).toFixed(1)} s`);
console.log(`${"total".padEnd(28)} ${((Date.now() - started) / 1000).toFixed(1)} s`);
