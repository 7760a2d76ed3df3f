"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { apiFetch } from "@/components/api";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { ResultTable } from "@/components/ui/result-table";
import { SqlEditor } from "@/components/sql-editor";
import { REJECT_REASON_LABELS, REJECT_REASONS, type RejectReason } from "@/lib/review/flags";
import type { BlindPair } from "@/lib/review/server/second-review";

interface Submitted {
  decision: "approve" | "reject";
  sqlChanged: boolean;
  firstReview: { reviewState: string };
}

function reasonLabel(reason: string | null): string | null {
  if (!reason) return null;
  return (REJECT_REASON_LABELS as Record<string, string>)[reason] ?? reason;
}

/**
 * The blind second review of one pair: the question and SQL as they were before the first review,
 * with that SQL's result. The reviewer approves, rejects with a reason, or fixes the SQL; only
 * after submitting do they learn how the first review went.
 */
export function SecondReviewPanel({ projectId, pairId, onSubmitted }: { projectId: string; pairId: string; onSubmitted(): void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const key = ["second-review", projectId, pairId];
  const view = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => apiFetch<BlindPair>(`/api/projects/${projectId}/pairs/${pairId}/second-review`, { signal }),
  });
  const [reason, setReason] = useState<RejectReason>("wrong_sql");
  const [fixing, setFixing] = useState(false);
  const [sql, setSql] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"approve" | "reject" | null>(null);
  const [outcome, setOutcome] = useState<Submitted | null>(null);
  // Keys, as in the first review: a approves, r rejects with the chosen reason, e fixes the SQL.
  const keys = useRef<((key: string) => void) | null>(null);
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      if (target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT" || target.isContentEditable || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "a" || e.key === "r" || e.key === "e") {
        e.preventDefault();
        keys.current?.(e.key);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  if (view.isPending) return <p className="p-4 text-sm text-slate-500">Loading the pair…</p>;
  if (view.isError) {
    return (
      <p role="alert" className="p-4 text-sm text-rose-700">
        {(view.error as Error).message}
      </p>
    );
  }
  const pair = view.data;
  const editedSql = sql ?? pair.sql;
  const submittedAlready = pair.submitted !== null || outcome !== null;

  async function submit(decision: "approve" | "reject") {
    setBusy(decision);
    setError(null);
    try {
      const out = await apiFetch<Submitted>(`/api/projects/${projectId}/pairs/${pairId}/second-review`, {
        body: {
          decision,
          ...(decision === "reject" ? { reason } : {}),
          ...(fixing && editedSql.trim() !== pair.sql.trim() ? { sql: editedSql } : {}),
        },
      });
      setOutcome(out);
      void queryClient.invalidateQueries({ queryKey: key });
      void queryClient.invalidateQueries({ queryKey: ["second-review-queue", projectId] });
      onSubmitted();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  keys.current = (key) => {
    if (submittedAlready || busy) return;
    if (key === "a") void submit("approve");
    else if (key === "r") void submit("reject");
    else setFixing(true);
  };

  return (
    <section aria-labelledby={`${ids}-title`} className="space-y-4">
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-2">
          <h2 id={`${ids}-title`} className="text-sm font-semibold text-slate-900">
            Blind second review
          </h2>
          {pair.complexity && <ComplexityBadge complexity={pair.complexity} />}
          {pair.shape && <Badge>{pair.shape.replaceAll("_", " ")}</Badge>}
        </div>
        <p className="rounded-md bg-sky-50 px-3 py-2 text-sm text-sky-800">You are the second reviewer; the first reviewer&apos;s decision is hidden until you submit.</p>
      </header>

      <div>
        <h3 className={labelClass}>Question</h3>
        <p className="text-base text-slate-900">{pair.question}</p>
      </div>

      <div>
        <div className="mb-1 flex items-center justify-between gap-2">
          <h3 className="text-sm font-medium text-slate-700">SQL</h3>
          {!submittedAlready && (
            <button type="button" className={buttonClass("ghost", "text-xs")} onClick={() => setFixing((f) => !f)} aria-expanded={fixing}>
              {fixing ? "Keep the SQL as shown" : "Fix the SQL"}
            </button>
          )}
        </div>
        {fixing && !submittedAlready ? (
          <>
            <SqlEditor id={`${ids}-sql`} ariaLabel="Your SQL" value={editedSql} onChange={setSql} minLines={6} />
            <p className="mt-1 text-xs text-slate-500">Your SQL is run on the sandbox when you submit; if it does not run, nothing is saved. Approve or reject the pair with your SQL in place.</p>
          </>
        ) : (
          <pre className="overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-800">{pair.sql}</pre>
        )}
      </div>

      <div>
        <h3 className="mb-1 text-sm font-medium text-slate-700">Result of the SQL shown</h3>
        {pair.result ? (
          <ResultTable columns={pair.result.columns} rows={pair.result.rows} caption={pair.result.rowCount > pair.result.rows.length ? `First ${pair.result.rows.length} of ${pair.result.rowCount.toLocaleString("en-US")} rows` : undefined} />
        ) : (
          <p className="text-sm text-rose-700">{pair.resultError ?? "This SQL has no result on the sandbox."}</p>
        )}
      </div>

      {submittedAlready ? (
        <div role="status" className="space-y-1 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-700">
          {outcome ? (
            <>
              <p>
                Your second review is saved: <Badge tone={outcome.decision === "approve" ? "green" : "red"}>{outcome.decision === "approve" ? "approved" : "rejected"}</Badge>
                {outcome.sqlChanged && " with your SQL"}.
              </p>
              <p>
                The pair is now <Badge tone={stateTone(outcome.firstReview.reviewState)}>{outcome.firstReview.reviewState}</Badge> in the first review
                {outcome.firstReview.reviewState === "pending" ? ", not decided yet." : outcome.firstReview.reviewState === (outcome.decision === "approve" ? "approved" : "rejected") ? ": you agree." : ": you disagree."}
              </p>
            </>
          ) : (
            <p>
              You submitted this second review on {new Date(pair.submitted!.createdAt).toLocaleString()}: {pair.submitted!.decision === "approve" ? "approved" : "rejected"}
              {pair.submitted!.reason ? ` (${reasonLabel(pair.submitted!.reason)})` : ""}. It cannot be changed, so that it stays independent.
            </p>
          )}
        </div>
      ) : (
        <div className="space-y-3 border-t border-slate-100 pt-3">
          <div className="max-w-xs">
            <label htmlFor={`${ids}-reason`} className={labelClass}>
              Reason, if you reject
            </label>
            <select id={`${ids}-reason`} className={inputClass} value={reason} onChange={(e) => setReason(e.target.value as RejectReason)}>
              {REJECT_REASONS.map((r) => (
                <option key={r} value={r}>
                  {REJECT_REASON_LABELS[r]}
                </option>
              ))}
            </select>
          </div>
          {error && (
            <p role="alert" className="text-sm text-rose-700">
              {error}
            </p>
          )}
          <div className="flex flex-wrap gap-2">
            <button type="button" className={buttonClass("primary")} disabled={busy !== null} onClick={() => void submit("approve")}>
              {busy === "approve" ? "Saving…" : fixing ? "Approve with my SQL" : "Approve"} <kbd className="bg-brand-50">a</kbd>
            </button>
            <button type="button" className={buttonClass("danger")} disabled={busy !== null} onClick={() => void submit("reject")}>
              {busy === "reject" ? "Saving…" : "Reject"} <kbd>r</kbd>
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
