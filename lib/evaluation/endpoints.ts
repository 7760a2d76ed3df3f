// Model endpoint kinds and their settings (pure; stored as ModelEndpoint.settings JSON).
import { z } from "zod";

export const ENDPOINT_KINDS = ["retrieval_baseline", "openai_compatible", "bedrock_converse", "few_shot"] as const;
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

export const ENDPOINT_KIND_LABELS: Record<EndpointKind, string> = {
  retrieval_baseline: "Retrieval baseline (built in, no LLM)",
  openai_compatible: "OpenAI-compatible chat endpoint",
  bedrock_converse: "Amazon Bedrock (Converse)",
  few_shot: "Few-shot prompting over approved pairs",
};

/** USD per million tokens; both 0 when unknown (cost then shows as "not priced"). */
export const pricingSchema = z.object({
  inputPerMillion: z.number().min(0, "Prices cannot be negative.").max(10_000, "That price per million tokens is implausibly high."),
  outputPerMillion: z.number().min(0, "Prices cannot be negative.").max(10_000, "That price per million tokens is implausibly high."),
});
export type Pricing = z.infer<typeof pricingSchema>;

export const endpointSettingsSchema = z.object({
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().min(16).max(32_768).default(1024),
  pricing: pricingSchema.optional(),
  /** bedrock_converse: AWS region, e.g. us-east-1 */
  region: z.string().trim().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "Give an AWS region such as us-east-1.").optional(),
  /** few_shot: the LLM endpoint that is prompted */
  baseEndpointId: z.string().optional(),
  /** few_shot: how many of the most similar approved pairs are shown */
  k: z.number().int().min(1).max(20).default(5),
});
export type EndpointSettings = z.infer<typeof endpointSettingsSchema>;

/** Reads stored settings; anything malformed falls back to defaults (old rows, hand edits). */
export function readEndpointSettings(json: string | null | undefined): EndpointSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(json || "{}");
  } catch {
    // Malformed settings are treated as empty: defaults apply.
  }
  const parsed = endpointSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : endpointSettingsSchema.parse({});
}

/** Cost of one call in USD. */
export function callCost(pricing: Pricing | undefined, promptTokens: number, completionTokens: number): number {
  if (!pricing) return 0;
  return (promptTokens * pricing.inputPerMillion + completionTokens * pricing.outputPerMillion) / 1_000_000;
}
