// The shapes a scorecard is built from and made of (pure). Built by scorecard.ts, shown by the run
// page and dashboards, exported by scorecard-export.ts.
import type { ErrorClass } from "@/lib/evaluation/error-class";

/** One answered item of a run (one repeat), with what the scorecard groups by. */
export interface ScoredItem {
  itemId: string;
  /** 0: the answer accuracy counts; 1..: rerun-stability repeats */
  repeat: number;
  source: "scope" | "regression";
  outcome: "correct" | "wrong" | "error";
  errorClass: ErrorClass | null;
  /** Test-suite match on every variant (null: not checked, e.g. no variants or wrong on the main sandbox) */
  suiteMatch: boolean | null;
  suiteSize: number;
  exactMatch: boolean;
  templateMatch: boolean;
  similarity: number;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  cached: boolean;
  complexity: string;
  shape: string;
  /** Question style ("" when unknown) */
  style: string;
  /** Tables the gold SQL reads */
  tables: string[];
}

export interface Interval {
  low: number;
  high: number;
}

/** Accuracy of one group (a complexity, a shape, a table, a style…), over repeat-0 answers. */
export interface GroupScore {
  key: string;
  total: number;
  correct: number;
  accuracy: number;
  interval: Interval;
}

export interface ErrorClassScore {
  errorClass: ErrorClass;
  label: string;
  count: number;
  /** count / total items */
  rate: number;
}

export interface Scorecard {
  /** Items scored (repeat 0) */
  total: number;
  correct: number;
  accuracy: number;
  interval: Interval;
  /** Test-suite accuracy: correct on the main sandbox and on every variant (null: no variants) */
  suite: { variants: number; correct: number; accuracy: number; interval: Interval } | null;
  exactMatchRate: number;
  templateMatchRate: number;
  meanSimilarity: number;
  byComplexity: GroupScore[];
  byShape: GroupScore[];
  byTable: GroupScore[];
  byStyle: GroupScore[];
  /** "scope" and "regression" (the regression set's items) */
  bySource: GroupScore[];
  /** Every error class with count > 0, largest first */
  errors: ErrorClassScore[];
  /** Share of items whose SQL did not run (syntax, unknown names, runtime, timeout, refused) */
  executionErrorRate: number;
  /** Share of items naming a table or column the schema lacks */
  hallucinationRate: number;
  /** Share of items where the endpoint failed or gave no SQL */
  noAnswerRate: number;
  /** null when the run asked each item once */
  stability: { repeats: number; items: number; consistent: number; rate: number; flakyItemIds: string[] } | null;
  /** Over answers that made a call (cache hits and built-in endpoints count their own time) */
  latency: { p50: number; p95: number; mean: number; max: number };
  tokens: { prompt: number; completion: number; meanPrompt: number; meanCompletion: number };
  /** priced: the endpoint has prices; per1k: cost of 1,000 questions at this run's mean cost */
  cost: { totalUsd: number; per1kUsd: number; meanPerQuestionUsd: number; priced: boolean };
}

export interface MonthlyProjection {
  questionsPerMonth: number;
  costUsd: number;
  promptTokens: number;
  completionTokens: number;
  /** Questions answered wrongly (or not at all) per month at this accuracy */
  expectedFailures: number;
}

/** A run as dashboards list it. */
export interface RunSummary {
  id: string;
  label: string;
  endpointId: string;
  endpointName: string;
  endpointKind: string;
  model: string;
  datasetVersion: number;
  status: string;
  createdAt: string;
  scorecard: Scorecard;
}

/** An item two runs both answered, and how each did. */
export interface ItemChange {
  itemId: string;
  question: string;
  complexity: string;
  shape: string;
  before: { outcome: ScoredItem["outcome"]; errorClass: ErrorClass | null; predictedSql: string; reason: string };
  after: { outcome: ScoredItem["outcome"]; errorClass: ErrorClass | null; predictedSql: string; reason: string };
}

export interface RunDiff {
  /** Items both runs answered (repeat 0) */
  shared: number;
  /** Wrong in the first, correct in the second */
  fixed: ItemChange[];
  /** Correct in the first, wrong in the second */
  broken: ItemChange[];
  bothCorrect: number;
  bothWrong: number;
  onlyInFirst: number;
  onlyInSecond: number;
  /** Exact two-sided McNemar p-value on the discordant items (1 when there are none) */
  mcnemarP: number;
}
