import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toBedrockLines, type BedrockItem } from "@/lib/datasets/export-bedrock";
import { AppError, ProviderError, ValidationError } from "@/lib/errors";
import { BEDROCK_BASE_MODELS } from "@/lib/finetune/types";
import {
  createBedrockControl,
  readTrainingMetrics,
  type BedrockControl,
  type CreateCustomizationJobInput,
  type CustomizationJob,
} from "@/lib/providers/server/bedrock-control";
import { createS3Store, parseS3Uri, s3Uri, type AwsClientConfig, type S3Store } from "@/lib/providers/server/s3-store";
import { createBucket, MOTO_REGION, startMoto, type Moto } from "@/test/helpers/moto";
import { startBedrockControlStandIn, type BedrockControlStandIn } from "@/test/stand-ins/bedrock-control-server";

// The Bedrock control-plane client and the S3 store through the AWS SDK, against moto's S3 and the
// Bedrock stand-in, which reads the data from moto and writes the metrics back there.

const ACCESS_KEY_ID = "AKIAIOSFODNN7CONTROL";
const SECRET = "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";
const ROLE = "arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole";
const BUCKET = "sandpiper-bedrock-test";
const MICRO = BEDROCK_BASE_MODELS["nova-micro"].id;
const HYPER = { epochCount: "2", learningRate: "0.00001", learningRateWarmupSteps: "10" };

let moto: Moto;
let standIn: BedrockControlStandIn;
let s3: S3Store;
let unique = 0;

beforeAll(async () => {
  moto = await startMoto();
  await createBucket(moto.endpoint, BUCKET);
  standIn = await startBedrockControlStandIn({
    s3: { endpoint: moto.endpoint, region: MOTO_REGION, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } },
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    completeAfterPolls: 4,
    deployAfterPolls: 1,
    jobOutcome: (job) => (job.jobName.startsWith("doomed") ? "fail" : "complete"),
  });
  s3 = createS3Store(config());
});
afterAll(async () => {
  await standIn?.close();
  await moto?.close();
});
beforeEach(() => {
  standIn.requests.length = 0;
  standIn.throttleNext(0);
  standIn.failNext(0);
});

function config(overrides: Partial<AwsClientConfig> = {}): AwsClientConfig {
  return {
    region: "us-east-1",
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET },
    bedrockEndpoint: standIn?.url,
    s3Endpoint: moto.endpoint,
    ...overrides,
  };
}

const control = (overrides: Partial<AwsClientConfig> = {}) => createBedrockControl(config(overrides));

function items(n: number, poison?: { index: number; text: string }): BedrockItem[] {
  return Array.from({ length: n }, (_, i) => ({
    system: "You write SQLite SQL for the flights schema: CREATE TABLE flights (id INTEGER, origin TEXT, seats INTEGER)",
    user: poison?.index === i ? poison.text : `How many flights leave from airport ${i}?`,
    sql: `SELECT count(*) FROM flights WHERE origin = 'A${i}'`,
  }));
}

/** Uploads a run's files and returns the create input for them; each call gets fresh names. */
async function prepareRun(options: { train?: string[] | null; validation?: string[]; name?: string } = {}): Promise<CreateCustomizationJobInput> {
  unique++;
  const base = `runs/run-${unique}`;
  const train = options.train === undefined ? toBedrockLines(items(12)) : options.train;
  if (train) await s3.putObject(BUCKET, `${base}/train.jsonl`, `${train.join("\n")}\n`, "application/jsonl");
  if (options.validation) await s3.putObject(BUCKET, `${base}/validation.jsonl`, new TextEncoder().encode(`${options.validation.join("\n")}\n`));
  const name = options.name ?? `sandpiper-job-${unique}`;
  return {
    jobName: name,
    customModelName: `${name}-model`,
    roleArn: ROLE,
    baseModelIdentifier: MICRO,
    trainS3Uri: s3Uri(BUCKET, `${base}/train.jsonl`),
    ...(options.validation ? { validationS3Uri: s3Uri(BUCKET, `${base}/validation.jsonl`) } : {}),
    outputS3Uri: s3Uri(BUCKET, `${base}/output/`),
    hyperParameters: HYPER,
    clientRequestToken: `launch-${unique}-${Date.now()}`,
  };
}

async function pollUntilDone(client: BedrockControl, jobArn: string, seen: CustomizationJob[] = []): Promise<CustomizationJob> {
  for (let i = 0; i < 20; i++) {
    const job = await client.getCustomizationJob(jobArn);
    seen.push(job);
    if (job.status !== "InProgress" && job.status !== "Stopping") return job;
  }
  throw new Error(`The job ${jobArn} did not finish`);
}

async function rejection<T extends AppError>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  const appError = error as T;
  // Whatever went wrong, the secret never travels in the error.
  for (const text of [appError.message, JSON.stringify(appError.details ?? {})]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(ACCESS_KEY_ID);
  }
  expect(appError.message).not.toContain("\n");
  return appError;
}

describe("createS3Store against moto", () => {
  it("puts, reads, lists across pages and deletes objects, and reads a missing key as null", async () => {
    await s3.headBucket(BUCKET);
    const keys = Array.from({ length: 7 }, (_, i) => `listing/part-${i}.jsonl`);
    await Promise.all(keys.map((key, i) => s3.putObject(BUCKET, key, i % 2 ? `{"n":${i}}\n` : new TextEncoder().encode(`{"n":${i}}\n`), "application/jsonl")));
    await s3.putObject(BUCKET, "elsewhere/other.txt", "not listed");
    expect(await s3.getObjectText(BUCKET, "listing/part-3.jsonl")).toBe('{"n":3}\n');
    // Pages of 3 keys: the listing follows two continuation tokens.
    expect((await s3.listKeys(BUCKET, "listing/", 3)).sort()).toEqual(keys);
    expect(await s3.listKeys(BUCKET, "listing/")).toHaveLength(7);
    expect(await s3.listKeys(BUCKET, "nothing-here/")).toEqual([]);
    await s3.deleteObject(BUCKET, "listing/part-3.jsonl");
    expect(await s3.getObjectText(BUCKET, "listing/part-3.jsonl")).toBeNull();
    expect(await s3.listKeys(BUCKET, "listing/")).toHaveLength(6);
    await s3.deleteObject(BUCKET, "listing/never-existed.jsonl");
  });

  it("says a bucket is missing, for reads and for the bucket check alike", async () => {
    const read = await rejection(s3.getObjectText("no-such-bucket-here", "train.jsonl"), ProviderError);
    expect(read.message).toBe(
      'The S3 bucket "no-such-bucket-here" does not exist (404 NoSuchBucket). Create it in us-east-1, or fix the bucket name in the connection settings.',
    );
    const head = await rejection(s3.headBucket("no-such-bucket-here"), ProviderError);
    expect(head.message).toMatch(/^The S3 bucket "no-such-bucket-here" does not exist \(404 NotFound\)\./);
    expect(head.details).toMatchObject({ service: "s3", operation: "HeadBucket", status: 404 });
  });

  it("parses and writes S3 URIs, and refuses what is not one", () => {
    expect(parseS3Uri("s3://my-bucket/runs/a/train.jsonl")).toEqual({ bucket: "my-bucket", key: "runs/a/train.jsonl" });
    expect(parseS3Uri("s3://my-bucket")).toEqual({ bucket: "my-bucket", key: "" });
    expect(s3Uri("my-bucket", "/runs/x.jsonl")).toBe("s3://my-bucket/runs/x.jsonl");
    expect(() => parseS3Uri("https://my-bucket.s3.amazonaws.com/x")).toThrow(ValidationError);
    expect(() => parseS3Uri("s3://UPPER/x")).toThrow("is not an S3 URI. Write it as s3://bucket/key.");
  });

  it("says when S3 cannot be reached", async () => {
    const store = createS3Store(config({ s3Endpoint: "http://127.0.0.1:9", maxAttempts: 2 }));
    const error = await rejection(store.putObject(BUCKET, "x.txt", "x"), ProviderError);
    expect(error.message).toBe("Could not reach S3 at 127.0.0.1:9 (ECONNREFUSED). Check the region and the S3 endpoint URL, and that the server can reach AWS.");
  });
});

describe("createBedrockControl against the stand-in", () => {
  it("runs the whole path: data in S3 → job → metrics → custom model → deployment → delete", async () => {
    const client = control();
    const input = await prepareRun({ validation: toBedrockLines(items(8)) });
    const { jobArn } = await client.createCustomizationJob(input);
    expect(jobArn).toMatch(/^arn:aws:bedrock:us-east-1:123456789012:model-customization-job\/amazon\.nova-micro-v1:0:128k\/[0-9a-f]{12}$/);
    const created = standIn.requests.find((r) => r.method === "POST")!;
    expect(created.body).toMatchObject({
      customizationType: "FINE_TUNING",
      baseModelIdentifier: MICRO,
      hyperParameters: HYPER,
      trainingDataConfig: { s3Uri: input.trainS3Uri },
      validationDataConfig: { validators: [{ s3Uri: input.validationS3Uri }] },
      clientRequestToken: input.clientRequestToken,
    });
    expect(await readTrainingMetrics(s3, input.outputS3Uri, jobArn)).toEqual([]);

    const seen: CustomizationJob[] = [];
    let partial: Awaited<ReturnType<typeof readTrainingMetrics>> = [];
    for (let i = 0; i < 3; i++) seen.push(await client.getCustomizationJob(jobArn));
    partial = await readTrainingMetrics(s3, input.outputS3Uri, jobArn);
    const done = await pollUntilDone(client, jobArn, seen);

    expect(seen.map((job) => job.statusDetails)).toEqual([
      { validation: "InProgress", dataProcessing: "NotStarted", training: "NotStarted" },
      { validation: "Completed", dataProcessing: "InProgress", training: "NotStarted" },
      { validation: "Completed", dataProcessing: "Completed", training: "InProgress" },
      { validation: "Completed", dataProcessing: "Completed", training: "InProgress" },
      { validation: "Completed", dataProcessing: "Completed", training: "Completed" },
    ]);
    expect(done).toMatchObject({ jobArn, jobName: input.jobName, status: "Completed", outputModelName: input.customModelName });
    expect(done.creationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(done.endTime).toBeDefined();
    expect(done.outputModelArn).toMatch(/:custom-model\/amazon\.nova-micro-v1:0:128k\/[0-9a-f]{12}$/);

    // While training, the curve has some steps; at the end, all of them and the validation loss.
    const metrics = await readTrainingMetrics(s3, input.outputS3Uri, jobArn);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(metrics.length);
    expect(metrics).toHaveLength(6); // 2 epochs × ⌈12 samples / 4⌉ steps
    expect(metrics.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(metrics.map((p) => p.epoch)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(metrics.every((p) => typeof p.trainLoss === "number")).toBe(true);
    expect(metrics[5].trainLoss!).toBeLessThan(metrics[0].trainLoss!);
    expect(metrics[5].validationLoss).toBe(done.validationLoss);
    expect(metrics.slice(0, 5).every((p) => p.validationLoss === undefined)).toBe(true);
    expect(done.trainingLoss).toBe(metrics[5].trainLoss);

    const listed = await client.listCustomizationJobs({ nameContains: input.jobName, statusEquals: "Completed" });
    expect(listed).toEqual([expect.objectContaining({ jobArn, jobName: input.jobName, status: "Completed", customModelArn: done.outputModelArn })]);

    const modelArn = done.outputModelArn!;
    expect(await client.getCustomModel(modelArn)).toEqual({ modelArn, modelName: input.customModelName, modelStatus: "Creating" });
    expect((await client.getCustomModel(input.customModelName)).modelStatus).toBe("Active");

    const token = `deploy-${unique}`;
    const { customModelDeploymentArn } = await client.createCustomModelDeployment({ modelDeploymentName: `${input.jobName}-endpoint`, modelArn, description: "Sandpiper", clientRequestToken: token });
    expect(await client.createCustomModelDeployment({ modelDeploymentName: `${input.jobName}-endpoint`, modelArn, clientRequestToken: token })).toEqual({ customModelDeploymentArn });
    expect(await client.getCustomModelDeployment(customModelDeploymentArn)).toEqual({ customModelDeploymentArn, status: "Creating", modelArn });
    expect((await client.getCustomModelDeployment(customModelDeploymentArn)).status).toBe("Active");
    const taken = await rejection(client.createCustomModelDeployment({ modelDeploymentName: `${input.jobName}-endpoint`, modelArn, clientRequestToken: "another-token" }), ProviderError);
    expect(taken.message).toMatch(/^Bedrock refused CreateCustomModelDeployment \(409 ConflictException\): ".*already exists.*"\. Use another name/);

    await client.deleteCustomModelDeployment(customModelDeploymentArn);
    const gone = await rejection(client.getCustomModelDeployment(customModelDeploymentArn), ProviderError);
    expect(gone.message).toMatch(/^Bedrock has no deployment "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment\/[0-9a-f]+" in us-east-1 \(404 ResourceNotFoundException\)\./);
    expect(gone.details).toMatchObject({ service: "bedrock", operation: "GetCustomModelDeployment", awsError: "ResourceNotFoundException", status: 404 });
    // Every request was signed with the connection's key.
    expect(standIn.requests.every((r) => r.accessKeyId === ACCESS_KEY_ID)).toBe(true);
  });

  it("creates a job once for one client request token, also when the first answer was throttled", async () => {
    const client = control();
    const input = await prepareRun();
    standIn.throttleNext(1);
    const first = await client.createCustomizationJob(input);
    const again = await client.createCustomizationJob(input);
    expect(again.jobArn).toBe(first.jobArn);
    expect(standIn.state.jobs.filter((job) => job.jobName === input.jobName)).toHaveLength(1);
    expect(standIn.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([429, 201, 201]);

    const duplicate = await rejection(client.createCustomizationJob({ ...input, clientRequestToken: "a-different-token" }), ProviderError);
    expect(duplicate.message).toBe(
      `Bedrock refused CreateModelCustomizationJob (409 ConflictException): "A model customization job with the name ${input.jobName} already exists. Use a unique job name and try again.". Use another name, or wait for the operation already under way to finish.`,
    );
  });

  it("says the credentials were refused when the signature does not match", async () => {
    const client = control({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: "not-the-right-secret-key-000000000000" } });
    const error = await rejection(client.getCustomizationJob("any-job"), ProviderError);
    expect(error.message).toBe(
      'Bedrock did not accept the AWS credentials (403 InvalidSignatureException). Check the access key id and secret in the connection (or the server\'s credentials) and that they are for region us-east-1. Bedrock said: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."',
    );
    expect(standIn.requests.map((r) => r.status)).toEqual([403]);
    expect(error.details).toMatchObject({ attempts: 1 });
  });

  it("says which permissions are missing when Bedrock denies access, and when a quota is used up", async () => {
    const input = await prepareRun();
    standIn.failNext(1, 403, "AccessDeniedException", `User: arn:aws:iam::123456789012:user/studio is not authorized to perform: iam:PassRole on resource: ${ROLE}`);
    const denied = await rejection(control().createCustomizationJob(input), ProviderError);
    expect(denied.message).toBe(
      `Bedrock refused CreateModelCustomizationJob (403 AccessDeniedException). Give these credentials bedrock:CreateModelCustomizationJob and iam:PassRole on the service role ${ROLE}; the role must trust bedrock.amazonaws.com and may s3:GetObject and s3:ListBucket the data (else the job fails with "Could not validate GetObject permissions to access Amazon S3 bucket") and s3:PutObject the output. Bedrock said: "User: arn:aws:iam::123456789012:user/studio is not authorized to perform: iam:PassRole on resource: ${ROLE}"`,
    );
    expect(standIn.requests.map((r) => r.status)).toEqual([403]);
    standIn.failNext(1, 403);
    const reading = await rejection(control().getCustomModel("some-model"), ProviderError);
    expect(reading.message).toMatch(/^Bedrock refused GetCustomModel \(403 AccessDeniedException\)\. Give these credentials bedrock:GetCustomModel\. Bedrock said:/);

    standIn.failNext(1, 400, "ServiceQuotaExceededException");
    const quota = await rejection(control().createCustomizationJob(input), ProviderError);
    expect(quota.message).toBe(
      'The AWS account\'s Bedrock quota is used up for CreateModelCustomizationJob (400 ServiceQuotaExceededException): "The number of model customization jobs in progress exceeds the service quota for this account.". Stop or delete jobs and deployments you no longer need, or request a higher quota in Service Quotas.',
    );
    // Neither refusal created a job.
    expect(standIn.state.jobs.some((job) => job.jobName === input.jobName)).toBe(false);
  });

  it("refuses an out-of-range hyperparameter, naming it, and says the ranges", async () => {
    const input = await prepareRun();
    const error = await rejection(control().createCustomizationJob({ ...input, hyperParameters: { ...HYPER, epochCount: "6" } }), ValidationError);
    expect(error.message).toBe(
      'Bedrock refused CreateModelCustomizationJob: "The value 6 for hyperparameter epochCount is out of range. It must be between 1 and 5.". Nova accepts epochCount 1–5, learningRate 0.000001–0.0001 and learningRateWarmupSteps 0–100; change the job\'s settings.',
    );
    const rate = await rejection(control().createCustomizationJob({ ...input, hyperParameters: { ...HYPER, learningRate: "0.001" } }), ValidationError);
    expect(rate.message).toContain('"The value 0.001 for hyperparameter learningRate is out of range. It must be between 0.000001 and 0.0001."');
  });

  it("refuses a model id Nova fine-tuning does not take", async () => {
    const input = await prepareRun();
    const error = await rejection(control().createCustomizationJob({ ...input, baseModelIdentifier: "amazon.titan-text-express-v1" }), ValidationError);
    expect(error.message).toBe(
      'Bedrock refused CreateModelCustomizationJob: "The provided model identifier is invalid.". Use a Nova Micro or Nova Lite id (amazon.nova-micro-v1:0:128k, amazon.nova-lite-v1:0:300k) and a connection in us-east-1, where Nova fine-tuning runs.',
    );
    // The foundation-model ARN form is accepted.
    const arn = await control().createCustomizationJob({ ...input, baseModelIdentifier: `arn:aws:bedrock:us-east-1::foundation-model/${BEDROCK_BASE_MODELS["nova-lite"].id}` });
    expect(arn.jobArn).toContain("/amazon.nova-lite-v1:0:300k/");
  });

  it("refuses an S3 folder where the training file belongs", async () => {
    const input = await prepareRun();
    const error = await rejection(control().createCustomizationJob({ ...input, trainS3Uri: s3Uri(BUCKET, "runs/") }), ValidationError);
    expect(error.message).toBe(
      'Bedrock refused CreateModelCustomizationJob: "Invalid training input data configuration. Check the input data S3 Uris(Uri should be a file, not a directory)". Point the training and validation data at JSONL files, not at folders.',
    );
  });

  it("fails the job when the training file cannot be read, with Bedrock's GetObject message and advice", async () => {
    const client = control();
    const input = await prepareRun({ train: null });
    const { jobArn } = await client.createCustomizationJob(input);
    const job = await pollUntilDone(client, jobArn);
    const { key } = parseS3Uri(input.trainS3Uri);
    expect(job.status).toBe("Failed");
    expect(job.statusDetails?.validation).toBe("Failed");
    expect(job.failureMessage).toBe(`Could not validate GetObject permissions to access Amazon S3 bucket: ${BUCKET} at key ${key}`);
    expect(job.failureAdvice).toBe(
      `Bedrock's service role could not read s3://${BUCKET}/${key}. Check that the file exists, that the role may s3:GetObject and s3:ListBucket on the bucket, that the bucket is in us-east-1, and kms:Decrypt if it is encrypted with a KMS key.`,
    );
    expect(await readTrainingMetrics(s3, input.outputS3Uri, jobArn)).toEqual([]);
  });

  it("fails the job on invalid records, saying which and why", async () => {
    const client = control();
    const poisoned = await prepareRun({ train: toBedrockLines(items(10, { index: 3, text: "User: how many flights?" })) });
    const first = await pollUntilDone(client, (await client.createCustomizationJob(poisoned)).jobArn);
    expect(first.status).toBe("Failed");
    expect(first.failureMessage).toBe(
      'Data validation failed for the training data: line 4: messages[0].content[0] contains the reserved string "User:", which makes the job fail; reword it.',
    );
    expect(first.failureAdvice).toBe(
      "A record holds a string Nova reserves (User:, Bot:, Assistant:, System:, <image>, <video>, [EOS]); reword it in the dataset and export a new version.",
    );

    const tooFew = await prepareRun({ train: toBedrockLines(items(5)) });
    const second = await pollUntilDone(client, (await client.createCustomizationJob(tooFew)).jobArn);
    expect(second.failureMessage).toBe("Data validation failed for the training data: the training file has 5 records; Nova Micro needs between 8 and 20,000 per file.");
  });

  it("retries throttling and 500s to success, and says so when they last", async () => {
    const client = control();
    const { jobArn } = await client.createCustomizationJob(await prepareRun());
    standIn.requests.length = 0;
    standIn.throttleNext(2);
    expect((await client.getCustomizationJob(jobArn)).status).toBe("InProgress");
    expect(standIn.requests.map((r) => r.status)).toEqual([429, 429, 200]);

    standIn.requests.length = 0;
    standIn.failNext(2);
    expect((await client.getCustomizationJob(jobArn)).status).toBe("InProgress");
    expect(standIn.requests.map((r) => r.status)).toEqual([500, 500, 200]);

    const impatient = control({ maxAttempts: 2 });
    standIn.throttleNext(5);
    const throttled = await rejection(impatient.getCustomizationJob(jobArn), ProviderError);
    expect(throttled.message).toBe(
      'Bedrock kept throttling GetModelCustomizationJob (429 ThrottlingException) after 2 attempts. Wait a minute and try again. Bedrock said: "Too many requests, please wait before trying again."',
    );
    standIn.throttleNext(0);
    standIn.failNext(5);
    const failing = await rejection(impatient.getCustomizationJob(jobArn), ProviderError);
    expect(failing.message).toMatch(/^Bedrock failed GetModelCustomizationJob with 500 InternalServerException after 2 attempts\. Try again later\./);
    expect(failing.details).toMatchObject({ attempts: 2, status: 500 });
  });

  it("reports a job that fails in training", async () => {
    const client = control();
    const input = await prepareRun({ name: `doomed-${Date.now()}` });
    const job = await pollUntilDone(client, (await client.createCustomizationJob(input)).jobArn);
    expect(job).toMatchObject({ status: "Failed", statusDetails: { training: "Failed" } });
    expect(job.failureMessage).toBe("An internal error occurred during training. Retry the job; if it fails again, contact AWS Support.");
    expect(job.outputModelArn).toBeUndefined();
  });

  it("stops a job mid-way; a stopped job cannot be stopped again", async () => {
    const client = control();
    const input = await prepareRun();
    const { jobArn } = await client.createCustomizationJob(input);
    for (let i = 0; i < 3; i++) await client.getCustomizationJob(jobArn);
    await client.stopCustomizationJob(jobArn);
    expect(standIn.state.jobs.find((job) => job.jobArn === jobArn)?.status).toBe("Stopping");
    const stopped = await pollUntilDone(client, jobArn);
    expect(stopped).toMatchObject({ status: "Stopped", statusDetails: { training: "Stopped" } });
    expect(stopped.endTime).toBeDefined();
    expect((await readTrainingMetrics(s3, input.outputS3Uri, jobArn)).length).toBeGreaterThan(0);
    const again = await rejection(client.stopCustomizationJob(input.jobName), ValidationError);
    expect(again.message).toMatch(/^Bedrock refused StopModelCustomizationJob: "The model customization job .* is Stopped and cannot be stopped\./);
    const missing = await rejection(client.stopCustomizationJob("no-such-job"), ProviderError);
    expect(missing.message).toMatch(/^Bedrock has no customization job "no-such-job" in us-east-1 \(404 ResourceNotFoundException\)/);
  });

  it("refuses to deploy a custom model that is not Active, or does not exist", async () => {
    const client = control();
    const done = await pollUntilDone(client, (await client.createCustomizationJob(await prepareRun())).jobArn);
    const modelArn = done.outputModelArn!;
    const early = await rejection(client.createCustomModelDeployment({ modelDeploymentName: `early-${unique}`, modelArn, clientRequestToken: `early-${unique}` }), ValidationError);
    expect(early.message).toBe(
      `Bedrock refused CreateCustomModelDeployment: "The model ${modelArn} is in Creating status. A custom model must be Active before it can be deployed.". The custom model must be Active before it can be deployed; wait for it and try again.`,
    );
    const unknown = `${modelArn.slice(0, modelArn.lastIndexOf("/"))}/000000000000`;
    const missing = await rejection(client.createCustomModelDeployment({ modelDeploymentName: `none-${unique}`, modelArn: unknown, clientRequestToken: `none-${unique}` }), ProviderError);
    expect(missing.message).toMatch(new RegExp(`^Bedrock has no custom model "${escape(unknown)}" in us-east-1 \\(404 ResourceNotFoundException\\)`));
  });

  it("says when Bedrock cannot be reached", async () => {
    const client = control({ bedrockEndpoint: "http://127.0.0.1:9", maxAttempts: 2 });
    const error = await rejection(client.getCustomizationJob("any-job"), ProviderError);
    expect(error.message).toBe(
      "Could not reach Bedrock at 127.0.0.1:9 (ECONNREFUSED) after 2 attempts. Check the region and the Bedrock endpoint URL, and that the server can reach AWS.",
    );
    expect(() => control({ bedrockEndpoint: "ftp://example.com" })).toThrow(ValidationError);
    await rejection(client.createCustomizationJob({ ...(await prepareRun()), jobName: " " }), ValidationError);
  });

  it("says when Bedrock or S3 does not answer in time", async () => {
    // Accepts connections and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const client = control({ bedrockEndpoint: `http://127.0.0.1:${port}`, timeoutMs: 300, maxAttempts: 1 });
      const error = await rejection(client.getCustomizationJob("any-job"), ProviderError);
      expect(error.message).toBe(`Bedrock at 127.0.0.1:${port} did not answer GetModelCustomizationJob in time. Try again, or check the Bedrock endpoint URL.`);
      const store = createS3Store(config({ s3Endpoint: `http://127.0.0.1:${port}`, timeoutMs: 300, maxAttempts: 1 }));
      const idle = await rejection(store.putObject(BUCKET, "runs/x.jsonl", "{}"), ProviderError);
      expect(idle.message).toBe(`S3 at 127.0.0.1:${port} did not answer PutObject on s3://${BUCKET}/runs/x.jsonl in time. Try again, or check the S3 endpoint URL.`);
    } finally {
      silent.close();
    }
  });

  it("signs with the default credential chain when the connection gives no keys, and says when there are none", async () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET });
      delete process.env.AWS_SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
      expect(await control({ credentials: undefined }).listCustomizationJobs({ nameContains: "no-job-has-this-name" })).toEqual([]);
      expect(standIn.requests.at(-1)).toMatchObject({ accessKeyId: ACCESS_KEY_ID, status: 200 });

      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      Object.assign(process.env, {
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
        AWS_CONFIG_FILE: "/nonexistent/config",
        AWS_EC2_METADATA_DISABLED: "true",
      });
      for (const name of ["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]) delete process.env[name];
      const error = await rejection(control({ credentials: undefined }).getCustomizationJob("any-job"), ProviderError);
      expect(error.message).toMatch(/^No AWS credentials were found\. Give an access key id and secret in the connection/);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it("reads the validation metrics from another folder under the job's output", async () => {
    const jobArn = "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/amazon.nova-lite-v1:0:300k/abcdef123456";
    const folder = "elsewhere/output/model-customization-job-abcdef123456";
    await s3.putObject(BUCKET, `${folder}/training_artifacts/step_wise_training_metrics.csv`, "epoch_number,step_number,training_loss,perplexity\n0,0,1.5,4.48\n0,1,nan,nan\n1,2,0.9,2.46\n");
    await s3.putObject(BUCKET, `${folder}/validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv`, "validation_loss,perplexity\n0.95,2.59\n");
    expect(await readTrainingMetrics(s3, s3Uri(BUCKET, "elsewhere/output"), jobArn)).toEqual([
      { step: 0, epoch: 0, trainLoss: 1.5 },
      { step: 1, epoch: 0 },
      { step: 2, epoch: 1, trainLoss: 0.9, validationLoss: 0.95 },
    ]);
  });
});

describe("testConnection", () => {
  it("passes when the bucket takes a probe object and Bedrock answers, leaving nothing behind", async () => {
    const result = await control().testConnection({ bucket: BUCKET, prefix: "/studio/", roleArn: ROLE }, s3);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ["S3 bucket", true],
      ["S3 write", true],
      ["Bedrock", true],
      ["Service role", true],
      ["Region", true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.message).toBe("S3 and Bedrock answered in us-east-1.");
    expect(result.checks[1].detail).toBe(`Wrote and deleted a probe object under s3://${BUCKET}/studio/.`);
    const probe = standIn.requests.find((r) => r.path === "/model-customization-jobs");
    expect(probe?.query).toEqual({ maxResults: "1" });
    expect(await s3.listKeys(BUCKET, "studio/")).toEqual([]);
  });

  it("fails without throwing when the bucket is missing and Bedrock refuses the credentials", async () => {
    const wrong = { credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: "not-the-right-secret-key-000000000000" } };
    const result = await control(wrong).testConnection({ bucket: "no-such-bucket-here", prefix: "studio", roleArn: "not-a-role" }, s3);
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual([
      { name: "S3 bucket", ok: false, detail: expect.stringMatching(/^The S3 bucket "no-such-bucket-here" does not exist \(404 NotFound\)\. Create it in us-east-1/) },
      { name: "S3 write", ok: false, detail: "Not tried: the bucket did not answer." },
      { name: "Bedrock", ok: false, detail: expect.stringMatching(/^Bedrock did not accept the AWS credentials \(403 InvalidSignatureException\)/) },
      { name: "Service role", ok: false, detail: '"not-a-role" is not an IAM role ARN. Give one like arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole.' },
      { name: "Region", ok: true, detail: expect.any(String) },
    ]);
    expect(result.message).toMatch(/^4 of 5 checks failed: S3 bucket: The S3 bucket "no-such-bucket-here" does not exist/);
    expect(JSON.stringify(result)).not.toContain("not-the-right-secret");
  });

  it("warns, without failing, when the connection is outside us-east-1", async () => {
    const west = await startBedrockControlStandIn({
      s3: { endpoint: moto.endpoint, region: MOTO_REGION, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } },
      region: "eu-west-1",
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    try {
      const result = await control({ region: "eu-west-1", bedrockEndpoint: west.url }).testConnection({ bucket: BUCKET, prefix: "studio", roleArn: ROLE }, s3);
      expect(result.ok).toBe(true);
      expect(result.checks.at(-1)).toEqual({
        name: "Region",
        ok: false,
        detail: "Warning: Nova Micro and Nova Lite fine-tuning runs only in us-east-1; jobs from eu-west-1 will be refused. Use us-east-1 for fine-tuning connections.",
      });
      expect(result.message).toBe("S3 and Bedrock answered in eu-west-1; warning: Nova fine-tuning runs only in us-east-1.");
    } finally {
      await west.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
