"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { COMPLEXITIES } from "@/lib/queries/complexity";

// Starts an evaluation run and opens its scorecard, which follows the run live.

export interface RunFormVersion {
  id: string;
  label: string;
  counts: Record<string, number>;
}

const SPLIT_LABELS: Record<string, string> = { test: "Test split", validation: "Validation split", heldout: "Held-out set", train: "Training split (memorisation check)" };

export function RunForm({
  projectId,
  versions,
  endpoints,
  regressionCount,
  initialEndpointId,
  initialVersionId,
}: {
  projectId: string;
  versions: RunFormVersion[];
  endpoints: { id: string; label: string }[];
  regressionCount: number;
  initialEndpointId?: string;
  initialVersionId?: string;
}) {
  const router = useRouter();
  const [versionId, setVersionId] = useState(initialVersionId ?? versions[0]?.id ?? "");
  const [endpointId, setEndpointId] = useState(initialEndpointId ?? endpoints[0]?.id ?? "");
  const [split, setSplit] = useState("test");
  const [label, setLabel] = useState("");
  const [limit, setLimit] = useState("");
  const [concurrency, setConcurrency] = useState("4");
  const [timeoutS, setTimeoutS] = useState("60");
  const [retries, setRetries] = useState("3");
  const [repeats, setRepeats] = useState("1");
  const [useCache, setUseCache] = useState(true);
  const [includeRegression, setIncludeRegression] = useState(true);
  // Empty: every complexity.
  const [complexities, setComplexities] = useState<string[]>([]);
  const [tolerance, setTolerance] = useState("0.000001");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const version = versions.find((v) => v.id === versionId);

  function whole(text: string, what: string, min: number, max: number): number {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${what} must be a whole number from ${min} to ${max}.`);
    return n;
  }

  return (
    <form
      className="space-y-3"
      aria-label="Run an evaluation"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        try {
          const tol = Number(tolerance);
          if (!Number.isFinite(tol) || tol < 0 || tol > 1) throw new Error("The tolerance must be a number between 0 and 1.");
          const out = await apiFetch<{ run: { id: string } }>(`/api/projects/${projectId}/evaluations`, {
            body: {
              datasetVersionId: versionId,
              endpointId,
              label: label.trim() || undefined,
              compare: { floatAbsTol: tol, floatRelTol: tol },
              scope: { split, includeRegression, complexities, limit: limit.trim() ? whole(limit, "The item limit", 0, 100_000) : 0 },
              settings: {
                concurrency: whole(concurrency, "Concurrency", 1, 64),
                timeoutMs: whole(timeoutS, "The timeout (seconds)", 1, 600) * 1000,
                maxRetries: whole(retries, "Retries", 0, 8),
                repeats: whole(repeats, "Repeats", 1, 10),
                useCache,
              },
            },
          });
          router.push(`/projects/${projectId}/evaluations/${out.run.id}`);
        } catch (err) {
          setError((err as Error).message);
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
      <div className="grid grid-cols-[minmax(0,1fr)_6rem] gap-2">
        <div>
          <label htmlFor="eval-split" className={labelClass}>
            Items
          </label>
          <select id="eval-split" className={inputClass} value={split} onChange={(e) => setSplit(e.target.value)}>
            {Object.entries(SPLIT_LABELS).map(([key, text]) => (
              <option key={key} value={key} disabled={!version?.counts[key]}>
                {text} ({version?.counts[key] ?? 0})
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="eval-limit" className={labelClass}>
            At most
          </label>
          <input id="eval-limit" className={inputClass} inputMode="numeric" placeholder="all" value={limit} onChange={(e) => setLimit(e.target.value)} />
        </div>
      </div>
      <div>
        <label htmlFor="eval-label" className={labelClass}>
          Label <span className="font-normal text-slate-500">(optional, shown on dashboards)</span>
        </label>
        <input id="eval-label" className={inputClass} maxLength={80} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="after RFT epoch 2" />
      </div>
      <fieldset>
        <legend className={labelClass}>
          Complexity <span className="font-normal text-slate-500">(none ticked: all)</span>
        </legend>
        <div className="flex flex-wrap gap-x-3 gap-y-1 text-sm text-slate-700">
          {COMPLEXITIES.map((c) => (
            <label key={c} className="flex items-center gap-1.5">
              <input type="checkbox" checked={complexities.includes(c)} onChange={(e) => setComplexities((all) => (e.target.checked ? [...all, c] : all.filter((x) => x !== c)))} />
              {c.replace("_", " ")}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" checked={includeRegression} onChange={(e) => setIncludeRegression(e.target.checked)} />
        Include the regression set ({regressionCount} item{regressionCount === 1 ? "" : "s"})
      </label>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Calls, repeats and comparison</summary>
        <div className="mt-2 grid grid-cols-2 gap-2">
          <div>
            <label htmlFor="eval-conc" className={labelClass}>
              Calls at once
            </label>
            <input id="eval-conc" className={inputClass} inputMode="numeric" value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
          </div>
          <div>
            <label htmlFor="eval-timeout" className={labelClass}>
              Timeout (s)
            </label>
            <input id="eval-timeout" className={inputClass} inputMode="numeric" value={timeoutS} onChange={(e) => setTimeoutS(e.target.value)} />
          </div>
          <div>
            <label htmlFor="eval-retries" className={labelClass}>
              Retries
            </label>
            <input id="eval-retries" className={inputClass} inputMode="numeric" value={retries} onChange={(e) => setRetries(e.target.value)} />
          </div>
          <div>
            <label htmlFor="eval-repeats" className={labelClass}>
              Repeats
            </label>
            <input id="eval-repeats" className={inputClass} inputMode="numeric" value={repeats} onChange={(e) => setRepeats(e.target.value)} />
          </div>
          <label className="col-span-2 flex items-center gap-2 text-slate-700">
            <input type="checkbox" checked={useCache} onChange={(e) => setUseCache(e.target.checked)} />
            Reuse cached answers to identical calls
          </label>
          <div className="col-span-2">
            <label htmlFor="eval-tol" className={labelClass}>
              Number tolerance (absolute and relative)
            </label>
            <input id="eval-tol" className={inputClass} value={tolerance} onChange={(e) => setTolerance(e.target.value)} />
          </div>
          <p className="col-span-2 text-xs text-slate-500">
            Repeats ask every item again to measure rerun stability (accuracy counts the first answer). Calls that fail with 429 or 5xx are retried with backoff, honouring Retry-After. Rows are compared as a multiset unless the gold query has a top-level ORDER BY; columns match up to permutation; NULL equals NULL.
          </p>
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
    </form>
  );
}
