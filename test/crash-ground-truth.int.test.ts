import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { spawnWorker, waitFor } from "@/test/helpers/processes";
import { startTestWorker } from "@/test/helpers/pipeline";
import { childEnv, killHard, stopChild, waitForJobEnd } from "@/test/helpers/crash";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

// Enough rows that executing the template queries takes a second or two (the Openflights
// templates give about 80 distinct queries however large `max` is), small enough to build fast.
const ROWS = { countries: 60, airlines: 400, airports: 3000, planes: 40, routes: 100_000 };

describe("killing the worker while ground truth is being executed", () => {
  it("resumes the job without re-executing stored results or duplicating queries", async () => {
    const project = await createProject(t.db, { name: "Crash ground truth", description: "" });
    await ingestDdl(t.db, project.id, OPENFLIGHTS_DDL);
    const inProcess = startTestWorker(t.db);
    try {
      await requestSandboxGeneration(t.db, project.id, { seed: 3, tableRows: ROWS, variants: 0 });
      await inProcess.drain();
    } finally {
      await inProcess.stop();
    }
    expect((await t.db.project.findUniqueOrThrow({ where: { id: project.id } })).activeSandboxId).toBeTruthy();

    const { job } = await requestQueryGeneration(t.db, project.id, { max: 2000, seed: 11 });
    const env = childEnv(t);
    let worker: ChildProcess | null = spawnWorker(env);
    let before: Awaited<ReturnType<typeof t.db.query.findMany>> = [];
    try {
      // Ground truth runs after every query is stored, so once some have executedAt set the set
      // of queries is complete; kill while a good share is still waiting.
      const executedWhere = { projectId: project.id, executedAt: { not: null } };
      await waitFor(
        "ground truth under way",
        async () => {
          const [executed, total] = await Promise.all([t.db.query.count({ where: executedWhere }), t.db.query.count({ where: { projectId: project.id } })]);
          return executed >= 10 && total - executed >= 30;
        },
        30_000,
        20,
      );
      await killHard(worker);
      worker = null;

      const crashedJob = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(crashedJob.status).toBe("running");
      expect(crashedJob.attempts).toBe(1);
      before = await t.db.query.findMany({ where: { projectId: project.id } });
      const executedBefore = before.filter((q) => q.executedAt !== null);
      expect(executedBefore.length).toBeGreaterThan(0);
      expect(executedBefore.length).toBeLessThan(before.length);
      // Nothing half-written: a query is either untouched or fully labelled.
      for (const q of before) {
        if (q.executedAt === null) {
          expect(q.result).toBeNull();
          expect(q.executionError).toBeNull();
          expect(q.resultSandboxId).toBeNull();
        } else {
          expect((q.result === null) !== (q.executionError === null)).toBe(true);
        }
      }

      worker = spawnWorker(env);
      const done = await waitForJobEnd(t, job.id, 60_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("succeeded");
      expect(done.attempts).toBe(2);
      // The second attempt added nothing and executed only what was left.
      const outcome = JSON.parse(done.result!) as { added: number; executed: number; failed: number };
      expect(outcome.added).toBe(0);
      expect(outcome.executed + outcome.failed).toBe(before.length - executedBefore.length);
    } finally {
      await stopChild(worker);
    }

    const after = await t.db.query.findMany({ where: { projectId: project.id } });
    // No query stored twice.
    expect(new Set(after.map((q) => q.sql)).size).toBe(after.length);
    const sandboxId = (await t.db.project.findUniqueOrThrow({ where: { id: project.id } })).activeSandboxId;
    for (const q of after) {
      expect(q.executedAt).not.toBeNull();
      expect(q.resultSandboxId).toBe(sandboxId);
      expect((q.result === null) !== (q.executionError === null)).toBe(true);
    }
    // Every query was there before the kill (none added or lost), and every stored label is
    // exactly the one written by the first attempt: same result, same execution time.
    expect(after.map((q) => q.id).sort()).toEqual(before.map((q) => q.id).sort());
    const byId = new Map(after.map((q) => [q.id, q]));
    for (const q of before.filter((b) => b.executedAt !== null)) {
      const now = byId.get(q.id)!;
      expect(now.executedAt!.getTime()).toBe(q.executedAt!.getTime());
      expect(now.result).toBe(q.result);
      expect(now.executionError).toBe(q.executionError);
    }
  }, 60_000);
});
