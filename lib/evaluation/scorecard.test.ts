import { describe, expect, it } from "vitest";
import { buildScorecard, effectiveClass, monthlyProjection, sortGroupKeys } from "@/lib/evaluation/scorecard";
import type { ScoredItem } from "@/lib/evaluation/scorecard-types";

function item(itemId: string, overrides: Partial<ScoredItem> = {}): ScoredItem {
  return {
    itemId,
    repeat: 0,
    source: "scope",
    outcome: "correct",
    errorClass: null,
    suiteMatch: null,
    suiteSize: 0,
    exactMatch: false,
    templateMatch: false,
    similarity: 0,
    latencyMs: 0,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    cached: false,
    complexity: "simple",
    shape: "lookup",
    style: "formal",
    tables: [],
    ...overrides,
  };
}

// Five questions, three of them asked twice. Expected figures below are worked out by hand.
const RUN: ScoredItem[] = [
  item("i1", { outcome: "correct", suiteMatch: true, suiteSize: 2, exactMatch: true, templateMatch: true, similarity: 1, latencyMs: 100, promptTokens: 1000, completionTokens: 50, costUsd: 0.002, complexity: "simple", shape: "lookup", style: "formal", tables: ["flights"] }),
  item("i2", { outcome: "correct", suiteMatch: false, suiteSize: 2, templateMatch: true, similarity: 0.8, latencyMs: 300, promptTokens: 1200, completionTokens: 70, costUsd: 0.003, complexity: "moderate", shape: "aggregate", style: "", tables: ["flights", "airports"] }),
  item("i3", { outcome: "wrong", errorClass: "wrong_result", similarity: 0.5, latencyMs: 200, promptTokens: 1100, completionTokens: 60, costUsd: 0.0025, complexity: "complex", shape: "join", style: "casual", tables: ["flights", "airports", "flights"] }),
  item("i4", { outcome: "error", errorClass: "unknown_column", similarity: 0.3, latencyMs: 5, promptTokens: 900, completionTokens: 40, costUsd: 0, cached: true, complexity: "simple", shape: "lookup", style: "formal", tables: ["airports"] }),
  item("i5", { outcome: "error", errorClass: "provider", latencyMs: 1000, complexity: "highly_complex", shape: "window", style: "formal", source: "regression" }),
  item("i1", { repeat: 1, outcome: "correct", latencyMs: 90, promptTokens: 1000, completionTokens: 50, costUsd: 0.002 }),
  item("i2", { repeat: 1, outcome: "wrong", errorClass: "wrong_result", latencyMs: 90, promptTokens: 1000, completionTokens: 50, costUsd: 0.002 }),
  item("i3", { repeat: 1, outcome: "error", errorClass: "syntax", latencyMs: 90, promptTokens: 1000, completionTokens: 50, costUsd: 0.002 }),
];

describe("buildScorecard", () => {
  const card = buildScorecard(RUN);

  it("scores accuracy on first answers only, with the Wilson interval", () => {
    expect(card.total).toBe(5);
    expect(card.correct).toBe(2);
    expect(card.accuracy).toBe(0.4);
    // Wilson 95% for 2 of 5: [0.1176, 0.7693].
    expect(card.interval.low).toBeCloseTo(0.1176, 4);
    expect(card.interval.high).toBeCloseTo(0.7693, 4);
  });

  it("scores the test suite: correct and not contradicted by a variant", () => {
    expect(card.suite).not.toBeNull();
    expect(card.suite!.variants).toBe(2);
    expect(card.suite!.correct).toBe(1);
    expect(card.suite!.accuracy).toBe(0.2);
    // Wilson 95% for 1 of 5: [0.0362, 0.6245].
    expect(card.suite!.interval.low).toBeCloseTo(0.0362, 4);
    expect(card.suite!.interval.high).toBeCloseTo(0.6245, 4);
  });

  it("averages the text-match figures over first answers", () => {
    expect(card.exactMatchRate).toBe(0.2);
    expect(card.templateMatchRate).toBe(0.4);
    expect(card.meanSimilarity).toBeCloseTo(0.52, 12);
  });

  it("groups by complexity in scale order", () => {
    expect(card.byComplexity.map((g) => [g.key, g.total, g.correct])).toEqual([
      ["simple", 2, 1],
      ["moderate", 1, 1],
      ["complex", 1, 0],
      ["highly_complex", 1, 0],
    ]);
    const simple = card.byComplexity[0];
    expect(simple.accuracy).toBe(0.5);
    // Wilson 95% for 1 of 2: [0.0945, 0.9055].
    expect(simple.interval.low).toBeCloseTo(0.0945, 4);
    expect(simple.interval.high).toBeCloseTo(0.9055, 4);
  });

  it("groups shapes by size, ties alphabetically", () => {
    expect(card.byShape.map((g) => [g.key, g.total, g.correct])).toEqual([
      ["lookup", 2, 1],
      ["aggregate", 1, 1],
      ["join", 1, 0],
      ["window", 1, 0],
    ]);
  });

  it("counts an item in every table its gold SQL reads, once each", () => {
    expect(card.byTable.map((g) => [g.key, g.total, g.correct])).toEqual([
      ["airports", 3, 1],
      ["flights", 3, 2],
    ]);
  });

  it("puts an empty style under unknown, last", () => {
    expect(card.byStyle.map((g) => [g.key, g.total, g.correct])).toEqual([
      ["formal", 3, 1],
      ["casual", 1, 0],
      ["unknown", 1, 1],
    ]);
  });

  it("splits scope from the regression set", () => {
    expect(card.bySource.map((g) => [g.key, g.total, g.correct])).toEqual([
      ["scope", 4, 2],
      ["regression", 1, 0],
    ]);
  });

  it("counts error classes of first answers, largest first, ties in class order", () => {
    expect(card.errors).toEqual([
      { errorClass: "unknown_column", label: "Unknown column (hallucinated)", count: 1, rate: 0.2 },
      { errorClass: "wrong_result", label: "Wrong result", count: 1, rate: 0.2 },
      { errorClass: "provider", label: "Endpoint failed", count: 1, rate: 0.2 },
    ]);
    expect(card.executionErrorRate).toBe(0.2);
    expect(card.hallucinationRate).toBe(0.2);
    expect(card.noAnswerRate).toBe(0.2);
  });

  it("measures stability over items answered more than once", () => {
    expect(card.stability).toEqual({ repeats: 2, items: 3, consistent: 2, rate: 2 / 3, flakyItemIds: ["i2"] });
  });

  it("takes latency over first answers that made a call (nearest rank)", () => {
    // 100, 200, 300, 1000 (i4 was cached): p50 → rank 2, p95 → rank 4.
    expect(card.latency).toEqual({ p50: 200, p95: 1000, mean: 400, max: 1000 });
  });

  it("totals tokens and cost over every answer, and averages them per question over first answers that made a call", () => {
    expect(card.tokens).toEqual({ prompt: 7200, completion: 370, meanPrompt: 825, meanCompletion: 45 });
    expect(card.cost.totalUsd).toBeCloseTo(0.0135, 12);
    expect(card.cost.meanPerQuestionUsd).toBeCloseTo(0.001875, 12);
    expect(card.cost.per1kUsd).toBeCloseTo(1.875, 9);
    expect(card.cost.priced).toBe(true);
  });

  it("keeps the first of two answers to the same item and repeat", () => {
    const twice = buildScorecard([item("a", { outcome: "correct" }), item("a", { outcome: "wrong" }), item("b", { outcome: "wrong" })]);
    expect(twice.total).toBe(2);
    expect(twice.correct).toBe(1);
  });

  it("has no stability without repeats, no suite without variants, and is unpriced when nothing cost anything", () => {
    const single = buildScorecard([item("a", { suiteMatch: null, suiteSize: 0 }), item("b", { outcome: "wrong" })]);
    expect(single.stability).toBeNull();
    expect(single.suite).toBeNull();
    expect(single.cost).toEqual({ totalUsd: 0, per1kUsd: 0, meanPerQuestionUsd: 0, priced: false });
  });

  it("counts a correct answer in test-suite accuracy only when the variants confirmed it", () => {
    const card2 = buildScorecard([item("a", { suiteMatch: true, suiteSize: 3 }), item("b", { suiteMatch: null, suiteSize: 0 }), item("c", { suiteMatch: false, suiteSize: 3 })]);
    expect(card2.suite).toMatchObject({ variants: 3, correct: 1 });
  });

  it("reads an answer without a class as wrong_result or runtime", () => {
    const card2 = buildScorecard([item("a", { outcome: "wrong" }), item("b", { outcome: "error" }), item("c", { outcome: "correct" })]);
    expect(card2.errors.map((e) => [e.errorClass, e.count])).toEqual([
      ["runtime", 1],
      ["wrong_result", 1],
    ]);
    expect(card2.executionErrorRate).toBeCloseTo(1 / 3, 12);
    expect(effectiveClass({ outcome: "correct", errorClass: null })).toBeNull();
  });

  it("scores an empty run as nothing known", () => {
    const empty = buildScorecard([]);
    expect(empty).toMatchObject({ total: 0, correct: 0, accuracy: 0, interval: { low: 0, high: 1 }, suite: null, stability: null, byComplexity: [], errors: [] });
    expect(empty.latency).toEqual({ p50: 0, p95: 0, mean: 0, max: 0 });
  });
});

describe("sortGroupKeys", () => {
  it("orders complexity by its scale, then other keys alphabetically, unknown last", () => {
    const totals = new Map([["complex", 1], ["unknown", 9], ["zeta", 5], ["simple", 1], ["alpha", 1], ["highly_complex", 2]]);
    expect(sortGroupKeys("complexity", totals)).toEqual(["simple", "complex", "highly_complex", "alpha", "zeta", "unknown"]);
  });

  it("orders other dimensions by count, largest first", () => {
    expect(sortGroupKeys("table", new Map([["b", 2], ["unknown", 10], ["a", 2], ["c", 7]]))).toEqual(["c", "a", "b", "unknown"]);
  });
});

describe("monthlyProjection", () => {
  it("scales the per-question means and the failure rate to a month", () => {
    const card = buildScorecard(RUN);
    expect(monthlyProjection(card, 22_000)).toEqual({
      questionsPerMonth: 22_000,
      costUsd: expect.closeTo(41.25, 9),
      promptTokens: 18_150_000,
      completionTokens: 990_000,
      expectedFailures: 13_200,
    });
  });

  it("rounds failures to whole questions", () => {
    const card = buildScorecard([item("a"), item("b"), item("c", { outcome: "wrong" })]);
    // 1/3 wrong of 1,000 → 333.3 → 333.
    expect(monthlyProjection(card, 1000).expectedFailures).toBe(333);
    expect(monthlyProjection(card, 0)).toEqual({ questionsPerMonth: 0, costUsd: 0, promptTokens: 0, completionTokens: 0, expectedFailures: 0 });
  });

  it("rejects a negative or non-finite workload", () => {
    const card = buildScorecard(RUN);
    expect(() => monthlyProjection(card, -1)).toThrow(RangeError);
    expect(() => monthlyProjection(card, Number.NaN)).toThrow(RangeError);
  });
});
