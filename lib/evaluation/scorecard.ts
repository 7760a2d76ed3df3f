// A run's scorecard from its answered items (pure). Accuracy, groups, error classes and rates
// count each item once, by its first answer (repeat 0); later repeats only measure stability. Cost
// and latency describe what one question costs: means over first answers that made a call.
import { COMPLEXITIES } from "@/lib/queries/complexity";
import {
  ERROR_CLASS_LABELS,
  ERROR_CLASSES,
  EXECUTION_FAILURE_CLASSES,
  HALLUCINATION_CLASSES,
  type ErrorClass,
} from "@/lib/evaluation/error-class";
import { accuracyWithInterval, mean, percentileNearestRank } from "@/lib/evaluation/metrics";
import type { ErrorClassScore, GroupScore, MonthlyProjection, Scorecard, ScoredItem } from "@/lib/evaluation/scorecard-types";

export type GroupDimension = "complexity" | "shape" | "table" | "style" | "source";

/** The group of items whose key is empty (a question without a style, a query of unknown shape). */
export const UNKNOWN_GROUP = "unknown";

const NO_ANSWER_CLASSES: readonly ErrorClass[] = ["provider", "no_sql"];
const SOURCE_ORDER = ["scope", "regression"];

export function buildScorecard(items: readonly ScoredItem[]): Scorecard {
  const answers = uniqueAnswers(items);
  const first = answers.filter((a) => a.repeat === 0);
  const total = first.length;
  const correct = first.filter(isCorrect).length;
  const overall = accuracyWithInterval(correct, total);
  const classes = first.map(effectiveClass);
  const share = (wanted: readonly ErrorClass[]) => rate(classes.filter((c) => c !== null && wanted.includes(c)).length, total);
  const called = first.filter((a) => !a.cached);
  const latencies = called.map((a) => a.latencyMs);

  return {
    total,
    correct,
    accuracy: overall.accuracy,
    interval: { low: overall.low, high: overall.high },
    suite: scoreSuite(first),
    exactMatchRate: rate(first.filter((a) => a.exactMatch).length, total),
    templateMatchRate: rate(first.filter((a) => a.templateMatch).length, total),
    meanSimilarity: mean(first.map((a) => a.similarity)),
    byComplexity: scoreGroups(first, "complexity", (a) => [a.complexity]),
    byShape: scoreGroups(first, "shape", (a) => [a.shape]),
    // An item counts once in every table its gold SQL reads; an item reading no table is in none.
    byTable: scoreGroups(first, "table", (a) => [...new Set(a.tables)]),
    byStyle: scoreGroups(first, "style", (a) => [a.style]),
    bySource: scoreGroups(first, "source", (a) => [a.source]),
    errors: scoreErrors(classes, total),
    executionErrorRate: share(EXECUTION_FAILURE_CLASSES),
    hallucinationRate: share(HALLUCINATION_CLASSES),
    noAnswerRate: share(NO_ANSWER_CLASSES),
    stability: scoreStability(answers),
    latency: {
      p50: percentileNearestRank(latencies, 50),
      p95: percentileNearestRank(latencies, 95),
      mean: mean(latencies),
      max: latencies.length > 0 ? Math.max(...latencies) : 0,
    },
    // Totals, like totalUsd, are what the whole run used, repeats included; means are per question.
    tokens: {
      prompt: sum(answers.map((a) => a.promptTokens)),
      completion: sum(answers.map((a) => a.completionTokens)),
      meanPrompt: mean(called.map((a) => a.promptTokens)),
      meanCompletion: mean(called.map((a) => a.completionTokens)),
    },
    cost: scoreCost(answers, called),
  };
}

/**
 * Cost and tokens of a month of questions at this run's per-question means, and how many of them
 * it would get wrong (or not answer) at this run's accuracy.
 */
export function monthlyProjection(card: Scorecard, questionsPerMonth: number): MonthlyProjection {
  if (!Number.isFinite(questionsPerMonth) || questionsPerMonth < 0) {
    throw new RangeError(`questionsPerMonth must be a number ≥ 0, got ${questionsPerMonth}`);
  }
  return {
    questionsPerMonth,
    costUsd: card.cost.meanPerQuestionUsd * questionsPerMonth,
    promptTokens: Math.round(card.tokens.meanPrompt * questionsPerMonth),
    completionTokens: Math.round(card.tokens.meanCompletion * questionsPerMonth),
    expectedFailures: Math.round((1 - card.accuracy) * questionsPerMonth),
  };
}

/**
 * The order groups of a dimension are shown in. Complexity follows its scale (simple → highly
 * complex), source puts the scope before the regression set, other keys after these
 * alphabetically; shapes, tables and styles go by item count, largest first (ties alphabetical).
 * The unknown group always comes last.
 */
export function sortGroupKeys(dimension: GroupDimension, totals: ReadonlyMap<string, number>): string[] {
  const fixed: readonly string[] = dimension === "complexity" ? COMPLEXITIES : dimension === "source" ? SOURCE_ORDER : [];
  const rank = (key: string) => {
    const i = fixed.indexOf(key);
    return i === -1 ? fixed.length : i;
  };
  const byCount = fixed.length === 0;
  return [...totals.keys()].sort((a, b) => {
    if ((a === UNKNOWN_GROUP) !== (b === UNKNOWN_GROUP)) return a === UNKNOWN_GROUP ? 1 : -1;
    if (byCount) {
      const diff = (totals.get(b) ?? 0) - (totals.get(a) ?? 0);
      if (diff !== 0) return diff;
    } else if (rank(a) !== rank(b)) {
      return rank(a) - rank(b);
    }
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** A group's accuracy with its 95% Wilson interval. */
export function scoreGroup(key: string, correct: number, total: number): GroupScore {
  const { accuracy, low, high } = accuracyWithInterval(correct, total);
  return { key, total, correct, accuracy, interval: { low, high } };
}

/**
 * What went wrong with an answer: its recorded class, else "wrong_result" for a wrong answer and
 * "runtime" for a failed one (the class classifyExecutionError gives when nothing more is known).
 */
export function effectiveClass(item: Pick<ScoredItem, "outcome" | "errorClass">): ErrorClass | null {
  if (item.errorClass) return item.errorClass;
  if (item.outcome === "wrong") return "wrong_result";
  if (item.outcome === "error") return "runtime";
  return null;
}

// ---------- parts ----------

/** One answer per (item, repeat): the first given. */
function uniqueAnswers(items: readonly ScoredItem[]): ScoredItem[] {
  const seen = new Set<string>();
  const out: ScoredItem[] = [];
  for (const item of items) {
    const key = `${item.repeat}\u0000${item.itemId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

function isCorrect(item: ScoredItem): boolean {
  return item.outcome === "correct";
}

function rate(count: number, total: number): number {
  return total === 0 ? 0 : count / total;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * Test-suite accuracy: correct on the main sandbox and not contradicted by any variant. An answer
 * with no variant compared (suiteMatch null: the gold query failed on every variant) keeps its
 * verdict, since no database in the suite tells it apart from the gold. Null without variants.
 */
function scoreSuite(first: readonly ScoredItem[]): Scorecard["suite"] {
  const variants = first.reduce((most, a) => Math.max(most, a.suiteSize), 0);
  if (variants === 0) return null;
  // Strict, like the run's stored counter: a correct answer counts only when the variants confirmed it.
  const correct = first.filter((a) => isCorrect(a) && a.suiteMatch === true).length;
  const { accuracy, low, high } = accuracyWithInterval(correct, first.length);
  return { variants, correct, accuracy, interval: { low, high } };
}

function scoreGroups(first: readonly ScoredItem[], dimension: GroupDimension, keysOf: (item: ScoredItem) => string[]): GroupScore[] {
  const totals = new Map<string, number>();
  const corrects = new Map<string, number>();
  for (const item of first) {
    for (const raw of keysOf(item)) {
      const key = raw.trim() === "" ? UNKNOWN_GROUP : raw;
      totals.set(key, (totals.get(key) ?? 0) + 1);
      if (isCorrect(item)) corrects.set(key, (corrects.get(key) ?? 0) + 1);
    }
  }
  return sortGroupKeys(dimension, totals).map((key) => scoreGroup(key, corrects.get(key) ?? 0, totals.get(key)!));
}

function scoreErrors(classes: readonly (ErrorClass | null)[], total: number): ErrorClassScore[] {
  const counts = new Map<ErrorClass, number>();
  for (const c of classes) if (c !== null) counts.set(c, (counts.get(c) ?? 0) + 1);
  const order = (c: ErrorClass) => {
    const i = ERROR_CLASSES.indexOf(c);
    return i === -1 ? ERROR_CLASSES.length : i;
  };
  return [...counts.entries()]
    .sort(([a, na], [b, nb]) => nb - na || order(a) - order(b))
    .map(([errorClass, count]) => ({ errorClass, label: ERROR_CLASS_LABELS[errorClass] ?? errorClass, count, rate: rate(count, total) }));
}

/**
 * Rerun stability, only for runs that asked some item more than once: among items with at least two
 * answers, those whose answers were all correct or all not correct.
 */
function scoreStability(answers: readonly ScoredItem[]): Scorecard["stability"] {
  if (!answers.some((a) => a.repeat >= 1)) return null;
  const byItem = new Map<string, boolean[]>();
  let repeats = 0;
  for (const a of answers) {
    repeats = Math.max(repeats, a.repeat + 1);
    const list = byItem.get(a.itemId);
    if (list) list.push(isCorrect(a));
    else byItem.set(a.itemId, [isCorrect(a)]);
  }
  let items = 0;
  let consistent = 0;
  const flakyItemIds: string[] = [];
  for (const [itemId, verdicts] of byItem) {
    if (verdicts.length < 2) continue;
    items++;
    if (verdicts.every((v) => v === verdicts[0])) consistent++;
    else flakyItemIds.push(itemId);
  }
  flakyItemIds.sort();
  return { repeats, items, consistent, rate: rate(consistent, items), flakyItemIds };
}

/**
 * priced: some answer cost something. The items carry no price list, so an endpoint with prices
 * whose every answer came from the cache (cost 0) reads as unpriced, which is what its figures show.
 */
function scoreCost(answers: readonly ScoredItem[], called: readonly ScoredItem[]): Scorecard["cost"] {
  const meanPerQuestionUsd = mean(called.map((a) => a.costUsd));
  return {
    totalUsd: sum(answers.map((a) => a.costUsd)),
    per1kUsd: meanPerQuestionUsd * 1000,
    meanPerQuestionUsd,
    priced: answers.some((a) => a.costUsd > 0),
  };
}
