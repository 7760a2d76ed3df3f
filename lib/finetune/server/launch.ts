import "server-only";
import type { Db } from "@/lib/db/server/client";
import type { JobContext } from "@/lib/jobs/server/worker";
import { JobCancelledError } from "@/lib/jobs/server/queue";
import { AppError, ProviderError } from "@/lib/errors";
import { buildExport } from "@/lib/datasets/server/export";
import { DEFAULT_COMPARE_SETTINGS } from "@/lib/evaluation/compare";
import { createAccessToken } from "@/lib/sandbox-access/server/service";
import { buildEvaluatorPackage, EVALUATOR_ENTRY_POINT, EVALUATOR_REQUIREMENTS } from "@/lib/finetune/evaluator/package";
import { bedrockKeysOf, bedrockNameOf, fromFireworksState, providerIdOf } from "@/lib/finetune/plan";
import { isFinalState, type FineTuneState } from "@/lib/finetune/types";
import { fireworksName, type FireworksClient } from "@/lib/providers/server/fireworks";
import { s3Uri } from "@/lib/providers/server/s3-store";
import { awsFor, fireworksFor } from "@/lib/finetune/server/clients";
import { addEvent } from "@/lib/finetune/server/events";
import { cancelAtProvider, revokeEvaluatorToken } from "@/lib/finetune/server/provider-actions";
import { pollBaseMs } from "@/lib/finetune/server/follow";

// The `finetune.launch` job: upload the version's files, build the RFT evaluator, create the
// provider's job. Each provider resource is recorded on the job as soon as it exists and is created
// under an id derived from the job's id, so a resumed attempt (a crash, a restart) continues where
// the last one stopped and never makes anything twice.

type Row = NonNullable<Awaited<ReturnType<typeof loadJob>>>;
type Resources = Record<string, string>;

function loadJob(db: Db, id: string) {
  return db.fineTuneJob.findUnique({ where: { id }, include: { connection: true, datasetVersion: { select: { version: true } } } });
}

async function setResource(db: Db, id: string, key: string, value: string): Promise<Resources> {
  const row = await db.fineTuneJob.findUniqueOrThrow({ where: { id }, select: { resources: true } });
  const resources = { ...(JSON.parse(row.resources || "{}") as Resources), [key]: value };
  await db.fineTuneJob.update({ where: { id }, data: { resources: JSON.stringify(resources) } });
  return resources;
}

async function moveTo(db: Db, id: string, state: FineTuneState, message: string, extra: Record<string, unknown> = {}): Promise<void> {
  await db.fineTuneJob.update({ where: { id }, data: { state, ...extra } });
  await addEvent(db, id, { kind: "state", state, message });
}

/** Polls `read` until `done`, reporting progress (the job's heartbeat and cancel check) between reads. */
async function waitUntil<T>(ctx: JobContext<unknown>, what: string, read: () => Promise<T>, done: (v: T) => boolean, failed: (v: T) => string | null, pct: number): Promise<T> {
  const deadline = Date.now() + 60 * 60 * 1000;
  let delay = Math.min(pollBaseMs(), 2_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    const failure = failed(value);
    if (failure) throw new ProviderError(failure);
    if (Date.now() > deadline) throw new ProviderError(`${what} did not finish within an hour. Launch again later; finished steps are kept.`);
    await ctx.progress(pct, `${what}…`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 1.5, 15_000);
  }
}

export async function runFineTuneLaunchJob(db: Db, ctx: JobContext<{ fineTuneJobId: string }>): Promise<{ message: string }> {
  const job = await loadJob(db, ctx.payload.fineTuneJobId);
  if (!job) return { message: "The fine-tune job was deleted." };
  if (isFinalState(job.state)) return { message: "Nothing to do: the job has ended." };
  if (job.externalId) {
    // A previous attempt created the provider's job and stopped before saying so here: follow it.
    if (job.state !== "running" && job.state !== "cancelling") await moveTo(db, job.id, "launching", "Following the provider's job.", { nextPollAt: new Date() });
    return { message: "Launched." };
  }
  try {
    if (job.state === "cancelling") throw new JobCancelledError();
    if (job.state === "queued") await moveTo(db, job.id, "preparing", "Preparing the training data.", { startedAt: new Date() });
    if (job.provider === "fireworks") await launchFireworks(db, job, ctx);
    else await launchBedrock(db, job, ctx);
    return { message: "Launched." };
  } catch (error) {
    if (error instanceof JobCancelledError) {
      // The provider's job may have been created between the last check and the cancel.
      const now = await db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } });
      if (now.externalId) {
        // The user asked to stop: if the provider cannot be told now, say so on the job (its Cancel button stays).
        await cancelAtProvider(db, job.id).catch((stopError: Error) =>
          addEvent(db, job.id, { kind: "error", state: null, message: `Could not ask the provider to stop the job: ${stopError.message} Press Cancel job again.` }),
        );
      }
      else await moveTo(db, job.id, "cancelled", "Cancelled before anything was trained.", { finishedAt: new Date() });
      await revokeEvaluatorToken(db, job.id);
      throw error;
    }
    const message = error instanceof AppError ? error.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
    await db.fineTuneJob.update({ where: { id: job.id }, data: { state: "failed", error: message.slice(0, 2000), finishedAt: new Date() } });
    await addEvent(db, job.id, { kind: "error", state: "failed", message: `Launch failed: ${message}` });
    await revokeEvaluatorToken(db, job.id);
    throw error;
  }
}

async function exportFile(db: Db, job: Row, format: "fireworks_rft" | "fireworks_sft" | "bedrock", part: "train" | "validation") {
  const hp = JSON.parse(job.hyperparameters) as { baseModel?: string };
  const model = format === "bedrock" ? (hp.baseModel === "nova-lite" ? "nova-lite" : "nova-micro") : undefined;
  const file = await buildExport(db, job.projectId, job.datasetVersionId, { format, part, model }, job.createdById, { purpose: `for fine-tune job "${job.name}"` });
  const bytes = typeof file.body === "string" ? new TextEncoder().encode(file.body) : new Uint8Array(file.body);
  return { ...file, bytes };
}

async function uploadFireworksDataset(db: Db, job: Row, ctx: JobContext<unknown>, client: FireworksClient, accountId: string, part: "train" | "validation", pct: number): Promise<string> {
  const format = job.method === "rft" ? "fireworks_rft" : "fireworks_sft";
  const datasetId = providerIdOf(job.id, part === "train" ? "train" : "val");
  const resources = JSON.parse((await db.fineTuneJob.findUniqueOrThrow({ where: { id: job.id } })).resources) as Resources;
  const key = part === "train" ? "trainDataset" : "validationDataset";
  const file = await exportFile(db, job, format, part);
  const dataset = await client.createDataset(datasetId, { displayName: `${job.name} · ${part}`.slice(0, 60), exampleCount: file.lineCount, format: "CHAT" });
  if (!resources[key]) {
    await setResource(db, job.id, key, fireworksName(accountId, "datasets", datasetId));
    await addEvent(db, job.id, { kind: "action", state: null, message: `Created dataset ${datasetId} (${file.lineCount} ${part} examples).` });
  }
  if (dataset.state !== "READY" && !resources[`${key}Uploaded`]) {
    await ctx.progress(pct, `Uploading the ${part} file (${file.bytes.length.toLocaleString("en-US")} bytes)…`);
    const { method } = await client.uploadDatasetFile(datasetId, file.fileName, file.bytes);
    await setResource(db, job.id, `${key}Uploaded`, method);
    await addEvent(db, job.id, { kind: "action", state: null, message: `Uploaded ${file.fileName} (${file.bytes.length.toLocaleString("en-US")} bytes, ${method === "multipart" ? "direct upload" : "signed-URL upload"}).` });
  }
  await waitUntil(
    ctx,
    `Waiting for Fireworks to validate the ${part} file`,
    () => client.getDataset(datasetId),
    (d) => d.state === "READY",
    (d) => (d.status?.code && d.status.code !== "OK" && d.status.message ? `Fireworks refused the ${part} file: ${d.status.message}` : null),
    pct,
  );
  return fireworksName(accountId, "datasets", datasetId);
}

async function launchFireworks(db: Db, job: Row, ctx: JobContext<unknown>): Promise<void> {
  const { client, settings } = fireworksFor(job.connection);
  const hp = JSON.parse(job.hyperparameters) as Record<string, unknown> & { useValidation?: boolean; evaluatorUrl?: string };
  const dataset = await uploadFireworksDataset(db, job, ctx, client, settings.accountId, "train", 10);
  const evaluationDataset = hp.useValidation && job.validationExamples > 0 ? await uploadFireworksDataset(db, job, ctx, client, settings.accountId, "validation", 25) : undefined;

  let evaluator: string | undefined;
  if (job.method === "rft") {
    const evaluatorId = providerIdOf(job.id, "reward");
    const created = await client.createEvaluator(evaluatorId, {
      displayName: `${job.name} reward`.slice(0, 60),
      description: "Executes the model's SQL on the studio's read-only sandbox and compares the result with the gold result (the studio's comparator).",
      entryPoint: EVALUATOR_ENTRY_POINT,
      requirements: EVALUATOR_REQUIREMENTS.trim(),
    });
    let resources = await setResource(db, job.id, "evaluator", fireworksName(settings.accountId, "evaluators", evaluatorId));
    if (created.state !== "ACTIVE" && !resources.evaluatorUploaded) {
      await ctx.progress(40, "Building the reward evaluator…");
      // The token's value exists only when it is made; a resumed attempt makes a new one.
      if (resources.tokenId) await revokeEvaluatorToken(db, job.id);
      const token = await createAccessToken(db, job.projectId, job.datasetVersionId, { name: `Reward of fine-tune job ${job.name}`.slice(0, 80), expiresInDays: 30 }, job.createdById);
      resources = await setResource(db, job.id, "tokenId", token.id);
      const { orderMatters: _ignored, ...compareSettings } = DEFAULT_COMPARE_SETTINGS;
      void _ignored;
      const pkg = buildEvaluatorPackage({ studioUrl: hp.evaluatorUrl ?? "", token: token.token, compareSettings, datasetVersionId: job.datasetVersionId, label: job.name });
      await client.uploadEvaluatorPackage(evaluatorId, pkg.fileName, pkg.tarGz);
      await setResource(db, job.id, "evaluatorUploaded", pkg.sha256.slice(0, 12));
      await addEvent(db, job.id, { kind: "action", state: null, message: `Uploaded the reward evaluator ${evaluatorId} (${pkg.files.length} files, sha256 ${pkg.sha256.slice(0, 12)}…); it calls ${hp.evaluatorUrl} with a token of its own.` });
    }
    await waitUntil(
      ctx,
      "Waiting for Fireworks to build the evaluator",
      () => client.getEvaluator(evaluatorId),
      (e) => e.state === "ACTIVE",
      (e) => (e.state === "BUILD_FAILED" ? `Fireworks could not build the reward evaluator${e.status?.message ? `: ${e.status.message}` : ""}.` : null),
      50,
    );
    evaluator = fireworksName(settings.accountId, "evaluators", evaluatorId);
  }

  await moveTo(db, job.id, "launching", `Creating the ${job.method === "rft" ? "RFT" : "SFT"} job at Fireworks.`);
  await ctx.progress(70, "Creating the training job…");
  const jobId = providerIdOf(job.id);
  const outputModel = fireworksName(settings.accountId, "models", providerIdOf(job.id));
  const n = (k: string) => hp[k] as number;
  const created =
    job.method === "rft"
      ? await client.createRftJob(jobId, {
          displayName: job.name.slice(0, 60),
          dataset,
          evaluator: evaluator ?? "",
          ...(evaluationDataset ? { evaluationDataset } : {}),
          trainingConfig: { baseModel: job.baseModel, outputModel, epochs: n("epochs"), learningRate: n("learningRate"), loraRank: n("loraRank"), maxContextLength: n("maxContextLength") },
          inferenceParameters: { maxOutputTokens: n("maxOutputTokens"), temperature: n("temperature"), topP: n("topP"), topK: n("topK"), responseCandidatesCount: n("responseCandidates") },
          lossConfig: { method: (hp.lossMethod ?? "GRPO") as "GRPO" | "DAPO" | "GSPO_TOKEN" },
        })
      : await client.createSftJob(jobId, {
          displayName: job.name.slice(0, 60),
          dataset,
          ...(evaluationDataset ? { evaluationDataset } : {}),
          baseModel: job.baseModel,
          outputModel: providerIdOf(job.id),
          epochs: n("epochs"),
          learningRate: n("learningRate"),
          loraRank: n("loraRank"),
          maxContextLength: n("maxContextLength"),
        });
  // The job stays "launching" while Fireworks creates and validates it; the follower sees it run.
  const state = fromFireworksState(created.state, "launching");
  await db.fineTuneJob.update({ where: { id: job.id }, data: { externalId: created.name, providerState: created.state ?? null, state, nextPollAt: new Date() } });
  await addEvent(db, job.id, { kind: "action", state: null, message: `Fireworks accepted job ${shortId(created.name)}${created.state ? ` (${created.state})` : ""}.` });
}

function shortId(name: string): string {
  return name.split("/").pop() ?? name;
}

async function launchBedrock(db: Db, job: Row, ctx: JobContext<unknown>): Promise<void> {
  const { control, s3, settings } = awsFor(job.connection);
  const hp = JSON.parse(job.hyperparameters) as { epochCount: number; learningRate: number; learningRateWarmupSteps: number; useValidation?: boolean };
  const keys = bedrockKeysOf(settings.prefix, job.projectId, job.id);
  let resources = JSON.parse(job.resources || "{}") as Resources;
  if (!resources.trainFile) {
    const file = await exportFile(db, job, "bedrock", "train");
    await ctx.progress(15, `Uploading the training file to s3://${settings.bucket}/${keys.train}…`);
    await s3.putObject(settings.bucket, keys.train, file.bytes, "application/jsonl");
    resources = await setResource(db, job.id, "trainFile", s3Uri(settings.bucket, keys.train));
    await addEvent(db, job.id, { kind: "action", state: null, message: `Uploaded ${file.lineCount} training samples to s3://${settings.bucket}/${keys.train}.` });
  }
  if (hp.useValidation && job.validationExamples > 0 && !resources.validationFile) {
    const file = await exportFile(db, job, "bedrock", "validation");
    await ctx.progress(30, "Uploading the validation file…");
    await s3.putObject(settings.bucket, keys.validation, file.bytes, "application/jsonl");
    resources = await setResource(db, job.id, "validationFile", s3Uri(settings.bucket, keys.validation));
    await addEvent(db, job.id, { kind: "action", state: null, message: `Uploaded ${file.lineCount} validation samples to s3://${settings.bucket}/${keys.validation}.` });
  }
  resources = await setResource(db, job.id, "outputPrefix", s3Uri(settings.bucket, keys.output));
  await moveTo(db, job.id, "launching", "Creating the model customization job at Bedrock.");
  await ctx.progress(60, "Creating the customization job…");
  const { jobArn } = await control.createCustomizationJob({
    jobName: bedrockNameOf(job.id, "job"),
    customModelName: bedrockNameOf(job.id, "model"),
    roleArn: settings.roleArn,
    baseModelIdentifier: job.baseModel,
    trainS3Uri: resources.trainFile,
    ...(resources.validationFile ? { validationS3Uri: resources.validationFile } : {}),
    outputS3Uri: resources.outputPrefix,
    hyperParameters: { epochCount: String(hp.epochCount), learningRate: String(hp.learningRate), learningRateWarmupSteps: String(hp.learningRateWarmupSteps) },
    // The same token on a retried create returns the job made the first time.
    clientRequestToken: job.id,
  });
  await db.fineTuneJob.update({ where: { id: job.id }, data: { externalId: jobArn, nextPollAt: new Date() } });
  await moveTo(db, job.id, "running", `Bedrock accepted job ${jobArn.split("/").pop()}.`);
}
