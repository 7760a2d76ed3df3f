"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { JobProgress } from "@/components/jobs/job-runner";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import type { JobView } from "@/lib/jobs/types";

export function RunForm({ projectId, versions, endpoints }: { projectId: string; versions: { id: string; label: string }[]; endpoints: { id: string; label: string }[] }) {
  const router = useRouter();
  const [versionId, setVersionId] = useState(versions[0]?.id ?? "");
  const [endpointId, setEndpointId] = useState(endpoints[0]?.id ?? "");
  const [tolerance, setTolerance] = useState("0.000001");
  const [job, setJob] = useState<{ job: JobView; runId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="space-y-3"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const tol = Number(tolerance);
          if (!Number.isFinite(tol) || tol < 0 || tol > 1) throw new Error("The tolerance must be a number between 0 and 1.");
          const out = await apiFetch<{ run: { id: string }; job: JobView }>(`/api/projects/${projectId}/evaluations`, {
            body: { datasetVersionId: versionId, endpointId, compare: { floatAbsTol: tol, floatRelTol: tol } },
          });
          setJob({ job: out.job, runId: out.run.id });
        } catch (err) {
          setError((err as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      <div>
        <label htmlFor="eval-version" className={labelClass}>
          Dataset version
        </label>
        <select id="eval-version" className={inputClass} value={versionId} onChange={(e) => setVersionId(e.target.value)}>
          {versions.map((v) => (
            <option key={v.id} value={v.id}>
              {v.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="eval-endpoint" className={labelClass}>
          Model endpoint
        </label>
        <select id="eval-endpoint" className={inputClass} value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
          {endpoints.map((v) => (
            <option key={v.id} value={v.id}>
              {v.label}
            </option>
          ))}
        </select>
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Comparison settings</summary>
        <div className="mt-2 space-y-2">
          <label htmlFor="eval-tol" className={labelClass}>
            Number tolerance (absolute and relative)
          </label>
          <input id="eval-tol" className={inputClass} value={tolerance} onChange={(e) => setTolerance(e.target.value)} />
          <p className="text-xs text-slate-500">Rows are compared as a multiset unless the gold query has a top-level ORDER BY; columns match up to permutation; NULL equals NULL.</p>
        </div>
      </details>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      <button type="submit" className={buttonClass("primary", "w-full")} disabled={busy || !versionId || !endpointId}>
        {busy ? "Starting…" : "Run evaluation"}
      </button>
      {job && (
        <div className="space-y-2">
          <JobProgress jobId={job.job.id} initial={job.job} onDone={(j) => j.status === "succeeded" && router.push(`/projects/${projectId}/evaluations/${job.runId}`)} />
        </div>
      )}
    </form>
  );
}
