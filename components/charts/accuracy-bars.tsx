import { cn } from "@/components/ui/cn";

// Horizontal accuracy bars with their 95% interval drawn as a whisker, one row per group and,
// when several runs are compared, one thin bar per run inside each row.

export interface BarSeries {
  /** Legend name (a run) */
  name: string;
  /** Tailwind background class for the bar, e.g. "bg-brand-500" */
  color: string;
}

export interface BarValue {
  accuracy: number;
  low: number;
  high: number;
  correct: number;
  total: number;
}

export interface BarRow {
  key: string;
  label: string;
  /** One value per series (null: the run has no item in this group) */
  values: (BarValue | null)[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export const SERIES_COLORS = ["bg-brand-500", "bg-amber-500", "bg-emerald-500", "bg-violet-500", "bg-rose-500", "bg-sky-500", "bg-lime-600", "bg-slate-500"];

export function AccuracyBars({ rows, series, label, className }: { rows: BarRow[]; series: BarSeries[]; label: string; className?: string }) {
  if (rows.length === 0) return <p className="text-sm text-slate-500">Nothing to show yet.</p>;
  return (
    <figure className={cn("space-y-2", className)} aria-label={label}>
      {series.length > 1 && (
        <figcaption className="flex flex-wrap gap-3 text-xs text-slate-600">
          {series.map((s) => (
            <span key={s.name} className="inline-flex items-center gap-1">
              <span className={cn("inline-block h-2.5 w-2.5 rounded-sm", s.color)} aria-hidden />
              {s.name}
            </span>
          ))}
        </figcaption>
      )}
      <ul className="space-y-2">
        {rows.map((row) => (
          <li key={row.key} className="grid grid-cols-[minmax(6rem,11rem)_minmax(0,1fr)_7.5rem] items-center gap-3 text-sm">
            <span className="truncate text-slate-700" title={row.label}>
              {row.label}
            </span>
            <span className="space-y-0.5">
              {row.values.map((v, i) => (
                <span
                  key={i}
                  className={cn("relative block rounded bg-slate-100", series.length > 1 ? "h-2.5" : "h-3.5")}
                  title={v ? `${series[i]?.name ?? ""} ${pct(v.accuracy)} (${v.correct}/${v.total}), 95% CI ${pct(v.low)}–${pct(v.high)}` : `${series[i]?.name ?? ""}: no items`}
                >
                  {v && (
                    <>
                      <span className={cn("absolute inset-y-0 left-0 rounded", series[i]?.color ?? "bg-brand-500")} style={{ width: `${v.accuracy * 100}%`, opacity: 0.85 }} />
                      <span className="absolute top-1/2 h-px -translate-y-1/2 bg-slate-700" style={{ left: `${v.low * 100}%`, width: `${Math.max(0, v.high - v.low) * 100}%` }} />
                      <span className="absolute inset-y-0 w-px bg-slate-700" style={{ left: `${v.low * 100}%` }} />
                      <span className="absolute inset-y-0 w-px bg-slate-700" style={{ left: `calc(${v.high * 100}% - 1px)` }} />
                    </>
                  )}
                </span>
              ))}
            </span>
            <span className="text-right text-xs tabular-nums text-slate-600">
              {row.values.map((v, i) => (
                <span key={i} className="block">
                  {v ? (
                    <>
                      {pct(v.accuracy)} <span className="text-slate-400">({v.correct}/{v.total})</span>
                    </>
                  ) : (
                    "–"
                  )}
                </span>
              ))}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
