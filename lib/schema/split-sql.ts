// Splits a SQL script into statements on top-level semicolons, skipping string literals,
// quoted identifiers, dollar-quoted strings and comments, and remembers where each statement
// starts so that messages can point at a line. DuckDB remains the authority on what a
// statement means; this only locates statements for messages and the allow-list.

export interface SqlStatementSpan {
  /** The statement text without its terminating semicolon. */
  text: string;
  /** 1-based line of the statement's first token. */
  line: number;
  /** Offset of the first token in the script. */
  start: number;
}

export interface SplitOptions {
  /** MySQL: backslash escapes inside string literals, backtick-quoted identifiers and `#` comments. */
  mysql?: boolean;
}

/** Calls onCode for each character outside comments and literals, and once at the start of each literal. */
function scan(sql: string, onCode: (index: number, ch: string) => void, options: SplitOptions = {}): void {
  const mysql = options.mysql === true;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if ((ch === "-" && next === "-") || (mysql && ch === "#")) {
      while (i < n && sql[i] !== "\n") i++;
      continue;
    }
    if (ch === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || (mysql && ch === "`")) {
      onCode(i, ch);
      i++;
      while (i < n) {
        if (mysql && ch !== "`" && sql[i] === "\\") i += 2;
        else if (sql[i] === ch) {
          if (sql[i + 1] === ch) i += 2;
          else break;
        } else i++;
      }
      i++;
      continue;
    }
    if (ch === "$" && !mysql) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (m) {
        const tag = m[0];
        onCode(i, ch);
        const end = sql.indexOf(tag, i + tag.length);
        i = end === -1 ? n : end + tag.length;
        continue;
      }
    }
    onCode(i, ch);
    i++;
  }
}

function lineAt(sql: string, offset: number, cache: { offset: number; line: number }): number {
  let line = cache.line;
  for (let i = cache.offset; i < offset; i++) if (sql.charCodeAt(i) === 10) line++;
  cache.offset = offset;
  cache.line = line;
  return line;
}

export function splitSqlStatements(sql: string, options: SplitOptions = {}): SqlStatementSpan[] {
  const out: SqlStatementSpan[] = [];
  const cache = { offset: 0, line: 1 };
  let firstCode = -1;
  const flush = (end: number) => {
    if (firstCode !== -1) {
      out.push({ text: sql.slice(firstCode, end).trim(), line: lineAt(sql, firstCode, cache), start: firstCode });
    }
    firstCode = -1;
  };
  scan(sql, (index, ch) => {
    if (ch === ";") {
      flush(index);
      return;
    }
    if (firstCode === -1 && !/\s/.test(ch)) firstCode = index;
  }, options);
  flush(sql.length);
  return out;
}

/** The statement with comments removed and whitespace collapsed (strings are kept). */
export function stripSqlComments(sql: string): string {
  let out = "";
  let last = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (ch === "-" && sql[i + 1] === "-") {
      out += sql.slice(last, i) + " ";
      while (i < n && sql[i] !== "\n") i++;
      last = i;
      continue;
    }
    if (ch === "/" && sql[i + 1] === "*") {
      out += sql.slice(last, i) + " ";
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (sql[i] === "*" && sql[i + 1] === "/") {
          depth--;
          i += 2;
        } else i++;
      }
      last = i;
      continue;
    }
    if (ch === "'" || ch === '"') {
      i++;
      while (i < n) {
        if (sql[i] === ch) {
          if (sql[i + 1] === ch) i += 2;
          else break;
        } else i++;
      }
      i++;
      continue;
    }
    i++;
  }
  out += sql.slice(last);
  return out.replace(/\s+/g, " ").trim();
}

/** Upper-cased leading words of a statement (identifiers and keywords only), e.g. ["CREATE", "OR", "REPLACE", "TABLE"]. */
export function leadingWords(statement: string, count: number): string[] {
  const text = stripSqlComments(statement);
  const words: string[] = [];
  const re = /\s*("(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*|.)/y;
  let m: RegExpExecArray | null;
  while (words.length < count && (m = re.exec(text)) !== null) {
    if (m[1] === undefined) break;
    words.push(m[1].startsWith('"') ? m[1] : m[1].toUpperCase());
  }
  return words;
}
