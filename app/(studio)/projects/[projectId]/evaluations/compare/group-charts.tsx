"use client";

import { useState } from "react";
import { AccuracyBars, type BarSeries } from "@/components/charts/accuracy-bars";
import { cn } from "@/components/ui/cn";
import type { GroupScore } from "@/lib/evaluation/scorecard-types";

const TABS = [
  ["complexity", "Complexity"],
  ["shape", "Shape"],
  ["table", "Table"],
  ["style", "Question style"],
] as const;

type Rows = { key: string; scores: (GroupScore | null)[] }[];

/** Grouped accuracy bars, one tab per dimension. */
export function GroupCharts({ groups, series }: { groups: Record<string, Rows>; series: BarSeries[] }) {
  const [tab, setTab] = useState<string>("complexity");
  const rows = groups[tab] ?? [];
  return (
    <div>
      <div className="mb-3 flex gap-1" role="tablist" aria-label="Group accuracy by">
        {TABS.map(([key, label]) => (
          <button key={key} type="button" role="tab" aria-selected={tab === key} onClick={() => setTab(key)} className={cn("rounded px-2 py-1 text-xs font-medium", tab === key ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}>
            {label}
          </button>
        ))}
      </div>
      <AccuracyBars
        label={`Accuracy by ${tab} per run`}
        series={series}
        rows={rows.map((r) => ({
          key: r.key,
          label: r.key.replace(/_/g, " "),
          values: r.scores.map((s) => (s ? { accuracy: s.accuracy, low: s.interval.low, high: s.interval.high, correct: s.correct, total: s.total } : null)),
        }))}
      />
    </div>
  );
}
