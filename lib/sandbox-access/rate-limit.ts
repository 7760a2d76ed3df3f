// A token bucket per key (per sandbox access token): `perSecond` queries refill continuously up to
// `burst`. In memory, so each server process limits on its own; the limit protects the sandbox
// reader from one runaway evaluator, not a quota shared across a fleet.

export interface RateSettings {
  perSecond: number;
  burst: number;
}

export const DEFAULT_RATE: RateSettings = { perSecond: 20, burst: 40 };

/**
 * Reads SANDPIPER_SANDBOX_RATE: "20" (20 per second, burst twice that) or "20,40" (rate, burst).
 * Returns null for a value that is not understood, so the caller can say so and keep the default.
 */
export function parseRateSetting(value: string | undefined): RateSettings | null {
  if (value === undefined || value.trim() === "") return DEFAULT_RATE;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:[,/:]\s*(\d+)\s*)?$/.exec(value);
  if (!match) return null;
  const perSecond = Number(match[1]);
  const burst = match[2] === undefined ? Math.max(1, Math.ceil(perSecond * 2)) : Number(match[2]);
  if (!(perSecond > 0) || !(burst >= 1)) return null;
  return { perSecond, burst };
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before idle (full) ones are dropped. */
const MAX_TRACKED = 1000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly settings: RateSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string): TakeResult {
    const now = this.now();
    const { perSecond, burst } = this.settings;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      if (this.buckets.size > MAX_TRACKED) this.dropFull(now);
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000) };
  }

  private dropFull(now: number): void {
    const { perSecond, burst } = this.settings;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * perSecond >= burst) this.buckets.delete(key);
    }
  }
}
