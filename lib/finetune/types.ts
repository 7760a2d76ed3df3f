import { z } from "zod";

// Fine-tune jobs: the states the studio shows, the launch settings with the providers' documented
// ranges (reference: Fireworks RFT/SFT parameters, Bedrock Nova hyperparameters), the metric points
// charted on a job page, and the views the pages read. Pure: importable by forms and services.

export const FINETUNE_PROVIDERS = ["fireworks", "bedrock"] as const;
export type FineTuneProvider = (typeof FINETUNE_PROVIDERS)[number];
export const FINETUNE_METHODS = ["rft", "sft"] as const;
export type FineTuneMethod = (typeof FINETUNE_METHODS)[number];

/**
 * queued: waiting for the launch job; preparing: uploading data / building the evaluator;
 * launching: creating the provider job; running: the provider trains; cancelling: asked to stop;
 * completed / failed / cancelled: final.
 */
export const FINETUNE_STATES = ["queued", "preparing", "launching", "running", "cancelling", "completed", "failed", "cancelled"] as const;
export type FineTuneState = (typeof FINETUNE_STATES)[number];
export const TERMINAL_FINETUNE_STATES: readonly FineTuneState[] = ["completed", "failed", "cancelled"];
export function isFinalState(state: string): boolean {
  return (TERMINAL_FINETUNE_STATES as readonly string[]).includes(state);
}

export const FINETUNE_STATE_LABELS: Record<FineTuneState, string> = {
  queued: "Queued",
  preparing: "Preparing data",
  launching: "Launching",
  running: "Training",
  cancelling: "Cancelling",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** Deployment of a finished job's model. */
export const DEPLOYMENT_STATES = ["creating", "ready", "failed", "deleted"] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export const BEDROCK_BASE_MODELS = {
  "nova-micro": { id: "amazon.nova-micro-v1:0:128k", label: "Amazon Nova Micro" },
  "nova-lite": { id: "amazon.nova-lite-v1:0:300k", label: "Amazon Nova Lite" },
} as const;
export type BedrockBaseModel = keyof typeof BEDROCK_BASE_MODELS;

/** A Fireworks model resource name: accounts/<account>/models/<id>. */
const FIREWORKS_MODEL = z
  .string()
  .trim()
  .regex(/^accounts\/[a-z0-9-]+\/models\/[a-zA-Z0-9._-]+$/, "Give the full model name, like accounts/fireworks/models/qwen3-8b.");

const contextLength = z
  .number()
  .int()
  .min(512, "Max context length is at least 512 tokens.")
  .max(131_072, "Max context length is at most 131,072 tokens.")
  .refine((n) => n % 16 === 0, "Max context length must be a multiple of 16.");

/** Fireworks SFT (reference: supervisedFineTuningJobs body). */
export const fireworksSftSettings = z.object({
  baseModel: FIREWORKS_MODEL,
  epochs: z.number().int().min(1, "Epochs: 1 to 10.").max(10, "Epochs: 1 to 10.").default(1),
  learningRate: z.number().gt(0, "The learning rate must be above 0.").max(0.01, "The learning rate must be at most 0.01.").default(1e-4),
  loraRank: z.union([z.literal(4), z.literal(8), z.literal(16), z.literal(32), z.literal(64)], { message: "LoRA rank: 4, 8, 16, 32 or 64." }).default(8),
  maxContextLength: contextLength.default(8192),
  /** Use the version's validation split as the job's evaluation dataset. */
  useValidation: z.boolean().default(true),
});
export type FireworksSftSettings = z.infer<typeof fireworksSftSettings>;

/** Fireworks RFT (reference: reinforcementFineTuningJobs trainingConfig + inferenceParameters). */
export const fireworksRftSettings = fireworksSftSettings.extend({
  maxOutputTokens: z.number().int().min(16, "Max output tokens: 16 to 32,768.").max(32_768, "Max output tokens: 16 to 32,768.").default(2048),
  temperature: z.number().min(0, "Temperature: 0 to 2.").max(2, "Temperature: 0 to 2.").default(0.7),
  topP: z.number().gt(0, "Top-p: above 0, at most 1.").max(1, "Top-p: above 0, at most 1.").default(1),
  topK: z.number().int().min(0, "Top-k: 0 to 100.").max(100, "Top-k: 0 to 100.").default(40),
  /** Rollouts per prompt ("n"); GRPO needs at least 2. */
  responseCandidates: z.number().int().min(2, "Response candidates: at least 2 (the reward compares them).").max(16, "Response candidates: at most 16.").default(4),
  lossMethod: z.enum(["GRPO", "DAPO", "GSPO_TOKEN"]).default("GRPO"),
});
export type FireworksRftSettings = z.infer<typeof fireworksRftSettings>;

/** Bedrock Nova (reference: only these three are documented; values are sent as strings). */
export const bedrockSettings = z.object({
  baseModel: z.enum(["nova-micro", "nova-lite"], { message: "Pick Nova Micro or Nova Lite." }),
  epochCount: z.number().int().min(1, "Epochs (epochCount): 1 to 5.").max(5, "Epochs (epochCount): 1 to 5.").default(2),
  learningRate: z.number().min(1e-6, "Learning rate: 0.000001 to 0.0001.").max(1e-4, "Learning rate: 0.000001 to 0.0001.").default(1e-5),
  learningRateWarmupSteps: z.number().int().min(0, "Warm-up steps: 0 to 100.").max(100, "Warm-up steps: 0 to 100.").default(10),
  useValidation: z.boolean().default(true),
});
export type BedrockSettings = z.infer<typeof bedrockSettings>;

const name = z.string().trim().min(1, "Give the job a name.").max(80, "Names are at most 80 characters.");
const launchKey = z.string().trim().min(8, "A launch key is needed (the form sends one).").max(64);

/** One launch request; `launchKey` makes a double click or a retried request land once. */
export const launchFineTuneInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("fireworks_rft"),
    name,
    launchKey,
    connectionId: z.string().min(1, "Pick a Fireworks connection."),
    datasetVersionId: z.string().min(1),
    settings: fireworksRftSettings,
    /** The studio's address as Fireworks' evaluator reaches it (its reward runs SQL there); default: this server's public URL. */
    evaluatorUrl: z
      .string()
      .trim()
      .max(300)
      .refine((v) => /^https?:\/\/[^\s/@]+(\/[^\s]*)?$/.test(v), "The studio address must be an http(s) URL that Fireworks can reach, like https://studio.example.com.")
      .transform((v) => v.replace(/\/+$/, ""))
      .optional(),
  }),
  z.object({ kind: z.literal("fireworks_sft"), name, launchKey, connectionId: z.string().min(1, "Pick a Fireworks connection."), datasetVersionId: z.string().min(1), settings: fireworksSftSettings }),
  z.object({ kind: z.literal("bedrock_sft"), name, launchKey, connectionId: z.string().min(1, "Pick an AWS connection."), datasetVersionId: z.string().min(1), settings: bedrockSettings }),
]);
export type LaunchFineTuneRequest = z.input<typeof launchFineTuneInput>;
export type LaunchFineTuneInput = z.infer<typeof launchFineTuneInput>;
export type FineTuneKind = LaunchFineTuneInput["kind"];

export const FINETUNE_KIND_LABELS: Record<FineTuneKind, string> = {
  fireworks_rft: "Fireworks · reinforcement (RFT)",
  fireworks_sft: "Fireworks · supervised (SFT)",
  bedrock_sft: "Bedrock · Nova supervised",
};

export function kindOf(provider: string, method: string): FineTuneKind {
  if (provider === "bedrock") return "bedrock_sft";
  return method === "rft" ? "fireworks_rft" : "fireworks_sft";
}

/** One point of a job's curves; a point may carry any subset. */
export interface MetricPoint {
  step: number;
  epoch?: number;
  trainLoss?: number;
  validationLoss?: number;
  reward?: number;
}

export interface FineTuneEventView {
  at: string;
  kind: "state" | "message" | "error" | "action";
  state: string | null;
  message: string;
}

export interface CostEstimate {
  /** Tokens in one pass over the training file (estimated at 4 characters per token). */
  trainTokens: number;
  epochs: number;
  /** trainTokens × epochs */
  billedTokens: number;
  /** USD per 1M training tokens used */
  pricePerMillion: number;
  usd: number;
  /** How the figure was reached, in one line. */
  basis: string;
}

export interface FineTuneJobSummary {
  id: string;
  name: string;
  kind: FineTuneKind;
  provider: FineTuneProvider;
  method: FineTuneMethod;
  baseModel: string;
  state: FineTuneState;
  providerState: string | null;
  progress: number | null;
  datasetVersionId: string;
  datasetVersion: number;
  connectionName: string | null;
  estimatedCostUsd: number | null;
  finalCostUsd: number | null;
  outputModel: string | null;
  deploymentState: DeploymentState | null;
  endpointId: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  createdBy: string | null;
}

export interface FineTuneLineageRun {
  id: string;
  label: string;
  status: string;
  accuracy: number | null;
  total: number;
  createdAt: string;
}

export interface FineTuneJobDetail extends FineTuneJobSummary {
  externalId: string | null;
  statusMessage: string | null;
  hyperparameters: Record<string, unknown>;
  /** Provider resources by role (dataset, evaluator, S3 objects…), names only. */
  resources: Record<string, string>;
  epoch: number | null;
  metrics: MetricPoint[];
  trainExamples: number;
  validationExamples: number;
  trainTokens: number;
  /** How the estimate was reached, in one line. */
  costBasis: string;
  deploymentId: string | null;
  deploymentError: string | null;
  nextPollAt: string | null;
  lastPolledAt: string | null;
  pollFailures: number;
  events: FineTuneEventView[];
  /** Lineage: dataset version → this job → model → endpoint → evaluation runs. */
  endpointName: string | null;
  evalRuns: FineTuneLineageRun[];
  /** What the viewer may do now. */
  canCancel: boolean;
  canDeploy: boolean;
  /** The launch failed before the provider's job existed: it can be retried, keeping finished steps. */
  canRetry: boolean;
  /** The model serves: its deployment can be deleted so the provider stops billing for it. */
  canUndeploy: boolean;
}
