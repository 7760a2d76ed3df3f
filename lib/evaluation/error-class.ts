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

// ---------- failed executions ----------
// DuckDB reports a name the catalog lacks in several wordings (catalog, binder, values lists, USING
// joins); each pattern below captures the name as the model wrote it. A few other engines' wordings
// are recognised too, so SQL run elsewhere classifies the same way.

const UNKNOWN_TABLE_PATTERNS: readonly RegExp[] = [
  // Table with name flightz does not exist! / Table with name "x.y" does not exist because schema "x" does not exist.
  /Table with name "?(.+?)"? does not exist/,
  // Referenced table "x" not found!  (a qualifier that names no table in FROM)
  /Referenced table "(.+?)" not found/,
  /Catalog "(.+?)" does not exist/,
  /Schema with name "?(.+?)"? does not exist/,
  /schema "(.+?)" does not exist/,
  // PostgreSQL, SQLite, MySQL/MariaDB
  /relation "(.+?)" does not exist/,
  /no such table: (\S+)/,
  /Table '(.+?)' doesn't exist/,
];

const UNKNOWN_COLUMN_PATTERNS: readonly RegExp[] = [
  // Referenced column "x" not found in FROM clause! / ... was not found because the FROM clause is missing
  /Referenced column "(.+?)" (?:was )?not found/,
  // Table "f" does not have a column named "x" / Values list "v" does not have a column named "x"
  /does not have a column named "(.+?)"/,
  // JOIN ... USING (x)
  /Column "(.+?)" does not exist on (?:left|right) side of join/,
  /Column with name "?(.+?)"? does not exist/,
  // A struct field the column does not have is a made-up name like a column.
  /Could not find key "(.+?)" in struct/,
  /column "(.+?)" (?:was )?not found/i,
  // PostgreSQL, SQLite, MySQL/MariaDB
  /column "(.+?)" does not exist/,
  /no such column: (\S+)/,
  /Unknown column '(.+?)'/,
];

function firstCapture(patterns: readonly RegExp[], message: string): string | null {
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match) return match[1];
  }
  return null;
}

/**
 * The class of an answer whose SQL failed to run. `kind` is SqlExecutionError's kind ("syntax",
 * "binder", "runtime", "timeout", "memory", "too_many_rows") or "refused" for SqlRefusedError;
 * `message` is the database's message. Unknown functions, type mismatches, conversions and
 * grouping errors are "runtime": the names the model used exist, it used them wrongly.
 */
export function classifyExecutionError(kind: string, message: string): ErrorClass {
  if (kind === "refused") return "refused";
  if (kind === "timeout") return "timeout";
  if (kind === "syntax" || /^Parser Error/i.test(message)) return "syntax";
  if (firstCapture(UNKNOWN_TABLE_PATTERNS, message) !== null) return "unknown_table";
  if (firstCapture(UNKNOWN_COLUMN_PATTERNS, message) !== null) return "unknown_column";
  return "runtime";
}

/**
 * The table or column name a failure message says does not exist, as the model wrote it (a
 * qualified table keeps its schema: "sales.orders"; a column comes without its table qualifier, so
 * the same invented column counts once however it was qualified). Null when the message names none.
 */
export function hallucinatedName(message: string): string | null {
  return firstCapture(UNKNOWN_TABLE_PATTERNS, message) ?? firstCapture(UNKNOWN_COLUMN_PATTERNS, message);
}

const ERROR_CLASS_REASONS: Record<ErrorClass, string> = {
  no_sql: "The answer held no SQL to run.",
  syntax: "The SQL does not parse.",
  unknown_table: "The SQL names a table the schema does not have.",
  unknown_column: "The SQL names a column the tables it reads do not have.",
  runtime: "The SQL parsed and its names exist, but it failed while binding or running (a function, a type, a conversion).",
  timeout: "The SQL ran past the time limit.",
  refused: "The SQL is not a single read-only query, so it was not run.",
  wrong_result: "The SQL ran, but its result differs from the gold result.",
  empty_result: "The SQL ran, but returned no rows where the gold result has some.",
  provider: "The model endpoint failed to answer.",
};

/** One sentence on what a class means, for hints beside its count. */
export function errorClassReason(errorClass: ErrorClass): string {
  return ERROR_CLASS_REASONS[errorClass];
}
