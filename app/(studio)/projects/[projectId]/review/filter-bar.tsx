"use client";

// The review filter: state tabs with counts, full-text search, and the finer filters (shape,
// complexity, table, origin, lint, flag, reviewer, assignee, comments, round trip) and sorting.
import { useEffect, useState } from "react";
import { inputClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { COMPLEXITIES } from "@/lib/queries/complexity";
import { LINT_CODES } from "@/lib/queries/lint";
import { QUERY_SHAPES } from "@/lib/queries/shapes";
import { PAIR_FLAG_LABELS, PAIR_FLAGS } from "@/lib/review/flags";
import { ROUND_TRIP_STATUSES, type PairFilter, type PairSort } from "@/lib/review/filter";
import type { Member, PairListPage, State } from "./types";

const TABS: { key: State | "all"; label: string }[] = [
  { key: "pending", label: "Pending" },
  { key: "approved", label: "Approved" },
  { key: "rejected", label: "Rejected" },
  { key: "all", label: "All" },
];

const SORTS: { key: PairSort; label: string }[] = [
  { key: "created", label: "Oldest first" },
  { key: "-created", label: "Newest first" },
  { key: "-updated", label: "Recently changed" },
  { key: "shape", label: "By shape" },
  { key: "question", label: "Question A–Z" },
  { key: "rows", label: "Fewest result rows" },
  { key: "-rows", label: "Most result rows" },
];

const ORIGINS = ["template", "llm", "imported", "review"];

const selectClass = cn(inputClass, "py-1 text-xs");

/** Finer filters than state and text: how many are set (shown on the toggle). */
export function activeFilterCount(filter: PairFilter): number {
  return Object.entries(filter).filter(([k, v]) => k !== "state" && k !== "q" && v !== undefined && v !== "").length;
}

export function FilterBar({
  filter,
  sort,
  counts,
  total,
  members,
  tables,
  onChange,
  onSort,
  text,
  onText,
}: {
  /** The search box's text: applied to the filter after a pause, or at once by a bulk action. */
  text: string;
  onText: (text: string) => void;
  filter: PairFilter;
  sort: PairSort;
  counts: PairListPage["counts"];
  total: number;
  members: Member[];
  tables: string[];
  onChange: (filter: PairFilter) => void;
  onSort: (sort: PairSort) => void;
}) {
  const [open, setOpen] = useState(activeFilterCount(filter) > 0);

  // Search as you type, without a request per key press.
  useEffect(() => {
    if ((filter.q ?? "") === text.trim()) return;
    const timer = setTimeout(() => onChange({ ...filter, q: text.trim() || undefined }), 250);
    return () => clearTimeout(timer);
  }, [text, filter, onChange]);

  const set = (key: keyof PairFilter, value: string) => onChange({ ...filter, [key]: value === "" ? undefined : key === "hasComments" ? value === "true" : value });
  const value = (key: keyof PairFilter) => (filter[key] === undefined ? "" : String(filter[key]));
  const all = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const finer = activeFilterCount(filter);

  const field = (key: keyof PairFilter, label: string, options: { value: string; label: string }[]) => (
    <label className="block text-[11px] font-medium uppercase tracking-wide text-slate-500">
      {label}
      <select aria-label={label} className={cn(selectClass, "mt-0.5 normal-case tracking-normal")} value={value(key)} onChange={(e) => set(key, e.target.value)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  const people = [{ value: "me", label: "Me" }, { value: "none", label: "Nobody" }, ...members.map((m) => ({ value: m.id, label: m.name || m.email }))];

  return (
    <div className="border-b border-slate-100">
      <div className="flex gap-1 p-2" role="tablist" aria-label="Review state">
        {TABS.map((t) => {
          const selected = (filter.state ?? "all") === t.key;
          return (
            <button
              key={t.key}
              role="tab"
              aria-selected={selected}
              className={cn("rounded px-2 py-1 text-xs font-medium", selected ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}
              onClick={() => onChange({ ...filter, state: t.key === "all" ? undefined : t.key })}
            >
              {t.label}
              <span className="ml-1 tabular-nums text-slate-400">{t.key === "all" ? all : (counts[t.key] ?? 0)}</span>
            </button>
          );
        })}
      </div>
      <div className="space-y-2 px-2 pb-2">
        <div className="flex gap-1.5">
          <input aria-label="Search pairs" className={cn(inputClass, "py-1")} placeholder="Search questions and SQL…" value={text} onChange={(e) => onText(e.target.value)} />
          <button
            type="button"
            className={cn("shrink-0 rounded-md border px-2 text-xs font-medium", open || finer ? "border-brand-300 bg-brand-50 text-brand-700" : "border-slate-300 text-slate-600 hover:bg-slate-50")}
            aria-expanded={open}
            onClick={() => setOpen((v) => !v)}
          >
            Filters{finer ? ` · ${finer}` : ""}
          </button>
        </div>
        {open && (
          <div className="grid grid-cols-2 gap-2" aria-label="More filters">
            {field("shape", "Shape", QUERY_SHAPES.map((s) => ({ value: s, label: s.replaceAll("_", " ") })))}
            {field("complexity", "Complexity", COMPLEXITIES.map((c) => ({ value: c, label: c.replace("_", " ") })))}
            {field("table", "Table", tables.map((t) => ({ value: t, label: t })))}
            {field("origin", "Origin", ORIGINS.map((o) => ({ value: o, label: o })))}
            {field("lint", "Lint", [{ value: "any", label: "Any lint flag" }, { value: "none", label: "No lint flag" }, ...LINT_CODES.map((c) => ({ value: c, label: c.replaceAll("_", " ") }))])}
            {field("flag", "Reviewer flag", PAIR_FLAGS.map((f) => ({ value: f, label: PAIR_FLAG_LABELS[f] })))}
            {field("reviewer", "Last reviewer", people)}
            {field("assignee", "Assigned to", people)}
            {field("hasComments", "Comments", [
              { value: "true", label: "Has comments" },
              { value: "false", label: "No comments" },
            ])}
            {field("roundTrip", "Round trip", ROUND_TRIP_STATUSES.map((s) => ({ value: s, label: s })))}
            <label className="col-span-2 block text-[11px] font-medium uppercase tracking-wide text-slate-500">
              Sort
              <select aria-label="Sort" className={cn(selectClass, "mt-0.5 normal-case tracking-normal")} value={sort} onChange={(e) => onSort(e.target.value as PairSort)}>
                {SORTS.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
            {finer > 0 && (
              <button type="button" className="col-span-2 text-left text-xs text-brand-700 underline" onClick={() => onChange({ state: filter.state, q: filter.q })}>
                Clear the {finer} filter{finer === 1 ? "" : "s"}
              </button>
            )}
          </div>
        )}
        <p className="text-xs text-slate-500" aria-live="polite">
          {total.toLocaleString("en-US")} matching
        </p>
      </div>
    </div>
  );
}
