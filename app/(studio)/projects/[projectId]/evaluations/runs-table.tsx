"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { EvalRunListItem } from "@/lib/evaluation/server/runs";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const SPLITS: Record<string, string> = { test: "test", validation: "validation", heldout: "held-out", train: "train" };

/** Every run with its accuracy bar; ticked runs open side by side on the compare page. */
export function RunsTable({ projectId, runs }: { projectId: string; runs: EvalRunListItem[] }) {
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= 12 ? p : [...p, id]));
  // In the order ticked: the first is the "before" of fixed and broken.
  const ordered = picked.map((id) => runs.find((r) => r.id === id)).filter((r) => r !== undefined);
  return (
    <div>
      <div className="mb-3 flex items-center gap-3">
        <Link
          href={ordered.length > 0 ? `/projects/${projectId}/evaluations/compare?runs=${ordered.map((r) => r.id).join(",")}` : "#"}
          aria-disabled={picked.length < 2}
          className={cn(buttonClass("primary"), picked.length < 2 && "pointer-events-none opacity-50")}
        >
          Compare {picked.length >= 2 ? picked.length : ""} runs
        </Link>
        <span className="text-xs text-slate-500">{picked.length < 2 ? "Tick at least two runs; the first you tick is the one the others are measured from." : `${picked.length} ticked, from ${ordered[0]?.label || ordered[0]?.endpointName}`}</span>
      </div>
      <ul className="space-y-2">
        {runs.map((r) => (
          <li key={r.id} data-testid="eval-run" className="flex items-start gap-2">
            <input
              type="checkbox"
              className="mt-2.5"
              aria-label={`Compare ${r.label || r.endpointName} (${r.createdAt.slice(0, 16).replace("T", " ")})`}
              checked={picked.includes(r.id)}
              onChange={() => toggle(r.id)}
            />
            <Link href={`/projects/${projectId}/evaluations/${r.id}`} className="block min-w-0 flex-1 rounded-md px-2 py-1.5 hover:bg-slate-50">
              <div className="flex items-center gap-2 text-sm">
                <span className="truncate font-medium text-slate-900">{r.label || r.endpointName}</span>
                {r.label && <span className="truncate text-slate-500">{r.endpointName}</span>}
                <span className="shrink-0 text-slate-500">
                  v{r.datasetVersion} {SPLITS[r.split] ?? r.split}
                </span>
                <Badge tone={stateTone(r.status)}>{r.status}</Badge>
                <span className="ml-auto shrink-0 font-semibold tabular-nums text-slate-900">{r.accuracy != null && r.done ? pct(r.accuracy) : "–"}</span>
              </div>
              <div className="relative mt-1.5 h-3 rounded bg-slate-100">
                {r.interval && r.done > 0 && (
                  <>
                    <div className="absolute inset-y-0 rounded bg-brand-100" style={{ left: `${r.interval.low * 100}%`, width: `${(r.interval.high - r.interval.low) * 100}%` }} />
                    <div className="absolute inset-y-0 left-0 rounded bg-brand-500" style={{ width: `${(r.accuracy ?? 0) * 100}%`, opacity: 0.85 }} />
                  </>
                )}
              </div>
              <div className="mt-1 text-xs text-slate-500">
                {r.correct} correct of {r.total} · {r.errors} errors{r.interval ? ` · 95% CI ${(r.interval.low * 100).toFixed(0)}–${(r.interval.high * 100).toFixed(0)}%` : ""}
                {r.suiteAccuracy != null && ` · test-suite ${pct(r.suiteAccuracy)} on ${r.suiteSize} variants`}
                {r.repeats > 1 && ` · ${r.repeats} repeats`}
                {r.costUsd > 0 && ` · $${r.costUsd.toFixed(4)} spent`}
                {r.status === "running" && r.total > 0 && ` · ${r.done} of ${r.total} answered`}
                {r.error && <span className="text-rose-700"> · {r.error}</span>}
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
