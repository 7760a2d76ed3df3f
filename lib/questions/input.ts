// What the question jobs accept, validated once here for the routes, the services and the form.
import { z } from "zod";
import { REVIEW_STATES } from "@/lib/review/states";
import { QUESTION_STYLES, TEMPLATE_STYLES } from "@/lib/questions/styles";

export const MAX_PER_QUERY = 5;
export const MAX_LLM_QUERIES = 500;
export const MAX_ROUND_TRIP_PAIRS = 500;

const perQuery = z.coerce
  .number({ error: "Paraphrases per query must be a number from 1 to 5." })
  .int("Paraphrases per query must be a whole number.")
  .min(1, "Write at least one question per query.")
  .max(MAX_PER_QUERY, `At most ${MAX_PER_QUERY} questions per query.`);

const templateStyle = z.enum(TEMPLATE_STYLES, {
  error: (issue) =>
    `"${String(issue.input)}" is not a template style. Templates write ${TEMPLATE_STYLES.join(", ")}; vague and metaphorical questions need a model.`,
});

const anyStyle = z.enum(QUESTION_STYLES, {
  error: (issue) => `"${String(issue.input)}" is not a question style. Pick from ${QUESTION_STYLES.join(", ")}.`,
});

/** Template questions: the styles to rotate through and how many distinct questions per query. */
export const templateQuestionsInput = z.object({
  styles: z
    .array(templateStyle)
    .min(1, "Pick at least one style.")
    .max(TEMPLATE_STYLES.length)
    .transform((s) => [...new Set(s)])
    .default([...TEMPLATE_STYLES]),
  perQuery: perQuery.default(1),
});
export type TemplateQuestionsInput = z.infer<typeof templateQuestionsInput>;

const endpointId = z.string({ error: "Pick the model endpoint that writes the questions." }).min(1, "Pick the model endpoint that writes the questions.");

/** Questions written by a model for executed queries that have none from a model yet. */
export const llmQuestionsInput = z.object({
  endpointId,
  styles: z
    .array(anyStyle)
    .min(1, "Pick at least one style.")
    .max(QUESTION_STYLES.length)
    .transform((s) => [...new Set(s)]),
  perQuery: perQuery.default(1),
  limit: z.coerce
    .number({ error: "The number of queries must be a number." })
    .int("The number of queries must be a whole number.")
    .min(1, "Ask about at least one query.")
    .max(MAX_LLM_QUERIES, `At most ${MAX_LLM_QUERIES} queries at a time.`)
    .default(50),
  roundTrip: z.boolean({ error: "roundTrip must be true or false." }).default(true),
});
export type LlmQuestionsInput = z.infer<typeof llmQuestionsInput>;

/** A round-trip check of pairs: the model writes SQL from the question alone, compared with the ground truth. */
export const roundTripInput = z.object({
  endpointId,
  state: z.enum(REVIEW_STATES, { error: `The review state must be one of ${REVIEW_STATES.join(", ")}.` }).optional(),
  pairIds: z.array(z.string().min(1)).min(1, "List at least one pair.").max(MAX_ROUND_TRIP_PAIRS, `At most ${MAX_ROUND_TRIP_PAIRS} pairs at a time.`).optional(),
  limit: z.coerce
    .number({ error: "The number of pairs must be a number." })
    .int("The number of pairs must be a whole number.")
    .min(1, "Check at least one pair.")
    .max(MAX_ROUND_TRIP_PAIRS, `At most ${MAX_ROUND_TRIP_PAIRS} pairs at a time.`)
    .default(50),
  /** Check pairs already checked again; without it only unchecked pairs are taken (unless listed by id). */
  recheck: z.boolean().default(false),
});
export type RoundTripInput = z.infer<typeof roundTripInput>;
