import type { JsonValue } from "@/lib/sql/result";

// Tool-neutral exports of a dataset version: JSONL (one object per item), CSV (RFC 4180) and
// Parquet (written by DuckDB on the server from the same rows). The question is the one a model
// sees (redacted where a scan finding was resolved by redaction).

export interface GenericRow {
  /** The pair's id: stable across versions, the same as `pair_id` in Fireworks RFT files. */
  id: string;
  split: string;
  question: string;
  sql: string;
  result: { columns: string[]; rows: JsonValue[][] };
  complexity: string;
  shape: string;
  tables: string[];
  origin: string;
}

export const GENERIC_COLUMNS = ["id", "split", "question", "sql", "result", "complexity", "shape", "tables", "origin"] as const;

export interface GenericProblem {
  /** 1-based record number; 0 for the file as a whole. */
  line: number;
  message: string;
}

/** What every generic file must hold: at least one item, each with a question, SQL and a rectangular result. */
export function validateGenericRows(rows: readonly GenericRow[], limit = 20): GenericProblem[] {
  const problems: GenericProblem[] = [];
  if (rows.length === 0) problems.push({ line: 0, message: "the file has no items" });
  for (let i = 0; i < rows.length && problems.length < limit; i++) {
    const row = rows[i];
    const problem = !row.id
      ? "the item has no id"
      : !row.question.trim()
        ? "the question is empty"
        : !row.sql.trim()
          ? "the SQL is empty"
          : !Array.isArray(row.result.columns) || !Array.isArray(row.result.rows)
            ? "the result is not {columns, rows}"
            : row.result.rows.some((r) => !Array.isArray(r) || r.length !== row.result.columns.length)
              ? `a result row does not have ${row.result.columns.length} values`
              : undefined;
    if (problem) problems.push({ line: i + 1, message: problem });
  }
  return problems;
}

export function toGenericJsonlLines(rows: readonly GenericRow[]): string[] {
  return rows.map((r) =>
    JSON.stringify({
      id: r.id,
      split: r.split,
      question: r.question,
      sql: r.sql,
      result: { columns: r.result.columns, rows: r.result.rows },
      complexity: r.complexity,
      shape: r.shape,
      tables: r.tables,
      origin: r.origin,
    }),
  );
}

export function parseGenericJsonl(text: string): GenericRow[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as GenericRow);
}

// CSV, RFC 4180: CRLF between records; a field holding a comma, a double quote, CR or LF is quoted,
// with inner quotes doubled. Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a
// formula, so such a cell is written with a leading apostrophe; a cell that itself starts with an
// apostrophe gets one more, which keeps the rule reversible (`parseGenericCsv` drops exactly one).
// `result` and `tables` are JSON strings.

const FORMULA_START = /^[=+\-@\t\r']/;

export function neutralizeCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function quoteCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvRecord(cells: readonly string[]): string {
  return cells.map((c) => quoteCsvField(neutralizeCsvCell(c))).join(",");
}

/** The header and one record per item, CRLF-terminated. */
export function toGenericCsv(rows: readonly GenericRow[]): string {
  const out = [csvRecord(GENERIC_COLUMNS)];
  for (const r of rows) {
    out.push(
      csvRecord([r.id, r.split, r.question, r.sql, JSON.stringify({ columns: r.result.columns, rows: r.result.rows }), r.complexity, r.shape, JSON.stringify(r.tables), r.origin]),
    );
  }
  return out.join("\r\n") + "\r\n";
}

/** Parses RFC 4180 text into records of fields (quotes undone; apostrophe guards left in place). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      i++;
    } else if (ch === ",") {
      endField();
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      endRecord();
      i += 2;
    } else if (ch === "\n") {
      endRecord();
      i++;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new Error("The CSV ends inside a quoted field.");
  if (field !== "" || record.length > 0) endRecord();
  return records;
}

function unguard(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** Reads a generic CSV export back into rows. */
export function parseGenericCsv(text: string): GenericRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header || header.join(",") !== GENERIC_COLUMNS.join(",")) throw new Error(`The CSV header must be ${GENERIC_COLUMNS.join(",")}.`);
  return records.map((cells) => {
    const c = cells.map(unguard);
    const result = JSON.parse(c[4]) as GenericRow["result"];
    return { id: c[0], split: c[1], question: c[2], sql: c[3], result, complexity: c[5], shape: c[6], tables: JSON.parse(c[7]) as string[], origin: c[8] };
  });
}
