"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { approvalStateLabel, approvalStateTone, REVIEW_ACTION_LABELS } from "@/lib/datasets/approval";
import type { DatasetReviewView } from "@/lib/datasets/server/sign-off";

export interface SignOffPanelProps {
  projectId: string;
  versionId: string;
  version: number;
  state: string;
  reviews: DatasetReviewView[];
  /** Open blocking scan findings: submit and approve wait until they are resolved. */
  openBlocking: number;
  /** May submit and comment (analyst, data lead, admin). */
  canSubmit: boolean;
  /** May approve and request changes (data lead, admin). */
  canApprove: boolean;
}

type Action = "submit" | "approve" | "request-changes" | "comment" | "sign-off";

const DOT: Record<string, string> = {
  submit: "bg-sky-500",
  approve: "bg-emerald-500",
  request_changes: "bg-rose-500",
  comment: "bg-slate-400",
  reopen: "bg-amber-500",
};

export function SignOffPanel({ projectId, versionId, version, state, reviews, openBlocking, canSubmit, canApprove }: SignOffPanelProps) {
  const router = useRouter();
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [commentError, setCommentError] = useState<string | null>(null);
  const blocked = openBlocking > 0 && state !== "signed_off";
  const canResubmit = state === "draft" || state === "changes_requested";

  async function act(action: Action) {
    setError(null);
    setCommentError(null);
    if ((action === "request-changes" || action === "comment") && !comment.trim()) {
      setCommentError(action === "request-changes" ? "Write what must change before requesting changes." : "Write a comment first.");
      return;
    }
    setBusy(action);
    try {
      await apiFetch(`/api/projects/${projectId}/datasets/${versionId}/${action}`, { body: { comment: comment.trim() || undefined } });
      setComment("");
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
        <span>v{version} is</span>
        <Badge tone={approvalStateTone(state)}>{approvalStateLabel(state)}</Badge>
        {state === "signed_off" && <span className="text-slate-500">It can be exported, trained on and evaluated.</span>}
        {state === "changes_requested" && <span className="text-slate-500">A version cannot be edited: resolve its findings and submit again, or freeze a new version.</span>}
      </div>

      {blocked && (
        <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {openBlocking} open blocking scan finding{openBlocking === 1 ? "" : "s"} stop{openBlocking === 1 ? "s" : ""} sign-off.{" "}
          <Link href="#scans" className="font-medium underline">
            Resolve {openBlocking === 1 ? "it" : "them"} in Scans
          </Link>
          .
        </div>
      )}

      {reviews.length > 0 ? (
        <ol aria-label="Sign-off history" className="space-y-2 border-l border-slate-200 pl-4">
          {reviews.map((r) => (
            <li key={r.id} className="relative text-sm">
              <span className={`absolute -left-[21px] top-1.5 h-2.5 w-2.5 rounded-full ${DOT[r.action] ?? "bg-slate-400"}`} aria-hidden />
              <span className="font-medium text-slate-800">{r.userName ?? "The studio"}</span> <span className="text-slate-600">{REVIEW_ACTION_LABELS[r.action] ?? r.action}</span>{" "}
              <time className="text-xs text-slate-400" dateTime={r.createdAt}>
                {r.createdAt.slice(0, 16).replace("T", " ")}
              </time>
              {r.comment && <p className="mt-0.5 whitespace-pre-wrap rounded bg-slate-50 px-2 py-1 text-slate-700">{r.comment}</p>}
            </li>
          ))}
        </ol>
      ) : (
        <p className="text-sm text-slate-500">No one has submitted or commented on this version yet.</p>
      )}

      {(canSubmit || canApprove) && (
        <div className="space-y-2">
          <label htmlFor="sign-off-comment" className={labelClass}>
            Comment {state === "submitted" && canApprove ? <span className="font-normal text-slate-400">(required to request changes)</span> : null}
          </label>
          <textarea
            id="sign-off-comment"
            className={inputClass}
            rows={2}
            maxLength={4000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            aria-invalid={!!commentError}
            aria-describedby={commentError ? "sign-off-comment-error" : undefined}
          />
          {commentError && (
            <p id="sign-off-comment-error" className="text-xs text-rose-700">
              {commentError}
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            {canResubmit && canApprove && (
              <button type="button" className={buttonClass("primary")} disabled={!!busy || blocked} onClick={() => act("sign-off")}>
                {busy === "sign-off" ? "Signing off…" : "Sign off this version"}
              </button>
            )}
            {canResubmit && canSubmit && (
              <button type="button" className={buttonClass(canApprove ? "secondary" : "primary")} disabled={!!busy || blocked} onClick={() => act("submit")}>
                {busy === "submit" ? "Submitting…" : state === "changes_requested" ? "Submit again" : "Submit for sign-off"}
              </button>
            )}
            {state === "submitted" && canApprove && (
              <>
                <button type="button" className={buttonClass("primary")} disabled={!!busy || blocked} onClick={() => act("approve")}>
                  {busy === "approve" ? "Approving…" : "Approve"}
                </button>
                <button type="button" className={buttonClass("danger")} disabled={!!busy} onClick={() => act("request-changes")}>
                  {busy === "request-changes" ? "Sending…" : "Request changes"}
                </button>
              </>
            )}
            {canSubmit && (
              <button type="button" className={buttonClass("ghost")} disabled={!!busy} onClick={() => act("comment")}>
                {busy === "comment" ? "Posting…" : "Add comment"}
              </button>
            )}
          </div>
          {state === "submitted" && !canApprove && <p className="text-xs text-slate-500">Waiting for a data lead or an admin to approve or request changes.</p>}
        </div>
      )}
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
    </div>
  );
}
