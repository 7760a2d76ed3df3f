import { describe, expect, it } from "vitest";
import { agreementByReviewerPair, cohensKappa, type ReviewDecision } from "@/lib/review/agreement";

type Pair = { a: ReviewDecision; b: ReviewDecision };

/** Pairs from a 2×2 table: both approve, a approves only, b approves only, both reject. */
function table(bothApprove: number, onlyA: number, onlyB: number, bothReject: number): Pair[] {
  return [
    ...Array.from({ length: bothApprove }, (): Pair => ({ a: "approve", b: "approve" })),
    ...Array.from({ length: onlyA }, (): Pair => ({ a: "approve", b: "reject" })),
    ...Array.from({ length: onlyB }, (): Pair => ({ a: "reject", b: "approve" })),
    ...Array.from({ length: bothReject }, (): Pair => ({ a: "reject", b: "reject" })),
  ];
}

describe("cohensKappa", () => {
  it("gives 0.40 for the textbook table with observed 0.70 and expected 0.50", () => {
    // 50 items: 20 both approve, 5 only A, 10 only B, 15 both reject.
    // observed = 35/50 = .70; A approves .50, B approves .60; expected = .5·.6 + .5·.4 = .50; κ = .20/.50 = .40.
    expect(cohensKappa(table(20, 5, 10, 15))).toEqual({ kappa: 0.4, observed: 0.7, expected: 0.5, n: 50 });
  });

  it("gives the textbook values for two tables with the same observed agreement but different marginals", () => {
    // 100 items, observed .60 in both. First: A approves .60, B .70, expected .42 + .12 = .54, κ = .06/.46.
    const first = cohensKappa(table(45, 15, 25, 15));
    expect(first.observed).toBeCloseTo(0.6, 12);
    expect(first.expected).toBeCloseTo(0.54, 12);
    expect(first.kappa).toBeCloseTo(3 / 23, 12);
    // Second: A approves .60, B .30, expected .18 + .28 = .46, κ = .14/.54.
    const second = cohensKappa(table(25, 35, 5, 35));
    expect(second.expected).toBeCloseTo(0.46, 12);
    expect(second.kappa).toBeCloseTo(7 / 27, 12);
  });

  it("gives 1 for perfect agreement on mixed decisions", () => {
    expect(cohensKappa(table(3, 0, 0, 2))).toEqual({ kappa: 1, observed: 1, expected: 0.52, n: 5 });
  });

  it("gives 0 when agreement is exactly what chance predicts", () => {
    // Both approve half the items, independently: observed .50 = expected .50.
    expect(cohensKappa(table(1, 1, 1, 1))).toEqual({ kappa: 0, observed: 0.5, expected: 0.5, n: 4 });
    // One reviewer approves everything: every agreement is by chance, κ = 0 even at observed .75.
    expect(cohensKappa(table(3, 1, 0, 0))).toEqual({ kappa: 0, observed: 0.75, expected: 0.75, n: 4 });
  });

  it("gives -1 when two balanced reviewers always disagree", () => {
    expect(cohensKappa(table(0, 2, 2, 0)).kappa).toBe(-1);
  });

  it("is null when both reviewers gave every item the same decision, or when there are no items", () => {
    expect(cohensKappa(table(6, 0, 0, 0))).toEqual({ kappa: null, observed: 1, expected: 1, n: 6 });
    expect(cohensKappa(table(0, 0, 0, 3)).kappa).toBeNull();
    expect(cohensKappa([])).toEqual({ kappa: null, observed: 0, expected: 0, n: 0 });
  });
});

describe("agreementByReviewerPair", () => {
  it("pairs reviewers over their common items, sorted by name, using each reviewer's latest decision", () => {
    const result = agreementByReviewerPair([
      // zoe and amy share items 1-4; zoe first rejected item 1, then approved it.
      { itemId: "1", reviewer: "zoe", decision: "reject" },
      { itemId: "1", reviewer: "zoe", decision: "approve" },
      { itemId: "2", reviewer: "zoe", decision: "approve" },
      { itemId: "3", reviewer: "zoe", decision: "reject" },
      { itemId: "4", reviewer: "zoe", decision: "reject" },
      { itemId: "1", reviewer: "amy", decision: "approve" },
      { itemId: "2", reviewer: "amy", decision: "reject" },
      { itemId: "3", reviewer: "amy", decision: "approve" },
      { itemId: "4", reviewer: "amy", decision: "reject" },
      // bob shares item 4 with both, and item 9 with no one.
      { itemId: "4", reviewer: "bob", decision: "reject" },
      { itemId: "9", reviewer: "bob", decision: "approve" },
      // eve shares nothing with anyone: no pair.
      { itemId: "7", reviewer: "eve", decision: "approve" },
    ]);
    expect(result).toEqual([
      // amy/bob: one item, both rejected it: expected agreement 1, κ undefined.
      { a: "amy", b: "bob", n: 1, kappa: null, observed: 1 },
      // amy/zoe: agree on items 1 and 4, both approve half: observed .5 = expected .5.
      { a: "amy", b: "zoe", n: 4, kappa: 0, observed: 0.5 },
      { a: "bob", b: "zoe", n: 1, kappa: null, observed: 1 },
    ]);
  });

  it("returns nothing for fewer than two reviewers", () => {
    expect(agreementByReviewerPair([])).toEqual([]);
    expect(agreementByReviewerPair([{ itemId: "1", reviewer: "amy", decision: "approve" }])).toEqual([]);
  });
});
