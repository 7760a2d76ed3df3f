import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError, ValidationError } from "@/lib/errors";
import {
  createFireworksClient,
  describeFwJobEnd,
  FireworksApiError,
  fireworksName,
  isFwJobFinished,
  type FireworksClient,
  type FireworksClientConfig,
  type FwJob,
  type FwJobKind,
  type RftJobBody,
} from "@/lib/providers/server/fireworks";
import { createTarGz, startFireworksStandIn, type FireworksStandIn } from "@/test/stand-ins/fireworks-server";

const KEY = "fw_standin_secret_0123456789abcdef";
const ACCOUNT = "sandpiper-test";
const QWEN = "accounts/fireworks/models/qwen3-8b";

let standIn: FireworksStandIn;
const chats: { model: string; question: string }[] = [];

beforeAll(async () => {
  standIn = await startFireworksStandIn({
    apiKey: KEY,
    accountId: ACCOUNT,
    jobOutcome: (job) => (job.id.endsWith("-doomed") ? "fail" : "complete"),
    answer: (messages, model) => {
      const question = messages.at(-1)?.content ?? "";
      chats.push({ model, question });
      return `SELECT count(*) FROM airports -- ${question}`;
    },
  });
});
afterAll(async () => {
  await standIn.close();
});
beforeEach(() => {
  standIn.requests.length = 0;
});

function client(overrides: Partial<FireworksClientConfig> = {}): FireworksClient {
  return createFireworksClient({
    apiKey: KEY,
    accountId: ACCOUNT,
    apiBaseUrl: standIn.apiBaseUrl,
    inferenceBaseUrl: standIn.inferenceBaseUrl,
    retryBaseMs: 10,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<FireworksApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FireworksApiError);
  expect(error).toBeInstanceOf(ProviderError);
  const apiError = error as FireworksApiError;
  // One line, and never the key.
  expect(apiError.message).not.toContain("\n");
  expect(apiError.message).not.toContain(KEY);
  expect(JSON.stringify(apiError.details)).not.toContain(KEY);
  return apiError;
}

const encoder = new TextEncoder();

function rftRows(n: number): Uint8Array {
  const rows = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "system", content: "You write DuckDB SQL for the airports schema." },
        { role: "user", content: `How many airports are in country ${i}?` },
      ],
      ground_truth: JSON.stringify({ columns: ["n"], rows: [[i]] }),
      gold_sql: `SELECT count(*) FROM airports WHERE country_id = ${i}`,
    }),
  );
  return encoder.encode(`${rows.join("\n")}\n`);
}

function sftRows(n: number): Uint8Array {
  const rows = Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      messages: [
        { role: "user", content: `How many routes leave airport ${i}?` },
        { role: "assistant", content: `SELECT count(*) FROM routes WHERE source_id = ${i}` },
      ],
    }),
  );
  return encoder.encode(`${rows.join("\n")}\n`);
}

const EVALUATOR_FILES = {
  "requirements.txt": "duckdb==1.1.3\neval-protocol\n",
  "test_sql_reward.py": "from eval_protocol import evaluation_test\n\n@evaluation_test(mode='pointwise')\ndef evaluate(row):\n    return row\n",
};

async function readyDataset(fw: FireworksClient, id: string, bytes: Uint8Array): Promise<void> {
  await fw.createDataset(id, { displayName: id, exampleCount: 5, format: "CHAT" });
  await fw.uploadDatasetFile(id, `${id}.jsonl`, bytes);
  expect((await fw.getDataset(id)).state).toBe("READY");
}

async function activeEvaluator(fw: FireworksClient, id: string): Promise<void> {
  await fw.createEvaluator(id, { displayName: id, description: "Result-set match", entryPoint: "test_sql_reward.py::evaluate", requirements: EVALUATOR_FILES["requirements.txt"] });
  await fw.uploadEvaluatorPackage(id, "evaluator.tar.gz", createTarGz(EVALUATOR_FILES));
  expect((await fw.getEvaluator(id)).state).toBe("ACTIVE");
}

function rftBody(dataset: string, evaluator: string, outputModel: string, overrides: Partial<RftJobBody> = {}): RftJobBody {
  return {
    displayName: "Airports RFT",
    dataset,
    evaluator,
    trainingConfig: { baseModel: QWEN, outputModel, epochs: 2, learningRate: 1e-4, loraRank: 8, maxContextLength: 8192 },
    inferenceParameters: { maxOutputTokens: 1024, temperature: 0.7, topP: 1, topK: 40, responseCandidatesCount: 4 },
    lossConfig: { method: "GRPO" },
    ...overrides,
  };
}

/** Reads the job until it ends; each read moves the stand-in's job one step. */
async function pollJob(fw: FireworksClient, kind: FwJobKind, id: string): Promise<FwJob[]> {
  const seen: FwJob[] = [];
  for (let i = 0; i < 30; i++) {
    const job = await fw.getJob(kind, id);
    seen.push(job);
    if (isFwJobFinished(job.state)) return seen;
  }
  throw new Error(`job ${id} did not finish`);
}

describe("the RFT path against the stand-in", () => {
  it("creates a dataset, uploads it as multipart, and it becomes READY", async () => {
    const fw = client();
    const created = await fw.createDataset("rft-train", { displayName: "Airports train v1", exampleCount: 5, format: "CHAT" });
    expect(created).toMatchObject({ name: fireworksName(ACCOUNT, "datasets", "rft-train"), state: "UPLOADING", exampleCount: "5", format: "CHAT" });
    expect(await fw.uploadDatasetFile("rft-train", "train.jsonl", rftRows(5))).toEqual({ method: "multipart" });
    const dataset = await fw.getDataset("rft-train");
    expect(dataset).toMatchObject({ state: "READY", exampleCount: "5" });
    expect(standIn.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `POST /v1/accounts/${ACCOUNT}/datasets 200`,
      `POST /v1/accounts/${ACCOUNT}/datasets/rft-train:upload 200`,
      `GET /v1/accounts/${ACCOUNT}/datasets/rft-train 200`,
    ]);
    expect(JSON.stringify(standIn.requests)).not.toContain(KEY);
  });

  it("sends a file over multipartLimitBytes through a signed URL, without the API key", async () => {
    const fw = client({ multipartLimitBytes: 100 });
    await fw.createDataset("rft-large", { displayName: "Large", exampleCount: 5, format: "CHAT" });
    expect(await fw.uploadDatasetFile("rft-large", "large.jsonl", rftRows(5))).toEqual({ method: "signed_url" });
    expect((await fw.getDataset("rft-large")).state).toBe("READY");
    // The stand-in's storage refuses a request that carries an Authorization header.
    expect(standIn.requests.map((r) => `${r.method} ${r.plane} ${r.path.replace(/\/storage\/.*/, "/storage/…")} ${r.status}`)).toEqual([
      `POST control /v1/accounts/${ACCOUNT}/datasets 200`,
      `POST control /v1/accounts/${ACCOUNT}/datasets/rft-large:getUploadEndpoint 200`,
      "PUT storage /storage/… 200",
      `POST control /v1/accounts/${ACCOUNT}/datasets/rft-large:validateUpload 200`,
      `GET control /v1/accounts/${ACCOUNT}/datasets/rft-large 200`,
    ]);
  });

  it("reports Fireworks' own reason for a file it refuses, with the line number", async () => {
    const fw = client();
    await fw.createDataset("rft-bad-rows", { displayName: "Bad rows", exampleCount: 3, format: "CHAT" });
    const bad = encoder.encode(`${JSON.stringify({ messages: [{ role: "user", content: "q" }] })}\n${JSON.stringify({ prompt: "q" })}\n`);
    const error = await failure(fw.uploadDatasetFile("rft-bad-rows", "bad.jsonl", bad));
    expect(error.httpStatus).toBe(400);
    expect(error.message).toMatch(/^Fireworks rejected the request to upload "bad\.jsonl" to the dataset "rft-bad-rows" \(400\): ".*line 2: missing "messages"/);
  });

  it("builds an evaluator once its package is uploaded, and reads the build log", async () => {
    const fw = client();
    const created = await fw.createEvaluator("sql-reward", {
      displayName: "SQL result match",
      description: "1 when the result set matches the gold result",
      entryPoint: "test_sql_reward.py::evaluate",
      requirements: EVALUATOR_FILES["requirements.txt"],
    });
    expect(created).toMatchObject({ name: fireworksName(ACCOUNT, "evaluators", "sql-reward"), state: "BUILDING" });
    // Without an upload it stays BUILDING, however often it is read.
    for (let i = 0; i < 3; i++) expect((await fw.getEvaluator("sql-reward")).state).toBe("BUILDING");
    expect(await fw.getEvaluatorBuildLog("sql-reward")).toBe("");
    await fw.uploadEvaluatorPackage("sql-reward", "sql-reward.tar.gz", createTarGz(EVALUATOR_FILES));
    expect((await fw.getEvaluator("sql-reward")).state).toBe("ACTIVE");
    const log = await fw.getEvaluatorBuildLog("sql-reward");
    expect(log).toContain("Successfully installed duckdb==1.1.3 eval-protocol");
    expect(log).toContain("Build succeeded.");
  });

  it("a package without requirements.txt fails to build, and the log says why", async () => {
    const fw = client();
    await fw.createEvaluator("sql-reward-broken", {
      displayName: "Broken",
      description: "Missing requirements",
      entryPoint: "test_sql_reward.py::evaluate",
      requirements: "",
    });
    await fw.uploadEvaluatorPackage("sql-reward-broken", "broken.tar.gz", createTarGz({ "test_sql_reward.py": EVALUATOR_FILES["test_sql_reward.py"] }));
    const evaluator = await fw.getEvaluator("sql-reward-broken");
    expect(evaluator.state).toBe("BUILD_FAILED");
    expect(evaluator.status?.message).toContain("no requirements.txt");
    const log = await fw.getEvaluatorBuildLog("sql-reward-broken");
    expect(log).toContain("ERROR: the package has no requirements.txt");
    expect(log).toContain("test_sql_reward.py");
  });

  it("runs an RFT job to COMPLETED with rising progress, metrics and a READY output model", async () => {
    const fw = client();
    const created = await fw.createRftJob("airports-rft", rftBody("rft-train", "sql-reward", "airports-rft-v1"));
    expect(created).toMatchObject({
      name: fireworksName(ACCOUNT, "reinforcementFineTuningJobs", "airports-rft"),
      state: "JOB_STATE_CREATING",
      dataset: fireworksName(ACCOUNT, "datasets", "rft-train"),
      evaluator: fireworksName(ACCOUNT, "evaluators", "sql-reward"),
      outputModel: fireworksName(ACCOUNT, "models", "airports-rft-v1"),
    });
    expect(await fw.getJobMetrics("rft", "airports-rft")).toEqual([]);

    const seen = await pollJob(fw, "rft", "airports-rft");
    const states = seen.map((j) => j.state).filter((s, i, all) => s !== all[i - 1]);
    expect(states).toEqual(["JOB_STATE_VALIDATING", "JOB_STATE_RUNNING", "JOB_STATE_WRITING_RESULTS", "JOB_STATE_COMPLETED"]);
    const percents = seen.filter((j) => j.state === "JOB_STATE_RUNNING").map((j) => j.jobProgress?.percent);
    expect(percents).toEqual([25, 50, 75, 100]);
    const done = seen.at(-1)!;
    expect(done.completedTime).toBeTruthy();
    expect(describeFwJobEnd("rft", done)).toBe("");

    const metrics = await fw.getJobMetrics("rft", "airports-rft");
    expect(metrics).toHaveLength(12);
    expect(metrics[0]).toMatchObject({ step: 1, epoch: 1 });
    expect(metrics.at(-1)).toMatchObject({ step: 12, epoch: 2 });
    expect(metrics.at(-1)!.trainLoss!).toBeLessThan(metrics[0].trainLoss!);
    expect(metrics.at(-1)!.reward!).toBeGreaterThan(metrics[0].reward!);

    const model = await fw.getModel(done.outputModel!);
    expect(model).toMatchObject({ name: fireworksName(ACCOUNT, "models", "airports-rft-v1"), state: "READY" });
    expect((await fw.getModel("airports-rft-v1")).state).toBe("READY");
  });

  it("deploys the output model, chats through the deployment, and deletes it", async () => {
    const fw = client();
    const deployment = await fw.createDeployment("airports-rft-dep", {
      baseModel: fireworksName(ACCOUNT, "models", "airports-rft-v1"),
      acceleratorType: "NVIDIA_H100_80GB",
      minReplicaCount: 0,
      maxReplicaCount: 1,
      displayName: "Airports RFT",
    });
    expect(deployment.state).toBe("CREATING");
    const name = fireworksName(ACCOUNT, "deployments", "airports-rft-dep");
    // Not serving until READY.
    expect((await failure(fw.chat(name, [{ role: "user", content: "q" }]))).message).toMatch(/^Fireworks has nothing serving ".*airports-rft-dep" \(404\): wait until the deployment is READY/);
    expect((await fw.getDeployment("airports-rft-dep")).state).toBe("READY");

    chats.length = 0;
    const answer = await fw.chat(name, [{ role: "system", content: "Write SQL." }, { role: "user", content: "How many airports?" }], { maxTokens: 256, temperature: 0 });
    expect(answer.text).toBe("SELECT count(*) FROM airports -- How many airports?");
    expect(answer.usage?.totalTokens).toBeGreaterThan(0);
    const viaModel = await fw.chat(`${fireworksName(ACCOUNT, "models", "airports-rft-v1")}#${name}`, [{ role: "user", content: "And routes?" }]);
    expect(viaModel.text).toContain("And routes?");
    expect(chats.map((c) => c.model)).toEqual([name, `${fireworksName(ACCOUNT, "models", "airports-rft-v1")}#${name}`]);

    await fw.deleteDeployment("airports-rft-dep");
    await fw.deleteDeployment("airports-rft-dep");
    expect((await failure(fw.getDeployment("airports-rft-dep"))).httpStatus).toBe(404);
  });

  it("asks for an accelerator, and a model that exists, before deploying", async () => {
    const fw = client();
    const error = await failure(
      fw.createDeployment("no-such-model-dep", { baseModel: "never-trained", acceleratorType: "NVIDIA_H100_80GB", minReplicaCount: 0, maxReplicaCount: 1, displayName: "x" }),
    );
    expect(error.message).toMatch(/^Fireworks could not find the model "never-trained" to deploy \(404\): check the model name/);
    const noAccelerator = await failure(
      fw.createDeployment("no-gpu-dep", { baseModel: QWEN, acceleratorType: "", minReplicaCount: 0, maxReplicaCount: 1, displayName: "x" }),
    );
    expect(noAccelerator.httpStatus).toBe(400);
    expect(noAccelerator.message).toBe(
      'Fireworks rejected the request to create the deployment "no-gpu-dep" (400): "accelerator_type must be specified". Fix what it names and try again.',
    );
  });

  it("runs an SFT job with an evaluation dataset, reading metrics from the job's metrics URL", async () => {
    const fw = client();
    await readyDataset(fw, "sft-train", sftRows(6));
    await readyDataset(fw, "sft-validation", sftRows(3));
    const created = await fw.createSftJob("airports-sft", {
      displayName: "Airports SFT",
      dataset: "sft-train",
      evaluationDataset: fireworksName(ACCOUNT, "datasets", "sft-validation"),
      baseModel: "accounts/fireworks/models/llama-v3p1-8b-instruct",
      outputModel: "airports-sft-v1",
      epochs: 1,
      learningRate: 1e-4,
      loraRank: 16,
      maxContextLength: 4096,
    });
    expect(created).toMatchObject({ state: "JOB_STATE_CREATING", dataset: fireworksName(ACCOUNT, "datasets", "sft-train"), outputModel: fireworksName(ACCOUNT, "models", "airports-sft-v1") });
    expect(await fw.getJobMetrics("sft", "airports-sft")).toEqual([]);
    const seen = await pollJob(fw, "sft", "airports-sft");
    expect(seen.at(-1)!.state).toBe("JOB_STATE_COMPLETED");
    const metrics = await fw.getJobMetrics("sft", "airports-sft");
    expect(metrics).toHaveLength(12);
    expect(metrics.every((m) => m.reward === undefined && m.trainLoss !== undefined)).toBe(true);
    expect(metrics.filter((m) => m.validationLoss !== undefined).map((m) => m.step)).toEqual([3, 6, 9, 12]);
    expect((await fw.getModel("airports-sft-v1")).state).toBe("READY");
  });
});

describe("idempotent creates", () => {
  it("creating the same dataset, evaluator, job and deployment twice gives one of each", async () => {
    const fw = client();
    const first = await fw.createDataset("twice", { displayName: "Twice", exampleCount: 5, format: "CHAT" });
    const second = await fw.createDataset("twice", { displayName: "Twice", exampleCount: 5, format: "CHAT" });
    expect(second.name).toBe(first.name);
    await fw.uploadDatasetFile("twice", "twice.jsonl", rftRows(5));
    await fw.getDataset("twice");
    await activeEvaluator(fw, "twice-eval");
    expect((await fw.createEvaluator("twice-eval", { displayName: "x", description: "x", entryPoint: "test_sql_reward.py::evaluate", requirements: "" })).state).toBe("ACTIVE");

    const job = await fw.createRftJob("twice-job", rftBody("twice", "twice-eval", "twice-model"));
    const again = await fw.createRftJob("twice-job", rftBody("twice", "twice-eval", "twice-model"));
    expect(again.name).toBe(job.name);
    const dep1 = await fw.createDeployment("twice-dep", { baseModel: QWEN, acceleratorType: "NVIDIA_H100_80GB", minReplicaCount: 0, maxReplicaCount: 1, displayName: "x" });
    const dep2 = await fw.createDeployment("twice-dep", { baseModel: QWEN, acceleratorType: "NVIDIA_H100_80GB", minReplicaCount: 0, maxReplicaCount: 1, displayName: "x" });
    expect(dep2.name).toBe(dep1.name);

    expect([...standIn.state.datasets.keys()].filter((k) => k === "twice")).toHaveLength(1);
    expect([...standIn.state.jobs.keys()].filter((k) => k === "rft:twice-job")).toHaveLength(1);
    expect(standIn.requests.filter((r) => r.status === 409)).toHaveLength(4);
  });
});

describe("failures, as the user reads them", () => {
  // Fixtures of its own, so this block runs alone too (vitest -t).
  beforeAll(async () => {
    const fw = client();
    await readyDataset(fw, "fail-train", rftRows(5));
    await readyDataset(fw, "fail-sft", sftRows(3));
    await activeEvaluator(fw, "fail-reward");
  });

  it("401: a refused key, without the key in the message", async () => {
    const wrongKey = "fw_wrong_secret_key_abcdef0123456789";
    const error = await failure(client({ apiKey: wrongKey }).getDataset("fail-train"));
    expect(error.httpStatus).toBe(401);
    expect(error.grpcCode).toBe(16);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/^Fireworks refused the API key \(401\): paste a current key on the Connections page\./);
    expect(error.message).not.toContain(wrongKey);
    expect(standIn.requests).toHaveLength(1);
  });

  it("403: another account", async () => {
    const error = await failure(client({ accountId: "someone-else" }).createDataset("x", { displayName: "x", exampleCount: 3, format: "CHAT" }));
    expect(error.httpStatus).toBe(403);
    expect(error.grpcCode).toBe(7);
    expect(error.message).toMatch(/in account "someone-else" \(403\): the key's role may not allow it, or the account has no payment method on file\. Fireworks said: "permission denied/);
  });

  it("404: an unknown base model says to check the model name", async () => {
    const fw = client();
    const error = await failure(
      fw.createRftJob("unknown-base", rftBody("fail-train", "fail-reward", "unknown-base-out", { trainingConfig: { baseModel: "accounts/fireworks/models/qwen9-1t", outputModel: "x" } })),
    );
    expect(error.httpStatus).toBe(404);
    expect(error.message).toMatch(/^Fireworks could not find the model "accounts\/fireworks\/models\/qwen9-1t" \(404\): check the model name/);
    expect(error.message).toContain('Fireworks said: "Model not found: accounts/fireworks/models/qwen9-1t"');
  });

  it("400: Fireworks' reason is quoted (dataset not READY; too few candidates)", async () => {
    const fw = client();
    await fw.createDataset("never-uploaded", { displayName: "x", exampleCount: 3, format: "CHAT" });
    const notReady = await failure(fw.createRftJob("on-unready-data", rftBody("never-uploaded", "fail-reward", "x1")));
    expect(notReady.message).toMatch(/^Fireworks rejected the request to create the RFT job "on-unready-data" \(400\): "dataset ".*never-uploaded" is not READY \(state UPLOADING\)/);
    const oneCandidate = await failure(
      fw.createRftJob("one-candidate", rftBody("fail-train", "fail-reward", "x2", { inferenceParameters: { responseCandidatesCount: 1 } })),
    );
    expect(oneCandidate.message).toContain("response_candidates_count must be at least 2");
    expect(standIn.requests.filter((r) => r.status === 400)).toHaveLength(2);
  });

  it("429: waits as long as Retry-After says, then succeeds", async () => {
    standIn.throttleNext(1, 1);
    const started = Date.now();
    const dataset = await client().getDataset("fail-train");
    const waited = Date.now() - started;
    expect(dataset.state).toBe("READY");
    expect(waited).toBeGreaterThanOrEqual(950);
    expect(waited).toBeLessThan(3000);
    expect(standIn.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("429 beyond maxRetries: rate limited or GPU quota exhausted", async () => {
    standIn.exhaustQuotaNext(10);
    try {
      const error = await failure(
        client({ maxRetries: 2 }).createSftJob("quota-job", { dataset: "fail-sft", baseModel: QWEN, outputModel: "quota-out" }),
      );
      expect(error.httpStatus).toBe(429);
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/rate limited or GPU quota exhausted; retried 2 times\. Wait a few minutes and try again, or ask Fireworks for more quota\./);
      expect(error.message).toContain("GPU quota of account");
      expect(standIn.requests.map((r) => r.status)).toEqual([429, 429, 429]);
    } finally {
      standIn.exhaustQuotaNext(0);
    }
  });

  it("500: retried with backoff, then succeeds; a 503 that persists names the retries", async () => {
    standIn.failNext(2, 500);
    expect((await client().getDataset("fail-train")).state).toBe("READY");
    expect(standIn.requests.map((r) => r.status)).toEqual([500, 500, 200]);

    standIn.requests.length = 0;
    standIn.failNext(5, 503);
    try {
      const error = await failure(client({ maxRetries: 1 }).getEvaluator("fail-reward"));
      expect(error.message).toMatch(/^Fireworks had a server error \(503\) while trying to read the evaluator "fail-reward"; retried 1 time\. Try again later\./);
      expect(standIn.requests).toHaveLength(2);
    } finally {
      standIn.failNext(0, 500);
    }
  });

  it("a job that fails part-way carries Fireworks' reason", async () => {
    const fw = client();
    await fw.createRftJob("airports-doomed", rftBody("fail-train", "fail-reward", "doomed-out"));
    const seen = await pollJob(fw, "rft", "airports-doomed");
    const failed = seen.at(-1)!;
    expect(failed.state).toBe("JOB_STATE_FAILED");
    expect(failed.status).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(seen.some((j) => j.state === "JOB_STATE_RUNNING")).toBe(true);
    expect(describeFwJobEnd("rft", failed)).toBe(
      `The Fireworks RFT job "airports-doomed" failed (INVALID_ARGUMENT). Fireworks said: "evaluator raised an exception on every rollout: KeyError: 'ground_truth'"`,
    );
    // The points logged before the failure are still readable.
    expect((await fw.getJobMetrics("rft", "airports-doomed")).length).toBeGreaterThan(0);
    await expect(fw.getModel("doomed-out")).rejects.toThrow(/could not find the model .*doomed-out/);
  });

  it("a job cancelled mid-way passes through CANCELLING; cancelling it again is refused", async () => {
    const fw = client();
    await fw.createSftJob("sft-cancel", { dataset: "fail-sft", baseModel: QWEN, outputModel: "sft-cancel-out" });
    await fw.getJob("sft", "sft-cancel");
    expect((await fw.getJob("sft", "sft-cancel")).state).toBe("JOB_STATE_RUNNING");
    await fw.cancelJob("sft", "sft-cancel");
    expect(standIn.state.jobs.get("sft:sft-cancel")!.resource.state).toBe("JOB_STATE_CANCELLING");
    const cancelled = await fw.getJob("sft", "sft-cancel");
    expect(cancelled.state).toBe("JOB_STATE_CANCELLED");
    expect(describeFwJobEnd("sft", cancelled)).toMatch(/^The Fireworks SFT job "sft-cancel" was cancelled\./);
    const again = await failure(fw.cancelJob("sft", "sft-cancel"));
    expect(again.httpStatus).toBe(400);
    expect(again.grpcCode).toBe(9);
    expect(again.message).toMatch(/^Fireworks rejected the request to cancel the SFT job "sft-cancel" \(400\): ".*already in a final state \(JOB_STATE_CANCELLED\)/);
  });

  it("an id Fireworks cannot hold is refused before any request is sent", async () => {
    const fw = client();
    await expect(fw.getDataset("../models/x")).rejects.toBeInstanceOf(ValidationError);
    await expect(fw.createSftJob("job one", { dataset: "fail-sft", baseModel: QWEN })).rejects.toThrow(/"job one" is not a valid Fireworks id/);
    expect(standIn.requests).toHaveLength(0);
  });

  it("an unreachable address: connection refused, after the retries", async () => {
    const port = await closedPort();
    const fw = client({ apiBaseUrl: `http://127.0.0.1:${port}`, maxRetries: 1 });
    const error = await failure(fw.getDataset("fail-train"));
    expect(error.httpStatus).toBe(0);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      `Could not reach 127.0.0.1:${port}: connection refused (2 attempts). Check the API address on the Connections page and the network.`,
    );
  });

  it("a timeout: the request is abandoned after timeoutMs", async () => {
    standIn.delayNext(1, 3000);
    const started = Date.now();
    const error = await failure(client({ timeoutMs: 200 }).getDataset("fail-train"));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.message).toMatch(/^Fireworks \(127\.0\.0\.1:\d+\) did not answer within 0\.2 s while trying to read the dataset "fail-train"\./);
    standIn.delayNext(0, 0);
  });

  it("the config's signal cancels a request waiting to retry", async () => {
    standIn.throttleNext(1, 30);
    const controller = new AbortController();
    const pending = client({ signal: controller.signal, maxRetryDelayMs: 30_000 }).getDataset("fail-train");
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(pending);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.message).toBe('The request to read the dataset "fail-train" was cancelled before Fireworks answered.');
    standIn.throttleNext(0, 0);
  });
});

describe("listAllJobs", () => {
  let own: FireworksStandIn;
  beforeAll(async () => {
    own = await startFireworksStandIn({ apiKey: KEY, accountId: ACCOUNT });
  });
  afterAll(async () => {
    await own.close();
  });

  it("follows nextPageToken across 3 pages", async () => {
    const fw = createFireworksClient({ apiKey: KEY, accountId: ACCOUNT, apiBaseUrl: own.apiBaseUrl, inferenceBaseUrl: own.inferenceBaseUrl });
    await readyDataset(fw, "list-train", sftRows(3));
    for (let i = 1; i <= 5; i++) await fw.createSftJob(`list-job-${i}`, { dataset: "list-train", baseModel: QWEN });
    await fw.createRftJob("not-an-sft-job", rftBody("list-train", "missing-evaluator", "x")).catch(() => undefined);
    own.requests.length = 0;

    const first = await fw.listJobs("sft", { pageSize: 2 });
    expect(first.jobs.map((j) => j.name.split("/").pop())).toEqual(["list-job-1", "list-job-2"]);
    expect(first.totalSize).toBe(5);
    expect(first.nextPageToken).toBeTruthy();

    const all = await fw.listAllJobs("sft", { pageSize: 2 });
    expect(all.map((j) => j.name.split("/").pop())).toEqual(["list-job-1", "list-job-2", "list-job-3", "list-job-4", "list-job-5"]);
    expect(all[0].outputModel).toBe(fireworksName(ACCOUNT, "models", "list-job-1"));
    const listCalls = own.requests.filter((r) => r.path === `/v1/accounts/${ACCOUNT}/supervisedFineTuningJobs`);
    expect(listCalls).toHaveLength(4);
    expect(listCalls.slice(1).map((r) => new URLSearchParams(r.query).has("pageToken"))).toEqual([false, true, true]);
  });
});

describe("testConnection", () => {
  it("passes both checks with a good key, account and addresses", async () => {
    const result = await client().testConnection();
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ["API key and account", true],
      ["Inference address", true],
    ]);
    expect(result.message).toBe(`Fireworks accepted the key for account "${ACCOUNT}" and the inference address answered.`);
    expect(standIn.requests.map((r) => `${r.method} ${r.path}${r.query}`)).toEqual([`GET /v1/accounts/${ACCOUNT}/models?pageSize=1`, "GET /inference/v1/models"]);
  });

  it("fails the key check for a refused key, with advice, without throwing", async () => {
    const result = await client({ apiKey: "fw_revoked_secret_key_0123456789" }).testConnection();
    expect(result.ok).toBe(false);
    expect(result.checks[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/^Fireworks refused the API key \(401\): paste a current key/) });
    expect(result.message).toBe(result.checks[0].detail);
    expect(JSON.stringify(result)).not.toContain("fw_revoked_secret_key_0123456789");
  });

  it("fails the account check for an account the key cannot use", async () => {
    const result = await client({ accountId: "nobody" }).testConnection();
    expect(result.ok).toBe(false);
    expect(result.checks[0].detail).toMatch(/^Fireworks denied the key access to account id "nobody" \(403\): check the account id/);
    expect(result.checks[1].ok).toBe(true);
  });

  it("fails both checks when nothing listens, saying connection refused", async () => {
    const port = await closedPort();
    const result = await client({ apiBaseUrl: `http://127.0.0.1:${port}`, inferenceBaseUrl: `http://127.0.0.1:${port}/inference/v1` }).testConnection();
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => c.ok)).toEqual([false, false]);
    expect(result.checks[0].detail).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port}: connection refused`));
    expect(result.checks[1].detail).toContain("Check the inference address");
  });

  it("fails the inference check for a wrong inference address", async () => {
    const result = await client({ inferenceBaseUrl: `${standIn.apiBaseUrl}/v2/inference` }).testConnection();
    expect(result.checks.map((c) => c.ok)).toEqual([true, false]);
    expect(result.message).toMatch(/^The inference address .*\/v2\/inference has no \/models \(404\): check the inference address; it usually ends in \/inference\/v1\./);
  });

  it("fails a check on a timeout instead of hanging", async () => {
    standIn.delayNext(1, 3000);
    const result = await client({ timeoutMs: 200 }).testConnection();
    standIn.delayNext(0, 0);
    expect(result.checks[0]).toMatchObject({ ok: false, detail: expect.stringMatching(/did not answer within 0\.2 s/) });
    expect(result.checks[1].ok).toBe(true);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
