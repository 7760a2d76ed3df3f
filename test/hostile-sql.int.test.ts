// Hostile SQL sent through the studio's own API (the editor's Run button and review edits):
// each statement is refused or interrupted within its limit, nothing on disk changes, and the
// server keeps answering other requests meanwhile.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { requireActiveSandbox } from "@/lib/sandbox/server/service";

let t: TestDb;
let routes: ApiRoute[];
let cookie: string;
let sandboxPath: string;
const ids: Record<string, string> = {};

const HOSTILE: [string, string][] = [
  ["read a file", "SELECT * FROM read_csv('/etc/passwd')"],
  ["read text", "SELECT * FROM read_text('/etc/hostname')"],
  ["glob the disk", "SELECT * FROM glob('/*')"],
  ["copy out", "COPY airports TO '/tmp/sandpiper-stolen.csv'"],
  ["attach", "ATTACH '/tmp/sandpiper-other.duckdb' AS other"],
  ["install", "INSTALL httpfs"],
  ["load", "LOAD httpfs"],
  ["set", "SET memory_limit = '100GB'"],
  ["pragma", "PRAGMA database_list"],
  ["create", "CREATE TABLE evil AS SELECT 1"],
  ["drop", "DROP TABLE airports"],
  ["insert", "INSERT INTO countries VALUES ('X', 'XX', 'XX')"],
  ["two statements", "SELECT 1; DROP TABLE airports"],
  ["export", "EXPORT DATABASE '/tmp/sandpiper-export'"],
  ["a 1 MB query", `SELECT '${"x".repeat(1_000_000)}'`],
];

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

beforeAll(async () => {
  routes = await loadApiRoutes();
  t = await createTestDb();
  ids.projectId = await buildProjectToReview(t.db, "Hostile");
  const analyst = await t.db.user.create({ data: { email: "analyst@hostile.test", name: "Analyst" } });
  await t.db.projectMember.create({ data: { projectId: ids.projectId, userId: analyst.id, role: "analyst" } });
  cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, analyst.id)).cookieValue)}`;
  sandboxPath = (await requireActiveSandbox(t.db, ids.projectId)).path;
  ids.pairId = (await t.db.pair.findFirstOrThrow({ where: { projectId: ids.projectId } })).id;
}, 120_000);
afterAll(async () => t?.cleanup());

function route(key: string): ApiRoute {
  return routes.find((r) => r.key === key)!;
}

describe("hostile SQL through the API", () => {
  it("refuses each statement with a message, and leaves the sandbox and the disk unchanged", async () => {
    const before = sha256(sandboxPath);
    const filesBefore = readdirSync(path.dirname(sandboxPath)).sort();
    const run = route("POST /api/projects/[projectId]/sql");
    for (const [what, sql] of HOSTILE) {
      const res = await callRoute(run, { ids, cookie, body: { sql } });
      expect(res.status, what).toBe(400);
      expect(res.json.error?.message, what).toBeTruthy();
    }
    // The same statements as a review edit save nothing.
    const edit = route("PATCH /api/projects/[projectId]/pairs/[pairId]");
    const pair = await t.db.pair.findUniqueOrThrow({ where: { id: ids.pairId } });
    for (const [what, sql] of HOSTILE.slice(0, 6)) {
      const res = await callRoute(edit, { ids, cookie, body: { sql, revision: pair.revision } });
      expect(res.status, what).toBe(400);
    }
    expect((await t.db.pair.findUniqueOrThrow({ where: { id: ids.pairId } })).revision).toBe(pair.revision);
    expect(sha256(sandboxPath)).toBe(before);
    expect(readdirSync(path.dirname(sandboxPath)).sort()).toEqual(filesBefore);
    for (const f of ["/tmp/sandpiper-stolen.csv", "/tmp/sandpiper-other.duckdb", "/tmp/sandpiper-export"]) expect(existsSync(f)).toBe(false);
  });

  it("interrupts runaway queries at the time limit while other requests are still answered", async () => {
    const run = route("POST /api/projects/[projectId]/sql");
    const list = route("GET /api/projects/[projectId]/pairs");
    const started = Date.now();
    const runaway = [
      callRoute(run, { ids, cookie, body: { sql: "SELECT count(*) FROM range(1000000000) a, range(1000000000) b" } }),
      callRoute(run, { ids, cookie, body: { sql: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r" } }),
    ];
    // While both run, the studio keeps serving reviewers.
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      const res = await callRoute(list, { ids, cookie });
      expect(res.status).toBe(200);
      latencies.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 200));
    }
    const results = await Promise.all(runaway);
    const elapsed = Date.now() - started;
    for (const res of results) {
      expect(res.status).toBe(400);
      expect(res.json.error?.message).toMatch(/longer than|stopped|interrupt|memory/i);
    }
    expect(elapsed).toBeLessThan(12_000);
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    // And a normal query still works afterwards.
    const ok = await callRoute(run, { ids, cookie, body: { sql: "SELECT count(*) AS n FROM airports" } });
    expect(ok.status).toBe(200);
  }, 30_000);
});
