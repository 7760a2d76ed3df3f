// Review progress figures that need no database: active time, rates, time left, and how to read
// a kappa in plain words. lib/review/server/progress.ts reads the events and calls these.

/**
 * A gap between two consecutive actions counts as active time up to this much. A longer gap is a
 * break (or a very hard pair): only its first 10 minutes count, so lunch does not lower the rate.
 */
export const ACTIVE_GAP_CAP_MS = 10 * 60_000;

const HOUR_MS = 60 * 60_000;

/**
 * Active time over a timeline of actions (ms since the epoch, any order): the sum of the gaps
 * between consecutive actions, each capped at `capMs`. One action alone, or none, is 0 ms: the
 * time spent before the first action of a sitting is unknown, so it is not guessed.
 */
export function activeTimeMs(times: readonly number[], capMs = ACTIVE_GAP_CAP_MS): number {
  if (times.length < 2) return 0;
  const sorted = [...times].sort((a, b) => a - b);
  let total = 0;
  for (let i = 1; i < sorted.length; i++) total += Math.min(sorted[i] - sorted[i - 1], capMs);
  return total;
}

/**
 * Below this much active time a rate says more about chance than about pace (four decisions in ten
 * seconds are not 1,440 an hour), so none is given.
 */
export const MIN_ACTIVE_FOR_RATE_MS = 5 * 60_000;

/** Items per hour of active time; null with less than MIN_ACTIVE_FOR_RATE_MS of it. */
export function ratePerHour(count: number, activeMs: number): number | null {
  if (activeMs < MIN_ACTIVE_FOR_RATE_MS) return null;
  return count / (activeMs / HOUR_MS);
}

/** Hours to clear `remaining` items at `rate` per hour: 0 when nothing remains, null without a rate. */
export function hoursLeft(remaining: number, rate: number | null): number | null {
  if (remaining <= 0) return 0;
  if (rate === null || rate <= 0) return null;
  return remaining / rate;
}

export type KappaReading = "poor" | "slight" | "fair" | "moderate" | "substantial" | "almost perfect" | "undefined";

/**
 * Landis and Koch's words for a kappa: below 0 poor, up to 0.20 slight, 0.40 fair, 0.60 moderate,
 * 0.80 substantial, above almost perfect. Null (no items, or both reviewers gave one decision to
 * everything) reads "undefined".
 */
export function readKappa(kappa: number | null): KappaReading {
  if (kappa === null) return "undefined";
  if (kappa < 0) return "poor";
  if (kappa <= 0.2) return "slight";
  if (kappa <= 0.4) return "fair";
  if (kappa <= 0.6) return "moderate";
  if (kappa <= 0.8) return "substantial";
  return "almost perfect";
}

/** Share of `part` in `whole` as a percentage, 0 when whole is 0 (for bars). */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? (part / whole) * 100 : 0;
}
