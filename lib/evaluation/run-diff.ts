// Two runs side by side (pure): which items the second fixed and broke, whether the difference is
// more than chance (exact McNemar test on the discordant items), accuracy over time per endpoint,
// and group accuracies of several runs aligned for grouped bar charts.
import type { ErrorClass } from "@/lib/evaluation/error-class";
import { sortGroupKeys, type GroupDimension } from "@/lib/evaluation/scorecard";
import type { GroupScore, ItemChange, RunDiff, Scorecard, ScoredItem } from "@/lib/evaluation/scorecard-types";

/** One answer of a run, as the diff reads it. */
export interface DiffRow {
  itemId: string;
  question: string;
  complexity: string;
  shape: string;
  outcome: ScoredItem["outcome"];
  errorClass: ErrorClass | null;
  predictedSql: string;
  reason: string;
  repeat: number;
}

/**
 * What changed from the first run to the second, over the items both answered (first answers
 * only). Items appear in the first run's order; question, complexity and shape come from it.
 */
export function diffRuns(first: readonly DiffRow[], second: readonly DiffRow[]): RunDiff {
  const before = firstAnswers(first);
  const after = firstAnswers(second);
  const fixed: ItemChange[] = [];
  const broken: ItemChange[] = [];
  let shared = 0;
  let bothCorrect = 0;
  let bothWrong = 0;
  for (const [itemId, b] of before) {
    const a = after.get(itemId);
    if (!a) continue;
    shared++;
    const wasCorrect = b.outcome === "correct";
    const isCorrect = a.outcome === "correct";
    if (wasCorrect && isCorrect) bothCorrect++;
    else if (!wasCorrect && !isCorrect) bothWrong++;
    else (isCorrect ? fixed : broken).push(toChange(b, a));
  }
  return {
    shared,
    fixed,
    broken,
    bothCorrect,
    bothWrong,
    onlyInFirst: before.size - shared,
    onlyInSecond: after.size - shared,
    mcnemarP: mcnemarExactP(fixed.length, broken.length),
  };
}

function firstAnswers(rows: readonly DiffRow[]): Map<string, DiffRow> {
  const out = new Map<string, DiffRow>();
  for (const row of rows) if (row.repeat === 0 && !out.has(row.itemId)) out.set(row.itemId, row);
  return out;
}

function toChange(b: DiffRow, a: DiffRow): ItemChange {
  const side = (r: DiffRow) => ({ outcome: r.outcome, errorClass: r.errorClass, predictedSql: r.predictedSql, reason: r.reason });
  return { itemId: b.itemId, question: b.question, complexity: b.complexity, shape: b.shape, before: side(b), after: side(a) };
}

/**
 * Exact two-sided McNemar p-value for b items fixed and c broken: under "no difference" each
 * discordant item goes either way with probability ½, so p = min(1, 2·P(X ≤ min(b, c))) with
 * X ~ Binomial(b + c, ½). Summed in log space (each term from the previous by the ratio
 * (n−i)/(i+1)), so it stays accurate where 2^-n underflows (n in the hundred thousands). 1 when
 * there are no discordant items.
 */
export function mcnemarExactP(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new RangeError(`mcnemarExactP needs counts ≥ 0, got ${b} and ${c}`);
  }
  const n = b + c;
  const k = Math.min(b, c);
  if (n === 0 || 2 * k >= n) return 1;
  // log C(n, i) − n·ln 2 for i = 0..k; the terms grow with i while i < n/2, so the last is the largest.
  const logs = new Float64Array(k + 1);
  logs[0] = -n * Math.LN2;
  for (let i = 0; i < k; i++) logs[i + 1] = logs[i] + Math.log((n - i) / (i + 1));
  const largest = logs[k];
  let scaled = 0;
  for (let i = 0; i <= k; i++) scaled += Math.exp(logs[i] - largest);
  const logTail = largest + Math.log(scaled);
  return Math.min(1, Math.exp(Math.LN2 + logTail));
}

export interface AccuracyPoint {
  runId: string;
  createdAt: string;
  accuracy: number;
  low: number;
  high: number;
}

export interface AccuracySeries {
  endpointName: string;
  points: AccuracyPoint[];
}

/**
 * One series per endpoint name for an accuracy-over-time chart: points oldest first (ties by run
 * id), series in order of name.
 */
export function accuracySeries(
  runs: readonly { endpointName: string; createdAt: string; accuracy: number; low: number; high: number; runId: string }[],
): AccuracySeries[] {
  const byName = new Map<string, AccuracyPoint[]>();
  for (const run of runs) {
    const point = { runId: run.runId, createdAt: run.createdAt, accuracy: run.accuracy, low: run.low, high: run.high };
    const points = byName.get(run.endpointName);
    if (points) points.push(point);
    else byName.set(run.endpointName, [point]);
  }
  const time = (p: AccuracyPoint) => {
    const t = Date.parse(p.createdAt);
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([endpointName, points]) => ({
      endpointName,
      points: points.sort((p, q) => time(p) - time(q) || (p.runId < q.runId ? -1 : p.runId > q.runId ? 1 : 0)),
    }));
}

export type ComparisonDimension = "complexity" | "shape" | "table" | "style";

export interface GroupComparisonRow {
  key: string;
  /** One per run, in the order the runs were given; null where the run has no item in the group. */
  scores: (GroupScore | null)[];
}

const DIMENSION_FIELD: Record<ComparisonDimension, "byComplexity" | "byShape" | "byTable" | "byStyle"> = {
  complexity: "byComplexity",
  shape: "byShape",
  table: "byTable",
  style: "byStyle",
};

/**
 * The groups of one dimension across runs, for grouped bar charts: every key any run has, in the
 * scorecard's order for that dimension (sizes summed over the runs), each with every run's score.
 */
export function groupComparison(cards: readonly { runId: string; card: Scorecard }[], dimension: ComparisonDimension): GroupComparisonRow[] {
  const field = DIMENSION_FIELD[dimension];
  const lookups = cards.map(({ card }) => new Map(card[field].map((g) => [g.key, g])));
  const totals = new Map<string, number>();
  for (const lookup of lookups) {
    for (const [key, group] of lookup) totals.set(key, (totals.get(key) ?? 0) + group.total);
  }
  return sortGroupKeys(dimension satisfies GroupDimension, totals).map((key) => ({ key, scores: lookups.map((lookup) => lookup.get(key) ?? null) }));
}
