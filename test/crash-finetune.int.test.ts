import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { spawnWorker, waitFor } from "@/test/helpers/processes";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { childEnv, killHard, stopChild } from "@/test/helpers/crash";
import { startFireworksStandIn, type FireworksStandIn } from "@/test/stand-ins/fireworks-server";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { createConnection } from "@/lib/providers/server/connections";
import { launchFineTune } from "@/lib/finetune/server/service";
import { providerIdOf } from "@/lib/finetune/plan";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";

// A studio that dies is restarted and carries on: the worker (which also runs the follower) is
// killed with SIGKILL while the launch waits for Fireworks, and again while the job trains. Each
// new worker picks the work up from the database; Fireworks ends up with one of everything.

let t: TestDb;
let fw: FireworksStandIn;

beforeAll(async () => {
  t = await createTestDb();
  // Datasets and the evaluator take several reads to be ready: a window to kill the launch in.
  fw = await startFireworksStandIn({ apiKey: "fw-crash-key-1", accountId: "crash", readyAfterPolls: 6, runningPolls: 8 });
}, 60_000);

afterAll(async () => {
  await fw?.close();
  await closeAllSandboxReaders();
  await t?.cleanup();
});

describe("killing the studio during a fine-tune", () => {
  it("resumes the launch and the following after each kill, making nothing twice", async () => {
    const projectId = await buildProjectToReview(t.db, "Crash fine-tune");
    const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
    for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
    const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, validationFraction: 0.1, seed: 3 });
    await t.db.datasetVersion.update({ where: { id: version.id }, data: { approvalState: "signed_off", approvedAt: new Date() } });
    const connection = await createConnection(t.db, projectId, { kind: "fireworks", name: "Fireworks", apiKey: "fw-crash-key-1", settings: { accountId: "crash", apiBaseUrl: fw.apiBaseUrl, inferenceBaseUrl: fw.inferenceBaseUrl } });
    const { job } = await launchFineTune(t.db, projectId, {
      kind: "fireworks_rft",
      name: "Survives restarts",
      launchKey: "crash-launch-1",
      connectionId: connection.id,
      datasetVersionId: version.id,
      evaluatorUrl: "https://studio.crash.test",
      settings: { baseModel: "accounts/fireworks/models/qwen3-8b" },
    });

    const env = { ...childEnv(t), SANDPIPER_FINETUNE_POLL_MS: "150" };
    const row = () => t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
    let worker: ChildProcess | null = spawnWorker(env);
    try {
      // 1. Killed while the launch waits for the training dataset to be READY.
      await waitFor("the training file uploaded and recorded", async () => (await row()).resources.includes("trainDatasetUploaded"), 60_000, 20);
      expect(fw.state.datasets.get(providerIdOf(job.id, "train"))?.resource.state).not.toBe("READY");
      await killHard(worker);
      worker = null;
      expect((await row()).externalId).toBeNull();
      expect((await t.db.job.findFirstOrThrow({ where: { id: (await row()).launchJobId! } })).status).toBe("running");

      // 2. A new worker takes the stale launch over, creates the job; killed while it trains.
      worker = spawnWorker(env);
      await waitFor("the job training", async () => (await row()).state === "running" && ((await row()).progress ?? 0) > 0, 90_000, 50);
      await killHard(worker);
      worker = null;

      // 3. A third one only follows: the job completes.
      worker = spawnWorker(env);
      await waitFor("the job completed", async () => (await row()).state === "completed", 90_000, 100);
    } finally {
      await stopChild(worker);
    }

    const done = await row();
    expect(done.error).toBeNull();
    expect(done.outputModel).toMatch(/^accounts\/crash\/models\//);
    expect(JSON.parse(done.metrics).length).toBeGreaterThan(0);
    const launch = await t.db.job.findUniqueOrThrow({ where: { id: done.launchJobId! } });
    expect(launch.status).toBe("succeeded");
    expect(launch.attempts).toBe(2);
    // One of everything at Fireworks.
    expect([...fw.state.datasets.keys()].filter((k) => k.startsWith(providerIdOf(job.id)))).toHaveLength(2);
    expect([...fw.state.evaluators.keys()]).toHaveLength(1);
    expect([...fw.state.jobs.keys()]).toHaveLength(1);
    // A file is uploaded once per dataset: the resumed launch saw the upload recorded.
    const uploads = fw.requests.filter((r) => r.method === "POST" && r.path.endsWith(":upload"));
    expect(uploads.length).toBeLessThanOrEqual(2);
  }, 300_000);
});
