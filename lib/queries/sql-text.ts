// A small tokenizer for DuckDB SQL text: where the outermost query's clauses start and end, so lint
// fixes can edit the text a person wrote (keeping its spelling, comments and layout) instead of
// re-printing it. Pure. Strings, quoted identifiers and comments are single tokens (or skipped), so
// words inside them are never read as keywords.

export type SqlTokenKind = "word" | "quoted" | "string" | "number" | "open" | "close" | "comma" | "semicolon" | "dot" | "op";

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
  /** Upper-cased text for words; the text otherwise. */
  upper: string;
  start: number;
  end: number;
  /** Bracket depth: an opening bracket and its closing one share the depth outside them. */
  depth: number;
}

/** A piece of the SQL text, [start, end). */
export interface SqlSpan {
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const TWO_CHAR_OPS = new Set(["::", "<=", ">=", "<>", "!=", "||", "->", "=>", "**", "//", "<<", ">>", "~~", "!~", "^@"]);

export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let depth = 0;
  let i = 0;
  const push = (kind: SqlTokenKind, start: number, end: number, tokenDepth = depth) => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, upper: kind === "word" ? text.toUpperCase() : text, start, end, depth: tokenDepth });
  };
  while (i < sql.length) {
    const ch = sql[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (ch === "'") {
      const end = closeQuote(sql, i, "'");
      push("string", i, end);
      i = end;
    } else if (ch === '"') {
      const end = closeQuote(sql, i, '"');
      push("quoted", i, end);
      i = end;
    } else if (ch === "$" && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const close = sql.indexOf(tag, i + tag.length);
      const end = close === -1 ? sql.length : close + tag.length;
      push("string", i, end);
      i = end;
    } else if (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(sql[i + 1] ?? ""))) {
      let end = i + 1;
      while (end < sql.length && /[0-9_.eE]/.test(sql[end])) {
        if ((sql[end] === "e" || sql[end] === "E") && /[+-]/.test(sql[end + 1] ?? "")) end++;
        end++;
      }
      push("number", i, end);
      i = end;
    } else if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end])) end++;
      push("word", i, end);
      i = end;
    } else if (ch === "(" || ch === "[" || ch === "{") {
      push("open", i, i + 1);
      depth++;
      i++;
    } else if (ch === ")" || ch === "]" || ch === "}") {
      depth = Math.max(0, depth - 1);
      push("close", i, i + 1);
      i++;
    } else if (ch === ",") {
      push("comma", i, i + 1);
      i++;
    } else if (ch === ";") {
      push("semicolon", i, i + 1);
      i++;
    } else if (ch === ".") {
      push("dot", i, i + 1);
      i++;
    } else {
      const two = sql.slice(i, i + 2);
      const len = TWO_CHAR_OPS.has(two) ? 2 : 1;
      push("op", i, i + len);
      i += len;
    }
  }
  return tokens;
}

/** End of a quoted run starting at `start` (doubled quotes escape). Unterminated runs end the text. */
function closeQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** The clauses of the outermost query (the last branch of a set operation for ORDER BY / LIMIT). */
export interface TopLevelClauses {
  /** Select list items of the first outermost SELECT (after DISTINCT / DISTINCT ON / ALL). */
  selectItems: SqlSpan[];
  /** GROUP BY items of the outermost SELECT (not of a set operation). */
  groupByItems: SqlSpan[];
  /** ORDER BY items (each with its ASC/DESC/NULLS words); absent without a top-level ORDER BY. */
  orderBy?: { keyword: SqlSpan; items: SqlSpan[] };
  /** The value after LIMIT when it is one integer literal. */
  limit?: { keyword: SqlSpan; value?: SqlSpan & { n: number } };
  offset?: { keyword: SqlSpan; value?: SqlSpan & { n: number } };
  /** Where a new ORDER BY goes: before LIMIT/OFFSET, else after the last token of the query. */
  orderInsertAt: number;
  setOperation: boolean;
}

const CLAUSE_AFTER_SELECT = new Set(["FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "QUALIFY", "ORDER", "LIMIT", "OFFSET", "FETCH", "UNION", "EXCEPT", "INTERSECT", "USING"]);
const SET_OPERATIONS = new Set(["UNION", "EXCEPT", "INTERSECT"]);
const ORDER_END = new Set(["LIMIT", "OFFSET", "FETCH"]);
const GROUP_END = new Set(["HAVING", "WINDOW", "QUALIFY", "ORDER", "LIMIT", "OFFSET", "FETCH", "UNION", "EXCEPT", "INTERSECT"]);

/** Read the outermost query's clauses; undefined when the text has no outermost SELECT (e.g. wrapped in parentheses). */
export function readTopLevelClauses(sql: string, tokens: SqlToken[] = tokenizeSql(sql)): TopLevelClauses | undefined {
  const top = tokens.map((t, index) => ({ t, index })).filter(({ t }) => t.depth === 0);
  const isKeyword = (k: number, word: string) => top[k]?.t.kind === "word" && top[k].t.upper === word;
  const selectAt = top.findIndex(({ t }) => t.kind === "word" && t.upper === "SELECT");
  if (selectAt === -1) return undefined;

  let setOperation = false;
  let lastBranchStart = selectAt;
  for (let k = selectAt; k < top.length; k++) {
    if (top[k].t.kind === "word" && SET_OPERATIONS.has(top[k].t.upper)) {
      setOperation = true;
      lastBranchStart = k;
    }
  }

  // Select list: after SELECT [DISTINCT [ON (...)] | ALL] up to the next clause keyword.
  let k = selectAt + 1;
  if (isKeyword(k, "ALL")) k++;
  else if (isKeyword(k, "DISTINCT")) {
    k++;
    if (isKeyword(k, "ON") && top[k + 1]?.t.kind === "open") {
      k += 2;
      while (k < top.length && top[k].t.kind !== "close") k++;
      k++;
    }
  }
  const selectStart = k;
  let selectEnd = k;
  while (selectEnd < top.length) {
    const { t } = top[selectEnd];
    if (t.kind === "semicolon") break;
    if (t.kind === "word" && CLAUSE_AFTER_SELECT.has(t.upper)) {
      // "a IS [NOT] DISTINCT FROM b" is an operator, not the FROM clause.
      if (!(t.upper === "FROM" && isKeyword(selectEnd - 1, "DISTINCT"))) break;
    }
    selectEnd++;
  }
  const selectItems = splitItems(tokens, top.slice(selectStart, selectEnd).map(({ index }) => index), 0);

  let groupByItems: SqlSpan[] = [];
  if (!setOperation) {
    const groupAt = top.findIndex(({ t }, idx) => idx > selectAt && t.kind === "word" && t.upper === "GROUP" && isKeyword(idx + 1, "BY") && !isKeyword(idx - 1, "WITHIN"));
    if (groupAt !== -1) {
      let end = groupAt + 2;
      while (end < top.length && !(top[end].t.kind === "word" && GROUP_END.has(top[end].t.upper)) && top[end].t.kind !== "semicolon") end++;
      groupByItems = splitItems(tokens, top.slice(groupAt + 2, end).map(({ index }) => index), 0);
    }
  }

  let orderBy: TopLevelClauses["orderBy"];
  let limit: TopLevelClauses["limit"];
  let offset: TopLevelClauses["offset"];
  let firstTail = -1;
  for (let j = lastBranchStart; j < top.length; j++) {
    const { t } = top[j];
    if (t.kind !== "word") continue;
    if (t.upper === "ORDER" && isKeyword(j + 1, "BY")) {
      let end = j + 2;
      while (end < top.length && !(top[end].t.kind === "word" && ORDER_END.has(top[end].t.upper)) && top[end].t.kind !== "semicolon") end++;
      orderBy = {
        keyword: { start: t.start, end: top[j + 1].t.end },
        items: splitItems(tokens, top.slice(j + 2, end).map(({ index }) => index), 0),
      };
      j = end - 1;
    } else if (t.upper === "LIMIT" || t.upper === "OFFSET") {
      if (firstTail === -1) firstTail = j;
      const next = top[j + 1]?.t;
      const after = top[j + 2]?.t;
      const simple = next?.kind === "number" && /^\d+$/.test(next.text) && (!after || after.kind === "semicolon" || (after.kind === "word" && ["LIMIT", "OFFSET", "ROWS", "ROW"].includes(after.upper)));
      const entry = { keyword: { start: t.start, end: t.end }, value: simple ? { start: next.start, end: next.end, n: Number(next.text) } : undefined };
      if (t.upper === "LIMIT") limit = entry;
      else offset = entry;
    } else if (t.upper === "FETCH" && firstTail === -1) {
      firstTail = j;
    }
  }
  let orderInsertAt: number;
  if (firstTail !== -1) orderInsertAt = top[firstTail].t.start;
  else {
    const last = [...tokens].reverse().find((t) => t.kind !== "semicolon");
    orderInsertAt = last ? last.end : sql.length;
  }
  return { selectItems, groupByItems, orderBy, limit, offset, orderInsertAt, setOperation };
}

/** Split a run of tokens (indexes into `tokens`) at commas of the given depth. */
function splitItems(tokens: SqlToken[], indexes: number[], depth: number): SqlSpan[] {
  if (indexes.length === 0) return [];
  const first = indexes[0];
  const last = indexes[indexes.length - 1];
  const items: SqlSpan[] = [];
  let start = -1;
  let end = -1;
  for (let i = first; i <= last; i++) {
    const t = tokens[i];
    if (t.kind === "comma" && t.depth === depth) {
      if (start !== -1) items.push({ start, end });
      start = -1;
      continue;
    }
    if (start === -1) start = t.start;
    end = t.end;
  }
  if (start !== -1) items.push({ start, end });
  return items;
}

/** One function call in the text: its name, the span of its arguments and its closing parenthesis. */
export interface SqlCall {
  name: string;
  nameSpan: SqlSpan;
  /** Index of the opening parenthesis token. */
  open: number;
  /** Index of the closing parenthesis token (or the last token when unbalanced). */
  close: number;
  /** Arguments split at top-level commas, before any ORDER BY inside the call. */
  args: SqlSpan[];
  /** An ORDER BY written inside the parentheses (aggregate order). */
  orderedInside: boolean;
  /** DISTINCT written first inside the parentheses. */
  distinct: boolean;
  /** Followed by OVER (...): a window call; `windowOrdered` says whether that window has ORDER BY. */
  window: boolean;
  windowOrdered: boolean;
}

/** Every `name(` call in the text (a word directly followed by an opening parenthesis). */
export function findCalls(tokens: SqlToken[]): SqlCall[] {
  const calls: SqlCall[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "word" || tokens[i + 1].kind !== "open" || tokens[i + 1].text !== "(") continue;
    const open = i + 1;
    const close = matchClose(tokens, open);
    const inner = tokens[open].depth + 1;
    let orderedInside = false;
    let argsEnd = close;
    for (let j = open + 1; j < close; j++) {
      const u = tokens[j];
      if (u.depth === inner && u.kind === "word" && u.upper === "ORDER" && tokens[j + 1]?.upper === "BY") {
        orderedInside = true;
        argsEnd = j;
        break;
      }
    }
    let argStart = open + 1;
    const distinct = tokens[argStart]?.kind === "word" && tokens[argStart].upper === "DISTINCT" && argStart < close;
    if (distinct || (tokens[argStart]?.kind === "word" && tokens[argStart].upper === "ALL" && argStart + 1 < close)) argStart++;
    const indexes: number[] = [];
    for (let j = argStart; j < argsEnd; j++) indexes.push(j);
    const args = splitItems(tokens, indexes, inner);
    // name(...) [FILTER (...)] OVER (...) or OVER name
    let k = close + 1;
    if (tokens[k]?.upper === "FILTER" && tokens[k + 1]?.kind === "open") k = matchClose(tokens, k + 1) + 1;
    if (tokens[k]?.upper === "IGNORE" || tokens[k]?.upper === "RESPECT") k += 2;
    let window = false;
    let windowOrdered = false;
    if (tokens[k]?.upper === "OVER") {
      window = true;
      if (tokens[k + 1]?.kind === "open") {
        const end = matchClose(tokens, k + 1);
        for (let j = k + 2; j < end; j++) {
          if (tokens[j].depth === tokens[k + 1].depth + 1 && tokens[j].upper === "ORDER" && tokens[j + 1]?.upper === "BY") windowOrdered = true;
        }
      } else {
        // OVER w: a named window; its ORDER BY is defined elsewhere, assume it orders.
        windowOrdered = true;
      }
    }
    calls.push({ name: t.text.toLowerCase(), nameSpan: { start: t.start, end: t.end }, open, close, args, orderedInside, distinct, window, windowOrdered });
  }
  return calls;
}

/** Index of the token closing the bracket opened at `open` (the last token when unbalanced). */
export function matchClose(tokens: SqlToken[], open: number): number {
  const depth = tokens[open].depth;
  for (let j = open + 1; j < tokens.length; j++) {
    if (tokens[j].kind === "close" && tokens[j].depth === depth) return j;
  }
  return tokens.length - 1;
}

export interface SqlEdit {
  at: number;
  /** Characters to remove from `at` (default 0). */
  remove?: number;
  insert: string;
}

/** Apply edits given as positions in the original text (later positions first, so earlier ones stay valid). */
export function applyEdits(sql: string, edits: SqlEdit[]): string {
  let out = sql;
  for (const edit of [...edits].sort((a, b) => b.at - a.at)) {
    out = out.slice(0, edit.at) + edit.insert + out.slice(edit.at + (edit.remove ?? 0));
  }
  return out;
}
