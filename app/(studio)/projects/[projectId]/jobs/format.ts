// How the fine-tuning pages write states, money, times and settings (pure: used by the server pages
// and their client components alike).
import type { BadgeTone } from "@/components/ui/badge";
import { isFinalState, type DeploymentState, type FineTuneJobSummary, type FineTuneState } from "@/lib/finetune/types";

/** A job still changes while it runs or while its model is being deployed: pages poll it then. */
export const isLiveJob = (j: Pick<FineTuneJobSummary, "state" | "deploymentState">) => !isFinalState(j.state) || j.deploymentState === "creating";

export function fineTuneTone(state: FineTuneState | string): BadgeTone {
  if (state === "completed") return "green";
  if (state === "failed") return "red";
  if (state === "cancelled" || state === "cancelling") return "amber";
  if (state === "queued") return "gray";
  return "blue";
}

export const DEPLOYMENT_STATE_LABELS: Record<DeploymentState, string> = {
  creating: "Deploying",
  ready: "Serving",
  failed: "Deployment failed",
  deleted: "Deleted",
};

export function deploymentTone(state: DeploymentState | null): BadgeTone {
  if (state === "ready") return "green";
  if (state === "failed") return "red";
  if (state === "creating") return "blue";
  return "gray";
}

/** UTC, to the minute, as the rest of the studio writes times. */
export const formatTime = (iso: string) => iso.slice(0, 16).replace("T", " ");

/** UTC to the second, for a timeline where several steps happen in one minute. */
export const formatTimeSeconds = (iso: string) => iso.slice(0, 19).replace("T", " ");

export const count = (n: number) => Math.round(n).toLocaleString("en-US");

export function usd(n: number): string {
  return n > 0 && n < 0.01 ? "< $0.01" : `$${n.toFixed(2)}`;
}

export const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;

const SETTING_LABELS: Record<string, string> = {
  baseModel: "Base model",
  epochs: "Epochs",
  epochCount: "Epochs (epochCount)",
  learningRate: "Learning rate",
  learningRateWarmupSteps: "Warm-up steps",
  loraRank: "LoRA rank",
  maxContextLength: "Max context length",
  maxOutputTokens: "Max output tokens",
  temperature: "Temperature",
  topP: "Top-p",
  topK: "Top-k",
  responseCandidates: "Response candidates",
  lossMethod: "Loss method",
  useValidation: "Validation split",
  evaluatorUrl: "Studio address the evaluator calls",
};

/** "trainDataset" → "Train dataset", for keys without a label of their own. */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const settingLabel = (key: string) => SETTING_LABELS[key] ?? humanize(key);

export function settingValue(key: string, value: unknown): string {
  if (key === "useValidation") return value ? "used as the evaluation dataset" : "not used";
  if (typeof value === "number") return key === "learningRate" ? String(value) : value.toLocaleString("en-US");
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "yes" : "no";
  return JSON.stringify(value);
}

/** Epochs of a job's settings, whichever provider's name they carry. */
export function epochsOf(hyperparameters: Record<string, unknown>): number | null {
  const n = hyperparameters.epochs ?? hyperparameters.epochCount;
  return typeof n === "number" ? n : null;
}
