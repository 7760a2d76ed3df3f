"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { JobProgress } from "@/components/jobs/job-runner";
import type { JobView } from "@/lib/jobs/types";

interface ImportReport {
  format: string;
  total: number;
  added: number;
  alreadyKnown: number;
  withQuestion: number;
  pairsAdded?: number;
  invalid: { line: number; sql: string; error: string }[];
  skipped: { line: number; reason: string; text: string }[];
  groundTruth?: { executed: number; failed: number; empty: number };
}

/** Upload a query log (.sql, .csv or .jsonl with a sql column and an optional question column). */
export function ImportLog({ projectId }: { projectId: string }) {
  const router = useRouter();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [job, setJob] = useState<JobView | null>(null);

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    setReport(null);
    setJob(null);
    setFileName(file.name);
    try {
      const form = new FormData();
      form.set("file", file);
      const res = await fetch(`/api/projects/${projectId}/queries/import`, { method: "POST", body: form });
      const json = (await res.json().catch(() => null)) as { report?: ImportReport; job?: JobView; error?: { message?: string } } | null;
      if (res.ok && json?.job) {
        // A large log: imported by a job; its result holds the report.
        setJob(json.job);
        return;
      }
      if (!res.ok || !json?.report) throw new Error(json?.error?.message ?? `The import failed (HTTP ${res.status}).`);
      setReport(json.report);
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      if (input.current) input.current.value = "";
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <label className={buttonClass("secondary")}>
          {busy ? "Importing…" : "Import a query log"}
          <input
            ref={input}
            type="file"
            accept=".sql,.csv,.tsv,.jsonl,.ndjson,.json,text/plain,text/csv,application/json"
            className="sr-only"
            disabled={busy}
            aria-label="Query log file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void upload(file);
            }}
          />
        </label>
        <span className="text-xs text-slate-500">A .sql file of statements, or CSV / JSONL with a sql column and an optional question column. Up to 20 MB.</span>
      </div>
      {busy && <p className="text-sm text-slate-600">Checking {fileName} against the schema and running its queries on the sandbox…</p>}
      {job && (
        <JobProgress
          key={job.id}
          jobId={job.id}
          initial={job}
          onDone={(done) => {
            const result = done.result as { report?: ImportReport } | null;
            if (done.status === "succeeded" && result?.report) setReport(result.report);
            else setError(done.error ?? "The import did not finish; nothing from this file was stored.");
            setJob(null);
            router.refresh();
          }}
        />
      )}
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      {report && (
        <div className="rounded-md border border-slate-200 p-3 text-sm" data-testid="import-report">
          <p className="text-slate-800">
            {fileName}: <strong>{report.added}</strong> new {report.added === 1 ? "query" : "queries"}, {report.alreadyKnown} already known, {report.invalid.length} invalid, {report.skipped.length} skipped
            {report.pairsAdded ? `, ${report.pairsAdded} questions added for review` : ""}.
          </p>
          {report.invalid.length > 0 && (
            <details className="mt-2" open>
              <summary className="cursor-pointer text-rose-800">Invalid ({report.invalid.length})</summary>
              <ul className="mt-1 space-y-1">
                {report.invalid.slice(0, 50).map((x) => (
                  <li key={`${x.line}-${x.sql.slice(0, 20)}`} className="text-xs">
                    <span className="font-mono text-slate-500">line {x.line}</span> {x.error}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {report.skipped.length > 0 && (
            <details className="mt-2">
              <summary className="cursor-pointer text-slate-700">Skipped ({report.skipped.length})</summary>
              <ul className="mt-1 space-y-1">
                {report.skipped.slice(0, 50).map((x) => (
                  <li key={`${x.line}-${x.reason}`} className="text-xs">
                    <span className="font-mono text-slate-500">line {x.line}</span> {x.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>
      )}
    </div>
  );
}
