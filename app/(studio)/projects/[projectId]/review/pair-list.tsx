"use client";

// A virtualized list: only the rows in view (plus a margin) are in the DOM, so 10,000+ pairs scroll
// and move as smoothly as 50. Rows not loaded yet show a placeholder until their page arrives.
import { useEffect, useRef, useState } from "react";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { PAIR_FLAG_LABELS } from "@/lib/review/flags";
import type { PairListRow } from "./types";

export const ROW_HEIGHT = 64;
const OVERSCAN = 8;

export function PairList({
  total,
  rowAt,
  ensure,
  selectedIndex,
  selectedId,
  onSelect,
  loading,
  error,
  emptyText,
}: {
  total: number;
  rowAt: (index: number) => PairListRow | undefined;
  ensure: (from: number, to: number) => void;
  selectedIndex: number;
  selectedId: string | null;
  onSelect: (index: number, id: string) => void;
  loading: boolean;
  error: string | null;
  emptyText: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (total > 0) ensure(first, last);
  }, [first, last, total, ensure]);

  // Keep the selected row in view when the keyboard moves the selection.
  useEffect(() => {
    const el = ref.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [selectedIndex]);

  const rows = [];
  for (let i = first; i <= last; i++) {
    const p = rowAt(i);
    rows.push(
      <li key={p?.id ?? `i${i}`} style={{ position: "absolute", top: i * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0 }} aria-setsize={total} aria-posinset={i + 1}>
        {p ? (
          <button
            type="button"
            className={cn("block h-full w-full overflow-hidden border-l-2 px-3 py-1.5 text-left text-sm", p.id === selectedId ? "border-brand-500 bg-brand-50" : "border-transparent hover:bg-slate-50")}
            onClick={() => onSelect(i, p.id)}
            aria-current={p.id === selectedId ? "true" : undefined}
            data-pair-id={p.id}
          >
            <span className="block truncate text-slate-800" title={p.question}>
              {p.question}
            </span>
            <span className="mt-1 flex items-center gap-1 overflow-hidden whitespace-nowrap">
              <Badge tone={stateTone(p.reviewState)}>{p.reviewState}</Badge>
              <ComplexityBadge complexity={p.complexity} />
              {p.lintCount > 0 && <Badge tone="amber">{p.lintCount} lint</Badge>}
              {p.flags.map((f) => (
                <Badge key={f} tone="red">
                  {PAIR_FLAG_LABELS[f]}
                </Badge>
              ))}
              {p.roundTripStatus === "ambiguous" && <Badge tone="amber">round trip differs</Badge>}
              {p.commentCount > 0 && <span className="text-xs text-slate-500" title="comments">💬 {p.commentCount}</span>}
              <span className="ml-auto truncate text-xs text-slate-400">{p.shape.replaceAll("_", " ")}</span>
            </span>
          </button>
        ) : (
          <div className="h-full animate-pulse px-3 py-2" aria-hidden>
            <div className="h-3 w-3/4 rounded bg-slate-100" />
            <div className="mt-2 h-3 w-1/3 rounded bg-slate-100" />
          </div>
        )}
      </li>,
    );
  }

  return (
    <div ref={ref} className="relative h-[calc(100vh-19rem)] min-h-[20rem] overflow-y-auto" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} data-testid="pair-list">
      {error ? (
        <p role="alert" className="p-3 text-sm text-rose-700">
          {error}
        </p>
      ) : total === 0 ? (
        <p className="p-3 text-sm text-slate-500">{loading ? "Loading…" : emptyText}</p>
      ) : (
        <ul aria-label="Pairs" style={{ height: total * ROW_HEIGHT, position: "relative" }}>
          {rows}
        </ul>
      )}
    </div>
  );
}
