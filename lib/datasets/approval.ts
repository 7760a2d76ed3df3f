// The sign-off states of a dataset version and how the studio names them. "signed_off" is shown as
// "approved"; only a signed-off version can be exported, trained on or used where sign-off is required.

export const APPROVAL_STATES = ["draft", "submitted", "signed_off", "changes_requested"] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const APPROVAL_STATE_LABELS: Record<string, string> = {
  draft: "draft",
  submitted: "submitted",
  signed_off: "approved",
  changes_requested: "changes requested",
};

export type ApprovalTone = "gray" | "green" | "amber" | "blue" | "red";

export function approvalStateLabel(state: string): string {
  return APPROVAL_STATE_LABELS[state] ?? state.replace(/_/g, " ");
}

export function approvalStateTone(state: string): ApprovalTone {
  return state === "signed_off" ? "green" : state === "submitted" ? "blue" : state === "changes_requested" ? "red" : "amber";
}

export const REVIEW_ACTION_LABELS: Record<string, string> = {
  submit: "submitted for sign-off",
  approve: "approved",
  request_changes: "requested changes",
  comment: "commented",
  reopen: "reopened",
};
