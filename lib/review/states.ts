// Review states of a pair and what each decision leads to.
export const REVIEW_STATES = ["pending", "approved", "rejected"] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export type ReviewAction = "approve" | "reject" | "reopen";

export function nextStateFor(action: ReviewAction): ReviewState {
  switch (action) {
    case "approve":
      return "approved";
    case "reject":
      return "rejected";
    case "reopen":
      return "pending";
  }
}
