import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview, startTestWorker } from "@/test/helpers/pipeline";
import { startFireworksStandIn, type FireworksStandIn } from "@/test/stand-ins/fireworks-server";
import { startBedrockControlStandIn, type BedrockControlStandIn } from "@/test/stand-ins/bedrock-control-server";
import { createBucket, MOTO_CREDENTIALS, MOTO_REGION, startMoto, type Moto } from "@/test/helpers/moto";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";
import { ConflictError, ValidationError } from "@/lib/errors";
import { createConnection, deleteConnection, testConnection, updateConnection } from "@/lib/providers/server/connections";
import { cancelFineTune, deployFineTune, estimateFineTune, getFineTuneJob, launchFineTune, listFineTuneJobs, retryFineTuneLaunch, undeployFineTune } from "@/lib/finetune/server/service";
import { pollDueFineTuneJobs, pollFineTuneJob, reconcileAbandonedLaunches, startFineTuneFollower } from "@/lib/finetune/server/follow";
import { ensureBaselineEndpoint, testEndpoint } from "@/lib/evaluation/server/endpoints";
import { startEvalRun } from "@/lib/evaluation/server/service";
import { startStudioWorkers } from "@/lib/jobs/server/handlers";
import { waitFor } from "@/test/helpers/processes";
import { createS3Store } from "@/lib/providers/server/s3-store";
import type { LaunchFineTuneRequest } from "@/lib/finetune/types";
import { bedrockNameOf, providerIdOf } from "@/lib/finetune/plan";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";

// Fine-tune jobs from launch to a registered endpoint, through the real job worker and the
// follower, against the Fireworks and Bedrock stand-ins and a real S3 (moto).

let t: TestDb;
let projectId: string;
let versionId: string;
let userId: string;
let fw: FireworksStandIn;
let moto: Moto;
let bedrock: BedrockControlStandIn;
let fwConnection: string;
let awsConnection: string;
const BUCKET = "sandpiper-finetune-test";
const QWEN = "accounts/fireworks/models/qwen3-8b";
let keyCounter = 0;
/** Bedrock jobs (by job name) the stand-in fails. */
const failingBedrockJobs = new Set<string>();

function launchKey(): string {
  return `test-launch-${++keyCounter}-${Date.now()}`;
}

/** Runs the launch job, then polls the job until it ends (or `until` holds), like the follower does. */
async function runToEnd(jobId: string, until: (state: string) => boolean = (s) => ["completed", "failed", "cancelled"].includes(s), maxPolls = 40) {
  const worker = startTestWorker(t.db);
  await worker.drain();
  await worker.stop();
  for (let i = 0; i < maxPolls; i++) {
    const job = await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: jobId } });
    if (until(job.state) && job.deploymentState !== "creating") return job;
    await pollFineTuneJob(t.db, jobId);
  }
  return t.db.fineTuneJob.findUniqueOrThrow({ where: { id: jobId } });
}

function rft(overrides: Partial<Extract<LaunchFineTuneRequest, { kind: "fireworks_rft" }>> = {}, settings: Record<string, unknown> = {}): LaunchFineTuneRequest {
  return {
    kind: "fireworks_rft",
    name: "RFT run",
    launchKey: launchKey(),
    connectionId: fwConnection,
    datasetVersionId: versionId,
    evaluatorUrl: "https://studio.example.test",
    settings: { baseModel: QWEN, epochs: 1, ...settings },
    ...overrides,
  } as LaunchFineTuneRequest;
}

beforeAll(async () => {
  process.env.SANDPIPER_FINETUNE_POLL_MS = "100";
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Fine-tune");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, validationFraction: 0.1, seed: 5 });
  versionId = version.id;
  await t.db.datasetVersion.update({ where: { id: versionId }, data: { approvalState: "signed_off", approvedAt: new Date() } });
  userId = (await t.db.user.create({ data: { email: "lead@finetune.test", name: "Dana Lead" } })).id;

  fw = await startFireworksStandIn({ apiKey: "fw-test-key-123", accountId: "acme", runningPolls: 3 });
  fwConnection = (
    await createConnection(t.db, projectId, { kind: "fireworks", name: "Fireworks", apiKey: "fw-test-key-123", settings: { accountId: "acme", apiBaseUrl: fw.apiBaseUrl, inferenceBaseUrl: fw.inferenceBaseUrl } }, userId)
  ).id;

  moto = await startMoto();
  await createBucket(moto.endpoint, BUCKET);
  bedrock = await startBedrockControlStandIn({
    s3: { endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS },
    accessKeyId: MOTO_CREDENTIALS.accessKeyId,
    secretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
    completeAfterPolls: 3,
    jobOutcome: (job) => (failingBedrockJobs.has(job.jobName) ? "fail" : "complete"),
  });
  awsConnection = (
    await createConnection(
      t.db,
      projectId,
      {
        kind: "aws",
        name: "AWS",
        accessKeyId: MOTO_CREDENTIALS.accessKeyId,
        secretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
        settings: { region: "us-east-1", credentialMode: "keys", bucket: BUCKET, prefix: "studio", roleArn: "arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole", bedrockEndpoint: bedrock.url, s3Endpoint: moto.endpoint },
      },
      userId,
    )
  ).id;
}, 240_000);

afterAll(async () => {
  delete process.env.SANDPIPER_FINETUNE_POLL_MS;
  await fw?.close();
  await bedrock?.close();
  await moto?.close();
  await closeAllSandboxReaders();
  await t?.cleanup();
});

describe("connections", () => {
  it("tests a Fireworks and an AWS connection against the providers and keeps the result", async () => {
    const ok = await testConnection(t.db, projectId, fwConnection);
    expect(ok.ok).toBe(true);
    const aws = await testConnection(t.db, projectId, awsConnection);
    expect(aws.checks.find((c) => /bucket/i.test(c.name))?.ok).toBe(true);
    const row = await t.db.providerConnection.findUniqueOrThrow({ where: { id: fwConnection } });
    expect(row.testOk).toBe(true);
    expect(row.secretCipher).not.toContain("fw-test-key-123");
  });

  it("reports a refused key as a failed check, not an exception", async () => {
    const bad = await createConnection(t.db, projectId, { kind: "fireworks", name: "Bad key", apiKey: "fw-wrong-key-999", settings: { accountId: "acme", apiBaseUrl: fw.apiBaseUrl, inferenceBaseUrl: fw.inferenceBaseUrl } }, userId);
    const result = await testConnection(t.db, projectId, bad.id);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/401|key/i);
    await deleteConnection(t.db, projectId, bad.id, userId);
  });
});

describe("Fireworks RFT", () => {
  let jobId: string;

  it("estimates before launching and refuses a version that is not approved", async () => {
    const plan = await estimateFineTune(t.db, projectId, rft());
    expect(plan.trainExamples).toBeGreaterThan(10);
    expect(plan.validationExamples).toBeGreaterThan(0);
    expect(plan.estimate.usd).toBe(0);
    const draft = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 9 });
    await expect(launchFineTune(t.db, projectId, rft({ datasetVersionId: draft.id }), userId)).rejects.toThrow(/not approved/);
    await expect(launchFineTune(t.db, projectId, rft({ connectionId: awsConnection }), userId)).rejects.toThrow(ValidationError);
  });

  it("launches once per launch key, even when the same request races", async () => {
    const request = rft();
    const results = await Promise.all([0, 1, 2, 3].map(() => launchFineTune(t.db, projectId, request, userId)));
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    jobId = results[0].job.id;
    expect(await t.db.job.count({ where: { type: "finetune.launch", payload: { contains: jobId } } })).toBe(1);
  });

  it("uploads the data, builds the evaluator, trains to completion with curves", async () => {
    const job = await runToEnd(jobId);
    expect(job.state).toBe("completed");
    const detail = await getFineTuneJob(t.db, projectId, jobId);
    expect(detail.resources.trainDataset).toMatch(/^accounts\/acme\/datasets\/sp-/);
    expect(detail.resources.validationDataset).toBeDefined();
    expect(detail.resources.evaluator).toMatch(/^accounts\/acme\/evaluators\/sp-/);
    expect(detail.outputModel).toMatch(/^accounts\/acme\/models\/sp-/);
    expect(detail.progress).toBe(100);
    expect(detail.metrics.length).toBeGreaterThan(3);
    expect(detail.metrics.some((m) => typeof m.reward === "number")).toBe(true);
    expect(detail.events.map((e) => e.state).filter(Boolean)).toEqual(expect.arrayContaining(["queued", "preparing", "launching", "running", "completed"]));
    // The evaluator's token was revoked when training ended.
    const token = await t.db.sandboxAccessToken.findFirstOrThrow({ where: { datasetVersionId: versionId, name: { contains: "Reward of fine-tune job" } } });
    expect(token.revokedAt).not.toBeNull();
    // What the provider received: one dataset per split, one evaluator, one job.
    const creates = fw.requests.filter((r) => r.method === "POST" && /\/(datasets|evaluatorsV2|reinforcementFineTuningJobs)$/.test(r.path));
    expect(creates.length).toBe(4);
  });

  it("deploys the model and registers it as an endpoint that answers", async () => {
    await expect(cancelFineTune(t.db, projectId, jobId, userId)).rejects.toThrow(ConflictError);
    const clicks = await Promise.all([deployFineTune(t.db, projectId, jobId, userId), deployFineTune(t.db, projectId, jobId, userId)]);
    expect(clicks.every((d) => d.deploymentState === "creating" || d.deploymentState === "ready")).toBe(true);
    const job = await runToEnd(jobId);
    expect(job.deploymentState).toBe("ready");
    expect(fw.state.deployments.size).toBe(1);
    const detail = await getFineTuneJob(t.db, projectId, jobId);
    expect(detail.endpointId).toBeTruthy();
    const endpoint = await t.db.modelEndpoint.findUniqueOrThrow({ where: { id: detail.endpointId! } });
    expect(endpoint).toMatchObject({ kind: "openai_compatible", connectionId: fwConnection, fineTuneJobId: jobId });
    const tested = await testEndpoint(t.db, projectId, endpoint.id);
    expect(tested.ok).toBe(true);
    // Deleting the deployment stops billing; deploying again makes a new one the endpoint calls.
    const undeployed = await undeployFineTune(t.db, projectId, jobId, userId);
    expect(undeployed.deploymentState).toBe("deleted");
    expect(undeployed.endpointId).toBe(detail.endpointId);
    expect([...fw.state.deployments.values()].filter((d) => d.resource.state !== "DELETED" && d.resource.state !== "DELETING")).toHaveLength(0);
    await expect(undeployFineTune(t.db, projectId, jobId, userId)).rejects.toThrow(ConflictError);
    await deployFineTune(t.db, projectId, jobId, userId);
    const again = await runToEnd(jobId);
    expect(again.deploymentState).toBe("ready");
    expect(again.deploymentId).toMatch(/-dep2$/);
    expect((await t.db.modelEndpoint.findUniqueOrThrow({ where: { id: detail.endpointId! } })).model).toBe(again.deploymentId);
    expect(await t.db.modelEndpoint.count({ where: { fineTuneJobId: jobId } })).toBe(1);
    expect((await testEndpoint(t.db, projectId, detail.endpointId!)).ok).toBe(true);
    // A connection with an endpoint on it cannot be deleted from under it.
    await expect(deleteConnection(t.db, projectId, fwConnection, userId)).rejects.toThrow(/Delete that endpoint first/);
  });
});

describe("Fireworks failures", () => {
  it("a base model Fireworks does not know fails the launch with the reason", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Unknown model" }, { baseModel: "accounts/fireworks/models/no-such-model" }), userId);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(/404|not found/i);
  });

  it("a refused key fails with what to do", async () => {
    const bad = await createConnection(t.db, projectId, { kind: "fireworks", name: "Revoked key", apiKey: "fw-revoked-key-0", settings: { accountId: "acme", apiBaseUrl: fw.apiBaseUrl, inferenceBaseUrl: fw.inferenceBaseUrl } }, userId);
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Bad key", connectionId: bad.id }), userId);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(/401/);
    expect(done.error).toMatch(/key/i);
  });

  it("a failed launch is retried once the key is fixed, keeping what was made", async () => {
    const conn = await createConnection(t.db, projectId, { kind: "fireworks", name: "Rotated key", apiKey: "fw-old-key-00000", settings: { accountId: "acme", apiBaseUrl: fw.apiBaseUrl, inferenceBaseUrl: fw.inferenceBaseUrl } }, userId);
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Retried", connectionId: conn.id }), userId);
    expect((await runToEnd(job.id)).state).toBe("failed");
    expect((await getFineTuneJob(t.db, projectId, job.id)).canRetry).toBe(true);
    await updateConnection(t.db, projectId, conn.id, { apiKey: "fw-test-key-123" }, userId);
    const clicks = await Promise.all([retryFineTuneLaunch(t.db, projectId, job.id, userId), retryFineTuneLaunch(t.db, projectId, job.id, userId)]);
    expect(clicks.every((d) => d.state === "queued")).toBe(true);
    expect(await t.db.job.count({ where: { type: "finetune.launch", payload: { contains: job.id } } })).toBe(2);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("completed");
    expect(done.error).toBeNull();
    await expect(retryFineTuneLaunch(t.db, projectId, job.id, userId)).rejects.toThrow(ConflictError);
  });

  it("a launch whose worker gave up ends the job with the reason instead of leaving it waiting", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Abandoned" }), userId);
    const row = await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
    await t.db.fineTuneJob.update({ where: { id: job.id }, data: { state: "preparing" } });
    await t.db.job.update({ where: { id: row.launchJobId! }, data: { status: "failed", activeKey: null, error: "The worker running this job stopped (attempt 3 of 3), so it was given up." } });
    expect(await reconcileAbandonedLaunches(t.db)).toBe(1);
    const ended = await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(ended.state).toBe("failed");
    expect(ended.error).toMatch(/worker running this job stopped.*Retry the launch/);
    expect(await reconcileAbandonedLaunches(t.db)).toBe(0);
    await retryFineTuneLaunch(t.db, projectId, job.id, userId);
    expect((await runToEnd(job.id)).state).toBe("completed");
  });

  it("another account's resources are refused with 403", async () => {
    const other = await createConnection(t.db, projectId, { kind: "fireworks", name: "Other account", apiKey: "fw-test-key-123", settings: { accountId: "someone-else", apiBaseUrl: fw.apiBaseUrl, inferenceBaseUrl: fw.inferenceBaseUrl } }, userId);
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Wrong account", connectionId: other.id }), userId);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("failed");
    expect(done.error).toMatch(/403/);
  });

  it("rides out 429s (honouring Retry-After) and a 500 during launch", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Throttled" }), userId);
    fw.throttleNext(2, 1);
    fw.failNext(1, 500);
    const started = Date.now();
    const done = await runToEnd(job.id);
    expect(done.state).toBe("completed");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it("a job that fails at Fireworks shows the provider's message and advice", async () => {
    const failing = await startFireworksStandIn({ apiKey: "fw-test-key-123", accountId: "acme", runningPolls: 3, jobOutcome: () => "fail" });
    try {
      const conn = await createConnection(t.db, projectId, { kind: "fireworks", name: "Failing", apiKey: "fw-test-key-123", settings: { accountId: "acme", apiBaseUrl: failing.apiBaseUrl, inferenceBaseUrl: failing.inferenceBaseUrl } }, userId);
      const { job } = await launchFineTune(t.db, projectId, rft({ name: "Doomed", connectionId: conn.id }), userId);
      const done = await runToEnd(job.id);
      expect(done.state).toBe("failed");
      expect(done.error).toMatch(/Fireworks says: "/);
      const detail = await getFineTuneJob(t.db, projectId, job.id);
      expect(detail.events.some((e) => e.kind === "error" && e.state === "failed")).toBe(true);
      expect(detail.canDeploy).toBe(false);
    } finally {
      await failing.close();
    }
  });

  it("cancels a running job mid-way; asking twice is harmless", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Cancelled" }), userId);
    await runToEnd(job.id, (s) => s === "running");
    await pollFineTuneJob(t.db, job.id);
    const asked = await cancelFineTune(t.db, projectId, job.id, userId);
    expect(asked.state).toBe("cancelling");
    expect((await cancelFineTune(t.db, projectId, job.id, userId)).state).toBe("cancelling");
    const done = await runToEnd(job.id);
    expect(done.state).toBe("cancelled");
    expect(fw.requests.filter((r) => r.path.endsWith(":cancel")).length).toBe(1);
  });

  it("cancels a queued job before anything is made", async () => {
    const before = fw.requests.length;
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Never started" }), userId);
    const cancelled = await cancelFineTune(t.db, projectId, job.id, userId);
    expect(cancelled.state).toBe("cancelled");
    const done = await runToEnd(job.id);
    expect(done.state).toBe("cancelled");
    expect(fw.requests.length).toBe(before);
  });

  it("keeps following through provider outages, backing off, and says so", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Outage" }), userId);
    await runToEnd(job.id, (s) => s === "running");
    fw.failNext(30, 503);
    await pollFineTuneJob(t.db, job.id);
    const failing = await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
    expect(failing.pollFailures).toBe(1);
    expect(failing.statusMessage).toMatch(/Could not ask Fireworks/);
    expect(failing.nextPollAt!.getTime() - failing.lastPolledAt!.getTime()).toBeGreaterThanOrEqual(200);
    fw.failNext(0, 503);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("completed");
    expect(done.pollFailures).toBe(0);
  });
});

describe("restart safety", () => {
  it("a resumed launch makes nothing twice", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Resumed" }), userId);
    await runToEnd(job.id, (s) => s === "running");
    const made = fw.requests.filter((r) => r.method === "POST" && /\/(datasets|evaluatorsV2|reinforcementFineTuningJobs)$/.test(r.path)).length;
    // As if the worker died after the provider's job was created but before it was recorded.
    await t.db.fineTuneJob.update({ where: { id: job.id }, data: { state: "launching", externalId: null } });
    await t.db.job.create({ data: { type: "finetune.launch", projectId, payload: JSON.stringify({ fineTuneJobId: job.id }) } });
    const done = await runToEnd(job.id);
    expect(done.state).toBe("completed");
    expect([...fw.state.jobs.values()].filter((j) => j.resource.displayName === "Resumed").length).toBe(1);
    const after = fw.requests.filter((r) => r.method === "POST" && /\/(datasets|evaluatorsV2|reinforcementFineTuningJobs)$/.test(r.path)).length;
    // The resumed attempt asks again (answered 409 → the existing resource), it does not create.
    expect(after - made).toBeLessThanOrEqual(4);
    expect([...fw.state.datasets.keys()].filter((k) => k.includes(providerIdOf(job.id))).length).toBe(2);
  });

  it("a new follower picks up running jobs, and two followers never poll one job at once", async () => {
    const { job } = await launchFineTune(t.db, projectId, rft({ name: "Followed" }), userId);
    await runToEnd(job.id, (s) => s === "running");
    const gets = () => fw.requests.filter((r) => r.method === "GET" && r.path.includes(`/reinforcementFineTuningJobs/${providerIdOf(job.id)}`) && !r.path.includes(":")).length;
    await t.db.fineTuneJob.update({ where: { id: job.id }, data: { nextPollAt: new Date(0) } });
    const before = gets();
    const counts = await Promise.all([pollDueFineTuneJobs(t.db), pollDueFineTuneJobs(t.db)]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(gets() - before).toBe(1);
    const follower = startFineTuneFollower(t.db, { tickMs: 50 });
    try {
      for (let i = 0; i < 200; i++) {
        const row = await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
        if (row.state === "completed") break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await follower.stop();
    }
    expect((await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } })).state).toBe("completed");
  });
});

describe("the studio's workers", () => {
  it("run other jobs while a fine-tune launch waits for the provider", async () => {
    const slow = await startFireworksStandIn({ apiKey: "fw-test-key-123", accountId: "acme", readyAfterPolls: 40 });
    const workers = startStudioWorkers(t.db);
    try {
      const conn = await createConnection(t.db, projectId, { kind: "fireworks", name: "Slow validation", apiKey: "fw-test-key-123", settings: { accountId: "acme", apiBaseUrl: slow.apiBaseUrl, inferenceBaseUrl: slow.inferenceBaseUrl } }, userId);
      const { job } = await launchFineTune(t.db, projectId, rft({ name: "Slow", connectionId: conn.id }), userId);
      await waitFor("the launch waiting for Fireworks", async () => (await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } })).resources.includes("trainDatasetUploaded"), 30_000, 20);
      const baseline = await ensureBaselineEndpoint(t.db, projectId);
      const { job: evalJob } = await startEvalRun(t.db, projectId, { datasetVersionId: versionId, endpointId: baseline.id, compare: {}, scope: { split: "test", limit: 5 } });
      const evaluated = await waitFor("the evaluation done", async () => {
        const row = await t.db.job.findUniqueOrThrow({ where: { id: evalJob.id } });
        return row.status === "succeeded" ? row : null;
      }, 30_000, 50);
      expect(evaluated.status).toBe("succeeded");
      // The launch was still waiting on the provider the whole time.
      expect((await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } })).state).toBe("preparing");
      await cancelFineTune(t.db, projectId, job.id, userId);
      await waitFor("the launch cancelled", async () => (await t.db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } })).state === "cancelled", 30_000, 50);
    } finally {
      await workers.stop();
      await slow.close();
    }
  });
});

describe("Fireworks SFT", () => {
  it("trains without an evaluator and prices the tokens", async () => {
    const { job } = await launchFineTune(
      t.db,
      projectId,
      { kind: "fireworks_sft", name: "SFT run", launchKey: launchKey(), connectionId: fwConnection, datasetVersionId: versionId, settings: { baseModel: QWEN, epochs: 2 } },
      userId,
    );
    expect(job.estimatedCostUsd).toBeGreaterThanOrEqual(0);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("completed");
    const detail = await getFineTuneJob(t.db, projectId, job.id);
    expect(detail.resources.evaluator).toBeUndefined();
    expect(detail.metrics.some((m) => typeof m.trainLoss === "number")).toBe(true);
    expect([...fw.state.jobs.values()].find((j) => j.resource.displayName === "SFT run")).toBeDefined();
  });
});

describe("Bedrock Nova", () => {
  const nova = (name: string, settings: Record<string, unknown> = {}): LaunchFineTuneRequest => ({
    kind: "bedrock_sft",
    name,
    launchKey: launchKey(),
    connectionId: awsConnection,
    datasetVersionId: versionId,
    settings: { baseModel: "nova-micro", epochCount: 1, ...settings },
  });

  it("refuses hyperparameters outside the documented ranges before anything is sent", async () => {
    await expect(launchFineTune(t.db, projectId, nova("Too many epochs", { epochCount: 6 }), userId)).rejects.toThrow(/1 to 5/);
    await expect(launchFineTune(t.db, projectId, nova("LR", { learningRate: 0.001 }), userId)).rejects.toThrow(/0.0001/);
  });

  it("uploads to S3, trains, reads the loss curves from S3, deploys and registers a Converse endpoint", async () => {
    const { job } = await launchFineTune(t.db, projectId, nova("Nova run"), userId);
    expect(job.estimatedCostUsd).toBeGreaterThan(0);
    const done = await runToEnd(job.id);
    expect(done.state).toBe("completed");
    const s3 = createS3Store({ region: MOTO_REGION, credentials: MOTO_CREDENTIALS, s3Endpoint: moto.endpoint });
    const train = await s3.getObjectText(BUCKET, `studio/${projectId}/${job.id}/train.jsonl`);
    expect(train?.split("\n").filter(Boolean).length).toBe(done.trainExamples);
    expect(JSON.parse(train!.split("\n")[0]).schemaVersion).toBe("bedrock-conversation-2024");
    const detail = await getFineTuneJob(t.db, projectId, job.id);
    expect(detail.metrics.some((m) => typeof m.trainLoss === "number")).toBe(true);
    expect(detail.outputModel).toMatch(/^arn:aws:bedrock:/);
    expect(detail.finalCostUsd).toBe(detail.estimatedCostUsd);
    await deployFineTune(t.db, projectId, job.id, userId);
    const deployed = await runToEnd(job.id);
    expect(deployed.deploymentState).toBe("ready");
    const endpoint = await t.db.modelEndpoint.findFirstOrThrow({ where: { fineTuneJobId: job.id } });
    expect(endpoint).toMatchObject({ kind: "bedrock_converse", model: deployed.deploymentId, connectionId: awsConnection });
    const undeployed = await undeployFineTune(t.db, projectId, job.id, userId);
    expect(undeployed.deploymentState).toBe("deleted");
    expect(bedrock.requests.some((r) => r.method === "DELETE" && r.path.includes("custom-model-deployments"))).toBe(true);
    expect(JSON.parse(endpoint.settings).region).toBe("us-east-1");
  });

  it("a job that fails at Bedrock shows its message; one stopped mid-way ends cancelled", async () => {
    const { job } = await launchFineTune(t.db, projectId, nova("Nova fail"), userId);
    failingBedrockJobs.add(bedrockNameOf(job.id, "job"));
    const failed = await runToEnd(job.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/Bedrock says: "/);
    const stopped = await launchFineTune(t.db, projectId, nova("Nova stopped"), userId);
    await runToEnd(stopped.job.id, (s) => s === "running");
    expect((await cancelFineTune(t.db, projectId, stopped.job.id, userId)).state).toBe("cancelling");
    expect((await runToEnd(stopped.job.id)).state).toBe("cancelled");
    expect(bedrock.requests.some((r) => r.method === "POST" && r.path.endsWith("/stop"))).toBe(true);
  });

  it("throttling and a server error at Bedrock are retried", async () => {
    bedrock.throttleNext(1);
    bedrock.failNext(1, 500);
    const { job } = await launchFineTune(t.db, projectId, nova("Nova retried"), userId);
    expect((await runToEnd(job.id)).state).toBe("completed");
  });
});

describe("lists", () => {
  it("lists every job across providers, newest first", async () => {
    const jobs = await listFineTuneJobs(t.db, projectId);
    expect(new Set(jobs.map((j) => j.provider))).toEqual(new Set(["fireworks", "bedrock"]));
    expect(jobs[0].createdAt >= jobs[jobs.length - 1].createdAt).toBe(true);
  });
});

describe("bad input at the routes", () => {
  let routes: ApiRoute[];
  let cookie: string;
  const route = (key: string) => routes.find((r) => r.key === key)!;

  beforeAll(async () => {
    routes = await loadApiRoutes();
    await t.db.projectMember.create({ data: { projectId, userId, role: "admin" } });
    cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, userId)).cookieValue)}`;
  });

  async function raw(key: string, body: string): Promise<{ status: number; message: string }> {
    const r = route(key);
    const req = new Request(`http://studio.test${r.urlPath.replace("[projectId]", projectId)}`, { method: r.method, headers: { "content-type": "application/json", host: "studio.test", cookie }, body });
    const res = await r.handler(req, { params: Promise.resolve({ projectId }) });
    return { status: res.status, message: ((await res.json()) as { error?: { message?: string } }).error?.message ?? "" };
  }

  it("refuses malformed, oversized and out-of-range launches with a message, and launches nothing", async () => {
    const before = await t.db.fineTuneJob.count();
    const malformed = await raw("POST /api/projects/[projectId]/finetune", '{"kind": "fireworks_rft", "name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.message).toMatch(/JSON/i);
    const huge = await raw("POST /api/projects/[projectId]/finetune", JSON.stringify({ ...rft(), name: "x".repeat(3_000_000) }));
    expect(huge.status).toBe(413);
    const launch = route("POST /api/projects/[projectId]/finetune");
    const ids = { projectId };
    const unknownKind = await callRoute(launch, { ids, cookie, body: { ...rft(), kind: "openai_rlhf" } });
    expect(unknownKind.status).toBe(400);
    const badEpochs = await callRoute(launch, { ids, cookie, body: rft({}, { epochs: 0 }) });
    expect(badEpochs.status).toBe(400);
    expect(badEpochs.json.error?.message).toMatch(/settings\.epochs: Epochs: 1 to 10/);
    const badUrl = await callRoute(launch, { ids, cookie, body: rft({ evaluatorUrl: "file:///etc/passwd" }) });
    expect(badUrl.status).toBe(400);
    const foreignVersion = await callRoute(launch, { ids, cookie, body: rft({ datasetVersionId: "not-a-version" }) });
    expect(foreignVersion.status).toBe(404);
    const foreignConnection = await callRoute(launch, { ids, cookie, body: rft({ connectionId: "not-a-connection" }) });
    expect(foreignConnection.status).toBe(404);
    expect(await t.db.fineTuneJob.count()).toBe(before);
  });

  it("keeps a hostile job name as text", async () => {
    const name = `<img src=x onerror="alert(1)"> '; DROP TABLE "FineTuneJob"; --`;
    const launched = await callRoute(route("POST /api/projects/[projectId]/finetune"), { ids: { projectId }, cookie, body: rft({ name }) });
    expect(launched.status).toBe(201);
    const id = (launched.json as { job: { id: string; name: string } }).job.id;
    expect((await t.db.fineTuneJob.findUniqueOrThrow({ where: { id } })).name).toBe(name);
    expect(launched.headers.get("content-type")).toMatch(/application\/json/);
    await cancelFineTune(t.db, projectId, id, userId);
  });

  it("refuses connection addresses that are not plain http(s), and a duplicate name from two requests at once", async () => {
    const create = route("POST /api/projects/[projectId]/connections");
    const ids = { projectId };
    for (const apiBaseUrl of ["file:///etc/passwd", "http://user:secret@host.test", "javascript:alert(1)", "not a url"]) {
      const r = await callRoute(create, { ids, cookie, body: { kind: "fireworks", name: "Odd address", apiKey: "fw-key-12345678", settings: { accountId: "acme", apiBaseUrl } } });
      expect(r.status, apiBaseUrl).toBe(400);
      expect(r.text).not.toContain("secret@");
    }
    const body = { kind: "fireworks", name: "Twice", apiKey: "fw-key-12345678", settings: { accountId: "acme" } };
    const racing = await Promise.all([callRoute(create, { ids, cookie, body }), callRoute(create, { ids, cookie, body })]);
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await t.db.providerConnection.count({ where: { projectId, name: "Twice" } })).toBe(1);
    const aws = await callRoute(create, { ids, cookie, body: { kind: "aws", name: "Keys missing", settings: { credentialMode: "keys", bucket: "b-1", roleArn: "arn:aws:iam::123456789012:role/R" } } });
    expect(aws.status).toBe(400);
    expect(aws.json.error?.message).toMatch(/both the access key id and the secret/);
  });
});
