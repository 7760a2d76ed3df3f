"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { Badge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { useRun } from "./run-context";
import { count, isLive } from "./format";

// The live parts of the page header (the run's state changes while the page is open) and the
// notices about how the run ended.

export function RunStatusBadge() {
  const { run } = useRun();
  return (
    <span data-testid="run-status" data-status={run.status}>
      <Badge tone={stateTone(run.status)}>{run.status}</Badge>
    </span>
  );
}

const EXPORTS = [
  { format: "csv", name: "CSV", note: "one row per figure, for a spreadsheet" },
  { format: "json", name: "JSON", note: "the whole scorecard, for scripts" },
  { format: "md", name: "Markdown", note: "a summary to paste in a report" },
] as const;

/** Export ▾: the scorecard as a file, with the monthly workload the projection card shows. */
export function ExportMenu() {
  const { projectId, runId, run, monthly } = useRun();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const empty = run.scorecard.total === 0;

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  return (
    <div
      ref={rootRef}
      className="relative"
      onKeyDown={(e) => {
        // Escape closes the menu only; the page's own Escape (closing the item detail) must not fire.
        if (e.key === "Escape" && open) {
          e.stopPropagation();
          setOpen(false);
          buttonRef.current?.focus();
        }
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        className={buttonClass("secondary")}
        aria-expanded={open}
        aria-controls={menuId}
        disabled={empty}
        title={empty ? "Nothing to export until the run has answers" : undefined}
        onClick={() => setOpen((v) => !v)}
      >
        Export <span aria-hidden>▾</span>
      </button>
      {open && (
        <div id={menuId} className="absolute right-0 z-30 mt-1 w-72 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
          <p className="px-2 py-1 text-xs text-slate-500">
            The scorecard, with the projection for {count(monthly.value)} questions a month{monthly.error ? " (the last valid workload)" : ""}.
          </p>
          {EXPORTS.map((x) => (
            <a
              key={x.format}
              href={`/api/projects/${projectId}/evaluations/${runId}/export?format=${x.format}&monthly=${monthly.value}`}
              download
              aria-label={`Export as ${x.name}`}
              className="block rounded px-2 py-1.5 text-sm text-slate-800 hover:bg-slate-50 focus:bg-slate-50 focus:outline-none"
              onClick={() => setOpen(false)}
            >
              <span className="font-medium">{x.name}</span> <span className="text-xs text-slate-500">{x.note}</span>
            </a>
          ))}
        </div>
      )}
    </div>
  );
}

export function CompareLink() {
  const { projectId, runId } = useRun();
  return (
    <Link href={`/projects/${projectId}/evaluations/compare?runs=${encodeURIComponent(runId)}`} className={buttonClass("secondary")}>
      Compare with…
    </Link>
  );
}

/** How the run ended when that needs saying: a failure and what to do, a cancellation, a stalled poll. */
export function RunNotices({ jobError }: { jobError: string | null }) {
  const { projectId, run, refreshError } = useRun();
  const answered = run.results.length;
  const kept = answered > 0 ? `The ${count(answered)} answer${answered === 1 ? "" : "s"} scored before it stopped ${answered === 1 ? "is" : "are"} kept below.` : "No answer was scored before it stopped.";
  return (
    <>
      {run.status === "failed" && (
        <div className="mb-4 rounded-lg border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900" data-testid="run-error">
          <h2 className="font-semibold">This run failed</h2>
          <p className="mt-1 whitespace-pre-wrap break-words font-mono text-xs">{run.error ?? jobError ?? "The run stopped without an error message; the worker's log has the cause."}</p>
          <p className="mt-2">
            What to do: check the endpoint on the{" "}
            <Link href={`/projects/${projectId}/evaluations`} className="font-medium underline">
              Evaluations page
            </Link>{" "}
            (its URL, key and model) and that a worker is running, then start the run again.{" "}
            With the response cache on, answers the endpoint already gave are reused, so a new run pays only for the rest.{" "}
            {kept}
          </p>
        </div>
      )}
      {run.status === "cancelled" && (
        <div className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
          This run was cancelled after {count(run.done)} of {count(run.total)} items: the scorecard covers only those, so compare it with other runs with care.
        </div>
      )}
      {refreshError && isLive(run.status) && (
        <p className="mb-4 text-sm text-amber-800">
          Could not refresh the run ({refreshError}); the figures below are from the last refresh. Retrying every 2 seconds.
        </p>
      )}
    </>
  );
}
