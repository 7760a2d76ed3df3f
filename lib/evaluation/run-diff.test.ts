import { describe, expect, it } from "vitest";
import { accuracySeries, diffRuns, groupComparison, mcnemarExactP, type DiffRow } from "@/lib/evaluation/run-diff";
import type { GroupScore, Scorecard } from "@/lib/evaluation/scorecard-types";

function row(itemId: string, outcome: DiffRow["outcome"], overrides: Partial<DiffRow> = {}): DiffRow {
  return {
    itemId,
    question: `question ${itemId}`,
    complexity: "simple",
    shape: "lookup",
    outcome,
    errorClass: outcome === "correct" ? null : outcome === "wrong" ? "wrong_result" : "syntax",
    predictedSql: `SELECT '${itemId}'`,
    reason: outcome === "correct" ? "results match" : "differs",
    repeat: 0,
    ...overrides,
  };
}

describe("diffRuns", () => {
  const first = [
    row("a", "correct"),
    row("b", "wrong"),
    row("c", "error"),
    row("d", "correct"),
    row("e", "wrong"),
    row("only1", "correct"),
    row("b", "correct", { repeat: 1 }),
  ];
  const second = [
    row("e", "wrong", { question: "reworded" }),
    row("d", "wrong", { predictedSql: "SELECT 2" }),
    row("c", "correct"),
    row("b", "correct"),
    row("a", "correct"),
    row("only2", "wrong"),
    row("only3", "error"),
    row("d", "correct", { repeat: 1 }),
  ];
  const diff = diffRuns(first, second);

  it("counts shared items and the four cells of the table", () => {
    expect(diff.shared).toBe(5);
    expect(diff.bothCorrect).toBe(1);
    expect(diff.bothWrong).toBe(1);
    expect(diff.onlyInFirst).toBe(1);
    expect(diff.onlyInSecond).toBe(2);
  });

  it("lists fixed and broken items in the first run's order, with both answers", () => {
    expect(diff.fixed.map((c) => c.itemId)).toEqual(["b", "c"]);
    expect(diff.broken.map((c) => c.itemId)).toEqual(["d"]);
    expect(diff.broken[0]).toEqual({
      itemId: "d",
      question: "question d",
      complexity: "simple",
      shape: "lookup",
      before: { outcome: "correct", errorClass: null, predictedSql: "SELECT 'd'", reason: "results match" },
      after: { outcome: "wrong", errorClass: "wrong_result", predictedSql: "SELECT 2", reason: "differs" },
    });
    expect(diff.fixed[1].before).toMatchObject({ outcome: "error", errorClass: "syntax" });
  });

  it("ignores repeats: a later answer does not change the verdict", () => {
    expect(diff.fixed.some((c) => c.itemId === "d")).toBe(false);
  });

  it("tests the discordant items: 2 fixed, 1 broken", () => {
    // P(X ≤ 1), X ~ Bin(3, ½) = 4/8 → p = min(1, 1) = 1.
    expect(diff.mcnemarP).toBe(1);
  });

  it("is empty for runs with no items in common", () => {
    const none = diffRuns([row("a", "correct")], [row("b", "correct")]);
    expect(none).toEqual({ shared: 0, fixed: [], broken: [], bothCorrect: 0, bothWrong: 0, onlyInFirst: 1, onlyInSecond: 1, mcnemarP: 1 });
  });
});

describe("mcnemarExactP", () => {
  it("matches exact binomial tails worked out by hand", () => {
    // n = 7: P(X ≤ 1) = (1 + 7) / 128 → p = 0.125.
    expect(mcnemarExactP(1, 6)).toBeCloseTo(0.125, 12);
    expect(mcnemarExactP(6, 1)).toBeCloseTo(0.125, 12);
    // n = 10: P(X ≤ 2) = (1 + 10 + 45) / 1024 → p = 0.109375.
    expect(mcnemarExactP(2, 8)).toBeCloseTo(0.109375, 12);
    // n = 5: P(X = 0) = 1/32 → p = 0.0625.
    expect(mcnemarExactP(0, 5)).toBeCloseTo(0.0625, 12);
  });

  it("is 1 with no discordant items or an even split", () => {
    expect(mcnemarExactP(0, 0)).toBe(1);
    expect(mcnemarExactP(3, 3)).toBe(1);
    expect(mcnemarExactP(4, 5)).toBe(1);
  });

  it("stays accurate for large counts (exact values from integer arithmetic)", () => {
    const relative = (got: number, want: number) => Math.abs(got - want) / want;
    expect(relative(mcnemarExactP(10, 25), 0.0166738478001207113)).toBeLessThan(1e-9);
    expect(relative(mcnemarExactP(30, 70), 0.0000785013964559366962)).toBeLessThan(1e-9);
    expect(relative(mcnemarExactP(4000, 4200), 0.0279724235713243823)).toBeLessThan(1e-9);
    expect(relative(mcnemarExactP(49_500, 50_500), 0.00158235987885159564)).toBeLessThan(1e-8);
    expect(relative(mcnemarExactP(49_000, 51_000), 2.58871603834689788e-10)).toBeLessThan(1e-8);
  });

  it("underflows to 0 only where the true value is below the smallest double", () => {
    expect(mcnemarExactP(0, 100_000)).toBe(0);
    // 2 · 2^-1000 = 2^-999 ≈ 1.9e-301: tiny, but still a double, and computed without underflow.
    expect(Math.abs(mcnemarExactP(0, 1000) / 2 ** -999 - 1)).toBeLessThan(1e-9);
  });

  it("rejects counts that are not whole and non-negative", () => {
    expect(() => mcnemarExactP(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExactP(1.5, 2)).toThrow(RangeError);
  });
});

describe("accuracySeries", () => {
  it("makes one time-ordered series per endpoint, series by name", () => {
    const series = accuracySeries([
      { runId: "r3", endpointName: "gpt", createdAt: "2025-03-01T00:00:00.000Z", accuracy: 0.7, low: 0.6, high: 0.8 },
      { runId: "r1", endpointName: "baseline", createdAt: "2025-01-01T00:00:00.000Z", accuracy: 0.3, low: 0.2, high: 0.4 },
      { runId: "r2", endpointName: "gpt", createdAt: "2025-02-01T00:00:00.000Z", accuracy: 0.6, low: 0.5, high: 0.7 },
      { runId: "r0", endpointName: "gpt", createdAt: "2025-02-01T00:00:00.000Z", accuracy: 0.55, low: 0.45, high: 0.65 },
    ]);
    expect(series.map((s) => s.endpointName)).toEqual(["baseline", "gpt"]);
    expect(series[1].points.map((p) => p.runId)).toEqual(["r0", "r2", "r3"]);
    expect(series[1].points[2]).toEqual({ runId: "r3", createdAt: "2025-03-01T00:00:00.000Z", accuracy: 0.7, low: 0.6, high: 0.8 });
    expect(accuracySeries([])).toEqual([]);
  });
});

describe("groupComparison", () => {
  const g = (key: string, total: number, correct: number): GroupScore => ({ key, total, correct, accuracy: correct / total, interval: { low: 0, high: 1 } });
  const card = (groups: Partial<Pick<Scorecard, "byComplexity" | "byShape" | "byTable" | "byStyle">>) =>
    ({ byComplexity: [], byShape: [], byTable: [], byStyle: [], ...groups }) as unknown as Scorecard;

  it("aligns every key any run has, with null where a run has none", () => {
    const rows = groupComparison(
      [
        { runId: "r1", card: card({ byComplexity: [g("simple", 4, 3), g("complex", 2, 1)] }) },
        { runId: "r2", card: card({ byComplexity: [g("moderate", 3, 1), g("simple", 4, 4)] }) },
      ],
      "complexity",
    );
    expect(rows.map((r) => r.key)).toEqual(["simple", "moderate", "complex"]);
    expect(rows[0].scores.map((s) => s?.correct)).toEqual([3, 4]);
    expect(rows[1].scores).toEqual([null, g("moderate", 3, 1)]);
    expect(rows[2].scores).toEqual([g("complex", 2, 1), null]);
  });

  it("orders other dimensions by items summed over the runs", () => {
    const rows = groupComparison(
      [
        { runId: "r1", card: card({ byTable: [g("flights", 5, 2), g("airports", 1, 1)] }) },
        { runId: "r2", card: card({ byTable: [g("airports", 6, 3), g("carriers", 2, 2)] }) },
      ],
      "table",
    );
    expect(rows.map((r) => r.key)).toEqual(["airports", "flights", "carriers"]);
  });
});
