import "server-only";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { logger } from "@/lib/log";
import { explainFailure, fromBedrockStatus, fromFireworksState, mergeMetrics, moneyToUsd, nextPollDelay } from "@/lib/finetune/plan";
import { isFinalState, type FineTuneState, type MetricPoint } from "@/lib/finetune/types";
import { fireworksName } from "@/lib/providers/server/fireworks";
import { readTrainingMetrics } from "@/lib/providers/server/bedrock-control";
import { awsFor, fireworksFor } from "@/lib/finetune/server/clients";
import { addEvent } from "@/lib/finetune/server/events";
import { revokeEvaluatorToken, shortIdOf, startDeployment } from "@/lib/finetune/server/provider-actions";

// Following jobs at the providers. Everything the follower needs is on the FineTuneJob row (the
// provider's id, when to ask next, a lease), so a restarted studio simply carries on: any process
// running the follower picks up due jobs, and the lease keeps two processes off the same job.

/** Base interval between polls (SANDPIPER_FINETUNE_POLL_MS, default 15 s); quiet jobs are asked less often. */
export function pollBaseMs(): number {
  const fromEnv = Number(process.env.SANDPIPER_FINETUNE_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv >= 100 ? fromEnv : 15_000;
}

const MAX_POLL_MS = 5 * 60 * 1000;
const LEASE_MS = 60_000;
const FOLLOWED_STATES = ["launching", "running", "cancelling"];

type Row = NonNullable<Awaited<ReturnType<typeof loadJob>>>;

function loadJob(db: Db, id: string) {
  return db.fineTuneJob.findUnique({ where: { id }, include: { connection: true } });
}

/**
 * A launch whose job ended without creating the provider's job (its worker gave up after a crash,
 * or it was cancelled while queued) leaves the fine-tune job waiting: end it with the launch's reason.
 */
export async function reconcileAbandonedLaunches(db: Db): Promise<number> {
  const waiting = await db.fineTuneJob.findMany({
    where: { state: { in: ["queued", "preparing", "launching", "cancelling"] }, externalId: null, launchJobId: { not: null } },
    select: { id: true, state: true, launchJobId: true },
    take: 50,
  });
  let ended = 0;
  for (const job of waiting) {
    const launch = await db.job.findUnique({ where: { id: job.launchJobId! }, select: { status: true, error: true } });
    if (launch && (launch.status === "queued" || launch.status === "running")) continue;
    const cancelled = job.state === "cancelling" || launch?.status === "cancelled";
    const error = cancelled ? null : `The launch stopped before the provider's job was created: ${launch?.error ?? "its background job is gone"}. Retry the launch; finished steps are kept.`;
    const { count } = await db.fineTuneJob.updateMany({
      where: { id: job.id, state: job.state, externalId: null },
      data: { state: cancelled ? "cancelled" : "failed", error, finishedAt: new Date() },
    });
    if (count === 1) {
      ended++;
      await addEvent(db, job.id, cancelled ? { kind: "state", state: "cancelled", message: "Cancelled before anything was trained." } : { kind: "error", state: "failed", message: error! });
      await revokeEvaluatorToken(db, job.id);
    }
  }
  return ended;
}

/** Polls every due job once; returns how many were polled. */
export async function pollDueFineTuneJobs(db: Db, opts: { now?: Date; limit?: number } = {}): Promise<number> {
  const now = opts.now ?? new Date();
  const due = await db.fineTuneJob.findMany({
    where: {
      externalId: { not: null },
      OR: [{ state: { in: FOLLOWED_STATES } }, { deploymentState: "creating" }],
      AND: [{ OR: [{ nextPollAt: null }, { nextPollAt: { lte: now } }] }, { OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] }],
    },
    select: { id: true },
    orderBy: { nextPollAt: "asc" },
    take: opts.limit ?? 20,
  });
  let polled = 0;
  for (const { id } of due) {
    // Compare-and-set on the lease: of two processes, one polls.
    const claimed = await db.fineTuneJob.updateMany({
      where: { id, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseUntil: new Date(Date.now() + LEASE_MS) },
    });
    if (claimed.count !== 1) continue;
    try {
      await pollFineTuneJob(db, id);
      polled++;
    } finally {
      await db.fineTuneJob.updateMany({ where: { id }, data: { leaseUntil: null } });
    }
  }
  return polled;
}

interface Observation {
  state: FineTuneState;
  providerState: string | null;
  statusMessage: string | null;
  progress: number | null;
  epoch: number | null;
  metrics: MetricPoint[];
  outputModel: string | null;
  error: string | null;
  finalCostUsd: number | null;
}

/** Asks the provider about one job (and its deployment) and records what changed. */
export async function pollFineTuneJob(db: Db, id: string): Promise<void> {
  const job = await loadJob(db, id);
  if (!job || !job.externalId) return;
  const started = new Date();
  let changed = false;
  let failures = job.pollFailures;
  try {
    if (!isFinalState(job.state)) changed = await followTraining(db, job);
    const after = await loadJob(db, id);
    if (after?.deploymentState === "creating") changed = (await followDeployment(db, after)) || changed;
    if (failures > 0) {
      await addEvent(db, id, { kind: "message", state: null, message: `Reached ${job.provider === "fireworks" ? "Fireworks" : "Bedrock"} again after ${failures} failed attempt${failures === 1 ? "" : "s"}.` });
    }
    failures = 0;
  } catch (error) {
    failures++;
    const message = (error as Error).message ?? String(error);
    logger.warn("fine-tune poll failed", { id, failures, error: message });
    await db.fineTuneJob.update({ where: { id }, data: { statusMessage: `Could not ask ${job.provider === "fireworks" ? "Fireworks" : "Bedrock"} (${failures} in a row; retrying): ${message}`.slice(0, 1000) } });
    // One timeline line per streak of failures, not one per attempt.
    if (failures === 1) await addEvent(db, id, { kind: "error", state: null, message: `Could not ask the provider; retrying with backoff: ${message}` });
  }
  const previousGap = job.nextPollAt && job.lastPolledAt ? job.nextPollAt.getTime() - job.lastPolledAt.getTime() : pollBaseMs();
  const base = pollBaseMs();
  const delay = failures > 0 ? nextPollDelay({ baseMs: base, maxMs: MAX_POLL_MS, unchangedPolls: 0, failures }) : changed ? base : Math.min(MAX_POLL_MS, Math.max(base, Math.round(previousGap * 1.5)));
  await db.fineTuneJob.update({ where: { id }, data: { pollFailures: failures, lastPolledAt: started, nextPollAt: new Date(Date.now() + delay) } });
}

async function followTraining(db: Db, job: Row): Promise<boolean> {
  const current = job.state as FineTuneState;
  const seen = job.provider === "fireworks" ? await observeFireworks(job, current) : await observeBedrock(job, current);
  const stored = JSON.parse(job.metrics || "[]") as MetricPoint[];
  const metrics = seen.metrics.length ? mergeMetrics(stored, seen.metrics) : stored;
  const changed =
    seen.state !== current ||
    seen.providerState !== job.providerState ||
    seen.progress !== job.progress ||
    metrics.length !== stored.length ||
    (seen.statusMessage ?? null) !== (job.statusMessage ?? null);
  const final = isFinalState(seen.state) && !isFinalState(current);
  await db.fineTuneJob.update({
    where: { id: job.id },
    data: {
      state: seen.state,
      providerState: seen.providerState,
      statusMessage: seen.statusMessage,
      progress: seen.state === "completed" ? 100 : seen.progress,
      epoch: seen.epoch,
      metrics: JSON.stringify(metrics),
      ...(seen.outputModel ? { outputModel: seen.outputModel } : {}),
      ...(seen.error ? { error: seen.error } : {}),
      ...(final ? { finishedAt: new Date(), finalCostUsd: seen.finalCostUsd ?? (seen.state === "completed" ? job.estimatedCostUsd : null) } : {}),
    },
  });
  if (seen.state !== current) {
    const what =
      seen.state === "completed"
        ? `Training completed${seen.outputModel ? `: model ${shortIdOf(seen.outputModel)}` : ""}.`
        : seen.state === "failed"
          ? `The job failed. ${seen.error ?? ""}`.trim()
          : seen.state === "cancelled"
            ? "The job was cancelled at the provider."
            : `${seen.providerState ?? seen.state}${seen.statusMessage ? `: ${seen.statusMessage}` : ""}`;
    await addEvent(db, job.id, { kind: seen.state === "failed" ? "error" : "state", state: seen.state, message: what });
  } else if (seen.providerState && seen.providerState !== job.providerState) {
    await addEvent(db, job.id, { kind: "message", state: null, message: `Provider state: ${seen.providerState}.` });
  }
  if (final) {
    await revokeEvaluatorToken(db, job.id);
    await db.$transaction(async (tx) => {
      await recordAudit(tx, { projectId: job.projectId, userId: null, action: `finetune.${seen.state}`, entityType: "fine_tune_job", entityId: job.id, summary: `Fine-tune job ${job.name} ${seen.state}` });
    });
  }
  return changed;
}

/** Curves are a nice-to-have: an unreadable metrics file must not stop following the job's state. */
function metricsUnreadable(id: string) {
  return (error: Error): MetricPoint[] => {
    logger.warn("fine-tune metrics unreadable", { id, error: error.message });
    return [];
  };
}

async function observeFireworks(job: Row, current: FineTuneState): Promise<Observation> {
  const { client, settings } = fireworksFor(job.connection);
  const kind = job.method === "rft" ? "rft" : "sft";
  const fw = await client.getJob(kind, shortIdOf(job.externalId!));
  let state = fromFireworksState(fw.state, current);
  // A job asked to stop stays "cancelling" until the provider says it ended.
  if (current === "cancelling" && state === "running") state = "cancelling";
  const metrics = state === "running" || state === "completed" || state === "cancelling" ? await client.getJobMetrics(kind, shortIdOf(job.externalId!)).catch(metricsUnreadable(job.id)) : [];
  const rawModel = fw.outputModel;
  const outputModel = state === "completed" ? (rawModel ? (rawModel.includes("/") ? rawModel : fireworksName(settings.accountId, "models", rawModel)) : fireworksName(settings.accountId, "models", shortIdOf(job.externalId!))) : null;
  const statusMessage = fw.status?.message ? fw.status.message.slice(0, 1000) : null;
  return {
    state,
    providerState: fw.state ?? null,
    statusMessage,
    progress: typeof fw.jobProgress?.percent === "number" ? fw.jobProgress.percent : (job.progress ?? null),
    epoch: typeof fw.jobProgress?.epoch === "number" ? fw.jobProgress.epoch : (job.epoch ?? null),
    metrics,
    outputModel,
    error: state === "failed" ? explainFailure("fireworks", fw.status?.code, fw.status?.message) : null,
    finalCostUsd: moneyToUsd(fw.estimatedCost),
  };
}

async function observeBedrock(job: Row, current: FineTuneState): Promise<Observation> {
  const { control, s3 } = awsFor(job.connection);
  const bj = await control.getCustomizationJob(job.externalId!);
  let state = fromBedrockStatus(bj.status, current);
  if (current === "cancelling" && state === "running") state = "cancelling";
  const resources = JSON.parse(job.resources || "{}") as Record<string, string>;
  const metrics = resources.outputPrefix ? await readTrainingMetrics(s3, resources.outputPrefix, job.externalId!).catch(metricsUnreadable(job.id)) : [];
  const hp = JSON.parse(job.hyperparameters) as { epochCount?: number };
  const lastEpoch = metrics.length ? metrics[metrics.length - 1].epoch : undefined;
  // Bedrock reports no percentage; finished epochs over planned ones is the honest figure.
  const progress = typeof lastEpoch === "number" && hp.epochCount ? Math.min(99, Math.round(((lastEpoch + 1) / hp.epochCount) * 100)) : (job.progress ?? null);
  return {
    state,
    providerState: bj.status ?? null,
    statusMessage: bj.failureMessage ?? null,
    progress,
    epoch: typeof lastEpoch === "number" ? lastEpoch + 1 : (job.epoch ?? null),
    metrics,
    outputModel: state === "completed" ? (bj.outputModelArn ?? null) : null,
    error: state === "failed" ? explainFailure("bedrock", undefined, bj.failureMessage) : null,
    finalCostUsd: null,
  };
}

async function followDeployment(db: Db, job: Row): Promise<boolean> {
  if (!job.deploymentId) {
    // Bedrock: still waiting for the custom model to be Active before the deployment is requested.
    if (job.provider !== "bedrock") return false;
    // A refusal is recorded on the job by startDeployment itself (deployment failed, with the reason).
    await startDeployment(db, job.id).catch(() => undefined);
    return true;
  }
  if (job.provider === "fireworks") {
    const { client } = fireworksFor(job.connection);
    const dep = await client.getDeployment(shortIdOf(job.deploymentId));
    if (dep.state === "FAILED" || dep.state === "DELETED") return deploymentFailed(db, job, dep.status?.message ?? `the deployment is ${dep.state}`);
    if (dep.state !== "READY") return false;
    // READY does not prove it serves (reference): one small request first.
    try {
      await client.chat(job.deploymentId, [{ role: "user", content: "Answer with SQL only: SELECT 1" }], { maxTokens: 16, temperature: 0 });
    } catch (error) {
      await db.fineTuneJob.update({ where: { id: job.id }, data: { statusMessage: `The deployment is READY but did not answer yet: ${(error as Error).message}`.slice(0, 1000) } });
      return false;
    }
    await registerEndpoint(db, job, { kind: "openai_compatible", model: job.deploymentId, settings: { temperature: 0, maxTokens: 512 } });
    return true;
  }
  const { control } = awsFor(job.connection);
  const dep = await control.getCustomModelDeployment(job.deploymentId);
  if (dep.status === "Failed") return deploymentFailed(db, job, dep.failureMessage ?? "the deployment failed");
  if (dep.status !== "Active") return false;
  const region = (JSON.parse(job.connection?.settings ?? "{}") as { region?: string }).region ?? "us-east-1";
  await registerEndpoint(db, job, { kind: "bedrock_converse", model: job.deploymentId, settings: { temperature: 0, maxTokens: 512, region } });
  return true;
}

async function deploymentFailed(db: Db, job: Row, reason: string): Promise<boolean> {
  const message = explainFailure(job.provider === "fireworks" ? "fireworks" : "bedrock", undefined, reason);
  await db.fineTuneJob.update({ where: { id: job.id }, data: { deploymentState: "failed", deploymentError: message.slice(0, 1000) } });
  await addEvent(db, job.id, { kind: "error", state: null, message: `Deployment failed. ${message}` });
  return true;
}

/** The deployed model becomes an evaluation endpoint through the job's own connection. */
async function registerEndpoint(db: Db, job: Row, endpoint: { kind: "openai_compatible" | "bedrock_converse"; model: string; settings: Record<string, unknown> }): Promise<void> {
  const existing = await db.modelEndpoint.findFirst({ where: { fineTuneJobId: job.id } });
  let name = existing?.name ?? "";
  // Deployed again after a deletion: the endpoint now calls the new deployment.
  if (existing && existing.model !== endpoint.model) await db.modelEndpoint.update({ where: { id: existing.id }, data: { model: endpoint.model } });
  if (!existing) {
    const base = `${job.name} (fine-tuned)`.slice(0, 70);
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? base : `${base} ${n}`;
      if (!(await db.modelEndpoint.findFirst({ where: { projectId: job.projectId, name: candidate } }))) {
        name = candidate;
        break;
      }
    }
    await db.$transaction(async (tx) => {
      const created = await tx.modelEndpoint.create({
        data: { projectId: job.projectId, name, kind: endpoint.kind, connectionId: job.connectionId, model: endpoint.model, settings: JSON.stringify(endpoint.settings), fineTuneJobId: job.id },
      });
      await recordAudit(tx, { projectId: job.projectId, userId: null, action: "endpoint.create", entityType: "model_endpoint", entityId: created.id, summary: `Registered endpoint ${name} for the deployed model of ${job.name}` });
    });
  }
  await db.fineTuneJob.update({ where: { id: job.id }, data: { deploymentState: "ready", statusMessage: null } });
  await addEvent(db, job.id, { kind: "state", state: null, message: `Deployed and answering: endpoint "${name}" is ready to evaluate.` });
}

/** Polls due jobs every `tickMs` in this process (the server's or the worker's). */
export function startFineTuneFollower(db: Db, opts: { tickMs?: number } = {}): { stop(): Promise<void> } {
  const tickMs = opts.tickMs ?? Math.min(1_000, pollBaseMs());
  let stopped = false;
  let running: Promise<unknown> | null = null;
  let lastSweep = 0;
  const timer = setInterval(() => {
    if (stopped || running) return;
    const sweep = Date.now() - lastSweep > 10_000;
    if (sweep) lastSweep = Date.now();
    running = (sweep ? reconcileAbandonedLaunches(db) : Promise.resolve(0))
      .then(() => pollDueFineTuneJobs(db))
      .catch((error) => logger.error("fine-tune follower failed", { error: String(error) }))
      .finally(() => {
        running = null;
      });
  }, tickMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
