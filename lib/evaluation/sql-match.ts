// Text-level agreement between a gold query and a prediction (pure): exact match after
// normalisation, structural-template match, and a 0..1 token similarity. None of these decides
// correctness (the result comparison does); they show how far a wrong answer was from the gold
// text, and how often a right one was written differently.
import { templateTokens } from "@/lib/datasets/alignment";
import { tokenizeSql, type SqlToken } from "@/lib/queries/sql-text";

/**
 * The SQL's tokens as normalised text: comments dropped, trailing semicolons dropped, keywords,
 * unquoted identifiers and numbers lower-cased (DuckDB folds unquoted names), string literals and
 * quoted identifiers kept exactly as written.
 */
export function normalizedTokens(sql: string): string[] {
  const tokens = tokenizeSql(sql);
  let end = tokens.length;
  while (end > 0 && tokens[end - 1].kind === "semicolon") end--;
  const out: string[] = [];
  for (let i = 0; i < end; i++) out.push(normalizeToken(tokens[i]));
  return out;
}

function normalizeToken(token: SqlToken): string {
  return token.kind === "word" || token.kind === "number" ? token.text.toLowerCase() : token.text;
}

// Words after which "(" opens a list or a subquery rather than a call's arguments: written with a space.
const SPACED_BEFORE_PAREN = new Set([
  "all", "and", "any", "as", "between", "by", "case", "else", "except", "exists", "filter", "from", "having", "in",
  "intersect", "join", "not", "on", "or", "over", "select", "some", "then", "union", "using", "values", "when",
  "where", "with",
]);

/**
 * One canonical spelling of the SQL: normalizedTokens joined with spacing that depends only on
 * the tokens (no space inside brackets, before commas, around dots and "::", or between a
 * function name and its parenthesis), so two queries that differ only in layout, case of
 * keywords and names, comments or a trailing semicolon normalise to the same text.
 */
export function normalizeSqlText(sql: string): string {
  const tokens = normalizedTokens(sql);
  let out = "";
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (i > 0 && spaceBetween(tokens[i - 1], token)) out += " ";
    out += token;
  }
  return out;
}

function spaceBetween(prev: string, next: string): boolean {
  if (prev === "(" || prev === "[" || prev === "." || prev === "::") return false;
  if (next === ")" || next === "]" || next === "," || next === ";" || next === "." || next === "::") return false;
  if (next === "(" && /^[a-z_]/.test(prev) && !SPACED_BEFORE_PAREN.has(prev)) return false;
  return true;
}

/** The same SQL up to layout, comments, a trailing semicolon and the case of keywords and unquoted names. */
export function exactMatch(gold: string, pred: string): boolean {
  const g = normalizedTokens(gold);
  const p = normalizedTokens(pred);
  return g.length > 0 && g.length === p.length && g.every((t, i) => t === p[i]);
}

/** The same structure: equal once names become ID and literals LIT (see templateTokens). */
export function templateMatch(gold: string, pred: string): boolean {
  const g = templateTokens(gold);
  const p = templateTokens(pred);
  return g.length > 0 && g.length === p.length && g.every((t, i) => t === p[i]);
}

/**
 * Token similarity 2·M / (|gold| + |pred|) over normalizedTokens, as Python difflib's
 * SequenceMatcher.ratio() defines it, with M the length of the longest common subsequence rather
 * than difflib's matching blocks. difflib matches blocks greedily (the longest contiguous block
 * first, then recursively on each side) and, once the second sequence has 200 tokens, stops
 * matching tokens that fill over 1% of it (commas, parentheses, AND); the LCS is the largest M any
 * in-order pairing gives (so the ratio is at least difflib's), symmetric in its arguments, and free
 * of that heuristic. 1 when both are empty (as difflib), 0 when only one is.
 */
export function sqlSimilarity(gold: string, pred: string): number {
  return sequenceRatio(normalizedTokens(gold), normalizedTokens(pred));
}

/** 2·LCS / (a.length + b.length); 1 for two empty sequences. */
export function sequenceRatio(a: readonly string[], b: readonly string[]): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  return (2 * longestCommonSubsequence(a, b)) / total;
}

/**
 * Length of the longest common subsequence, by the bit-parallel algorithm of Allison and Dix
 * (1986) / Hyyrö (2004): one bit per position of the shorter sequence, so the work is
 * |longer| · ⌈|shorter| / 32⌉ word operations (2,000 × 2,000 tokens: 126,000 steps of a few
 * operations each) instead of |a| · |b| table cells.
 */
export function longestCommonSubsequence(a: readonly string[], b: readonly string[]): number {
  // Equal ends add to the LCS one for one; trimming them keeps the bit vectors short.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const trimmed = start + (a.length - endA);
  let long = a.slice(start, endA);
  let short = b.slice(start, endB);
  if (short.length > long.length) [long, short] = [short, long];
  const m = short.length;
  if (m === 0) return trimmed;

  const words = Math.ceil(m / 32);
  // match[token]: bit j set where short[j] === token.
  const match = new Map<string, Uint32Array>();
  for (let j = 0; j < m; j++) {
    let bits = match.get(short[j]);
    if (!bits) match.set(short[j], (bits = new Uint32Array(words)));
    bits[j >>> 5] |= 1 << (j & 31);
  }
  // v: a 1 bit where the position has not yet been used by the LCS (Allison–Dix: V' = (V + (V & M)) | (V & ~M)).
  const v = new Uint32Array(words).fill(0xffffffff);
  const none = new Uint32Array(words);
  for (const token of long) {
    const bits = match.get(token) ?? none;
    let carry = 0;
    for (let w = 0; w < words; w++) {
      const vw = v[w];
      const u = vw & bits[w];
      const sum = vw + (u >>> 0) + carry;
      carry = sum > 0xffffffff ? 1 : 0;
      v[w] = ((sum >>> 0) | (vw & ~bits[w])) >>> 0;
    }
  }
  let zeros = 0;
  for (let j = 0; j < m; j++) if ((v[j >>> 5] & (1 << (j & 31))) === 0) zeros++;
  return trimmed + zeros;
}
