import { describe, expect, it } from "vitest";
import { DEFAULT_RATE, parseRateSetting, TokenBucketLimiter } from "@/lib/sandbox-access/rate-limit";

describe("parseRateSetting", () => {
  it("defaults when unset, reads a rate alone or a rate and a burst", () => {
    expect(parseRateSetting(undefined)).toEqual(DEFAULT_RATE);
    expect(parseRateSetting("")).toEqual(DEFAULT_RATE);
    expect(parseRateSetting("5")).toEqual({ perSecond: 5, burst: 10 });
    expect(parseRateSetting("5,7")).toEqual({ perSecond: 5, burst: 7 });
    expect(parseRateSetting(" 0.5 / 3 ")).toEqual({ perSecond: 0.5, burst: 3 });
  });

  it("refuses what it does not understand", () => {
    expect(parseRateSetting("fast")).toBeNull();
    expect(parseRateSetting("0")).toBeNull();
    expect(parseRateSetting("5,0")).toBeNull();
    expect(parseRateSetting("-1")).toBeNull();
  });
});

describe("TokenBucketLimiter", () => {
  it("allows a burst, then refills at the rate and says when to retry", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take("a").allowed)).toEqual([true, true, true]);
    const refused = limiter.take("a");
    expect(refused).toEqual({ allowed: false, retryAfterMs: 500 });
    now = 499;
    expect(limiter.take("a").allowed).toBe(false);
    now = 500;
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
  });

  it("keeps one bucket per key", () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1 }, () => 0);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
  });

  it("never holds more than the burst after a long pause", () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 10, burst: 2 }, () => now);
    limiter.take("a");
    now = 60_000;
    expect([1, 2, 3].map(() => limiter.take("a").allowed)).toEqual([true, true, false]);
  });
});
