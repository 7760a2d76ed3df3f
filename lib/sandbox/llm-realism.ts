import type { ChatMessage } from "@/lib/providers/chat";
import type { ColumnModel, SemanticType, TableModel } from "@/lib/schema/model";
import { parseColumnType } from "@/lib/sandbox/values";
import { extractJson } from "@/lib/providers/extract-json";

// The optional "LLM realism" pass: a model rewrites the free-text columns of sandbox rows
// (names, descriptions, cities, emails) so they read like real data. Keys, enums and anything
// a constraint or another table depends on stay rule-generated. This file is the pure part:
// which columns, the JSON schema the answer must follow, the prompt, and the validation that
// turns a model's answer into values safe to write (never throwing on bad output).

/** Longer values are rejected rather than truncated: they are not what was asked for. */
export const MAX_LLM_VALUE_CHARS = 1000;

/**
 * Semantic types whose values are not free text even when stored as strings. Countries stay
 * rule-generated too: the rule generator drew cities and coordinates to match them, and
 * questions filter on them by literal value, which needs the values to repeat.
 */
const NOT_FREE_TEXT: ReadonlySet<SemanticType> = new Set<SemanticType>([
  "id",
  "country",
  "number",
  "money",
  "latitude",
  "longitude",
  "date",
  "timestamp",
  "boolean",
]);

/** At most this many context columns per row in the prompt. */
const MAX_CONTEXT_COLUMNS = 12;
const MAX_CONTEXT_VALUE_CHARS = 80;

/** The columns of a table the model may write: free text that no key, enum or other row depends on. */
export function pickLlmColumns(table: TableModel): ColumnModel[] {
  const keyColumns = new Set([...table.primaryKey, ...table.uniqueKeys.flat(), ...table.foreignKeys.flatMap((fk) => fk.columns)]);
  return table.columns.filter(
    (c) =>
      parseColumnType(c.type).kind === "string" &&
      (c.canonicalType === undefined || c.canonicalType === "text") &&
      !c.primaryKey &&
      !c.unique &&
      !keyColumns.has(c.name) &&
      !c.sensitive &&
      !c.allowedValues?.length &&
      !c.enumValues?.length &&
      !NOT_FREE_TEXT.has(c.semanticType),
  );
}

/**
 * The columns shown to the model as each row's context, so its values agree with the row (a city
 * in the row's country): keys first, then the other columns in table order. Sensitive columns are
 * never shown; neither are the columns being rewritten (their rule values would only mislead).
 */
export function pickContextColumns(table: TableModel, llmColumns: readonly ColumnModel[]): ColumnModel[] {
  const written = new Set(llmColumns.map((c) => c.name));
  const keys = new Set([...table.primaryKey, ...table.foreignKeys.flatMap((fk) => fk.columns)]);
  const candidates = table.columns.filter((c) => !written.has(c.name) && !c.sensitive && parseColumnType(c.type).kind !== "unsupported");
  return [...candidates.filter((c) => keys.has(c.name)), ...candidates.filter((c) => !keys.has(c.name))].slice(0, MAX_CONTEXT_COLUMNS);
}

/** A structured-output schema name for a table (letters, digits, "_" and "-", at most 64). */
export function realismSchemaName(table: TableModel): string {
  return `sandbox_rows_${table.name.replace(/[^A-Za-z0-9_-]+/g, "_")}`.slice(0, 64);
}

/**
 * The JSON schema of an answer: `{"rows": [...]}` with exactly `rows` objects, each holding every
 * written column (strict decoding wants every property required; a nullable column says so with
 * a "null" type instead). Declared lengths become maxLength; the validation truncates anyway.
 */
export function tableJsonSchema(table: TableModel, columns: readonly ColumnModel[], rows: number): Record<string, unknown> {
  const properties = Object.fromEntries(columns.map((c) => [c.name, columnSchema(c)]));
  return {
    type: "object",
    description: `New values for ${rows} rows of the table ${table.name}, in the order the rows were given.`,
    properties: {
      rows: {
        type: "array",
        minItems: rows,
        maxItems: rows,
        items: { type: "object", properties, required: columns.map((c) => c.name), additionalProperties: false },
      },
    },
    required: ["rows"],
    additionalProperties: false,
  };
}

function columnSchema(column: ColumnModel): Record<string, unknown> {
  const length = parseColumnType(column.type).length;
  return { type: column.nullable ? ["string", "null"] : "string", ...(length ? { maxLength: length } : {}) };
}

/** One row's context: the values of the context columns, as text (null when the cell is NULL). */
export type ContextRow = Readonly<Record<string, string | null>>;

/** The system and user messages asking for values of `columns` for each of `contextRows`, in order. */
export function buildRealismPrompt(table: TableModel, columns: readonly ColumnModel[], contextRows: readonly ContextRow[]): ChatMessage[] {
  const written = new Set(columns.map((c) => c.name));
  const keys = columns.map((c) => JSON.stringify(c.name)).join(", ");
  const system = [
    "You write realistic sample data for a test copy of a database. People run SQL queries against it, so every value must read like real data for its column and row.",
    'Answer with JSON only, in the form {"rows": [ ... ]}: one object per row you are given, in the same order, each with exactly the keys asked for.',
    "Make each value fit its column's meaning and the other values of its row: a city in the row's country, an email that matches the person's name in the same row, a description that fits the product.",
    "Vary the values from row to row; values that naturally repeat (a category, a job title) may repeat. Never write placeholders such as \"Lorem ipsum\", \"N/A\", \"test\" or \"string\".",
    "Do not use real personal data: invent the people, their emails (use domains such as example.com), phone numbers and addresses.",
    "Keep to each column's length limit. Use null only for a column marked nullable, and only where a real row would leave it empty.",
  ].join("\n");

  const lines: string[] = [`Table: ${table.name}`];
  if (table.description) lines.push(`Description: ${oneLine(table.description)}`);
  lines.push("", "Columns of the table:");
  for (const c of table.columns) {
    if (c.sensitive) continue;
    lines.push(`- ${describeColumn(table, c)}${written.has(c.name) ? "  <- write this" : ""}`);
  }
  lines.push("", `Write these columns for each row: ${columns.map((c) => c.name).join(", ")}.`);
  for (const c of columns) {
    const length = parseColumnType(c.type).length;
    const rules = [
      c.nullable ? "nullable" : "never null",
      ...(length ? [`at most ${length} characters`] : []),
      ...(c.semanticType !== "other" ? [`holds: ${c.semanticType}`] : []),
      ...c.checks.map((check) => `must satisfy CHECK (${check})`),
    ];
    lines.push(`- ${c.name}: ${rules.join("; ")}${c.description ? ` — ${oneLine(c.description)}` : ""}`);
  }
  const tableChecks = table.checks.filter((check) => columns.some((c) => check.includes(c.name)));
  if (tableChecks.length > 0) lines.push(`Rows must also satisfy: ${tableChecks.map((check) => `CHECK (${check})`).join(", ")}.`);

  lines.push("", `Rows (${contextRows.length}), with the values already set in each, in order:`);
  contextRows.forEach((row, i) => {
    const shown = Object.entries(row).filter(([name]) => !written.has(name));
    const values = Object.fromEntries(shown.map(([name, value]) => [name, value === null ? null : clip(value)]));
    lines.push(`${i + 1}. ${shown.length > 0 ? JSON.stringify(values) : "(no other values)"}`);
  });
  lines.push(
    "",
    `Answer with {"rows": [...]} holding exactly ${contextRows.length} objects, row 1 first, each with the keys ${keys}.`,
  );
  return [
    { role: "system", content: system },
    { role: "user", content: lines.join("\n") },
  ];
}

function describeColumn(table: TableModel, c: ColumnModel): string {
  const notes: string[] = [];
  if (c.primaryKey || table.primaryKey.includes(c.name)) notes.push("primary key");
  const fk = table.foreignKeys.find((f) => f.columns.includes(c.name));
  if (fk) notes.push(`references ${fk.refTable}`);
  if (!c.nullable) notes.push("not null");
  if (c.allowedValues?.length) notes.push(`one of ${c.allowedValues.slice(0, 12).join(", ")}`);
  const description = c.description ? ` — ${oneLine(c.description)}` : "";
  return `${c.name} ${c.type}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}${description}`;
}

function oneLine(text: string): string {
  return clip(text.replace(/\s+/g, " ").trim(), 300);
}

function clip(text: string, max = MAX_CONTEXT_VALUE_CHARS): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

/** One row of a validated answer. */
export interface ValidatedRow {
  /** Values to write (repaired where needed), by column; null when there is nothing to write for the row. */
  values: Record<string, string | null> | null;
  /** Columns whose value was repaired (truncated to the declared length, control characters removed, whitespace tidied). */
  repaired: string[];
  /** Columns whose value was rejected: the rule-generated value stays. */
  rejected: string[];
}

export interface LlmRowsValidation {
  /** Always `expected` rows, in order. */
  rows: ValidatedRow[];
  /** Cells to write, repaired ones included. */
  acceptedCells: number;
  repairedCells: number;
  rejectedCells: number;
  /** Cells the model gave the value they already hold (nothing to write). */
  unchangedCells: number;
  /** Why the whole answer was rejected (unreadable, no rows, wrong row count). */
  reason?: string;
  /** The first few cell-level problems, for logs. */
  problems: string[];
}

const MAX_PROBLEMS = 10;

/**
 * Checks a model's answer against the columns' constraints. Values must be strings (or null
 * where the column is nullable); over-long values are truncated to the declared length; control
 * characters are removed; values over MAX_LLM_VALUE_CHARS, empty values and emails that are not
 * emails are rejected. `existing` holds each row's current values, so a value the model merely
 * repeated is not counted as a change. Never throws: an unreadable answer rejects every row.
 */
export function validateLlmRows(
  raw: string,
  table: TableModel,
  columns: readonly ColumnModel[],
  expected: number,
  existing?: readonly (Readonly<Record<string, string | null>> | undefined)[],
): LlmRowsValidation {
  const out: LlmRowsValidation = { rows: [], acceptedCells: 0, repairedCells: 0, rejectedCells: 0, unchangedCells: 0, problems: [] };
  const rejectAll = (reason: string): LlmRowsValidation => {
    const names = columns.map((c) => c.name);
    out.rows = Array.from({ length: expected }, () => ({ values: null, repaired: [], rejected: [...names] }));
    out.acceptedCells = out.repairedCells = out.unchangedCells = 0;
    out.rejectedCells = expected * names.length;
    out.reason = `The answer for ${table.name} was rejected: ${reason}.`;
    return out;
  };

  const parsed = extractJson(raw);
  if (parsed === undefined) return rejectAll("it is not JSON");
  const rows = Array.isArray(parsed) ? parsed : isPlainObject(parsed) ? parsed.rows : undefined;
  if (!Array.isArray(rows)) return rejectAll('it has no "rows" array');
  // Rows are matched to the sandbox by position: with one missing or extra, every later row would
  // get values meant for its neighbour (a city for another country), so the whole answer goes.
  if (rows.length !== expected) return rejectAll(`expected ${expected} rows, got ${rows.length}`);

  rows.forEach((row: unknown, i) => {
    const result: ValidatedRow = { values: null, repaired: [], rejected: [] };
    out.rows.push(result);
    if (!isPlainObject(row)) {
      result.rejected = columns.map((c) => c.name);
      out.rejectedCells += columns.length;
      note(out, `row ${i + 1} is not an object`);
      return;
    }
    const values: Record<string, string | null> = {};
    for (const column of columns) {
      const checked = checkValue(row, column);
      if ("problem" in checked) {
        result.rejected.push(column.name);
        out.rejectedCells++;
        note(out, `row ${i + 1}, ${column.name}: ${checked.problem}`);
        continue;
      }
      const current = existing?.[i]?.[column.name];
      if (current !== undefined && current === checked.value) {
        out.unchangedCells++;
        continue;
      }
      values[column.name] = checked.value;
      out.acceptedCells++;
      if (checked.repaired) {
        result.repaired.push(column.name);
        out.repairedCells++;
      }
    }
    result.values = Object.keys(values).length > 0 ? values : null;
  });
  return out;
}

function note(out: LlmRowsValidation, problem: string): void {
  if (out.problems.length < MAX_PROBLEMS) out.problems.push(problem);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}


// C0 controls except tab, newline and carriage return; DEL and C1 controls; a byte-order mark;
// unpaired surrogates (not valid text, DuckDB would refuse or mangle them).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkValue(row: Record<string, unknown>, column: ColumnModel): { value: string | null; repaired: boolean } | { problem: string } {
  if (!(column.name in row)) return { problem: "missing" };
  const value = row[column.name];
  if (value === null) return column.nullable ? { value: null, repaired: false } : { problem: "null in a NOT NULL column" };
  if (typeof value !== "string") return { problem: `a ${typeof value}, not a string` };

  let text = value.replace(CONTROL, "");
  // Free text may keep its line breaks; a name, city or code is one line.
  text = column.semanticType === "text" ? text.replace(/\r\n?/g, "\n").trim() : text.replace(/\s+/g, " ").trim();
  if (text === "") return { problem: "empty" };
  const chars = Array.from(text);
  if (chars.length > MAX_LLM_VALUE_CHARS) return { problem: `${chars.length} characters, over ${MAX_LLM_VALUE_CHARS}` };
  const length = parseColumnType(column.type).length;
  if (length !== undefined && chars.length > length) text = chars.slice(0, length).join("").trimEnd();
  if (text === "") return { problem: "empty once truncated" };
  if (column.semanticType === "email" && !EMAIL.test(text)) return { problem: "not an email address" };
  return { value: text, repaired: text !== value };
}
