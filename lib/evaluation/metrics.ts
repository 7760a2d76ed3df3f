// Accuracy figures for scorecards: a rate is always shown with its 95% Wilson interval, because
// test splits are small (the seed tutorial's had 92 questions) and ±10 points is common.

export interface AccuracyInterval {
  /** correct / total, 0 when total is 0. */
  accuracy: number;
  /** Lower bound of the 95% Wilson score interval. */
  low: number;
  /** Upper bound of the 95% Wilson score interval. */
  high: number;
}

const Z_95 = 1.959963984540054;

/** Accuracy with its 95% Wilson score interval; with no items the interval is the uninformative [0, 1]. */
export function accuracyWithInterval(correct: number, total: number): AccuracyInterval {
  if (!Number.isFinite(correct) || !Number.isFinite(total) || total < 0 || correct < 0 || correct > total) {
    throw new RangeError(`accuracyWithInterval needs 0 ≤ correct ≤ total, got ${correct} of ${total}`);
  }
  if (total === 0) return { accuracy: 0, low: 0, high: 1 };
  const p = correct / total;
  const z2 = Z_95 * Z_95;
  const denominator = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denominator;
  const margin = (Z_95 * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denominator;
  // At 0% and 100% the bound is exactly 0 or 1; pin it so rounding never shows 99.99...%.
  return {
    accuracy: p,
    low: correct === 0 ? 0 : Math.max(0, centre - margin),
    high: correct === total ? 1 : Math.min(1, centre + margin),
  };
}

export interface GroupSummary<T> extends AccuracyInterval {
  key: string;
  correct: number;
  total: number;
  items: T[];
}

/**
 * Groups scored items (e.g. by complexity or query shape) and gives each group its accuracy and
 * interval. Groups come back sorted by key; a missing key is grouped under "(none)".
 */
export function summarizeBy<T extends { correct: boolean }>(
  items: readonly T[],
  key: keyof T | ((item: T) => string | null | undefined),
): GroupSummary<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const raw = typeof key === "function" ? key(item) : item[key];
    const name = raw === null || raw === undefined || raw === "" ? "(none)" : String(raw);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, members]) => {
      const correct = members.filter((m) => m.correct).length;
      return { key: name, correct, total: members.length, items: members, ...accuracyWithInterval(correct, members.length) };
    });
}

/**
 * The p-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest value with at least
 * p% of the values at or below it, always one of the values (no interpolation). 0 for no values.
 */
export function percentileNearestRank(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentileNearestRank needs 0 < p ≤ 100, got ${p}`);
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(1, rank) - 1];
}

/** Arithmetic mean; 0 for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
