// Asking a model for more queries of one shape: the prompt, the JSON schema its answer must
// follow, and the tolerant reading of that answer. Pure; what the model writes is trusted for
// nothing: every query goes through the same checks as an imported query log.
import type { ChatMessage } from "@/lib/providers/chat";
import type { Complexity } from "@/lib/queries/complexity";
import { extractJson } from "@/lib/providers/extract-json";

export type SampleValue = string | number | boolean | null;

export interface QueryGenerationRequest {
  /** The schema as CREATE TABLE statements (renderSchemaPrompt), sensitive columns already left out. */
  schemaText: string;
  shape: { id: string; label: string; description: string; complexity: Complexity };
  /** Existing queries of the shape, shown as examples of its form. */
  examples: string[];
  /** Values that occur in the sandbox, by "table.column". */
  samples: Record<string, SampleValue[]>;
  count: number;
}

export interface GeneratedQuery {
  sql: string;
  question: string;
}

/** What each level means, in the words of lib/queries/complexity.ts (the classifier decides). */
const COMPLEXITY_GUIDE: Record<Complexity, string> = {
  simple:
    "simple: one table; filters with =, <>, <, >, IS NULL, AND/OR, plain aggregates, ORDER BY and LIMIT. No JOIN, subquery, GROUP BY, IN list, BETWEEN, LIKE or CASE.",
  moderate:
    "moderate: uses at least one of one JOIN, one level of subquery, GROUP BY/HAVING, an IN list, BETWEEN, LIKE or CASE WHEN, and none of the complex constructs (two or more joins, a self join, nested subqueries, a window function, a CTE, a set operation, several aggregates with GROUP BY).",
  complex:
    "complex: uses one or two of two or more joins, a self join, subqueries nested two deep, a window function, one CTE, several aggregates with GROUP BY, or one set operation (UNION/EXCEPT/INTERSECT).",
  highly_complex:
    "highly complex: two or more CTEs, a recursive CTE, two or more window functions, two or more set operations, or three or more of the complex constructs together.",
};

const MAX_VALUES_PER_COLUMN = 8;
const MAX_VALUE_CHARS = 60;
const MAX_SAMPLE_COLUMNS = 300;
const MAX_EXAMPLES = 3;
const MAX_EXAMPLE_CHARS = 2_000;

/** The messages that ask for `count` queries of one shape and complexity over the schema. */
export function buildQueryGenerationPrompt(request: QueryGenerationRequest): ChatMessage[] {
  const { shape, count } = request;
  const plural = count === 1 ? "query" : "queries";
  const system = [
    "You write SQL queries and the questions they answer, for a text-to-SQL training set.",
    "The database is DuckDB. Every query must run on the schema you are given and return a result a reviewer can check.",
    "",
    "Rules for every query:",
    "- One DuckDB SELECT statement (WITH … SELECT is allowed). No INSERT, UPDATE, DELETE, CREATE, DROP, SET, PRAGMA, ATTACH, COPY or any other statement; no semicolon, no comments.",
    "- Only tables and columns that appear in the schema, spelt and quoted exactly as there. Join along the declared foreign keys.",
    "- Deterministic: whenever the query has LIMIT or its rows come out in a meaningful order, ORDER BY must end with a unique key (a primary key, or every output column) as the tie-break, before any LIMIT. Never use random(), uuid(), now(), current_date, current_timestamp, USING SAMPLE or TABLESAMPLE; string_agg/list/array_agg only with an ORDER BY inside.",
    "- Use literal values copied exactly (same case and spelling) from the sample values, so every filter selects real rows. Do not invent values.",
    "- Return few rows: filter, aggregate or LIMIT so the result has at most a few hundred rows.",
    "",
    "Rules for every question:",
    "- Plain English, the way an analyst would ask it, without SQL or table names written as code.",
    "- States every literal value the query uses (each string, number, date and the k of a top-k), written as in the SQL, so the query can be written from the question alone.",
    "- Asks for exactly what the query returns: the same columns, order and limit.",
    "",
    'Answer with JSON only: {"queries": [{"sql": "…", "question": "…"}, …]}.',
  ].join("\n");

  const parts: string[] = [];
  parts.push(`Schema:\n\n${request.schemaText.trim()}`);
  const samples = renderSamples(request.samples);
  if (samples) parts.push(`Sample values (column: values that occur in the data):\n\n${samples}`);
  const examples = request.examples
    .map((e) => e.trim())
    .filter(Boolean)
    .slice(0, MAX_EXAMPLES)
    .map((e) => (e.length > MAX_EXAMPLE_CHARS ? `${e.slice(0, MAX_EXAMPLE_CHARS)}…` : e));
  if (examples.length > 0) {
    parts.push(
      `Queries of this shape the set already has (write new ones: other tables, columns or values, never these):\n\n${examples.map((e, i) => `${i + 1}. ${e}`).join("\n\n")}`,
    );
  }
  parts.push(
    [
      `Write exactly ${count} new ${plural} of the shape "${shape.label}" (${shape.id}): ${shape.description}`,
      `Complexity level: ${COMPLEXITY_GUIDE[shape.complexity]}`,
      `Every query must have this shape and this complexity level, and the ${plural} must differ from each other. Each comes with its question.`,
    ].join("\n"),
  );
  return [
    { role: "system", content: system },
    { role: "user", content: parts.join("\n\n") },
  ];
}

/** The structured-output schema of an answer: `{ queries: [{ sql, question }] }`, written for strict decoding. */
export function queryGenerationSchema(count: number): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      queries: {
        type: "array",
        description: `Exactly ${count} queries, each with the question it answers.`,
        items: {
          type: "object",
          properties: {
            sql: { type: "string", description: "One DuckDB SELECT statement, without a trailing semicolon." },
            question: { type: "string", description: "The question the query answers, stating every literal value it uses." },
          },
          required: ["sql", "question"],
          additionalProperties: false,
        },
      },
    },
    required: ["queries"],
    additionalProperties: false,
  };
}

/**
 * The queries of a model's answer: `{"queries": [...]}` or a bare array, possibly in a ```json
 * fence or after a think block. Items without SQL are dropped; a missing question becomes "".
 * Never throws: an answer that cannot be read gives [].
 */
export function parseGeneratedQueries(text: string): GeneratedQuery[] {
  if (typeof text !== "string") return [];
  const value = extractJson(text);
  const list = Array.isArray(value)
    ? value
    : value && typeof value === "object" && Array.isArray((value as { queries?: unknown }).queries)
      ? (value as { queries: unknown[] }).queries
      : [];
  const out: GeneratedQuery[] = [];
  for (const item of list) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    const { sql, question } = item as { sql?: unknown; question?: unknown };
    if (typeof sql !== "string" || sql.trim() === "") continue;
    out.push({ sql: sql.trim(), question: typeof question === "string" ? question.trim() : "" });
  }
  return out;
}

function renderSamples(samples: Record<string, SampleValue[]>): string {
  const lines: string[] = [];
  for (const [column, values] of Object.entries(samples)) {
    if (lines.length >= MAX_SAMPLE_COLUMNS) break;
    // Long or multi-line texts are left out rather than cut: a cut value makes a filter that selects nothing.
    const shown = values
      .filter((v): v is Exclude<SampleValue, null> => v !== null && !(typeof v === "string" && (v.length > MAX_VALUE_CHARS || /[\r\n]/.test(v))))
      .slice(0, MAX_VALUES_PER_COLUMN)
      .map(renderValue);
    if (shown.length > 0) lines.push(`${column}: ${shown.join(", ")}`);
  }
  return lines.join("\n");
}

/** Strings as SQL literals (quotes doubled), so the model copies them into the SQL as they are. */
function renderValue(value: Exclude<SampleValue, null>): string {
  return typeof value === "string" ? `'${value.replace(/'/g, "''")}'` : String(value);
}
