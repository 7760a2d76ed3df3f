// Agreement between reviewers on approve/reject decisions. Pure: callers read the decisions
// (ReviewEvents, oldest first) and pass them in.

export type ReviewDecision = "approve" | "reject";

export interface KappaResult {
  /**
   * Cohen's kappa, (observed − expected) / (1 − expected); 1 is perfect agreement, 0 is what
   * chance alone would give, below 0 is worse than chance. Null when it is undefined: with no
   * items (n = 0), or when the expected agreement is 1, which happens only when both reviewers
   * gave every item the same single decision (both approved everything, or both rejected
   * everything). Then observed agreement is 1 too and the ratio is 0/0: such ratings say nothing
   * about how far the reviewers agree beyond chance, so no number is reported rather than 1 or 0.
   */
  kappa: number | null;
  /** Share of items both reviewers decided alike (0 when n = 0). */
  observed: number;
  /** Agreement expected by chance from each reviewer's own approve rate (0 when n = 0). */
  expected: number;
  n: number;
}

/** Cohen's kappa on two reviewers' decisions of the same items (one pair per item). */
export function cohensKappa(pairs: readonly { a: ReviewDecision; b: ReviewDecision }[]): KappaResult {
  const n = pairs.length;
  if (n === 0) return { kappa: null, observed: 0, expected: 0, n: 0 };
  let agree = 0;
  let approvedA = 0;
  let approvedB = 0;
  for (const { a, b } of pairs) {
    if (a === b) agree++;
    if (a === "approve") approvedA++;
    if (b === "approve") approvedB++;
  }
  // Worked in counts, so textbook tables give exact results: expected = chanceAgreements / n².
  const chanceAgreements = approvedA * approvedB + (n - approvedA) * (n - approvedB);
  const observed = agree / n;
  const expected = chanceAgreements / (n * n);
  const kappa = chanceAgreements === n * n ? null : (agree * n - chanceAgreements) / (n * n - chanceAgreements);
  return { kappa, observed, expected, n };
}

export interface ReviewerDecision {
  itemId: string;
  reviewer: string;
  decision: ReviewDecision;
}

export interface ReviewerPairAgreement {
  /** The reviewer whose name sorts first. */
  a: string;
  b: string;
  /** Items both reviewers decided. */
  n: number;
  kappa: number | null;
  observed: number;
}

/**
 * Agreement for every pair of reviewers who both decided at least one common item, sorted by
 * (a, b) with a < b. Decisions are taken in the order given (oldest first): a reviewer's latest
 * decision on an item replaces the earlier ones.
 */
export function agreementByReviewerPair(decisions: readonly ReviewerDecision[]): ReviewerPairAgreement[] {
  const latest = new Map<string, Map<string, ReviewDecision>>();
  for (const { itemId, reviewer, decision } of decisions) {
    let byItem = latest.get(reviewer);
    if (!byItem) latest.set(reviewer, (byItem = new Map()));
    byItem.set(itemId, decision);
  }
  const reviewers = [...latest.keys()].sort(byCodeUnits);
  const out: ReviewerPairAgreement[] = [];
  for (let i = 0; i < reviewers.length; i++) {
    const first = latest.get(reviewers[i])!;
    for (let j = i + 1; j < reviewers.length; j++) {
      const second = latest.get(reviewers[j])!;
      const pairs: { a: ReviewDecision; b: ReviewDecision }[] = [];
      for (const [itemId, a] of first) {
        const b = second.get(itemId);
        if (b !== undefined) pairs.push({ a, b });
      }
      if (pairs.length === 0) continue;
      const { kappa, observed, n } = cohensKappa(pairs);
      out.push({ a: reviewers[i], b: reviewers[j], n, kappa, observed });
    }
  }
  return out;
}

function byCodeUnits(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
