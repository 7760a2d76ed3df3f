import "server-only";
import Database from "better-sqlite3";
import { ValidationError } from "@/lib/errors";
import { parseAllowedValues } from "@/lib/schema/checks";
import { duplicateTableError, finishSchema, newColumn, newTable } from "@/lib/schema/ddl-finish";
import { validateSchemaText } from "@/lib/schema/input";
import type { ParsedSchema, SchemaWarning, TableModel } from "@/lib/schema/model";
import { leadingWords, splitSqlStatements, type SqlStatementSpan } from "@/lib/schema/split-sql";

// Reads SQLite DDL with SQLite itself: each CREATE TABLE / CREATE INDEX statement runs in a fresh
// in-memory database (nothing else is ever run: ATTACH, PRAGMA, INSERT and the rest become
// warnings), and the model is read back with PRAGMA table_xinfo, foreign_key_list and
// index_list. SQLite does not keep CHECK constraints or comments in a queryable form, so those
// are read from the statement text with a small tokenizer.

interface Token {
  kind: "word" | "quoted" | "string" | "punct" | "comment";
  text: string;
  line: number;
  start: number;
  end: number;
}

/** SQLite tokens of a statement: identifiers, quoted identifiers ("x", `x`, [x]), strings, punctuation, and -- comments. */
function tokenize(sql: string, firstLine: number): Token[] {
  const out: Token[] = [];
  let line = firstLine;
  let i = 0;
  const n = sql.length;
  const advance = (to: number) => {
    for (let k = i; k < to; k++) if (sql.charCodeAt(k) === 10) line++;
    i = to;
  };
  while (i < n) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      advance(i + 1);
      continue;
    }
    if (ch === "-" && sql[i + 1] === "-") {
      let end = sql.indexOf("\n", i);
      if (end === -1) end = n;
      out.push({ kind: "comment", text: sql.slice(i + 2, end).trim(), line, start: i, end });
      advance(end);
      continue;
    }
    if (ch === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      advance(end === -1 ? n : end + 2);
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`" || ch === "[") {
      const close = ch === "[" ? "]" : ch;
      let j = i + 1;
      while (j < n) {
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) j += 2;
          else break;
        } else j++;
      }
      const text = sql.slice(i, j + 1);
      out.push({ kind: ch === "'" ? "string" : "quoted", text, line, start: i, end: j + 1 });
      advance(j + 1);
      continue;
    }
    const word = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(sql.slice(i, i + 256));
    if (word) {
      out.push({ kind: "word", text: word[0], line, start: i, end: i + word[0].length });
      advance(i + word[0].length);
      continue;
    }
    out.push({ kind: "punct", text: ch, line, start: i, end: i + 1 });
    advance(i + 1);
  }
  return out;
}

function identifier(t: Token | undefined): string | undefined {
  if (!t) return undefined;
  if (t.kind === "word") return t.text;
  if (t.kind === "quoted") {
    const q = t.text[0];
    const body = t.text.slice(1, -1);
    return q === "[" ? body : body.split(`${q}${q}`).join(q);
  }
  return undefined;
}

const CONSTRAINT_START = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);

interface Element {
  /** Column name when the element defines a column, undefined for table constraints. */
  column?: string;
  checks: string[];
  comment?: string;
}

/** The column definitions and table constraints of a CREATE TABLE, with their CHECK texts and trailing comments. */
function tableElements(sql: string, firstLine: number): Element[] {
  const tokens = tokenize(sql, firstLine);
  const open = tokens.findIndex((t) => t.text === "(");
  if (open === -1) return [];
  const elements: Element[] = [];
  let current: Token[] = [];
  let depth = 0;
  let lastCodeLine = -1;
  let lastCodeElement = -1;
  const texts = (from: number, to: number) => sqlSlice(sql, tokens, from, to);
  const finish = () => {
    const el: Element = { checks: [] };
    const first = current.find((t) => t.kind !== "comment");
    if (first && !(first.kind === "word" && CONSTRAINT_START.has(first.text.toUpperCase()))) el.column = identifier(first);
    elements.push(el);
    current = [];
  };
  const checkStarts: Array<{ element: number; index: number }> = [];
  const pendingComment = new Map<number, string>();
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === "comment") {
      if (depth === 0 && t.line === lastCodeLine && lastCodeElement >= 0) {
        const target = lastCodeElement < elements.length ? elements[lastCodeElement] : undefined;
        if (target) target.comment ??= t.text;
        else pendingComment.set(lastCodeElement, t.text);
      }
      continue;
    }
    lastCodeLine = t.line;
    if (depth === 0 && t.text === ",") {
      lastCodeElement = elements.length;
      finish();
      continue;
    }
    if (depth === 0 && t.text === ")") {
      lastCodeElement = elements.length;
      finish();
      break;
    }
    lastCodeElement = elements.length;
    if (t.text === "(") depth++;
    else if (t.text === ")") depth--;
    if (t.kind === "word" && t.text.toUpperCase() === "CHECK" && tokens[i + 1]?.text === "(") checkStarts.push({ element: elements.length, index: i + 1 });
    current.push(t);
  }
  for (const [index, text] of pendingComment) if (elements[index]) elements[index].comment ??= text;
  for (const { element, index } of checkStarts) {
    let d = 0;
    let j = index;
    for (; j < tokens.length; j++) {
      const t = tokens[j] as Token;
      if (t.text === "(") d++;
      else if (t.text === ")" && --d === 0) break;
    }
    elements[element]?.checks.push(texts(index + 1, j));
  }
  return elements;
}

/** The source text from token `from` to token `to` (exclusive). */
function sqlSlice(sql: string, tokens: Token[], from: number, to: number): string {
  const first = tokens[from];
  const last = tokens[to - 1];
  return first && last && to > from ? sql.slice(first.start, last.end).trim() : "";
}

interface XInfo {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}
interface FkRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
}
interface IndexRow {
  seq: number;
  name: string;
  unique: number;
  origin: string;
  partial: number;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

type Kind = "table" | "index" | "view" | "other";

function kindOf(span: SqlStatementSpan): Kind {
  const w = leadingWords(span.text.replace(/`/g, '"'), 6);
  if (w[0] !== "CREATE") return "other";
  let i = 1;
  if (w[i] === "TEMP" || w[i] === "TEMPORARY") i++;
  if (w[i] === "UNIQUE") i++;
  if (w[i] === "TABLE") return "table";
  if (w[i] === "INDEX") return "index";
  if (w[i] === "VIEW") return "view";
  return "other";
}

/** Parses SQLite DDL into the studio's schema model by running the CREATE statements in an in-memory SQLite. */
export async function parseSqliteDdl(input: string): Promise<ParsedSchema> {
  const ddl = validateSchemaText(input);
  const warnings: SchemaWarning[] = [];
  const spans = splitSqlStatements(ddl);
  const db = new Database(":memory:");
  const tableLine = new Map<string, number>();
  const tableSql = new Map<string, SqlStatementSpan>();
  const ignoredIndexes: number[] = [];
  try {
    db.pragma("foreign_keys = OFF");
    const names = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
    const known = () => new Set(names.all().map((r) => r.name));
    for (const span of spans) {
      const kind = kindOf(span);
      const line = span.line;
      if (kind === "other" || kind === "view") {
        const w = leadingWords(span.text, 3).filter((x) => /^[A-Z_]+$/.test(x));
        const what = (w[0] === "CREATE" ? w.slice(0, 2) : w.slice(0, 1)).join(" ") || "unrecognised statement";
        warnings.push({ message: `Statement at line ${line} (${what}) was skipped without running it: only CREATE TABLE and CREATE INDEX are read.`, line });
        continue;
      }
      if (kind === "table" && /\bAS\s+SELECT\b/i.test(span.text)) {
        warnings.push({ message: `Statement at line ${line} is a CREATE TABLE … AS SELECT: it was skipped; declare the table's columns instead.`, line });
        continue;
      }
      const before = known();
      try {
        const statement = db.prepare(span.text);
        if (statement.reader) {
          warnings.push({ message: `Statement at line ${line} returns rows: it was skipped.`, line });
          continue;
        }
        statement.run();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const exists = /^table (.+) already exists$/i.exec(message);
        if (exists) {
          const name = (exists[1] as string).replace(/^"|"$/g, "");
          throw duplicateTableError(name, tableLine.get(name.toLowerCase()), line);
        }
        warnings.push({ message: `Statement at line ${line} was skipped: SQLite could not run it (${message}).`, line });
        continue;
      }
      if (kind === "index") {
        if (!/^CREATE\s+UNIQUE\b/i.test(span.text)) ignoredIndexes.push(line);
        continue;
      }
      const added = [...known()].filter((n) => !before.has(n));
      for (const name of added) {
        tableLine.set(name.toLowerCase(), line);
        tableSql.set(name.toLowerCase(), span);
      }
      if (added.length === 0) {
        warnings.push({ message: `Statement at line ${line} created no table (IF NOT EXISTS on a table already created?): it was skipped.`, line });
      }
    }

    const rows = db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")
      .all();
    const tables: TableModel[] = [];
    for (const { name } of rows) {
      const table = newTable(name);
      const span = tableSql.get(name.toLowerCase());
      const elements = span ? tableElements(span.text, span.line) : [];
      const xinfo = db.prepare<[], XInfo>(`PRAGMA table_xinfo(${quoteIdent(name)})`).all();
      const pk = xinfo.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
      for (const c of xinfo) {
        const element = elements.find((e) => e.column !== undefined && e.column.toLowerCase() === c.name.toLowerCase());
        const column = newColumn("sqlite", name, c.name, c.type, {
          nullable: c.notnull === 0 && c.pk === 0,
          primaryKey: c.pk > 0,
          defaultValue: c.dflt_value,
          description: element?.comment ?? null,
        });
        table.columns.push(column);
        if (c.hidden === 2 || c.hidden === 3) {
          warnings.push({ message: `Column ${name}.${c.name} is generated: the sandbox computes it like any other column.`, line: span?.line });
        }
      }
      table.primaryKey = pk.map((c) => c.name);
      // CHECK constraints, from the statement text.
      for (const element of elements) {
        for (const expression of element.checks) {
          const refs = table.columns.filter((c) => new RegExp(`(^|[^A-Za-z0-9_$"\`\\]])("${escapeRe(c.name)}"|\`${escapeRe(c.name)}\`|\\[${escapeRe(c.name)}\\]|${escapeRe(c.name)})(?![A-Za-z0-9_$])`, "i").test(stripStrings(expression)));
          const own = element.column !== undefined ? table.columns.find((c) => c.name.toLowerCase() === element.column?.toLowerCase()) : undefined;
          const target = own && refs.every((r) => r === own) ? own : !own && refs.length === 1 ? refs[0] : undefined;
          if (target) {
            target.checks.push(expression);
            const allowed = parseAllowedValues(expression.replace(/`([^`]*)`|\[([^\]]*)\]/g, (_, a: string | undefined, b: string | undefined) => `"${a ?? b}"`), target.name);
            if (allowed) target.allowedValues = target.allowedValues ? target.allowedValues.filter((v) => allowed.includes(v)) : allowed;
          } else table.checks.push(expression);
        }
      }
      // Foreign keys: one row per column, grouped by id; ids count down from the last declared.
      const fks = db.prepare<[], FkRow>(`PRAGMA foreign_key_list(${quoteIdent(name)})`).all();
      const byId = new Map<number, FkRow[]>();
      for (const r of fks) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
      for (const id of [...byId.keys()].sort((a, b) => b - a)) {
        const group = (byId.get(id) ?? []).sort((a, b) => a.seq - b.seq);
        table.foreignKeys.push({
          columns: group.map((r) => r.from),
          refTable: group[0]?.table ?? "",
          refColumns: group.every((r) => r.to !== null) ? group.map((r) => r.to as string) : [],
        });
      }
      // UNIQUE constraints and unique indexes; the primary key's own index is not one.
      const indexes = db.prepare<[], IndexRow>(`PRAGMA index_list(${quoteIdent(name)})`).all();
      for (const index of indexes.sort((a, b) => b.seq - a.seq)) {
        if (!index.unique || index.origin === "pk" || index.partial) continue;
        const cols = db.prepare<[], { name: string | null }>(`PRAGMA index_info(${quoteIdent(index.name)})`).all().map((r) => r.name);
        if (cols.some((c) => c === null)) continue;
        const keys = cols as string[];
        if (keys.length === 1) {
          const col = table.columns.find((c) => c.name === keys[0]);
          if (col) col.unique = true;
        } else if (!table.uniqueKeys.some((k) => k.join("\u0000") === keys.join("\u0000"))) table.uniqueKeys.push(keys);
        if (index.origin === "c") {
          const line = spans.find((s) => kindOf(s) === "index" && new RegExp(`\\bINDEX\\s+(IF\\s+NOT\\s+EXISTS\\s+)?["\`\\[]?${escapeRe(index.name)}\\b`, "i").test(s.text))?.line;
          warnings.push({ message: `CREATE UNIQUE INDEX ${index.name} was read as a UNIQUE constraint on ${name} (${keys.join(", ")}); the index itself is ignored.`, line });
        }
      }
      tables.push(table);
    }
    // A REFERENCES t without columns means t's primary key.
    for (const table of tables) {
      for (const fk of table.foreignKeys) {
        if (fk.refColumns.length === 0) fk.refColumns = [...(tables.find((t) => t.name.toLowerCase() === fk.refTable.toLowerCase())?.primaryKey ?? [])];
      }
    }
    if (ignoredIndexes.length > 0) {
      warnings.push({ message: `${ignoredIndexes.length} CREATE INDEX statement${ignoredIndexes.length === 1 ? " was" : "s were"} ignored (line${ignoredIndexes.length === 1 ? "" : "s"} ${ignoredIndexes.join(", ")}): indexes do not change the model.`, line: ignoredIndexes[0] });
    }
    for (const w of warnings) if (w.line === undefined) delete w.line;
    warnings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const tableLines = new Map(tables.map((t) => [t.name, tableLine.get(t.name.toLowerCase()) ?? 0]));
    if (tables.length === 0 && spans.length === 0) throw new ValidationError("The DDL contains only comments: paste at least one CREATE TABLE statement.");
    return finishSchema("sqlite", { dialect: "sqlite", tables }, warnings, tableLines);
  } finally {
    db.close();
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function stripStrings(s: string): string {
  return s.replace(/'(?:[^']|'')*'/g, "''");
}
