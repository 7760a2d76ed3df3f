import "server-only";
import type { Db, Tx } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { getProject } from "@/lib/projects/server/service";
import { parseOrThrow } from "@/lib/validate";
import { enqueueJob, requestCancel } from "@/lib/jobs/server/queue";
import { buildExport } from "@/lib/datasets/server/export";
import { estimateCost, estimateTokens } from "@/lib/finetune/plan";
import {
  isFinalState,
  kindOf,
  launchFineTuneInput,
  type CostEstimate,
  type DeploymentState,
  type FineTuneJobDetail,
  type FineTuneJobSummary,
  type FineTuneKind,
  type FineTuneProvider,
  type FineTuneState,
  type LaunchFineTuneInput,
  type LaunchFineTuneRequest,
  type MetricPoint,
  type FineTuneMethod,
  BEDROCK_BASE_MODELS,
} from "@/lib/finetune/types";
import { fireworksConnectionSettings, awsConnectionSettings } from "@/lib/providers/connections";
import { getConnectionRow } from "@/lib/providers/server/connections";
import { addEvent } from "@/lib/finetune/server/events";
import { cancelAtProvider, deleteDeploymentAtProvider, startDeployment } from "@/lib/finetune/server/provider-actions";

// Fine-tune jobs as users see them: estimate, launch (once per launch key), list, detail with
// timeline and lineage, cancel, deploy. Launching queues a `finetune.launch` job that uploads the
// data and creates the provider's job (lib/finetune/server/launch.ts); the follower
// (lib/finetune/server/follow.ts) then polls the provider until the job ends.

export const FINETUNE_LAUNCH_JOB = "finetune.launch";
export { launchFineTuneInput };

const JOB_INCLUDE = {
  datasetVersion: { select: { version: true, name: true } },
  connection: { select: { name: true } },
  endpoints: { select: { id: true, name: true }, take: 1 },
} as const;

type JobRow = NonNullable<Awaited<ReturnType<typeof findJob>>>;

function findJob(db: Db | Tx, projectId: string, jobId: string) {
  return db.fineTuneJob.findFirst({ where: { id: jobId, projectId }, include: JOB_INCLUDE });
}

async function getJobRow(db: Db, projectId: string, jobId: string): Promise<JobRow> {
  const row = typeof jobId === "string" && jobId ? await findJob(db, projectId, jobId) : null;
  if (!row) throw new NotFoundError("That fine-tune job does not exist in this project. It may have been deleted; reload the page.");
  return row;
}

async function userNames(db: Db, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (!wanted.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, email: true } });
  return new Map(users.map((u) => [u.id, u.name || u.email]));
}

function toSummary(row: JobRow, names: Map<string, string>): FineTuneJobSummary {
  return {
    id: row.id,
    name: row.name,
    kind: kindOf(row.provider, row.method),
    provider: row.provider as FineTuneProvider,
    method: row.method as FineTuneMethod,
    baseModel: row.baseModel,
    state: row.state as FineTuneState,
    providerState: row.providerState,
    progress: row.progress,
    datasetVersionId: row.datasetVersionId,
    datasetVersion: row.datasetVersion.version,
    connectionName: row.connection?.name ?? null,
    estimatedCostUsd: row.estimatedCostUsd,
    finalCostUsd: row.finalCostUsd,
    outputModel: row.outputModel,
    deploymentState: (row.deploymentState as DeploymentState | null) ?? null,
    endpointId: row.endpoints[0]?.id ?? null,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    createdBy: row.createdById ? (names.get(row.createdById) ?? null) : null,
  };
}

export async function listFineTuneJobs(db: Db, projectId: string): Promise<FineTuneJobSummary[]> {
  await getProject(db, projectId);
  const rows = await db.fineTuneJob.findMany({ where: { projectId }, include: JOB_INCLUDE, orderBy: { createdAt: "desc" }, take: 500 });
  const names = await userNames(db, rows.map((r) => r.createdById));
  return rows.map((r) => toSummary(r, names));
}

/** Kept with the resources but not provider names: the evaluator token's id, the price used. */
const PRIVATE_RESOURCES = ["tokenId", "pricePerMillion"];

function resourceNames(raw: string): Record<string, string> {
  const parsed = JSON.parse(raw || "{}") as Record<string, unknown>;
  const out: Record<string, string> = {};
  // Only names: a token id stays on the server side of the view.
  for (const [key, value] of Object.entries(parsed)) if (typeof value === "string" && !PRIVATE_RESOURCES.includes(key)) out[key] = value;
  return out;
}

export async function getFineTuneJob(db: Db, projectId: string, jobId: string): Promise<FineTuneJobDetail> {
  const row = await getJobRow(db, projectId, jobId);
  const [names, events, runs] = await Promise.all([
    userNames(db, [row.createdById]),
    db.fineTuneEvent.findMany({ where: { fineTuneJobId: row.id }, orderBy: { at: "asc" }, take: 500 }),
    row.endpoints[0]
      ? db.evalRun.findMany({ where: { endpointId: row.endpoints[0].id }, orderBy: { createdAt: "desc" }, take: 50 })
      : Promise.resolve([]),
  ]);
  const state = row.state as FineTuneState;
  const hp = JSON.parse(row.hyperparameters || "{}") as { epochs?: number; epochCount?: number };
  const epochs = hp.epochCount ?? hp.epochs ?? 1;
  const billed = row.trainTokens * epochs;
  const costBasis = estimateCost({
    kind: kindOf(row.provider, row.method),
    baseModel: row.baseModel,
    trainTokens: row.trainTokens,
    epochs,
    pricePerMillion: Number((JSON.parse(row.resources || "{}") as { pricePerMillion?: string }).pricePerMillion ?? (billed > 0 && row.estimatedCostUsd ? (row.estimatedCostUsd / billed) * 1e6 : 0)),
  }).basis;
  return {
    ...toSummary(row, names),
    externalId: row.externalId,
    statusMessage: row.statusMessage,
    hyperparameters: JSON.parse(row.hyperparameters || "{}"),
    resources: resourceNames(row.resources),
    epoch: row.epoch,
    metrics: JSON.parse(row.metrics || "[]") as MetricPoint[],
    trainExamples: row.trainExamples,
    validationExamples: row.validationExamples,
    trainTokens: row.trainTokens,
    costBasis,
    deploymentId: row.deploymentId,
    deploymentError: row.deploymentError,
    nextPollAt: row.nextPollAt?.toISOString() ?? null,
    lastPolledAt: row.lastPolledAt?.toISOString() ?? null,
    pollFailures: row.pollFailures,
    events: events.map((e) => ({ at: e.at.toISOString(), kind: e.kind as FineTuneJobDetail["events"][number]["kind"], state: e.state, message: e.message })),
    endpointName: row.endpoints[0]?.name ?? null,
    evalRuns: runs.map((r) => ({ id: r.id, label: r.label, status: r.status, accuracy: r.accuracy, total: r.total, createdAt: r.createdAt.toISOString() })),
    canCancel: !isFinalState(state) && state !== "cancelling",
    canRetry: state === "failed" && !row.externalId,
    canUndeploy: row.deploymentState === "ready",
    canDeploy: state === "completed" && !!row.outputModel && (row.deploymentState === null || row.deploymentState === "failed" || row.deploymentState === "deleted"),
  };
}

/** Versions a job can be launched from: approved ones, newest first. */
export async function listLaunchableVersions(db: Db, projectId: string) {
  const rows = await db.datasetVersion.findMany({
    where: { projectId, approvalState: "signed_off" },
    orderBy: { version: "desc" },
    select: { id: true, version: true, name: true, trainCount: true, validationCount: true, testCount: true },
  });
  return rows;
}

export interface FineTunePlan {
  estimate: CostEstimate;
  trainExamples: number;
  validationExamples: number;
  /** Things to know before launching (not errors). */
  notes: string[];
}

function epochsOf(input: LaunchFineTuneInput): number {
  return input.kind === "bedrock_sft" ? input.settings.epochCount : input.settings.epochs;
}

function baseModelOf(input: LaunchFineTuneInput): string {
  return input.kind === "bedrock_sft" ? BEDROCK_BASE_MODELS[input.settings.baseModel].id : input.settings.baseModel;
}

/**
 * Builds the files the job would send (without recording an export) and prices them. Refuses a
 * version that is not approved, a connection of the wrong kind, and files the provider would refuse.
 */
async function planFineTune(db: Db, projectId: string, input: LaunchFineTuneInput): Promise<FineTunePlan & { pricePerMillion: number }> {
  const version = await db.datasetVersion.findFirst({ where: { id: input.datasetVersionId, projectId } });
  if (!version) throw new NotFoundError("That dataset version does not exist in this project.");
  const connection = await getConnectionRow(db, projectId, input.connectionId);
  const provider = input.kind === "bedrock_sft" ? "aws" : "fireworks";
  if (connection.kind !== provider) {
    throw new ValidationError(`"${connection.name}" is ${connection.kind === "aws" ? "an AWS" : "a Fireworks"} connection; this job needs ${provider === "aws" ? "an AWS" : "a Fireworks"} one.`);
  }
  const price =
    connection.kind === "fireworks"
      ? fireworksConnectionSettings.parse(JSON.parse(connection.settings)).trainingPricePerMillion
      : awsConnectionSettings.parse(JSON.parse(connection.settings)).trainingPricePerMillion;
  const format = input.kind === "bedrock_sft" ? "bedrock" : input.kind;
  const model = input.kind === "bedrock_sft" ? input.settings.baseModel : undefined;
  const train = await buildExport(db, projectId, version.id, { format, part: "train", model }, null, { record: false });
  const notes: string[] = [...train.warnings];
  let validationExamples = 0;
  if (input.settings.useValidation) {
    if (version.validationCount > 0) {
      const validation = await buildExport(db, projectId, version.id, { format, part: "validation", model }, null, { record: false });
      validationExamples = validation.lineCount;
    } else {
      notes.push(`Version ${version.version} has no validation split: the job trains without an evaluation dataset.`);
    }
  }
  const body = typeof train.body === "string" ? train.body : train.body.toString("utf8");
  const estimate = estimateCost({ kind: input.kind, baseModel: baseModelOf(input), trainTokens: estimateTokens(body), epochs: epochsOf(input), pricePerMillion: price });
  if (input.kind === "bedrock_sft" && train.lineCount < 100) notes.push(`Bedrock recommends at least 100 training samples; this version has ${train.lineCount}.`);
  return { estimate, trainExamples: train.lineCount, validationExamples, notes, pricePerMillion: price };
}

export async function estimateFineTune(db: Db, projectId: string, request: Partial<LaunchFineTuneRequest>): Promise<FineTunePlan> {
  const input = parseOrThrow(launchFineTuneInput, { name: "estimate", launchKey: "estimate-only", ...request });
  await getProject(db, projectId);
  const { estimate, trainExamples, validationExamples, notes } = await planFineTune(db, projectId, input);
  return { estimate, trainExamples, validationExamples, notes };
}

function publicUrl(origin: string | undefined): string | undefined {
  const configured = process.env.SANDPIPER_PUBLIC_URL?.trim();
  return (configured || origin)?.replace(/\/+$/, "");
}

/**
 * Launches a job once per launch key: a double click, a second tab or a retried request with the
 * same key returns the job already made (created: false). The provider is only called by the
 * launch job, with ids derived from this job's id, so a retry there cannot make a second one either.
 */
export async function launchFineTune(
  db: Db,
  projectId: string,
  request: LaunchFineTuneRequest,
  userId?: string | null,
  opts: { origin?: string } = {},
): Promise<{ job: FineTuneJobSummary; created: boolean }> {
  const input = parseOrThrow(launchFineTuneInput, request);
  await getProject(db, projectId);
  const existing = await db.fineTuneJob.findUnique({ where: { projectId_launchKey: { projectId, launchKey: input.launchKey } }, select: { id: true } });
  if (existing) return { job: await summaryOf(db, projectId, existing.id), created: false };

  const version = await db.datasetVersion.findFirst({ where: { id: input.datasetVersionId, projectId }, select: { id: true, version: true, approvalState: true } });
  if (!version) throw new NotFoundError("That dataset version does not exist in this project.");
  if (version.approvalState !== "signed_off") {
    throw new ConflictError(`Version ${version.version} is not approved. A data lead signs a version off before a model is trained on it.`);
  }
  const plan = await planFineTune(db, projectId, input);
  const hyperparameters: Record<string, unknown> = { ...input.settings };
  if (input.kind === "fireworks_rft") {
    const url = input.evaluatorUrl ?? publicUrl(opts.origin);
    if (!url) throw new ValidationError("Give the studio address Fireworks' evaluator can reach (or set SANDPIPER_PUBLIC_URL).");
    hyperparameters.evaluatorUrl = url;
  }
  const provider: FineTuneProvider = input.kind === "bedrock_sft" ? "bedrock" : "fireworks";
  const method: FineTuneMethod = input.kind === "fireworks_rft" ? "rft" : "sft";

  try {
    const id = await db.$transaction(async (tx) => {
      const row = await tx.fineTuneJob.create({
        data: {
          projectId,
          datasetVersionId: version.id,
          connectionId: input.connectionId,
          name: input.name,
          provider,
          method,
          baseModel: baseModelOf(input),
          launchKey: input.launchKey,
          hyperparameters: JSON.stringify(hyperparameters),
          trainExamples: plan.trainExamples,
          validationExamples: plan.validationExamples,
          trainTokens: plan.estimate.trainTokens,
          estimatedCostUsd: plan.estimate.usd,
          resources: JSON.stringify({ pricePerMillion: String(plan.pricePerMillion) }),
          createdById: userId ?? null,
        },
      });
      const { job } = await enqueueJob(tx, { type: FINETUNE_LAUNCH_JOB, projectId, payload: { fineTuneJobId: row.id }, activeKey: `finetune:${row.id}`, createdById: userId, maxAttempts: 3 });
      await tx.fineTuneJob.update({ where: { id: row.id }, data: { launchJobId: job.id } });
      await addEvent(tx, row.id, { kind: "state", state: "queued", message: `Launch requested: ${plan.trainExamples} training examples${plan.validationExamples ? `, ${plan.validationExamples} for validation` : ""}; estimated cost $${plan.estimate.usd.toFixed(2)}.` });
      for (const note of plan.notes) await addEvent(tx, row.id, { kind: "message", state: null, message: note });
      await recordAudit(tx, {
        projectId,
        userId,
        action: "finetune.launch",
        entityType: "fine_tune_job",
        entityId: row.id,
        summary: `Launched ${input.name}: ${input.kind.replace("_", " ")} of ${baseModelOf(input)} on dataset v${version.version}`,
        after: { kind: input.kind, settings: hyperparameters, datasetVersionId: version.id, connectionId: input.connectionId },
      });
      return row.id;
    });
    return { job: await summaryOf(db, projectId, id), created: true };
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") {
      const winner = await db.fineTuneJob.findUnique({ where: { projectId_launchKey: { projectId, launchKey: input.launchKey } }, select: { id: true } });
      if (winner) return { job: await summaryOf(db, projectId, winner.id), created: false };
    }
    throw error;
  }
}

async function summaryOf(db: Db, projectId: string, jobId: string): Promise<FineTuneJobSummary> {
  const row = await getJobRow(db, projectId, jobId);
  return toSummary(row, await userNames(db, [row.createdById]));
}

/**
 * Stops a job. Before the provider's job exists the launch job is asked to stop (it cancels what it
 * made); after, the provider is asked and the follower sees the job end. Asking twice is harmless.
 */
export async function cancelFineTune(db: Db, projectId: string, jobId: string, userId?: string | null): Promise<FineTuneJobDetail> {
  const row = await getJobRow(db, projectId, jobId);
  if (isFinalState(row.state)) throw new ConflictError(`This job has already ${row.state === "completed" ? "completed" : row.state}.`);
  if (row.state === "cancelling") return getFineTuneJob(db, projectId, jobId);
  if (row.externalId) {
    await cancelAtProvider(db, row.id);
  } else {
    const claimed = await db.fineTuneJob.updateMany({ where: { id: row.id, state: row.state }, data: { state: "cancelling" } });
    if (claimed.count === 1) {
      await addEvent(db, row.id, { kind: "state", state: "cancelling", message: "Cancel requested before the provider's job was created." });
      if (row.launchJobId) {
        const job = await db.job.findUnique({ where: { id: row.launchJobId } });
        if (job && (job.status === "queued" || job.status === "running")) await requestCancel(db, job.id, userId);
        // A queued launch job is cancelled at once: nothing was made at the provider.
        const after = job ? await db.job.findUnique({ where: { id: job.id }, select: { status: true } }) : null;
        if (!job || after?.status === "cancelled" || after?.status === "failed") {
          await db.fineTuneJob.updateMany({ where: { id: row.id, state: "cancelling", externalId: null }, data: { state: "cancelled", finishedAt: new Date() } });
          await addEvent(db, row.id, { kind: "state", state: "cancelled", message: "Cancelled before anything was trained." });
        }
      }
    }
  }
  await db.$transaction(async (tx) => {
    await recordAudit(tx, { projectId, userId, action: "finetune.cancel", entityType: "fine_tune_job", entityId: row.id, summary: `Asked to cancel ${row.name} (${row.state})` });
  });
  return getFineTuneJob(db, projectId, jobId);
}

/** Deploys a completed job's model; the follower registers it as an endpoint once it serves. */
export async function deployFineTune(db: Db, projectId: string, jobId: string, userId?: string | null): Promise<FineTuneJobDetail> {
  const row = await getJobRow(db, projectId, jobId);
  if (row.state !== "completed" || !row.outputModel) throw new ConflictError("Only a completed job with a model can be deployed.");
  if (row.deploymentState === "creating" || row.deploymentState === "ready") return getFineTuneJob(db, projectId, jobId);
  // Compare-and-set: of two clicks, one starts the deployment.
  const claimed = await db.fineTuneJob.updateMany({
    where: { id: row.id, deploymentState: row.deploymentState },
    data: { deploymentState: "creating", deploymentError: null, nextPollAt: new Date() },
  });
  if (claimed.count === 1) {
    await startDeployment(db, row.id);
    await db.$transaction(async (tx) => {
      await recordAudit(tx, { projectId, userId, action: "finetune.deploy", entityType: "fine_tune_job", entityId: row.id, summary: `Deploying the model of ${row.name} (${row.outputModel})` });
    });
  }
  return getFineTuneJob(db, projectId, jobId);
}

/**
 * Launches again a job whose launch failed before the provider's job existed (a refused key, a
 * quota, a studio address the evaluator could not use…). Resources already made are kept and reused.
 */
export async function retryFineTuneLaunch(db: Db, projectId: string, jobId: string, userId?: string | null): Promise<FineTuneJobDetail> {
  const row = await getJobRow(db, projectId, jobId);
  if (row.state !== "failed" || row.externalId) {
    throw new ConflictError(row.externalId ? "The provider's job exists: launch a new job instead of retrying this one." : "Only a launch that failed can be retried.");
  }
  await db.$transaction(async (tx) => {
    const { count } = await tx.fineTuneJob.updateMany({ where: { id: row.id, state: "failed", externalId: null }, data: { state: "queued", error: null, finishedAt: null } });
    if (count !== 1) return;
    const { job } = await enqueueJob(tx, { type: FINETUNE_LAUNCH_JOB, projectId, payload: { fineTuneJobId: row.id }, activeKey: `finetune:${row.id}`, createdById: userId, maxAttempts: 3 });
    await tx.fineTuneJob.update({ where: { id: row.id }, data: { launchJobId: job.id } });
    await addEvent(tx, row.id, { kind: "state", state: "queued", message: "Launch retried; steps already done are kept." });
    await recordAudit(tx, { projectId, userId, action: "finetune.retry", entityType: "fine_tune_job", entityId: row.id, summary: `Retried the launch of ${row.name}` });
  });
  return getFineTuneJob(db, projectId, jobId);
}

/** Deletes the deployment so the provider stops billing for it; deploying again reuses the endpoint. */
export async function undeployFineTune(db: Db, projectId: string, jobId: string, userId?: string | null): Promise<FineTuneJobDetail> {
  const row = await getJobRow(db, projectId, jobId);
  if (row.deploymentState !== "ready" && row.deploymentState !== "creating") throw new ConflictError("The model is not deployed.");
  await deleteDeploymentAtProvider(db, row.id);
  await db.$transaction(async (tx) => {
    await recordAudit(tx, { projectId, userId, action: "finetune.undeploy", entityType: "fine_tune_job", entityId: row.id, summary: `Deleted the deployment of ${row.name}` });
  });
  return getFineTuneJob(db, projectId, jobId);
}

/** Ask the provider now instead of at the next scheduled poll. */
export async function refreshFineTune(db: Db, projectId: string, jobId: string): Promise<FineTuneJobDetail> {
  const row = await getJobRow(db, projectId, jobId);
  if (!isFinalState(row.state) || row.deploymentState === "creating") {
    await db.fineTuneJob.update({ where: { id: row.id }, data: { nextPollAt: new Date() } });
  }
  return getFineTuneJob(db, projectId, jobId);
}

export type { FineTuneKind };
