// What went wrong with one model answer, in classes a scorecard can count (pure).

export const ERROR_CLASSES = [
  "no_sql",
  "syntax",
  "unknown_table",
  "unknown_column",
  "runtime",
  "timeout",
  "refused",
  "wrong_result",
  "empty_result",
  "provider",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export const ERROR_CLASS_LABELS: Record<ErrorClass, string> = {
  no_sql: "No SQL in the answer",
  syntax: "Syntax error",
  unknown_table: "Unknown table (hallucinated)",
  unknown_column: "Unknown column (hallucinated)",
  runtime: "Runtime error",
  timeout: "Timed out",
  refused: "Refused (not read-only)",
  wrong_result: "Wrong result",
  empty_result: "Empty result",
  provider: "Endpoint failed",
};

/** Classes where the model named a table or column the schema does not have. */
export const HALLUCINATION_CLASSES: readonly ErrorClass[] = ["unknown_table", "unknown_column"];

/** Classes where the SQL did not run at all (execution reliability). */
export const EXECUTION_FAILURE_CLASSES: readonly ErrorClass[] = ["syntax", "unknown_table", "unknown_column", "runtime", "timeout", "refused"];

export function isErrorClass(value: unknown): value is ErrorClass {
  return typeof value === "string" && (ERROR_CLASSES as readonly string[]).includes(value);
}
