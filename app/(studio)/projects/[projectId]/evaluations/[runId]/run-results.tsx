"use client";

import { useState } from "react";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { ResultTable } from "@/components/ui/result-table";

interface Row {
  id: string;
  question: string;
  goldSql: string;
  predictedSql: string;
  outcome: string;
  reason: string;
  errorClass: string | null;
  complexity: string;
  latencyMs: number;
  suiteMatch: boolean | null;
  suiteSize: number;
  gold: { columns: string[]; rows: unknown[][] };
  pred: { columns: string[]; rows: unknown[][]; rowCount: number } | null;
}

export function RunResults({ results }: { results: Row[] }) {
  const [filter, setFilter] = useState<"all" | "correct" | "wrong" | "error">("all");
  const [open, setOpen] = useState<string | null>(null);
  const shown = results.filter((r) => filter === "all" || r.outcome === filter);
  return (
    <div>
      <div className="mb-3 flex gap-1" role="tablist" aria-label="Outcome">
        {(["all", "correct", "wrong", "error"] as const).map((f) => (
          <button key={f} role="tab" aria-selected={filter === f} onClick={() => setFilter(f)} className={cn("rounded px-2 py-1 text-xs font-medium", filter === f ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}>
            {f} <span className="text-slate-400">{f === "all" ? results.length : results.filter((r) => r.outcome === f).length}</span>
          </button>
        ))}
      </div>
      {results.length === 0 && <p className="text-sm text-slate-500">No answers yet.</p>}
      <ul className="divide-y divide-slate-100">
        {shown.map((r) => (
          <li key={r.id} data-testid="eval-result">
            <button className="flex w-full items-start gap-3 py-2 text-left" onClick={() => setOpen(open === r.id ? null : r.id)} aria-expanded={open === r.id}>
              <Badge tone={stateTone(r.outcome)}>{r.outcome}</Badge>
              {r.suiteMatch === false && (
                <Badge tone="amber" title="Right on the sandbox, wrong on a test-suite variant">
                  coincidence
                </Badge>
              )}
              <span className="min-w-0 flex-1">
                <span className="block text-sm text-slate-800">{r.question}</span>
                <span className="block text-xs text-slate-500">{r.reason}</span>
              </span>
              <ComplexityBadge complexity={r.complexity} />
            </button>
            {open === r.id && (
              <div className="grid gap-3 pb-3 lg:grid-cols-2">
                <div>
                  <div className="mb-1 text-xs font-semibold text-slate-600">Gold SQL</div>
                  <code className="block whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono text-xs">{r.goldSql}</code>
                  <ResultTable className="mt-2" columns={r.gold.columns} rows={r.gold.rows} maxRows={10} />
                </div>
                <div>
                  <div className="mb-1 text-xs font-semibold text-slate-600">Model SQL ({r.latencyMs} ms)</div>
                  <code className="block whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono text-xs">{r.predictedSql || "(no SQL)"}</code>
                  {r.pred ? <ResultTable className="mt-2" columns={r.pred.columns} rows={r.pred.rows} maxRows={10} /> : <p className="mt-2 text-xs text-rose-700">{r.reason}</p>}
                </div>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
