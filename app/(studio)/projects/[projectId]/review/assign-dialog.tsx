"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { filterToParams, type PairFilter } from "@/lib/review/filter";

interface Member {
  id: string;
  name: string;
  email: string;
}

interface AssignResult {
  assigned: number;
  byReviewer: Record<string, number>;
  bySecondReviewer: Record<string, number>;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

function toggle(list: string[], id: string): string[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}

function ReviewerChecklist({ legend, members, selected, onChange, disabledIds = [] }: { legend: string; members: Member[]; selected: string[]; onChange(ids: string[]): void; disabledIds?: string[] }) {
  return (
    <fieldset>
      <legend className={labelClass}>{legend}</legend>
      <ul className="max-h-44 space-y-1 overflow-auto rounded-md border border-slate-200 p-2">
        {members.map((m) => (
          <li key={m.id}>
            <label className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" checked={selected.includes(m.id)} disabled={disabledIds.includes(m.id)} onChange={() => onChange(toggle(selected, m.id))} />
              <span className="truncate">{m.name || m.email}</span>
              {m.name && <span className="truncate text-xs text-slate-500">{m.email}</span>}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/**
 * Hand the pairs matching the review filter to reviewers, round-robin, optionally with a blind
 * second reviewer for each. The count shown is the count confirmed: the server refuses the
 * assignment if the filter matches a different number by then.
 */
export function AssignDialog({ projectId, filter, members, onDone, onClose }: { projectId: string; filter: PairFilter; members: { id: string; name: string; email: string }[]; onDone(message: string): void; onClose(): void }) {
  const titleId = useId();
  const [reviewerIds, setReviewerIds] = useState<string[]>([]);
  const [withSecond, setWithSecond] = useState(false);
  const [secondIds, setSecondIds] = useState<string[]>([]);
  const [limit, setLimit] = useState("");
  // A filter on one assignee already decides who the pairs belong to.
  const canNarrowToUnassigned = !filter.assignee;
  const [onlyUnassigned, setOnlyUnassigned] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const countFilter: PairFilter = onlyUnassigned && canNarrowToUnassigned ? { ...filter, assignee: "none" } : filter;
  const params = filterToParams(countFilter).toString();
  const count = useQuery({
    queryKey: ["pairs-count", projectId, params],
    queryFn: ({ signal }) => apiFetch<{ count: number }>(`/api/projects/${projectId}/pairs/bulk?${params}`, { signal }),
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !busy) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [busy, onClose]);

  const matched = count.data?.count ?? null;
  const limitValue = limit.trim() === "" ? undefined : Number(limit);
  const limitValid = limitValue === undefined || (Number.isInteger(limitValue) && limitValue >= 1);
  const toAssign = matched === null ? null : limitValue !== undefined && limitValid ? Math.min(matched, limitValue) : matched;
  const soleOverlap = withSecond && secondIds.length === 1 && reviewerIds.includes(secondIds[0]);
  const ready = matched !== null && matched > 0 && reviewerIds.length > 0 && limitValid && (!withSecond || secondIds.length > 0) && !busy;
  const name = (id: string) => {
    const m = members.find((x) => x.id === id);
    return m ? m.name || m.email : "someone";
  };

  async function submit() {
    if (matched === null) return;
    setBusy(true);
    setError(null);
    try {
      const out = await apiFetch<AssignResult>(`/api/projects/${projectId}/pairs/assign`, {
        body: {
          filter,
          reviewerIds,
          secondReview: withSecond ? { reviewerIds: secondIds } : null,
          ...(limitValue !== undefined ? { limit: limitValue } : {}),
          onlyUnassigned: onlyUnassigned && canNarrowToUnassigned,
          expectedCount: matched,
        },
      });
      const split = Object.entries(out.byReviewer)
        .map(([id, n]) => `${name(id)} ${n}`)
        .join(", ");
      const seconds = Object.keys(out.bySecondReviewer).length;
      onDone(`Assigned ${plural(out.assigned, "pair")}: ${split}${seconds ? `; each with a blind second reviewer` : ""}.`);
    } catch (err) {
      setError((err as Error).message);
      // The count may have moved: show the current one before another try.
      void count.refetch();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="fixed inset-0 z-40 flex items-center justify-center bg-slate-900/30 p-4" onMouseDown={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="max-h-full w-full max-w-lg overflow-auto rounded-lg border border-slate-200 bg-white shadow-xl">
        <header className="border-b border-slate-100 px-4 py-3">
          <h2 id={titleId} className="text-sm font-semibold text-slate-900">
            Assign pairs to reviewers
          </h2>
          <p className="mt-0.5 text-sm text-slate-500">
            The pairs matching the current filter are dealt out in turn, so everyone gets the same mix. Assigning changes no decision and interrupts nobody&apos;s review.
          </p>
        </header>
        <form
          className="space-y-4 px-4 py-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) void submit();
          }}
        >
          {members.length === 0 ? (
            <p className="text-sm text-slate-600">Nobody in this project can review yet. Invite analysts or data leads on the Members page, then assign.</p>
          ) : (
            <ReviewerChecklist legend="Reviewers" members={members} selected={reviewerIds} onChange={setReviewerIds} />
          )}

          <div className="space-y-2">
            <label className="flex items-center gap-2 text-sm text-slate-800">
              <input type="checkbox" checked={withSecond} onChange={(e) => setWithSecond(e.target.checked)} />
              Add a blind second review
            </label>
            {withSecond && (
              <>
                <p className="text-xs text-slate-500">Each pair also goes to one of these people, never to its own reviewer. They judge it without seeing the first review, so agreement can be measured.</p>
                <ReviewerChecklist legend="Second reviewers" members={members} selected={secondIds} onChange={setSecondIds} />
                {soleOverlap && (
                  <p className="text-xs text-amber-700">
                    {name(secondIds[0])} is the only second reviewer and also a reviewer: their own pairs would have nobody to check them. Add another second reviewer.
                  </p>
                )}
              </>
            )}
          </div>

          <div className="grid gap-3 sm:grid-cols-2">
            <div>
              <label htmlFor={`${titleId}-limit`} className={labelClass}>
                At most (optional)
              </label>
              <input id={`${titleId}-limit`} inputMode="numeric" className={inputClass} value={limit} placeholder="all" onChange={(e) => setLimit(e.target.value)} aria-invalid={!limitValid} />
              {!limitValid && <p className="mt-1 text-xs text-rose-700">Type a whole number of pairs, 1 or more, or leave it empty for all.</p>}
            </div>
            {canNarrowToUnassigned && (
              <label className="flex items-center gap-2 self-end pb-1.5 text-sm text-slate-800">
                <input type="checkbox" checked={onlyUnassigned} onChange={(e) => setOnlyUnassigned(e.target.checked)} />
                Only pairs nobody has yet
              </label>
            )}
          </div>

          <div aria-live="polite" className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700">
            {count.isPending ? (
              "Counting the matching pairs…"
            ) : count.isError ? (
              <span className="text-rose-700">{(count.error as Error).message}</span>
            ) : matched === 0 ? (
              "No pair matches this filter. Change the filter, then assign."
            ) : (
              <>
                The filter matches <strong>{plural(matched!, "pair")}</strong>
                {toAssign !== matched && toAssign !== null ? <>; the first {plural(toAssign, "pair")} will be assigned</> : null}
                {reviewerIds.length > 0 && toAssign !== null ? <>, about {Math.ceil(toAssign / reviewerIds.length).toLocaleString("en-US")} each</> : null}.
              </>
            )}
          </div>

          {error && (
            <p role="alert" className="text-sm text-rose-700">
              {error}
            </p>
          )}

          <div className="flex justify-end gap-2">
            <button type="button" className={buttonClass("secondary")} onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className={buttonClass("primary")} disabled={!ready}>
              {busy ? "Assigning…" : toAssign ? `Assign ${plural(toAssign, "pair")}` : "Assign"}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
