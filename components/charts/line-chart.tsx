"use client";

import { useState } from "react";
import { cn } from "@/components/ui/cn";

// Accuracy (0–100%) over time, one line per series, with each point's interval as a whisker.
// Plain SVG: a handful of series and at most a few hundred points.

export interface LinePoint {
  at: string;
  value: number;
  low?: number;
  high?: number;
  href?: string;
  note?: string;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
}

const STROKES = ["#4f46e5", "#d97706", "#059669", "#7c3aed", "#e11d48", "#0284c7", "#65a30d", "#475569"];

export function LineChart({ series, label, height = 220, className }: { series: LineSeries[]; label: string; height?: number; className?: string }) {
  const [hover, setHover] = useState<{ s: number; p: number } | null>(null);
  const all = series.flatMap((s) => s.points.map((p) => Date.parse(p.at)));
  if (all.length === 0) return <p className="text-sm text-slate-500">No finished runs yet.</p>;
  const width = 640;
  const pad = { left: 40, right: 12, top: 10, bottom: 24 };
  const min = Math.min(...all);
  const max = Math.max(...all);
  const span = Math.max(1, max - min);
  const x = (t: number) => (max === min ? pad.left + (width - pad.left - pad.right) / 2 : pad.left + ((t - min) / span) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - v) * (height - pad.top - pad.bottom);
  const shown = hover ? series[hover.s]?.points[hover.p] : null;
  return (
    <figure className={cn("space-y-2", className)}>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-label={label}>
        {[0, 0.25, 0.5, 0.75, 1].map((g) => (
          <g key={g}>
            <line x1={pad.left} x2={width - pad.right} y1={y(g)} y2={y(g)} stroke="#e2e8f0" />
            <text x={pad.left - 6} y={y(g) + 4} textAnchor="end" fontSize="10" fill="#64748b">
              {Math.round(g * 100)}%
            </text>
          </g>
        ))}
        <text x={pad.left} y={height - 6} fontSize="10" fill="#64748b">
          {new Date(min).toISOString().slice(0, 10)}
        </text>
        <text x={width - pad.right} y={height - 6} fontSize="10" fill="#64748b" textAnchor="end">
          {new Date(max).toISOString().slice(0, 10)}
        </text>
        {series.map((s, si) => {
          const stroke = STROKES[si % STROKES.length];
          const pts = s.points.map((p) => ({ ...p, px: x(Date.parse(p.at)), py: y(p.value) }));
          return (
            <g key={s.name}>
              <polyline fill="none" stroke={stroke} strokeWidth={2} points={pts.map((p) => `${p.px},${p.py}`).join(" ")} />
              {pts.map((p, pi) => (
                <g key={pi} onMouseEnter={() => setHover({ s: si, p: pi })} onMouseLeave={() => setHover(null)}>
                  {p.low !== undefined && p.high !== undefined && <line x1={p.px} x2={p.px} y1={y(p.low)} y2={y(p.high)} stroke={stroke} strokeOpacity={0.4} strokeWidth={2} />}
                  <circle cx={p.px} cy={p.py} r={4} fill="white" stroke={stroke} strokeWidth={2}>
                    <title>{`${s.name}: ${(p.value * 100).toFixed(1)}% on ${p.at.slice(0, 16).replace("T", " ")}${p.note ? ` · ${p.note}` : ""}`}</title>
                  </circle>
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="flex flex-wrap items-center gap-3 text-xs text-slate-600">
        {series.map((s, si) => (
          <span key={s.name} className="inline-flex items-center gap-1">
            <span className="inline-block h-0.5 w-4" style={{ background: STROKES[si % STROKES.length] }} aria-hidden />
            {s.name}
          </span>
        ))}
        {shown && (
          <span className="ml-auto tabular-nums text-slate-800">
            {(shown.value * 100).toFixed(1)}% · {shown.at.slice(0, 16).replace("T", " ")}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
