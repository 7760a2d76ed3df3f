import Link from "next/link";
import { AccuracyBars, type BarSeries } from "@/components/charts/accuracy-bars";
import type { RunSummary } from "@/lib/evaluation/scorecard-types";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const money = (x: number) => (x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(4)}`);

/** The results table of a model comparison: one row per run. */
export function CompareTable({ projectId, runs, series }: { projectId: string; runs: RunSummary[]; series: BarSeries[] }) {
  return (
    <div className="space-y-5">
      <AccuracyBars
        label="Execution accuracy per run"
        series={[{ name: "Execution accuracy", color: "bg-brand-500" }]}
        rows={runs.map((r, i) => ({
          key: r.id,
          label: series[i]?.name ?? r.endpointName,
          values: [{ accuracy: r.scorecard.accuracy, low: r.scorecard.interval.low, high: r.scorecard.interval.high, correct: r.scorecard.correct, total: r.scorecard.total }],
        }))}
      />
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Scorecards side by side">
          <thead>
            <tr className="border-b border-slate-200 text-left text-xs uppercase tracking-wide text-slate-500">
              <th className="py-2 pr-3">Run</th>
              <th className="px-2 text-right">Items</th>
              <th className="px-2 text-right">Accuracy</th>
              <th className="px-2 text-right">95% CI</th>
              <th className="px-2 text-right">Test suite</th>
              <th className="px-2 text-right">Template match</th>
              <th className="px-2 text-right">Did not run</th>
              <th className="px-2 text-right">Hallucinated</th>
              <th className="px-2 text-right">Stable</th>
              <th className="px-2 text-right">p50 / p95</th>
              <th className="pl-2 text-right">Per 1,000</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r, i) => {
              const c = r.scorecard;
              return (
                <tr key={r.id} className="border-b border-slate-100" data-testid="compare-row">
                  <td className="py-2 pr-3">
                    <span className="mr-2 inline-block h-2.5 w-2.5 rounded-sm align-middle" aria-hidden>
                      <span className={`block h-2.5 w-2.5 rounded-sm ${series[i]?.color ?? ""}`} />
                    </span>
                    <Link href={`/projects/${projectId}/evaluations/${r.id}`} className="font-medium text-brand-700 hover:underline">
                      {series[i]?.name ?? r.endpointName}
                    </Link>
                    <div className="text-xs text-slate-500">
                      {r.model || r.endpointKind.replace(/_/g, " ")} · v{r.datasetVersion} · {r.createdAt.slice(0, 16).replace("T", " ")}
                    </div>
                  </td>
                  <td className="px-2 text-right tabular-nums">{c.total}</td>
                  <td className="px-2 text-right font-semibold tabular-nums">{pct(c.accuracy)}</td>
                  <td className="px-2 text-right tabular-nums text-slate-500">
                    {pct(c.interval.low)}–{pct(c.interval.high)}
                  </td>
                  <td className="px-2 text-right tabular-nums">{c.suite ? pct(c.suite.accuracy) : "–"}</td>
                  <td className="px-2 text-right tabular-nums">{pct(c.templateMatchRate)}</td>
                  <td className="px-2 text-right tabular-nums">{pct(c.executionErrorRate)}</td>
                  <td className="px-2 text-right tabular-nums">{pct(c.hallucinationRate)}</td>
                  <td className="px-2 text-right tabular-nums">{c.stability ? pct(c.stability.rate) : "–"}</td>
                  <td className="px-2 text-right tabular-nums">
                    {c.latency.p50} / {c.latency.p95} ms
                  </td>
                  <td className="pl-2 text-right tabular-nums">{r.endpointKind === "retrieval_baseline" ? "free" : c.cost.priced ? money(c.cost.per1kUsd) : "not priced"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
