"use client";

import { useState } from "react";
import { Card } from "@/components/ui/card";
import type { MetricPoint } from "@/lib/finetune/types";
import { useJob } from "./job-context";

// The curves the provider reports, by training step: losses on one chart, the RFT reward on
// another (their scales differ). Plain SVG, like the studio's other charts.

type MetricKey = "trainLoss" | "validationLoss" | "reward";

const SERIES: Record<MetricKey, { name: string; stroke: string }> = {
  trainLoss: { name: "Train loss", stroke: "#4f46e5" },
  validationLoss: { name: "Validation loss", stroke: "#d97706" },
  reward: { name: "Reward", stroke: "#059669" },
};

interface Series {
  key: MetricKey;
  points: { step: number; value: number }[];
}

function seriesOf(metrics: MetricPoint[], keys: MetricKey[]): Series[] {
  return keys
    .map((key) => ({ key, points: metrics.flatMap((p) => (typeof p[key] === "number" && Number.isFinite(p[key]) ? [{ step: p.step, value: p[key]! }] : [])) }))
    .filter((s) => s.points.length > 0);
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : Number(v.toPrecision(3)).toString());

function describe(series: Series[]): string {
  return series
    .map((s) => {
      const first = s.points[0]!;
      const last = s.points[s.points.length - 1]!;
      return `${SERIES[s.key].name} ${fmt(first.value)} at step ${first.step}, ${fmt(last.value)} at step ${last.step}`;
    })
    .join("; ");
}

function StepChart({ title, series, height = 200 }: { title: string; series: Series[]; height?: number }) {
  const [hover, setHover] = useState<{ s: number; p: number } | null>(null);
  const width = 640;
  const pad = { left: 48, right: 12, top: 10, bottom: 24 };
  const steps = series.flatMap((s) => s.points.map((p) => p.step));
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  const minX = Math.min(...steps);
  const maxX = Math.max(...steps);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const spread = Math.abs(lo) * 0.1 || 1;
    lo -= spread;
    hi += spread;
  } else {
    const margin = (hi - lo) * 0.05;
    lo -= margin;
    hi += margin;
  }
  const x = (step: number) => (maxX === minX ? pad.left + (width - pad.left - pad.right) / 2 : pad.left + ((step - minX) / (maxX - minX)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * (height - pad.top - pad.bottom);
  const ticks = [0, 1 / 3, 2 / 3, 1].map((f) => lo + f * (hi - lo));
  const shown = hover ? series[hover.s]?.points[hover.p] : null;
  return (
    <figure className="space-y-2">
      <figcaption className="text-xs font-medium text-slate-600">{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label={`${title}: ${describe(series)}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.left} x2={width - pad.right} y1={y(t)} y2={y(t)} stroke="#e2e8f0" />
            <text x={pad.left - 6} y={y(t) + 4} textAnchor="end" fontSize="10" fill="#64748b">
              {fmt(t)}
            </text>
          </g>
        ))}
        <text x={pad.left} y={height - 6} fontSize="10" fill="#64748b">
          step {minX}
        </text>
        <text x={width - pad.right} y={height - 6} fontSize="10" fill="#64748b" textAnchor="end">
          step {maxX}
        </text>
        {series.map((s, si) => {
          const stroke = SERIES[s.key].stroke;
          const pts = s.points.map((p) => ({ ...p, px: x(p.step), py: y(p.value) }));
          return (
            <g key={s.key}>
              <polyline fill="none" stroke={stroke} strokeWidth={2} points={pts.map((p) => `${p.px},${p.py}`).join(" ")} />
              {/* Markers only while they stay readable; the hover reading works on each. */}
              {pts.length <= 60 &&
                pts.map((p, pi) => (
                  <circle key={pi} cx={p.px} cy={p.py} r={3} fill="white" stroke={stroke} strokeWidth={1.5} onMouseEnter={() => setHover({ s: si, p: pi })} onMouseLeave={() => setHover(null)}>
                    <title>{`${SERIES[s.key].name}: ${fmt(p.value)} at step ${p.step}`}</title>
                  </circle>
                ))}
            </g>
          );
        })}
      </svg>
      <div className="flex flex-wrap items-center gap-3 text-xs text-slate-600">
        {series.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1">
            <span className="inline-block h-0.5 w-4" style={{ background: SERIES[s.key].stroke }} aria-hidden />
            {SERIES[s.key].name} <span className="tabular-nums text-slate-500">(last {fmt(s.points[s.points.length - 1]!.value)})</span>
          </span>
        ))}
        {shown && hover && (
          <span className="ml-auto tabular-nums text-slate-800">
            {SERIES[series[hover.s]!.key].name} {fmt(shown.value)} · step {shown.step}
          </span>
        )}
      </div>
    </figure>
  );
}

export function TrainingCurves() {
  const { job } = useJob();
  const losses = seriesOf(job.metrics, ["trainLoss", "validationLoss"]);
  const reward = seriesOf(job.metrics, ["reward"]);
  return (
    <Card title="Training curves" description={job.metrics.length > 0 ? `${job.metrics.length} point${job.metrics.length === 1 ? "" : "s"} reported, by training step.` : undefined}>
      {losses.length === 0 && reward.length === 0 ? (
        <p className="text-sm text-slate-500" data-testid="finetune-curves-empty">
          Curves appear once the provider reports them{job.state === "queued" || job.state === "preparing" || job.state === "launching" ? ": training has not started yet." : "."}
        </p>
      ) : (
        <div className="space-y-6">
          {reward.length > 0 && <StepChart title="Reward by step" series={reward} />}
          {losses.length > 0 && <StepChart title="Loss by step" series={losses} />}
        </div>
      )}
    </Card>
  );
}
