// Reading historical query logs: a .sql script, a CSV file or JSON Lines (or a JSON array) with a
// `sql` column and an optional question. Pure: it finds the statements, keeps the line each starts
// on, and sorts them into queries worth checking and statements skipped with a reason. Whether a
// query fits the schema is decided later, on the sandbox.
import { ValidationError } from "@/lib/errors";
import { parseCsv } from "@/lib/schema/describe";
import { splitSqlStatements } from "@/lib/schema/split-sql";

export const MAX_LOG_BYTES = 20 * 1024 * 1024;
export const MAX_LOG_STATEMENTS = 20_000;
/** The limit of safe execution (lib/sql/server/safe-exec.ts): a longer query could never run. */
export const MAX_QUERY_BYTES = 100 * 1024;

export type QueryLogFormat = "sql" | "csv" | "jsonl";

export interface QueryLogEntry {
  /** 1-based line of the file where the statement (or row, or JSON object) starts. */
  line: number;
  sql: string;
  question?: string;
}

export interface QueryLogSkip {
  line: number;
  reason: string;
  /** The statement or line, shortened for display. */
  text: string;
}

export interface ParsedQueryLog {
  entries: QueryLogEntry[];
  skipped: QueryLogSkip[];
  format: QueryLogFormat;
}

const SQL_COLUMNS = ["sql", "query"];
const QUESTION_COLUMNS = ["question", "nl", "prompt"];
const SHOWN_CHARS = 200;

/**
 * Decodes an uploaded file as UTF-8 text (a BOM is dropped). Refuses files over the size limit,
 * binary files and text in other encodings, each with what to do instead.
 */
export function decodeQueryLog(bytes: Uint8Array): string {
  assertLogSize(bytes.byteLength);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ValidationError("The file is UTF-16 text. Save it as UTF-8 and upload it again.");
  }
  if (bytes.includes(0)) throw binaryFile();
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError("The file is not UTF-8 text. Save it as UTF-8 (most editors offer it under \"Save as\" or \"Encoding\") and upload it again.");
  }
}

/**
 * Finds the queries of a query log. The format follows the file's extension (.sql, .csv/.tsv,
 * .jsonl/.ndjson/.json) and is sniffed from the content otherwise. Statements that are not queries,
 * rows without SQL, malformed JSON lines and repeats of an earlier query are skipped with a reason;
 * a file that is too large, binary, or holds a query too long to run is refused as a whole.
 */
export function parseQueryLog(content: string, fileName: string): ParsedQueryLog {
  assertLogSize(utf8Length(content));
  if (content.includes("\u0000")) throw binaryFile();
  // One line ending everywhere, so the stored SQL and the duplicate check do not depend on the editor.
  const text = (content.startsWith("\uFEFF") ? content.slice(1) : content).replace(/\r\n?/g, "\n");
  if (text.trim() === "") throw new ValidationError("The file is empty. Upload a .sql file of statements, or a CSV or JSONL file with a \"sql\" column.");
  const format = detectFormat(text, fileName);
  const items = format === "sql" ? readSqlScript(text) : format === "csv" ? readCsv(text) : readJson(text);
  const statements = items.length;
  if (statements > MAX_LOG_STATEMENTS) {
    throw new ValidationError(
      `The file holds ${statements.toLocaleString("en-US")} statements; at most ${MAX_LOG_STATEMENTS.toLocaleString("en-US")} can be imported at once. Split it into smaller files and upload them one by one.`,
    );
  }
  const entries: QueryLogEntry[] = [];
  const skipped: QueryLogSkip[] = [];
  const firstLineOf = new Map<string, number>();
  for (const item of items) {
    if ("reason" in item) {
      skipped.push(item);
      continue;
    }
    const sql = normalizeSql(item.sql);
    const notQuery = describeNonQuery(sql);
    if (notQuery) {
      skipped.push({ line: item.line, reason: notQuery, text: shorten(sql) });
      continue;
    }
    const bytes = utf8Length(sql);
    if (bytes > MAX_QUERY_BYTES) {
      throw new ValidationError(
        `The query on line ${item.line} is ${Math.ceil(bytes / 1024)} KB; a query can be at most ${MAX_QUERY_BYTES / 1024} KB. ` +
          "Check for an unclosed quote or a missing semicolon before it, or remove that query, and upload again.",
      );
    }
    const first = firstLineOf.get(sql);
    if (first !== undefined) {
      skipped.push({ line: item.line, reason: `duplicate of line ${first}`, text: shorten(sql) });
      continue;
    }
    firstLineOf.set(sql, item.line);
    entries.push(item.question ? { line: item.line, sql, question: item.question } : { line: item.line, sql });
  }
  return { entries, skipped, format };
}

/** Trimmed, without the terminating semicolon(s). */
export function normalizeSql(sql: string): string {
  return sql.trim().replace(/[\s;]+$/, "");
}

/**
 * Why a statement is not a query that can become a label, or null when it may be one: SELECT, WITH
 * … SELECT, a parenthesised SELECT, DuckDB's FROM-first SELECT, or a statement whose first word is
 * no known command (a misspelt SELECT), which the parser then reports as a syntax error.
 */
export function describeNonQuery(sql: string): string | null {
  const words = topLevelWords(sql);
  const first = words[0];
  if (!first) return "Not a SQL statement: only SELECT statements become labels";
  if (first.word === "SELECT" || first.word === "FROM") return null;
  if (first.word === "WITH") {
    // The statement the CTEs feed is the first of these words at the WITH's own depth.
    const main = words.find((w, i) => i > 0 && w.depth === first.depth && MAIN_KEYWORDS.has(w.word));
    if (!main || main.word === "SELECT" || main.word === "FROM") return null;
    return `WITH … ${main.word} is not a query: only SELECT statements become labels`;
  }
  if (!/^[A-Z_]/.test(first.word)) return "Not a SQL statement: only SELECT statements become labels";
  if (!STATEMENT_KEYWORDS.has(first.word)) return null;
  const hint = first.word === "EXPLAIN" ? " (remove EXPLAIN to import the query it explains)" : "";
  return `${first.word} is not a query: only SELECT statements become labels${hint}`;
}

/** First words of statements that are not queries (DuckDB, PostgreSQL, MySQL, SQLite, warehouses). */
const STATEMENT_KEYWORDS = new Set([
  "INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE", "TRUNCATE", "CREATE", "DROP", "ALTER", "RENAME", "COMMENT",
  "GRANT", "REVOKE", "SET", "RESET", "SHOW", "DESCRIBE", "DESC", "SUMMARIZE", "EXPLAIN", "ANALYZE", "VACUUM", "CHECKPOINT",
  "FORCE", "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "COPY", "EXPORT", "IMPORT",
  "LOAD", "INSTALL", "ATTACH", "DETACH", "USE", "PRAGMA", "CALL", "EXEC", "EXECUTE", "PREPARE", "DEALLOCATE", "DECLARE",
  "FETCH", "CLOSE", "MOVE", "LISTEN", "NOTIFY", "UNLISTEN", "LOCK", "UNLOCK", "CLUSTER", "REINDEX", "REFRESH", "DO",
  "VALUES", "TABLE", "PIVOT", "UNPIVOT", "KILL", "OPTIMIZE", "FLUSH", "HANDLER", "UNDROP", "PUT", "GET", "REMOVE", "LIST",
]);

const MAIN_KEYWORDS = new Set(["SELECT", "FROM", "VALUES", "INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "UPSERT", "COPY", "TABLE"]);

/**
 * Upper-cased words outside literals and comments with their parenthesis depth. The first entry is
 * the statement's first token even when it is not a word (then it is kept as-is).
 */
function topLevelWords(sql: string): { word: string; depth: number }[] {
  const out: { word: string; depth: number }[] = [];
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "-" && next === "-") {
      while (i < n && sql[i] !== "\n") i++;
    } else if (ch === "/" && next === "*") {
      let nested = 1;
      i += 2;
      while (i < n && nested > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          nested++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          nested--;
          i += 2;
        } else i++;
      }
    } else if (ch === "'" || ch === '"') {
      if (out.length === 0) out.push({ word: ch, depth });
      i++;
      while (i < n) {
        if (sql[i] === ch) {
          if (sql[i + 1] === ch) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (ch === "$" && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))![0];
      if (out.length === 0) out.push({ word: ch, depth });
      const end = sql.indexOf(tag, i + tag.length);
      i = end === -1 ? n : end + tag.length;
    } else if (ch === "(") {
      depth++;
      i++;
    } else if (ch === ")") {
      depth--;
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /[A-Za-z_][A-Za-z0-9_$]*/y;
      m.lastIndex = i;
      const word = m.exec(sql)![0];
      out.push({ word: word.toUpperCase(), depth });
      i += word.length;
    } else {
      if (out.length === 0) out.push({ word: ch, depth });
      i++;
    }
  }
  return out;
}

// --- formats ---------------------------------------------------------------------------------

type RawItem = { line: number; sql: string; question?: string } | QueryLogSkip;

function detectFormat(text: string, fileName: string): QueryLogFormat {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName.trim())?.[1]?.toLowerCase();
  if (ext === "sql") return "sql";
  if (ext === "csv" || ext === "tsv") return "csv";
  if (ext === "jsonl" || ext === "ndjson" || ext === "json") return "jsonl";
  const start = text.trimStart();
  if (start.startsWith("[") || start.startsWith("{")) return "jsonl";
  const header = (/^[^\r\n]*/.exec(start)?.[0] ?? "").split(/[,;\t|]/).map((h) => h.trim().replace(/^"|"$/g, "").toLowerCase());
  return header.some((h) => SQL_COLUMNS.includes(h)) ? "csv" : "sql";
}

function readSqlScript(text: string): RawItem[] {
  // Chunks holding only comments produce no statement.
  return splitSqlStatements(text).map((s) => ({ line: s.line, sql: s.text }));
}

function readCsv(text: string): RawItem[] {
  const rows = parseCsv(text);
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.fields.map((h) => h.trim().toLowerCase());
  const sqlIndex = SQL_COLUMNS.map((c) => names.indexOf(c)).find((i) => i !== -1);
  if (sqlIndex === undefined) {
    throw new ValidationError(
      `The CSV file has no "sql" column (its first row is: ${shorten(header.fields.join(", "), 120)}). ` +
        "Start the file with a header row naming the column of queries \"sql\" (and the questions, if any, \"question\"), and upload again.",
    );
  }
  const questionIndex = QUESTION_COLUMNS.map((c) => names.indexOf(c)).find((i) => i !== -1);
  return body.map(({ fields, line }): RawItem => {
    if (fields.length > names.length) {
      return {
        line,
        reason: `The row has ${fields.length} fields but the header has ${names.length}: put SQL that contains commas in double quotes ("…")`,
        text: shorten(fields.join(",")),
      };
    }
    return toItem(line, fields[sqlIndex] ?? "", questionIndex === undefined ? undefined : fields[questionIndex]);
  });
}

function readJson(text: string): RawItem[] {
  const start = text.trimStart();
  if (start.startsWith("[")) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ValidationError(
        `The file starts like a JSON array but is not valid JSON (${(error as Error).message}). Upload a JSON array of objects with a "sql" field, or JSON Lines: one object per line.`,
      );
    }
    if (!Array.isArray(data)) throw new ValidationError("The file is not a JSON array of objects with a \"sql\" field. Fix it, or upload JSON Lines: one object per line.");
    const lines = arrayElementLines(text);
    return data.map((value, i) => fromJsonValue(lines.length === data.length ? lines[i]! : i + 1, value, JSON.stringify(value) ?? ""));
  }
  if (start.startsWith("{")) {
    // A single object, possibly pretty-printed over several lines.
    try {
      const data = JSON.parse(text) as unknown;
      return [fromJsonValue(lineOf(text, text.indexOf("{")), data, JSON.stringify(data))];
    } catch {
      // Not one JSON document: read it as JSON Lines below.
    }
  }
  const items: RawItem[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      items.push({ line: i + 1, reason: `Not valid JSON: ${(error as Error).message}`, text: shorten(line) });
      continue;
    }
    items.push(fromJsonValue(i + 1, value, line));
  }
  return items;
}

function fromJsonValue(line: number, value: unknown, raw: string): RawItem {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return { line, reason: "Not a JSON object: each line must be an object with a \"sql\" field", text: shorten(raw) };
  }
  const byKey = new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]));
  const sqlKey = SQL_COLUMNS.find((k) => byKey.has(k));
  const sql = sqlKey === undefined ? undefined : byKey.get(sqlKey);
  if (typeof sql !== "string") {
    return { line, reason: sql === undefined ? "No \"sql\" field" : "The \"sql\" field is not a string", text: shorten(raw) };
  }
  const question = QUESTION_COLUMNS.map((k) => byKey.get(k)).find((v) => typeof v === "string");
  return toItem(line, sql, question as string | undefined);
}

/** One row's SQL: exactly one statement, leading comments dropped. */
function toItem(line: number, cell: string, questionCell: string | undefined): RawItem {
  const statements = splitSqlStatements(cell);
  if (statements.length === 0) {
    return { line, reason: cell.trim() === "" ? "The sql field is empty" : "The sql field holds only comments", text: shorten(cell) };
  }
  if (statements.length > 1) {
    return { line, reason: `The sql field holds ${statements.length} statements: put one query per row`, text: shorten(cell) };
  }
  const question = questionCell?.trim();
  return question ? { line, sql: statements[0]!.text, question } : { line, sql: statements[0]!.text };
}

/** 1-based line where each top-level element of a (valid) JSON array starts. */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let awaiting = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "\n") line++;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 1 && awaiting && !/\s/.test(ch) && ch !== "," && ch !== "]") {
      lines.push(line);
      awaiting = false;
    }
    if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") {
      depth++;
      if (depth === 1) awaiting = true;
    } else if (ch === "]" || ch === "}") depth--;
    else if (ch === "," && depth === 1) awaiting = true;
  }
  return lines;
}

// --- helpers ---------------------------------------------------------------------------------

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function shorten(text: string, max = SHOWN_CHARS): string {
  const flat = text.trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Byte length of a string in UTF-8, without allocating the encoded copy. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function assertLogSize(bytes: number): void {
  if (bytes > MAX_LOG_BYTES) {
    throw new ValidationError(
      `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; a query log can be at most ${MAX_LOG_BYTES / 1024 / 1024} MB. Split it into smaller files and upload them one by one.`,
    );
  }
}

function binaryFile(): ValidationError {
  return new ValidationError("The file holds binary data, not text. Upload the query log as a UTF-8 .sql, .csv or .jsonl file.");
}
