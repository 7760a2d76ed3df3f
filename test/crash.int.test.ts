import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { spawnWorker, waitFor, waitForExit } from "@/test/helpers/processes";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

// Big enough that generation is still running when the worker is killed.
const BIG_ROWS = { countries: 60, airlines: 500, airports: 3000, planes: 40, routes: 1_000_000 };

describe("killing the worker during sandbox generation", () => {
  it("leaves no half-built sandbox in use, and the restarted worker finishes the job", async () => {
    const project = await createProject(t.db, { name: "Crash", description: "" });
    await ingestDdl(t.db, project.id, OPENFLIGHTS_DDL);
    // A first, small sandbox is active before the crash.
    const env = { DATABASE_URL: t.url, SANDPIPER_DATA_DIR: t.dataDir, SANDPIPER_JOB_STALE_MS: "1500" };
    const first = await requestSandboxGeneration(t.db, project.id, { seed: 1, rowsPerTable: 50 });
    let worker = spawnWorker(env);
    await waitFor("the first sandbox", async () => (await t.db.job.findUniqueOrThrow({ where: { id: first.job.id } })).status === "succeeded");
    const before = await t.db.project.findUniqueOrThrow({ where: { id: project.id } });
    expect(before.activeSandboxId).toBeTruthy();

    const { job } = await requestSandboxGeneration(t.db, project.id, { seed: 2, tableRows: BIG_ROWS });
    await waitFor("generation under way", async () => {
      const j = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
      return j.status === "running" && j.progress >= 2;
    });
    worker.kill("SIGKILL");
    await waitForExit(worker);

    // After the crash: the old sandbox is still the active one, the new one is not ready, and
    // no file exists at the new sandbox's final path.
    const payload = JSON.parse((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).payload) as { sandboxId: string };
    const crashed = await t.db.sandbox.findUniqueOrThrow({ where: { id: payload.sandboxId } });
    expect(crashed.status).toBe("generating");
    expect((await t.db.project.findUniqueOrThrow({ where: { id: project.id } })).activeSandboxId).toBe(before.activeSandboxId);
    const finalPath = path.join(t.dataDir, "sandboxes", project.id, `${crashed.id}.duckdb`);
    expect(existsSync(finalPath)).toBe(false);

    // Restart: the stale job is picked up again and completes on its second attempt.
    worker = spawnWorker(env);
    try {
      const done = await waitFor("the job to end", async () => {
        const j = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
        return j.status === "succeeded" || j.status === "failed" ? j : null;
      }, 120_000, 200);
      expect(done.status).toBe("succeeded");
      expect(done.attempts).toBe(2);
    } finally {
      worker.kill("SIGTERM");
      await waitForExit(worker);
    }
    const ready = await t.db.sandbox.findUniqueOrThrow({ where: { id: crashed.id } });
    expect(ready.status).toBe("ready");
    expect(JSON.parse(ready.rowCounts).routes).toBe(BIG_ROWS.routes);
    expect((await t.db.project.findUniqueOrThrow({ where: { id: project.id } })).activeSandboxId).toBe(crashed.id);
    // No temp files are left beside the sandboxes.
    const leftovers = readdirSync(path.dirname(finalPath)).filter((f) => !f.endsWith(".duckdb"));
    expect(leftovers).toEqual([]);
  }, 180_000);
});
