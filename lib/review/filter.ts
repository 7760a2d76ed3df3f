// The review filter: which pairs the list shows, a bulk decision changes and an assignment hands
// out. One definition, so the count a user confirms is the set that is acted on.
import { z } from "zod";
import { COMPLEXITIES, type Complexity } from "@/lib/queries/complexity";
import { REVIEW_STATES } from "@/lib/review/states";
import { PAIR_FLAGS } from "@/lib/review/flags";

export const PAIR_SORTS = ["created", "-created", "-updated", "rows", "-rows", "question", "shape"] as const;
export type PairSort = (typeof PAIR_SORTS)[number];

export const ROUND_TRIP_STATUSES = ["consistent", "ambiguous", "failed"] as const;

/** A yes/no filter that also reads "true"/"false"/"1"/"0" from a query string. */
const flagBool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1")]).optional();

export const pairFilterInput = z.object({
  state: z.enum(REVIEW_STATES).optional(),
  q: z.string().trim().max(200, "Keep the search under 200 characters.").optional(),
  complexity: z.enum(COMPLEXITIES as [Complexity, ...Complexity[]]).optional(),
  shape: z.string().trim().max(64).optional(),
  /** A table the SQL reads. */
  table: z.string().trim().max(128).optional(),
  /** Where the query came from: template | llm | imported | review. */
  origin: z.string().trim().max(32).optional(),
  /** A lint flag code, or "any" for pairs with at least one lint flag, "none" for none. */
  lint: z.string().trim().max(64).optional(),
  /** A reviewer flag (see PAIR_FLAGS). */
  flag: z.enum(PAIR_FLAGS).optional(),
  /** Last reviewer: a user id, "me", or "none" (never decided). */
  reviewer: z.string().trim().max(64).optional(),
  /** Assigned to: a user id, "me", or "none". */
  assignee: z.string().trim().max(64).optional(),
  hasComments: flagBool,
  roundTrip: z.enum(ROUND_TRIP_STATUSES).optional(),
});
export type PairFilter = z.infer<typeof pairFilterInput>;

/** Drops empty values, so a filter built from form fields compares and serializes cleanly. */
export function cleanFilter(filter: Record<string, unknown>): PairFilter {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== null && value !== "") out[key] = value;
  return out as PairFilter;
}

/** Query-string form of a filter (for GET routes and links). */
export function filterToParams(filter: PairFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(cleanFilter(filter))) params.set(key, String(value));
  return params;
}
