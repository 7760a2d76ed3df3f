// Dataset alignment (Rafiei et al. 2025, "Do LLMs Align with My Task?"): how closely the structure
// of a training split matches a target workload, measured on two distributions, and a training
// subset chosen to match it better. Pure; the formulas and constants are stated in README.md.
//
// 1. Structural features: each query becomes a set of feature tokens read from its QueryFeatures
//    (see featureTokens). A workload's distribution gives each token the number of queries that
//    carry it over the total number of tokens of the workload.
// 2. Structural-template n-grams: the SQL reduced to keywords, operators, function names and
//    placeholders (ID for names, LIT for literals), cut into n-grams, n = 1..k; an n-gram is kept
//    when it holds a SQL keyword, neither starts nor ends with a comma, and its parentheses balance.
//
// Both are compared with the same measures, P = train, Q = target, over the union support S:
// - KL with additive smoothing: P~(i) = (n_P(i) + ALPHA) / (N_P + ALPHA·|S|), Q~ likewise, and
//   D = Σ P~(i) ln(P~(i)/Q~(i)) (natural log).
// - A_KL = exp(-D / c), c = the largest D the smoothing allows for these totals and this support
//   (see maxSmoothedKl), so A_KL ∈ [1/e, 1] and A_KL = 1/e only for the worst pair of workloads.
// - Overlap (histogram intersection) = Σ min(P(i), Q(i)) on the unsmoothed shares, in [0, 1].

import type { QueryFeatures } from "@/lib/queries/features";
import { createEmptyFeatures } from "@/lib/queries/features";
import { tokenizeSql, type SqlToken } from "@/lib/queries/sql-text";

/** What the training split is compared against. */
export const ALIGNMENT_TARGETS = ["imported", "test", "heldout"] as const;
export type AlignmentTarget = (typeof ALIGNMENT_TARGETS)[number];

/**
 * Pseudo-count added to every category of the union support on both sides (the Jeffreys /
 * Krichevsky–Trofimov estimator). KL needs Q(i) > 0 wherever P(i) > 0; a pseudo-count, unlike a
 * fixed ε, weighs less as a workload grows, so a category missing from 10 target queries costs
 * less than one missing from 10,000 (its absence is less certain). 0.5 rather than Laplace's 1
 * keeps large n-gram supports from flattening a small target.
 */
export const SMOOTHING_ALPHA = 0.5;
export const DEFAULT_NGRAM_MAX = 4;
export const MAX_NGRAM = 15;

// ---------- structural features ----------

function bucket(value: number, top: number): string {
  return value >= top ? `${top}+` : String(value);
}

/**
 * The feature tokens of one query, each at most once:
 * - `join:0` | `join:1` | `join:2` | `join:3+` (always exactly one), `self_join`
 * - `agg:<name>` for each aggregate function used (count, sum, avg, min, max, ...)
 * - `group_by`, `having`, `order_by`, `limit`, `distinct`, `select_star`
 * - `where:1` | `where:2` | `where:3+`: atomic predicates in the outermost WHERE (none without WHERE)
 * - `subquery_depth:1` | `subquery_depth:2` | `subquery_depth:3+`
 * - `set_op:<OP>` for each kind of set operation (UNION, UNION ALL, EXCEPT, INTERSECT, ...)
 * - `cte`, `recursive_cte`, `window`, `case`, `like`, `between`, `in_list`, `date_fn`
 */
export function featureTokens(features: QueryFeatures): string[] {
  const tokens = [`join:${bucket(features.joinCount, 3)}`];
  if (features.selfJoin) tokens.push("self_join");
  for (const name of new Set(features.aggregates)) tokens.push(`agg:${name.toLowerCase()}`);
  if (features.groupBy) tokens.push("group_by");
  if (features.having) tokens.push("having");
  if (features.orderBy) tokens.push("order_by");
  if (features.limit) tokens.push("limit");
  if (features.distinct) tokens.push("distinct");
  if (features.selectStar) tokens.push("select_star");
  if (features.whereConditionCount > 0) tokens.push(`where:${bucket(features.whereConditionCount, 3)}`);
  if (features.maxSubqueryDepth > 0) tokens.push(`subquery_depth:${bucket(features.maxSubqueryDepth, 3)}`);
  for (const op of new Set(features.setOperations)) tokens.push(`set_op:${op.toUpperCase()}`);
  if (features.cteCount > 0) tokens.push("cte");
  if (features.recursiveCte) tokens.push("recursive_cte");
  if (features.windowFunctions > 0) tokens.push("window");
  if (features.caseWhen) tokens.push("case");
  if (features.like) tokens.push("like");
  if (features.between) tokens.push("between");
  if (features.inList) tokens.push("in_list");
  if (features.dateFunctions.length > 0) tokens.push("date_fn");
  return tokens;
}

const TOKEN_LABELS: Record<string, string> = {
  "join:0": "no join",
  "join:1": "1 join",
  "join:2": "2 joins",
  "join:3+": "3+ joins",
  self_join: "self-join",
  group_by: "GROUP BY",
  having: "HAVING",
  order_by: "ORDER BY",
  limit: "LIMIT",
  distinct: "DISTINCT",
  select_star: "SELECT *",
  "where:1": "WHERE, 1 condition",
  "where:2": "WHERE, 2 conditions",
  "where:3+": "WHERE, 3+ conditions",
  "subquery_depth:1": "subquery",
  "subquery_depth:2": "nested subquery (depth 2)",
  "subquery_depth:3+": "nested subquery (depth 3+)",
  cte: "WITH (CTE)",
  recursive_cte: "recursive CTE",
  window: "window function",
  case: "CASE",
  like: "LIKE",
  between: "BETWEEN",
  in_list: "IN (list)",
  date_fn: "date function",
};

/** A feature token in words, for people. */
export function describeFeatureToken(token: string): string {
  const label = TOKEN_LABELS[token];
  if (label) return label;
  if (token.startsWith("agg:")) return `${token.slice(4).toUpperCase()}()`;
  if (token.startsWith("set_op:")) return token.slice(7);
  return token;
}

/** QueryFeatures from stored JSON; fields it lacks take their empty values. Undefined when it holds none (never analysed). */
export function readStoredFeatures(json: string | null | undefined): QueryFeatures | undefined {
  if (!json) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object" || !("joinCount" in parsed)) return undefined;
  const empty = createEmptyFeatures();
  const merged = { ...empty, ...(parsed as Partial<QueryFeatures>) };
  for (const key of ["aggregates", "setOperations", "dateFunctions", "functions", "tables"] as const) {
    if (!Array.isArray(merged[key])) merged[key] = [];
  }
  for (const key of ["joinCount", "whereConditionCount", "maxSubqueryDepth", "cteCount", "windowFunctions"] as const) {
    if (typeof merged[key] !== "number") merged[key] = 0;
  }
  return merged;
}

// ---------- structural-template n-grams ----------

/** Words kept as themselves: they are the structure. Function names are kept too (see templateTokens). */
const KEYWORDS = new Set(
  (
    "SELECT FROM WHERE JOIN INNER LEFT RIGHT FULL OUTER CROSS NATURAL LATERAL ON USING GROUP BY HAVING ORDER ASC DESC " +
    "LIMIT OFFSET FETCH DISTINCT ALL AS AND OR NOT IN EXISTS BETWEEN LIKE ILIKE GLOB SIMILAR IS NULL CASE WHEN THEN ELSE END " +
    "UNION EXCEPT INTERSECT WITH RECURSIVE OVER PARTITION ROWS RANGE GROUPS PRECEDING FOLLOWING UNBOUNDED CURRENT ROW " +
    "NULLS FIRST LAST CAST TRY_CAST INTERVAL FILTER QUALIFY WINDOW ANY SOME ESCAPE COLLATE VALUES ROLLUP CUBE GROUPING SETS"
  ).split(" "),
);
const LITERAL_WORDS = new Set(["TRUE", "FALSE"]);

/**
 * The SQL's structure as tokens: keywords upper-cased, function names upper-cased (a word before
 * "("), names (dotted paths and quoted names included) → ID, strings and numbers → LIT, brackets,
 * commas and operators as written. Semicolons and comments are dropped.
 */
export function templateTokens(sql: string): string[] {
  const raw = tokenizeSql(sql);
  const out: string[] = [];
  let afterDot = false;
  for (let i = 0; i < raw.length; i++) {
    const token: SqlToken = raw[i]!;
    if (token.kind === "dot") {
      afterDot = true;
      continue;
    }
    const continuesName = afterDot;
    afterDot = false;
    switch (token.kind) {
      case "word": {
        if (continuesName) continue; // t.column: one name
        const upper = token.upper;
        if (KEYWORDS.has(upper)) out.push(upper);
        else if (LITERAL_WORDS.has(upper)) out.push("LIT");
        else if (raw[i + 1]?.kind === "open" && raw[i + 1]!.text === "(") out.push(upper);
        else out.push("ID");
        break;
      }
      case "quoted":
        if (!continuesName) out.push("ID");
        break;
      case "string":
      case "number":
        out.push("LIT");
        break;
      case "semicolon":
        break;
      case "op":
        // t.*: all columns of one table, the same structure as *.
        if (continuesName && token.text === "*" && out[out.length - 1] === "ID") out.pop();
        out.push(token.text);
        break;
      default:
        out.push(token.text);
    }
  }
  return out;
}

function isOpen(token: string): boolean {
  return token === "(" || token === "[" || token === "{";
}
function isClose(token: string): boolean {
  return token === ")" || token === "]" || token === "}";
}

/**
 * Adds the kept n-grams (n = 1..maxN) of one token stream to `counts`, each occurrence once.
 * Kept: holds a keyword, does not start or end with a comma, and its brackets balance (never
 * closing one it did not open, and closing all it opened). Returns how many were added.
 */
export function addTemplateNgrams(tokens: string[], maxN: number, counts: Map<string, number>): number {
  const n = Math.max(1, Math.min(MAX_NGRAM, Math.floor(maxN)));
  const isKeyword = tokens.map((t) => KEYWORDS.has(t));
  let added = 0;
  for (let start = 0; start < tokens.length; start++) {
    if (tokens[start] === ",") continue;
    let text = "";
    let depth = 0;
    let hasKeyword = false;
    for (let end = start; end < tokens.length && end - start < n; end++) {
      const token = tokens[end]!;
      if (isClose(token)) depth--;
      else if (isOpen(token)) depth++;
      if (depth < 0) break; // closes a bracket opened before the n-gram: so does every longer one
      text = end === start ? token : `${text} ${token}`;
      if (isKeyword[end]) hasKeyword = true;
      if (hasKeyword && depth === 0 && token !== ",") {
        counts.set(text, (counts.get(text) ?? 0) + 1);
        added++;
      }
    }
  }
  return added;
}

/** The n-gram counts of a workload. */
export function countTemplateNgrams(sqls: Iterable<string>, maxN = DEFAULT_NGRAM_MAX): Map<string, number> {
  const counts = new Map<string, number>();
  for (const sql of sqls) addTemplateNgrams(templateTokens(sql), maxN, counts);
  return counts;
}

/** The feature-token counts of a workload (each query counts a token at most once). */
export function countFeatureTokens(workload: Iterable<QueryFeatures>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const features of workload) for (const token of featureTokens(features)) counts.set(token, (counts.get(token) ?? 0) + 1);
  return counts;
}

// ---------- measures ----------

function total(counts: Map<string, number>): number {
  let sum = 0;
  for (const v of counts.values()) sum += v;
  return sum;
}

function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

/**
 * KL between smoothed distributions written through totals: with Z = N + α·m and
 * T = Σ (n(i) + α)·ln((n(i) + α) / Q~(i)), D = T / Z − ln Z. Used by the selection, which changes
 * a few counts at a time.
 */
function klFromParts(sumTerm: number, z: number): number {
  return z > 0 ? Math.max(0, sumTerm / z - Math.log(z)) : 0;
}

/**
 * The largest D_KL(P~‖Q~) over all count vectors with totals nP and nQ on m categories, both
 * smoothed with `alpha`. P~ and Q~ are affine in the counts and KL is jointly convex, so the
 * maximum over the product of the two (scaled) simplices is at a vertex: all of P's count on one
 * category i, all of Q's on one category j. By symmetry only i = j and i ≠ j differ:
 *   a = (nP+α)/(nP+mα), b = α/(nP+mα), A = (nQ+α)/(nQ+mα), B = α/(nQ+mα)
 *   i ≠ j: a·ln(a/B) + b·ln(b/A) + (m−2)·b·ln(b/B);   i = j: a·ln(a/A) + (m−1)·b·ln(b/B)
 */
export function maxSmoothedKl(nP: number, nQ: number, m: number, alpha = SMOOTHING_ALPHA): number {
  if (m <= 1) return 0;
  const zP = nP + m * alpha;
  const zQ = nQ + m * alpha;
  const a = (nP + alpha) / zP;
  const b = alpha / zP;
  const A = (nQ + alpha) / zQ;
  const B = alpha / zQ;
  const apart = a * Math.log(a / B) + b * Math.log(b / A) + (m - 2) * b * Math.log(b / B);
  const together = a * Math.log(a / A) + (m - 1) * b * Math.log(b / B);
  return Math.max(apart, together, 0);
}

/** exp(−D/c); 1 when nothing can differ (c = 0). */
export function klAlignment(kl: number, c: number): number {
  return c > 0 ? Math.exp(-Math.min(kl, c) / c) : 1;
}

export interface DistributionRow {
  key: string;
  /** Share in train (unsmoothed). */
  p: number;
  /** Share in the target (unsmoothed). */
  q: number;
  /** Raw counts. */
  trainCount: number;
  targetCount: number;
}

export interface RepresentationRow extends DistributionRow {
  /** p − q: positive when train over-represents it. */
  diff: number;
  /** P~/Q~ (smoothed, so finite). */
  ratio: number;
}

export interface DistributionComparison {
  /** |S|: categories seen on either side. */
  support: number;
  trainTotal: number;
  targetTotal: number;
  /** D_KL(P~‖Q~), natural log. */
  kl: number;
  /** The normalising constant: the largest KL the smoothing allows for these totals and support. */
  c: number;
  /** exp(−kl / c) ∈ [1/e, 1]. */
  akl: number;
  /** Σ min(P(i), Q(i)) ∈ [0, 1] (histogram intersection, unsmoothed). */
  overlap: number;
  /** Share of the target's mass on categories train also has. */
  targetCoverage: number;
  /** Every category, by max(p, q) then key. */
  rows: DistributionRow[];
  /** Train share above target share, largest gap first. */
  over: RepresentationRow[];
  /** Train share below target share, largest gap first. */
  under: RepresentationRow[];
}

/** Compares two count tables (P = train, Q = target) over their union support. */
export function compareDistributions(train: Map<string, number>, target: Map<string, number>, options: { alpha?: number; topK?: number } = {}): DistributionComparison {
  const alpha = options.alpha ?? SMOOTHING_ALPHA;
  const topK = options.topK ?? 10;
  const keys = [...new Set([...train.keys(), ...target.keys()])].sort();
  const m = keys.length;
  const nP = total(train);
  const nQ = total(target);
  const zP = nP + m * alpha;
  const zQ = nQ + m * alpha;
  let kl = 0;
  let overlap = 0;
  let covered = 0;
  const rows: RepresentationRow[] = [];
  for (const key of keys) {
    const cP = train.get(key) ?? 0;
    const cQ = target.get(key) ?? 0;
    const ps = (cP + alpha) / zP;
    const qs = (cQ + alpha) / zQ;
    kl += ps * Math.log(ps / qs);
    const p = nP > 0 ? cP / nP : 0;
    const q = nQ > 0 ? cQ / nQ : 0;
    overlap += Math.min(p, q);
    if (cP > 0) covered += q;
    rows.push({ key, p, q, trainCount: cP, targetCount: cQ, diff: p - q, ratio: ps / qs });
  }
  kl = Math.max(0, kl);
  const c = maxSmoothedKl(nP, nQ, m, alpha);
  const byGap = (a: RepresentationRow, b: RepresentationRow) => Math.abs(b.diff) - Math.abs(a.diff) || a.key.localeCompare(b.key);
  return {
    support: m,
    trainTotal: nP,
    targetTotal: nQ,
    kl,
    c,
    akl: klAlignment(kl, c),
    overlap: Math.min(1, overlap),
    targetCoverage: Math.min(1, covered),
    rows: rows
      .map(({ key, p, q, trainCount, targetCount }) => ({ key, p, q, trainCount, targetCount }))
      .sort((a, b) => Math.max(b.p, b.q) - Math.max(a.p, a.q) || a.key.localeCompare(b.key)),
    over: rows.filter((r) => r.diff > 0).sort(byGap).slice(0, topK),
    under: rows.filter((r) => r.diff < 0).sort(byGap).slice(0, topK),
  };
}

// ---------- the report ----------

export interface AlignmentQuery {
  id: string;
  sql: string;
  features: QueryFeatures;
}

export interface AlignmentScores {
  featuresAkl: number;
  featuresOverlap: number;
  ngramsAkl: number;
  ngramsOverlap: number;
}

export interface AlignmentSelection {
  /** Items asked for (capped at the train size). */
  size: number;
  /** Chosen train item ids, in the order the greedy search took them. */
  itemIds: string[];
  /** The whole train split against the target. */
  before: AlignmentScores;
  /** The chosen subset against the target. */
  after: AlignmentScores;
}

function scoresOf(features: DistributionComparison, ngrams: DistributionComparison): AlignmentScores {
  return { featuresAkl: features.akl, featuresOverlap: features.overlap, ngramsAkl: ngrams.akl, ngramsOverlap: ngrams.overlap };
}

/**
 * Greedy forward selection of `size` train items whose feature distribution is closest to the
 * target's: starting from nothing, each step adds the item that gives the highest feature A_KL
 * (lowest KL over the normalising constant for the subset's size), over the fixed support
 * S = supp(train) ∪ supp(target), so before and after are measured on the same categories.
 * Items with the same feature tokens are interchangeable for this objective, so the search runs
 * over groups of identical token sets and takes the lowest id of a group first: the result does
 * not depend on input order. Ties go to the group whose token key sorts first.
 */
export function selectAligned(
  train: AlignmentQuery[],
  target: AlignmentQuery[],
  options: { size: number; ngramMax?: number; alpha?: number; counts?: WorkloadCounts },
): AlignmentSelection {
  const alpha = options.alpha ?? SMOOTHING_ALPHA;
  const ngramMax = options.ngramMax ?? DEFAULT_NGRAM_MAX;
  const size = Math.max(0, Math.min(train.length, Math.floor(options.size)));
  const counts = options.counts ?? countWorkloads(train, target, ngramMax);
  const { target: targetCounts, targetNgrams, train: trainFeatureCounts, trainNgrams } = counts;
  const before = scoresOf(compareDistributions(trainFeatureCounts, targetCounts, { alpha }), compareDistributions(trainNgrams, targetNgrams, { alpha }));

  const chosen = greedyFeatureSelection(train, targetCounts, trainFeatureCounts, size, alpha);
  const chosenSet = new Set(chosen);
  const subset = train.filter((t) => chosenSet.has(t.id));
  const after = scoresOf(
    compareDistributions(countFeatureTokens(subset.map((t) => t.features)), targetCounts, { alpha }),
    compareDistributions(countTemplateNgrams(subset.map((t) => t.sql), ngramMax), targetNgrams, { alpha }),
  );
  return { size, itemIds: chosen, before, after };
}

interface Group {
  tokenIndexes: number[];
  /** Ids, lowest first; `next` is the first not yet taken. */
  ids: string[];
  next: number;
}

function greedyFeatureSelection(train: AlignmentQuery[], targetCounts: Map<string, number>, trainCounts: Map<string, number>, size: number, alpha: number): string[] {
  if (size === 0) return [];
  const keys = [...new Set([...trainCounts.keys(), ...targetCounts.keys()])].sort();
  const index = new Map(keys.map((k, i) => [k, i]));
  const m = keys.length;
  const nQ = total(targetCounts);
  const zQ = nQ + m * alpha;
  const logQ = keys.map((k) => Math.log(((targetCounts.get(k) ?? 0) + alpha) / zQ));

  const groupsByKey = new Map<string, Group>();
  for (const item of train) {
    const tokens = [...new Set(featureTokens(item.features))].sort();
    const key = tokens.join("|");
    let group = groupsByKey.get(key);
    if (!group) {
      group = { tokenIndexes: tokens.map((t) => index.get(t)!), ids: [], next: 0 };
      groupsByKey.set(key, group);
    }
    group.ids.push(item.id);
  }
  const groups = [...groupsByKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  for (const g of groups) g.ids.sort();

  // Term of category i in T = Σ (n(i)+α)·ln((n(i)+α)/Q~(i)) = xlogx(n+α) − (n+α)·lnQ~(i).
  const counts = new Array<number>(m).fill(0);
  const term = (i: number, n: number) => xlogx(n + alpha) - (n + alpha) * logQ[i]!;
  let sumTerm = 0;
  for (let i = 0; i < m; i++) sumTerm += term(i, 0);
  let n = 0;
  const maxKlCache = new Map<number, number>();
  const maxKlFor = (tokens: number) => {
    let c = maxKlCache.get(tokens);
    if (c === undefined) {
      c = maxSmoothedKl(tokens, nQ, m, alpha);
      maxKlCache.set(tokens, c);
    }
    return c;
  };

  const chosen: string[] = [];
  while (chosen.length < size) {
    let best: Group | undefined;
    let bestScore = -Infinity;
    let bestDelta = 0;
    for (const g of groups) {
      if (g.next >= g.ids.length) continue;
      let delta = 0;
      for (const i of g.tokenIndexes) delta += term(i, counts[i]! + 1) - term(i, counts[i]!);
      const tokens = n + g.tokenIndexes.length;
      const score = klAlignment(klFromParts(sumTerm + delta, tokens + m * alpha), maxKlFor(tokens));
      if (score > bestScore + 1e-15) {
        best = g;
        bestScore = score;
        bestDelta = delta;
      }
    }
    if (!best) break;
    for (const i of best.tokenIndexes) counts[i]!++;
    sumTerm += bestDelta;
    n += best.tokenIndexes.length;
    chosen.push(best.ids[best.next++]!);
  }
  return chosen;
}

/** Feature-token and n-gram counts of train and target, computed once for a report and its selection. */
export interface WorkloadCounts {
  train: Map<string, number>;
  target: Map<string, number>;
  trainNgrams: Map<string, number>;
  targetNgrams: Map<string, number>;
}

/** The counts of both workloads (n-grams with n = 1..ngramMax). */
export function countWorkloads(train: AlignmentQuery[], target: AlignmentQuery[], ngramMax = DEFAULT_NGRAM_MAX): WorkloadCounts {
  return {
    train: countFeatureTokens(train.map((t) => t.features)),
    target: countFeatureTokens(target.map((t) => t.features)),
    trainNgrams: countTemplateNgrams(train.map((t) => t.sql), ngramMax),
    targetNgrams: countTemplateNgrams(target.map((t) => t.sql), ngramMax),
  };
}

export interface AlignmentComparison {
  features: DistributionComparison;
  ngrams: DistributionComparison;
}

/** Both distributions of train against target. */
export function compareWorkloads(counts: WorkloadCounts, options: { alpha?: number; topK?: number } = {}): AlignmentComparison {
  return {
    features: compareDistributions(counts.train, counts.target, options),
    ngrams: compareDistributions(counts.trainNgrams, counts.targetNgrams, options),
  };
}
