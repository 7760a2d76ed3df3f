// What a reviewer can say about a pair besides approve/reject: why it was rejected, and flags
// that stay on the pair until someone removes them. Shared by the API, the workspace and filters.

export const REJECT_REASONS = [
  "wrong_sql",
  "wrong_result",
  "ambiguous_question",
  "unnatural_question",
  "question_sql_mismatch",
  "duplicate",
  "sensitive",
  "other",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const REJECT_REASON_LABELS: Record<RejectReason, string> = {
  wrong_sql: "SQL is wrong",
  wrong_result: "Result looks wrong",
  ambiguous_question: "Question is ambiguous",
  unnatural_question: "Question reads unnaturally",
  question_sql_mismatch: "Question and SQL disagree",
  duplicate: "Duplicate of another pair",
  sensitive: "Touches sensitive data",
  other: "Other",
};

export const PAIR_FLAGS = ["ambiguous", "needs_expert", "sensitive", "check_later"] as const;
export type PairFlag = (typeof PAIR_FLAGS)[number];

export const PAIR_FLAG_LABELS: Record<PairFlag, string> = {
  ambiguous: "Ambiguous",
  needs_expert: "Needs an expert",
  sensitive: "Sensitive",
  check_later: "Check later",
};

/** Flags stored on a pair (JSON string[]); unknown or malformed values are dropped, not thrown. */
export function parseFlags(json: string | null | undefined): PairFlag[] {
  if (!json) return [];
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((f): f is PairFlag => (PAIR_FLAGS as readonly string[]).includes(f as string)) : [];
  } catch {
    // A malformed column reads as "no flags"; the next save writes a well-formed one.
    return [];
  }
}
