"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, type ButtonVariant } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress-bar";
import type { JobView } from "@/lib/jobs/types";
import { isTerminal } from "@/lib/jobs/types";

/** Live progress of one job: polls until it ends, offers Cancel, refreshes the page when done. */
export function JobProgress({ jobId, initial, onDone }: { jobId: string; initial?: JobView | null; onDone?: (job: JobView) => void }) {
  const router = useRouter();
  const notified = useRef(false);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const { data, error } = useQuery({
    queryKey: ["job", jobId],
    queryFn: async () => (await apiFetch<{ job: JobView }>(`/api/jobs/${jobId}`)).job,
    initialData: initial ?? undefined,
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.status) ? false : 700),
  });
  const job = data;
  useEffect(() => {
    if (job && isTerminal(job.status) && !notified.current) {
      notified.current = true;
      onDone?.(job);
      router.refresh();
    }
  }, [job, onDone, router]);
  if (!job) return <p className="text-sm text-slate-500">{error ? "Could not read the job's progress; retrying…" : "Starting…"}</p>;
  const running = !isTerminal(job.status);
  return (
    <div className="space-y-1.5" data-testid="job-progress" data-status={job.status}>
      <div className="flex items-center justify-between gap-3 text-sm">
        <span className={job.status === "failed" ? "text-rose-700" : job.status === "succeeded" ? "text-emerald-700" : "text-slate-700"} aria-live="polite">
          {job.status === "failed" ? `Failed: ${job.error}` : job.status === "cancelled" ? (job.error ?? "Cancelled.") : job.message || job.status}
        </span>
        <span className="flex items-center gap-2 tabular-nums text-slate-500">
          {running && `${job.progress}%`}
          {running && (
            <button
              type="button"
              className={buttonClass("ghost", "px-2 py-0.5 text-xs")}
              disabled={job.cancelRequested}
              onClick={async () => {
                try {
                  await apiFetch(`/api/jobs/${job.id}/cancel`, { method: "POST", body: {} });
                } catch (e) {
                  setCancelError((e as Error).message);
                }
              }}
            >
              {job.cancelRequested ? "Cancelling…" : "Cancel"}
            </button>
          )}
        </span>
      </div>
      <ProgressBar value={job.status === "succeeded" ? 100 : job.progress} tone={job.status === "failed" ? "red" : job.status === "cancelled" ? "amber" : "brand"} />
      {cancelError && <p className="text-xs text-rose-700">{cancelError}</p>}
    </div>
  );
}

/** A button that starts a job through the API, then shows its progress in place. */
export function JobButton({
  endpoint,
  body,
  label,
  activeJob,
  variant = "primary",
  disabled,
  disabledReason,
}: {
  endpoint: string;
  body?: unknown;
  label: string;
  activeJob?: JobView | null;
  variant?: ButtonVariant;
  disabled?: boolean;
  disabledReason?: string;
}) {
  const [job, setJob] = useState<JobView | null>(activeJob ?? null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const running = job && !isTerminal(job.status);
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-3">
        <button
          type="button"
          className={buttonClass(variant)}
          disabled={busy || !!running || disabled}
          title={disabled ? disabledReason : undefined}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              const out = await apiFetch<{ job: JobView }>(endpoint, { method: "POST", body: typeof body === "function" ? (body as () => unknown)() : (body ?? {}) });
              setJob(out.job);
            } catch (e) {
              setError((e as Error).message);
            } finally {
              setBusy(false);
            }
          }}
        >
          {running ? "Running…" : label}
        </button>
        {disabled && disabledReason && <span className="text-sm text-slate-500">{disabledReason}</span>}
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      {job && <JobProgress key={job.id} jobId={job.id} initial={job} onDone={setJob} />}
    </div>
  );
}
