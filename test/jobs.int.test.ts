import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { claimNextJob, enqueueJob, finishJob, recoverStaleJobs, requestCancel } from "@/lib/jobs/server/queue";
import { startWorker } from "@/lib/jobs/server/worker";
import { ConflictError } from "@/lib/errors";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

describe("durable jobs", () => {
  it("lets exactly one of several racing workers claim a job", async () => {
    const { job } = await enqueueJob(t.db, { type: "race" });
    const claims = await Promise.all(["w1", "w2", "w3", "w4"].map((w) => claimNextJob(t.db, w, ["race"])));
    const winners = claims.filter((c) => c?.id === job.id);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.attempts).toBe(1);
    await finishJob(t.db, job.id, winners[0]!.workerId!, { status: "succeeded" });
  });

  it("re-queues a job whose worker stopped, then fails it with a message after its last attempt", async () => {
    const { job } = await enqueueJob(t.db, { type: "stale", maxAttempts: 2, activeKey: "stale:1" });
    await claimNextJob(t.db, "dead-worker", ["stale"]);
    await new Promise((r) => setTimeout(r, 30));
    expect(await recoverStaleJobs(t.db, 10)).toEqual({ requeued: [job.id], failed: [] });
    expect((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("queued");
    await claimNextJob(t.db, "dead-again", ["stale"]);
    await new Promise((r) => setTimeout(r, 30));
    expect(await recoverStaleJobs(t.db, 10)).toEqual({ requeued: [], failed: [job.id] });
    const failed = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/stopped.*attempt 2 of 2/);
    expect(failed.activeKey).toBeNull();
  });

  it("cancels a queued job at once and a running one at its next progress report", async () => {
    const { job: queued } = await enqueueJob(t.db, { type: "never-claimed" });
    expect((await requestCancel(t.db, queued.id)).status).toBe("cancelled");
    await expect(requestCancel(t.db, queued.id)).rejects.toBeInstanceOf(ConflictError);
    // One audit event for the cancel that happened, none for the refused one.
    expect(await t.db.auditEvent.count({ where: { action: "job.cancel", entityId: queued.id } })).toBe(1);

    let steps = 0;
    const worker = startWorker({
      db: t.db,
      pollMs: 10,
      handlers: {
        slow: async (ctx) => {
          for (let i = 0; i < 200; i++) {
            steps++;
            await ctx.progress(i / 2, `step ${i}`);
            await new Promise((r) => setTimeout(r, 10));
          }
        },
      },
    });
    const { job } = await enqueueJob(t.db, { type: "slow" });
    while ((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).status !== "running") await new Promise((r) => setTimeout(r, 10));
    await requestCancel(t.db, job.id);
    await worker.drain();
    await worker.stop();
    const done = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(done.status).toBe("cancelled");
    expect(steps).toBeLessThan(200);
  });

  it("records a handler's error as the job's message", async () => {
    const worker = startWorker({ db: t.db, pollMs: 10, handlers: { boom: async () => Promise.reject(new Error("disk full")) } });
    const { job } = await enqueueJob(t.db, { type: "boom" });
    await worker.drain();
    await worker.stop();
    const done = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
    expect(done.status).toBe("failed");
    expect(done.error).toContain("disk full");
  });
});
