import { z } from "zod";

// Provider connections made on a project's Connections page and shared by fine-tune jobs and the
// endpoints they register. The secret (Fireworks API key, AWS access key pair) is sealed at rest;
// the browser only ever sees a 4-character hint. Non-secret settings are plain JSON.

export const CONNECTION_KINDS = ["fireworks", "aws"] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

export const DEFAULT_FIREWORKS_API_BASE = "https://api.fireworks.ai";
export const DEFAULT_FIREWORKS_INFERENCE_BASE = "https://api.fireworks.ai/inference/v1";
/** SFT training price per 1M tokens for models up to 16B (reference: dated pricing); editable. */
export const DEFAULT_FIREWORKS_SFT_PRICE = 0.5;
/** Bedrock Nova training: $0.001 per 1K tokens × epochs (reference: blog figures); editable. */
export const DEFAULT_BEDROCK_TRAINING_PRICE = 1.0;

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .max(500)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, `${what} must be an http(s) address without credentials, like https://api.example.com.`)
    .transform((v) => v.replace(/\/+$/, ""));

const optionalUrl = (what: string) => z.union([z.literal("").transform(() => undefined), httpUrl(what)]).optional();

const name = z.string().trim().min(1, "Give the connection a name.").max(60, "Names are at most 60 characters.");

export const fireworksConnectionSettings = z.object({
  accountId: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "The account id is the lower-case id in accounts/<id>/… (letters, digits, dashes)."),
  apiBaseUrl: httpUrl("The API address").default(DEFAULT_FIREWORKS_API_BASE),
  inferenceBaseUrl: httpUrl("The inference address").default(DEFAULT_FIREWORKS_INFERENCE_BASE),
  /** USD per 1M training tokens, for SFT estimates (RFT under 16B is free per the reference). */
  trainingPricePerMillion: z.number().min(0).max(1000).default(DEFAULT_FIREWORKS_SFT_PRICE),
  /** GPU used for deployments of fine-tuned models. */
  acceleratorType: z.string().trim().min(1).max(60).default("NVIDIA_H100_80GB"),
});
export type FireworksConnectionSettings = z.infer<typeof fireworksConnectionSettings>;

const AWS_REGION = z.string().trim().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "Give an AWS region like us-east-1.");

export const awsConnectionSettings = z.object({
  region: AWS_REGION.default("us-east-1"),
  /** "chain": the default AWS credential chain of the studio's host; "keys": the sealed key pair. */
  credentialMode: z.enum(["chain", "keys"]).default("chain"),
  bucket: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "Give an S3 bucket name (3–63 lower-case letters, digits, dots, dashes)."),
  prefix: z
    .string()
    .trim()
    .max(200)
    .regex(/^[A-Za-z0-9_\-/.]*$/, "The prefix may hold letters, digits, _ - / . only (Bedrock's file-name rule).")
    .transform((v) => v.replace(/^\/+|\/+$/g, ""))
    .default("sandpiper"),
  roleArn: z
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "Give the IAM role ARN Bedrock assumes, like arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole."),
  /** Overrides for private endpoints (and for tests); empty means AWS's own. */
  bedrockEndpoint: optionalUrl("The Bedrock address"),
  runtimeEndpoint: optionalUrl("The Bedrock runtime address"),
  s3Endpoint: optionalUrl("The S3 address"),
  /** USD per 1M training tokens (reference: $0.001 per 1K). */
  trainingPricePerMillion: z.number().min(0).max(1000).default(DEFAULT_BEDROCK_TRAINING_PRICE),
});
export type AwsConnectionSettings = z.infer<typeof awsConnectionSettings>;

const awsKeys = {
  accessKeyId: z.string().trim().regex(/^[A-Z0-9]{16,128}$/, "An access key id is 16–128 upper-case letters and digits.").optional(),
  secretAccessKey: z.string().trim().min(16, "The secret access key looks too short.").max(256).optional(),
};

export const createConnectionInput = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("fireworks"),
    name,
    apiKey: z.string().trim().min(8, "Paste the Fireworks API key.").max(500),
    settings: fireworksConnectionSettings,
  }),
  z
    .object({ kind: z.literal("aws"), name, settings: awsConnectionSettings, ...awsKeys })
    .refine((v) => v.settings.credentialMode === "chain" || (v.accessKeyId && v.secretAccessKey), {
      message: "With \"keys\", give both the access key id and the secret access key (or use the default credential chain).",
      path: ["accessKeyId"],
    }),
]);
export type CreateConnectionRequest = z.input<typeof createConnectionInput>;
export type CreateConnectionInput = z.infer<typeof createConnectionInput>;

/** Settings can change; a secret is replaced only when a new one is given. */
export const updateConnectionInput = z.object({
  name: name.optional(),
  apiKey: z.string().trim().min(8).max(500).optional(),
  ...awsKeys,
  settings: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateConnectionRequest = z.input<typeof updateConnectionInput>;

export interface ConnectionView {
  id: string;
  kind: ConnectionKind;
  name: string;
  settings: FireworksConnectionSettings | AwsConnectionSettings;
  /** Last 4 characters of the key (Fireworks) or of the access key id (AWS); null without one. */
  secretHint: string | null;
  testedAt: string | null;
  testOk: boolean | null;
  testMessage: string | null;
  jobCount: number;
  endpointCount: number;
  createdAt: string;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** One line: what was checked and what answered. */
  message: string;
  /** Each check made, in order. */
  checks: { name: string; ok: boolean; detail: string }[];
}
