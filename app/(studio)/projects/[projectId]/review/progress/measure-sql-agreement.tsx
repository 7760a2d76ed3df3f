"use client";

import Link from "next/link";
import { useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass } from "@/components/ui/button";
import type { AgreementReport } from "@/lib/review/server/progress";

function percent(rate: number | null): string {
  return rate === null ? "–" : `${(rate * 100).toFixed(0)}%`;
}

/**
 * Runs each reviewer pair's two SQL versions on the sandbox and shows how often they return the
 * same result, with the disagreements linked to their pairs.
 */
export function MeasureSqlAgreement({ projectId }: { projectId: string }) {
  const [report, setReport] = useState<AgreementReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function measure() {
    setBusy(true);
    setError(null);
    try {
      setReport(await apiFetch<AgreementReport>(`/api/projects/${projectId}/review/agreement?measureSql=1`));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className={buttonClass("secondary")} onClick={() => void measure()} disabled={busy}>
          {busy ? "Running both SQL versions…" : report ? "Measure again" : "Measure SQL agreement"}
        </button>
        <p className="text-xs text-slate-500">Runs the first review&apos;s final SQL and the second reviewer&apos;s on the sandbox; two versions agree when their results match, however they are written.</p>
      </div>
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
      {report && report.pairs.length === 0 && <p className="text-sm text-slate-600">No reviewer pair to measure yet.</p>}
      {report && report.pairs.length > 0 && (
        <ul className="space-y-3" aria-label="SQL agreement per reviewer pair">
          {report.pairs.map((p) => (
            <li key={`${p.first.id}-${p.second.id}`} className="rounded-md border border-slate-200 px-3 py-2">
              <div className="flex flex-wrap items-baseline gap-2 text-sm">
                <span className="font-medium text-slate-900">
                  {p.first.name} → {p.second.name}
                </span>
                <span className="tabular-nums font-semibold text-slate-900">{percent(p.sql?.rate ?? null)}</span>
                <span className="text-slate-500">
                  {p.sql ? `${p.sql.agree} of ${p.sql.total} agree` : "not measured"}
                  {p.sql?.capped && ` (the first ${report.limit} of ${p.n} pairs were measured)`}
                </span>
              </div>
              {p.sql && p.sql.disagreements.length > 0 && (
                <ul className="mt-2 space-y-1 text-xs">
                  {p.sql.disagreements.map((d) => (
                    <li key={d.pairId} className="flex gap-2">
                      <Link href={`/projects/${projectId}/review?pair=${encodeURIComponent(d.pairId)}`} className="shrink-0 font-mono text-brand-700 hover:underline">
                        {d.pairId.slice(-8)}
                      </Link>
                      <span className="text-slate-600">{d.reason}</span>
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
