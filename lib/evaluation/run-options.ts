// What an evaluation run covers and how it calls the model (pure; stored on EvalRun).
import { z } from "zod";

export const EVAL_SPLITS = ["test", "validation", "heldout", "train"] as const;

export const evalScopeSchema = z.object({
  split: z.enum(EVAL_SPLITS).default("test"),
  /** Only items of these complexities / shapes / question styles (empty: all) */
  complexities: z.array(z.string().max(40)).max(20).default([]),
  shapes: z.array(z.string().max(60)).max(60).default([]),
  /** Also answer every item of the project's regression set */
  includeRegression: z.boolean().default(true),
  /** At most this many items of the split (0: all), picked in a stable order */
  limit: z.number().int().min(0).max(100_000).default(0),
});
export type EvalScope = z.infer<typeof evalScopeSchema>;

export const runSettingsSchema = z.object({
  concurrency: z.number().int().min(1, "Concurrency is at least 1.").max(64, "At most 64 calls at once.").default(4),
  timeoutMs: z.number().int().min(1_000, "The timeout is at least 1 second.").max(600_000, "The timeout is at most 10 minutes.").default(60_000),
  maxRetries: z.number().int().min(0).max(8, "At most 8 retries.").default(3),
  repeats: z.number().int().min(1).max(10, "At most 10 repeats.").default(1),
  useCache: z.boolean().default(true),
});
export type RunSettings = z.infer<typeof runSettingsSchema>;

export function readEvalScope(json: string | null | undefined): EvalScope {
  let raw: unknown = {};
  try {
    raw = JSON.parse(json || "{}");
  } catch {
    // A malformed scope reads as the default (the test split).
  }
  const parsed = evalScopeSchema.safeParse(raw);
  return parsed.success ? parsed.data : evalScopeSchema.parse({});
}
