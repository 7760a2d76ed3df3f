import type { CostEstimate, FineTuneKind, FineTuneState, MetricPoint } from "@/lib/finetune/types";

// The pure rules behind launching and following a fine-tune job: the provider-side ids (derived from
// the studio's job id, so a retried create names the same resource and lands once), the cost
// estimate, how provider states read as the studio's, and how often to ask.

/** Fireworks ids: lower-case letters, digits and dashes, at most 63 characters. */
export function providerIdOf(jobId: string, suffix?: string): string {
  const base = `sp-${jobId.toLowerCase().replace(/[^a-z0-9]+/g, "")}`.slice(0, 50);
  return suffix ? `${base}-${suffix}` : base;
}

/** Bedrock job, model and deployment names: letters, digits, dashes; unique per account. */
export function bedrockNameOf(jobId: string, what: "job" | "model" | "deployment"): string {
  return `sandpiper-${what}-${jobId.replace(/[^A-Za-z0-9]+/g, "")}`.slice(0, 63);
}

/** The S3 keys of a job's files under the connection's prefix. */
export function bedrockKeysOf(prefix: string, projectId: string, jobId: string) {
  const base = [prefix, projectId, jobId].filter(Boolean).join("/");
  return { train: `${base}/train.jsonl`, validation: `${base}/validation.jsonl`, output: `${base}/output/` };
}

/** Roughly 4 characters per token for English text and SQL; the estimate says so. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Parameter count in billions read from a model name ("qwen3-8b", "llama-v3p1-70b-instruct"); null if absent. */
export function modelSizeBillions(model: string): number | null {
  const m = /(?:^|[-_/])(\d+(?:p\d+)?)b(?:[-_]|$)/i.exec(model.split("/").pop() ?? model);
  if (!m) return null;
  return Number(m[1].replace("p", "."));
}

export function estimateCost(input: { kind: FineTuneKind; baseModel: string; trainTokens: number; epochs: number; pricePerMillion: number }): CostEstimate {
  const billedTokens = input.trainTokens * input.epochs;
  const tokensPart = `${input.trainTokens.toLocaleString("en-US")} tokens × ${input.epochs} epoch${input.epochs === 1 ? "" : "s"}`;
  if (input.kind === "fireworks_rft") {
    const size = modelSizeBillions(input.baseModel);
    if (size !== null && size < 16) {
      return { trainTokens: input.trainTokens, epochs: input.epochs, billedTokens, pricePerMillion: 0, usd: 0, basis: `Fireworks lists RFT of models under 16B as free (${size}B); ${tokensPart} of prompts. Deployment time is billed separately.` };
    }
  }
  const usd = (billedTokens / 1_000_000) * input.pricePerMillion;
  return {
    trainTokens: input.trainTokens,
    epochs: input.epochs,
    billedTokens,
    pricePerMillion: input.pricePerMillion,
    usd: Math.round(usd * 100) / 100,
    basis: `${tokensPart} at $${input.pricePerMillion} per 1M training tokens (the connection's price; tokens estimated at 4 characters each).`,
  };
}

const FIREWORKS_STATES: Record<string, FineTuneState> = {
  JOB_STATE_CREATING: "launching",
  JOB_STATE_VALIDATING: "launching",
  JOB_STATE_PENDING: "launching",
  JOB_STATE_CREATING_INPUT_DATASET: "launching",
  JOB_STATE_RE_QUEUEING: "launching",
  JOB_STATE_RUNNING: "running",
  JOB_STATE_WRITING_RESULTS: "running",
  JOB_STATE_IDLE: "running",
  JOB_STATE_PAUSED: "running",
  JOB_STATE_CANCELLING: "cancelling",
  JOB_STATE_COMPLETED: "completed",
  JOB_STATE_EARLY_STOPPED: "completed",
  JOB_STATE_FAILED: "failed",
  JOB_STATE_EXPIRED: "failed",
  JOB_STATE_CANCELLED: "cancelled",
  JOB_STATE_DELETED: "cancelled",
  JOB_STATE_DELETING: "cancelled",
  JOB_STATE_DELETING_CLEANING_UP: "cancelled",
};

/** A Fireworks job state as the studio's; an unknown one (the API adds states) keeps the current. */
export function fromFireworksState(state: string | undefined, current: FineTuneState): FineTuneState {
  if (!state) return current;
  return FIREWORKS_STATES[state] ?? current;
}

const BEDROCK_STATES: Record<string, FineTuneState> = {
  InProgress: "running",
  Stopping: "cancelling",
  Completed: "completed",
  Failed: "failed",
  Stopped: "cancelled",
};

export function fromBedrockStatus(status: string | undefined, current: FineTuneState): FineTuneState {
  if (!status) return current;
  return BEDROCK_STATES[status] ?? current;
}

/**
 * When to ask the provider next: `baseMs` while things change, slowing by half again for each poll
 * that saw no change (up to `maxMs`); failures back off exponentially from there.
 */
export function nextPollDelay(input: { baseMs: number; maxMs: number; unchangedPolls: number; failures: number }): number {
  const calm = input.baseMs * 1.5 ** Math.min(input.unchangedPolls, 20);
  const failing = input.failures > 0 ? input.baseMs * 2 ** Math.min(input.failures, 10) : 0;
  return Math.round(Math.min(input.maxMs, Math.max(calm, failing)));
}

/** Merges newly read points into the stored ones by step (later reads win), sorted by step. */
export function mergeMetrics(stored: readonly MetricPoint[], fresh: readonly MetricPoint[]): MetricPoint[] {
  const byStep = new Map<number, MetricPoint>();
  for (const p of stored) byStep.set(p.step, { ...p });
  for (const p of fresh) byStep.set(p.step, { ...(byStep.get(p.step) ?? { step: p.step }), ...dropUndefined(p) });
  return [...byStep.values()].sort((a, b) => a.step - b.step).slice(-5000);
}

function dropUndefined(p: MetricPoint): MetricPoint {
  const out: MetricPoint = { step: p.step };
  for (const key of ["epoch", "trainLoss", "validationLoss", "reward"] as const) {
    const v = p[key];
    if (typeof v === "number" && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** Fireworks' money shape {currencyCode, units, nanos} in USD; null for another currency or none. */
export function moneyToUsd(money: { currencyCode?: string; units?: string | number; nanos?: number } | undefined | null): number | null {
  if (!money) return null;
  if (money.currencyCode && money.currencyCode !== "USD") return null;
  const units = Number(money.units ?? 0);
  const nanos = Number(money.nanos ?? 0);
  if (!Number.isFinite(units) || !Number.isFinite(nanos)) return null;
  return Math.round((units + nanos / 1e9) * 100) / 100;
}

/** The provider's failure in words a user can act on: the provider's own text, then what to do. */
export function explainFailure(provider: "fireworks" | "bedrock", code: string | number | undefined, message: string | undefined): string {
  const text = (message ?? "").replace(/\s+/g, " ").trim().slice(0, 600);
  const said = text ? `${provider === "fireworks" ? "Fireworks" : "Bedrock"} says: "${text}".` : `${provider === "fireworks" ? "Fireworks" : "Bedrock"} gave no reason.`;
  const advice = adviceFor(provider, String(code ?? ""), text);
  return advice ? `${said} ${advice}` : said;
}

function adviceFor(provider: "fireworks" | "bedrock", code: string, text: string): string {
  if (/GetObject permissions|AccessDenied|not authorized/i.test(text)) {
    return "Give the job's IAM role s3:GetObject, s3:PutObject and s3:ListBucket on the bucket (and kms:Decrypt if it is encrypted), keep the bucket in the job's region, then launch again.";
  }
  if (/reserved|User:|Bot:|Assistant:|\[EOS\]/i.test(text)) return "Some training text holds a string the provider reserves: fix or exclude those items in a new dataset version.";
  if (/out of bounds|samples|Number of samples/i.test(text)) return "The number of samples is outside the provider's limits: freeze a version with more (or fewer) items.";
  if (code === "RESOURCE_EXHAUSTED" || /capacity|quota/i.test(text)) {
    return provider === "fireworks" ? "Fireworks had no capacity or the account's quota is used up: launch again later or ask Fireworks to raise the quota." : "A Bedrock quota is used up: ask AWS to raise it, or wait for other jobs to end.";
  }
  if (code === "INVALID_ARGUMENT" || /invalid/i.test(text)) return "The provider refused the job's data or settings: check the settings and the dataset version, then launch again.";
  if (code === "PERMISSION_DENIED" || /permission|payment/i.test(text)) return "The account lacks a permission (or a payment method): fix it with the provider, then launch again.";
  if (code === "INTERNAL" || /internal/i.test(text)) return "This looks like a provider-side failure: launch again; if it repeats, contact the provider with the job's id.";
  return "";
}
