import { describe, expect, it } from "vitest";
import { accuracyWithInterval, mean, percentileNearestRank, summarizeBy } from "@/lib/evaluation/metrics";

describe("accuracyWithInterval", () => {
  it("matches the textbook Wilson interval", () => {
    // 52 of 92 (the seed tutorial's fine-tuned model): 56.5%, Wilson 95% ≈ [46.3%, 66.2%].
    const r = accuracyWithInterval(52, 92);
    expect(r.accuracy).toBeCloseTo(0.5652, 4);
    expect(r.low).toBeCloseTo(0.4631, 3);
    expect(r.high).toBeCloseTo(0.662, 3);
  });

  it("stays inside [0, 1] at the extremes", () => {
    const none = accuracyWithInterval(0, 10);
    expect(none.accuracy).toBe(0);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.2775, 3);
    const all = accuracyWithInterval(10, 10);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.7225, 3);
  });

  it("narrows as the sample grows", () => {
    const small = accuracyWithInterval(5, 10);
    const large = accuracyWithInterval(500, 1000);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(large.low).toBeLessThan(0.5);
    expect(large.high).toBeGreaterThan(0.5);
  });

  it("returns the uninformative interval for no items", () => {
    expect(accuracyWithInterval(0, 0)).toEqual({ accuracy: 0, low: 0, high: 1 });
  });

  it("rejects impossible counts", () => {
    expect(() => accuracyWithInterval(3, 2)).toThrow(RangeError);
    expect(() => accuracyWithInterval(-1, 2)).toThrow(RangeError);
  });
});

describe("summarizeBy", () => {
  const items = [
    { complexity: "simple", correct: true },
    { complexity: "simple", correct: true },
    { complexity: "complex", correct: false },
    { complexity: "complex", correct: true },
    { complexity: "", correct: false },
  ];

  it("groups by a property, sorted by key", () => {
    const out = summarizeBy(items, "complexity");
    expect(out.map((g) => [g.key, g.correct, g.total])).toEqual([
      ["(none)", 0, 1],
      ["complex", 1, 2],
      ["simple", 2, 2],
    ]);
    expect(out[1].accuracy).toBe(0.5);
    expect(out[1].low).toBeLessThan(0.5);
    expect(out[2].items).toHaveLength(2);
  });

  it("groups by a function", () => {
    const out = summarizeBy(items, (i) => (i.complexity === "simple" ? "easy" : "hard"));
    expect(out.map((g) => `${g.key}:${g.correct}/${g.total}`)).toEqual(["easy:2/2", "hard:1/3"]);
  });

  it("returns nothing for no items", () => {
    expect(summarizeBy([], (i: { correct: boolean }) => String(i.correct))).toEqual([]);
  });
});

describe("percentileNearestRank", () => {
  it("picks the value at rank ceil(p/100 · n)", () => {
    // 10 values: p50 → rank 5, p95 → rank 10 (9.5 rounds up), p90 → rank 9.
    const values = [70, 10, 40, 20, 90, 30, 60, 50, 100, 80];
    expect(percentileNearestRank(values, 50)).toBe(50);
    expect(percentileNearestRank(values, 95)).toBe(100);
    expect(percentileNearestRank(values, 90)).toBe(90);
    expect(percentileNearestRank(values, 100)).toBe(100);
    expect(percentileNearestRank(values, 1)).toBe(10);
  });

  it("returns one of the values, never an interpolation", () => {
    expect(percentileNearestRank([1, 2], 50)).toBe(1);
    expect(percentileNearestRank([5], 95)).toBe(5);
  });

  it("is 0 for no values and rejects impossible percentiles", () => {
    expect(percentileNearestRank([], 50)).toBe(0);
    expect(() => percentileNearestRank([1], 0)).toThrow(RangeError);
    expect(() => percentileNearestRank([1], 101)).toThrow(RangeError);
  });
});

describe("mean", () => {
  it("averages, and is 0 for nothing", () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });
});
