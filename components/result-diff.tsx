"use client";

import { useId, useMemo, useState } from "react";
import { cn } from "@/components/ui/cn";
import { diffResults, type AlignedRow, type ResultDiff as Diff, type ResultLike } from "@/lib/review/result-diff";

// The stored result and the reviewer's run side by side: the same column order on both sides where
// the columns match, rows lined up (a row missing on one side leaves a gap there), rows only in the
// stored result tinted rose and rows only in the new one emerald, columns that appeared or went
// missing marked in their header, and the one-line summary on top.

export interface ResultDiffProps {
  stored: ResultLike;
  edited: ResultLike;
  /** The stored query orders its rows: compare position by position. */
  orderMatters: boolean;
  /** The run was cut at its row cap, so rows past the cut are not really missing. */
  editedTruncated?: boolean;
  /** Start with only the differing rows shown. */
  defaultOnlyDifferences?: boolean;
  /** Most aligned rows rendered (default 200). */
  rowCap?: number;
  className?: string;
  /** Titles of the two sides (default: the stored result and the reviewer's). */
  labels?: { stored: string; edited: string };
  /** How notes name the two sides (default: "the stored result", "your result", "yours", "the stored query"). */
  words?: Words;
}

export interface Words {
  stored: string;
  edited: string;
  editedShort: string;
  storedQuery: string;
}

const REVIEW_WORDS: Words = { stored: "the stored result", edited: "your result", editedShort: "yours", storedQuery: "the stored query" };

interface GridColumn {
  key: string;
  /** Index into the side's own row arrays. */
  index: number;
  name: string;
  /** Position in diff.columns.common, for changed-cell highlighting. */
  common: number | null;
  mark: "removed" | "added" | null;
  note?: string;
}

function renderCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The summary with `name` spans set as code. */
function Sentence({ text }: { text: string }) {
  const parts = text.split("`");
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.7rem] text-slate-800">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

function columnsFor(diff: Diff, side: "stored" | "edited", w: Words): GridColumn[] {
  const { common, removed, added } = diff.columns;
  if (side === "stored") {
    const cols: GridColumn[] = [
      ...common.map((c, k): GridColumn => ({ key: `c${k}`, index: c.storedIndex, name: c.name, common: k, mark: null })),
      ...removed.map((c): GridColumn => ({ key: `r${c.storedIndex}`, index: c.storedIndex, name: c.name, common: null, mark: "removed", note: `Not in ${w.edited}` })),
    ];
    return cols.sort((a, b) => a.index - b.index);
  }
  return [
    ...common.map(
      (c, k): GridColumn => ({
        key: `c${k}`,
        index: c.editedIndex,
        name: c.editedName,
        common: k,
        mark: null,
        note: [c.renamed ? `Called ${c.name} in ${w.stored}` : "", c.moved ? `Column ${c.editedIndex + 1} in ${w.edited}` : ""].filter(Boolean).join("; ") || undefined,
      }),
    ),
    ...added.map((c): GridColumn => ({ key: `a${c.editedIndex}`, index: c.editedIndex, name: c.name, common: null, mark: "added", note: `Not in ${w.stored}` })),
  ];
}

function statusText(status: AlignedRow["status"], w: Words): string {
  return { removed: `only in ${w.stored}`, added: `only in ${w.edited}`, changed: "differs from the row beside it", same: "in both" }[status];
}

function copiesText(copies: { stored: number; edited: number }, w: Words): string {
  const times = (n: number) => (n === 1 ? "once" : n === 2 ? "twice" : `${n} times`);
  return `This row occurs ${times(copies.stored)} in ${w.stored} and ${copies.edited === 0 ? "not at all" : times(copies.edited)} in ${w.editedShort}`;
}

function Grid({ side, title, result, diff, rows, columns, words }: { side: "stored" | "edited"; title: string; result: ResultLike; diff: Diff; rows: AlignedRow[]; columns: GridColumn[]; words: Words }) {
  const headingId = useId();
  const count = side === "stored" ? diff.counts.storedRows : diff.counts.editedRows;
  const tint = side === "stored" ? "bg-rose-50" : "bg-emerald-50";
  const strong = side === "stored" ? "bg-rose-100 text-rose-900" : "bg-emerald-100 text-emerald-900";
  const own = side === "stored" ? "removed" : "added";
  return (
    <div className="min-w-0">
      <h4 id={headingId} className="mb-1 flex items-baseline gap-2 text-xs font-semibold text-slate-700">
        {title}
        <span className="font-normal text-slate-500">
          {count.toLocaleString("en-US")} {count === 1 ? "row" : "rows"}
        </span>
      </h4>
      <div className="max-h-[28rem] overflow-auto rounded-md border border-slate-200">
        <table className="min-w-full text-xs" aria-labelledby={headingId}>
          <thead className="sticky top-0 z-10 bg-slate-50">
            <tr>
              <th scope="col" className="w-10 border-b border-slate-200 px-2 py-1 text-right font-normal text-slate-400">
                <span className="sr-only">Row</span>#
              </th>
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  title={c.note}
                  className={cn(
                    "whitespace-nowrap border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700",
                    c.mark === "removed" && "bg-rose-100 text-rose-800",
                    c.mark === "added" && "bg-emerald-100 text-emerald-800",
                  )}
                >
                  {c.name}
                  {c.mark && <span className="ml-1 text-[0.65rem] font-medium uppercase tracking-wide">{c.mark === "removed" ? `missing in ${words.editedShort}` : "new"}</span>}
                  {!c.mark && c.note && <span className="ml-1 font-normal text-slate-400" aria-label={c.note}>*</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="font-mono">
            {rows.map((r, k) => {
              const index = side === "stored" ? r.stored : r.edited;
              if (index === null) {
                return (
                  <tr key={k} aria-hidden="true" className="h-6 bg-[repeating-linear-gradient(135deg,transparent,transparent_4px,#f1f5f9_4px,#f1f5f9_8px)]">
                    <td colSpan={columns.length + 1} />
                  </tr>
                );
              }
              const row = result.rows[index] ?? [];
              const changed = new Set(r.changedColumns ?? []);
              const marked = r.status === own || r.status === "changed";
              return (
                <tr key={k} className={cn("h-6", marked ? tint : "odd:bg-white even:bg-slate-50/60")} data-status={r.status}>
                  <td className="whitespace-nowrap px-2 text-right tabular-nums text-slate-400">
                    {r.status !== "same" && (
                      <span className={cn("mr-1 font-semibold", side === "stored" ? "text-rose-600" : "text-emerald-700")} title={statusText(r.status, words)}>
                        {r.status === "changed" ? "~" : side === "stored" ? "−" : "+"}
                        <span className="sr-only"> {statusText(r.status, words)}</span>
                      </span>
                    )}
                    {index + 1}
                    {r.copies && (side === "stored" ? r.copies.stored : r.copies.edited) > 1 && (
                      <span className="ml-1 rounded bg-slate-200 px-1 text-[0.65rem] text-slate-700" title={copiesText(r.copies, words)}>
                        ×{side === "stored" ? r.copies.stored : r.copies.edited}
                        <span className="sr-only"> ({copiesText(r.copies, words)})</span>
                      </span>
                    )}
                  </td>
                  {columns.map((c) => {
                    const v = row[c.index];
                    const differs = c.common !== null && changed.has(c.common);
                    return (
                      <td
                        key={c.key}
                        title={renderCell(v)}
                        className={cn(
                          "max-w-[16rem] truncate whitespace-nowrap px-2",
                          (v === null || v === undefined) && "italic text-slate-400",
                          c.mark === "removed" && "bg-rose-50/70",
                          c.mark === "added" && "bg-emerald-50/70",
                          differs && strong,
                        )}
                      >
                        {renderCell(v)}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
            {rows.length === 0 && (
              <tr>
                <td colSpan={columns.length + 1} className="px-2 py-2 text-center font-sans text-slate-500">
                  {count === 0 ? "No rows" : "No differing rows"}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function ResultDiff({ stored, edited, orderMatters, editedTruncated = false, defaultOnlyDifferences = false, rowCap = 200, className, labels = { stored: "Stored result", edited: "Your result" }, words = REVIEW_WORDS }: ResultDiffProps) {
  const diff = useMemo(() => diffResults(stored, edited, { orderMatters, rowCap }), [stored, edited, orderMatters, rowCap]);
  const [onlyDifferences, setOnlyDifferences] = useState(defaultOnlyDifferences);
  const toggleId = useId();
  const rows = onlyDifferences ? diff.differences : diff.rows;
  const capped = onlyDifferences ? diff.differencesCapped : diff.rowsCapped;
  // Every differing row is one entry: a row on one side only, or a changed row shown on both.
  const differing = diff.counts.onlyStored + diff.counts.onlyEdited - diff.counts.changed;
  const note = capped
    ? `Showing the first ${rows.length.toLocaleString("en-US")} ${onlyDifferences ? `of ${differing.toLocaleString("en-US")} differing rows` : "rows"}; the summary counts all of them.`
    : null;

  return (
    <div className={cn("space-y-2", className)} role="group" aria-label={`${labels.stored} compared with ${labels.edited.toLowerCase()}`}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <p className={cn("rounded-md px-2 py-1 text-sm", diff.same ? "bg-emerald-50 text-emerald-800" : "bg-amber-50 text-amber-900")} aria-live="polite">
          <Sentence text={diff.summary} />
          {diff.orderMatters && <span className="ml-1 text-xs text-slate-500">({words.storedQuery} orders its rows, so positions count)</span>}
        </p>
        <label htmlFor={toggleId} className="flex items-center gap-1.5 text-xs text-slate-600">
          <input id={toggleId} type="checkbox" className="accent-brand-600" checked={onlyDifferences} onChange={(e) => setOnlyDifferences(e.target.checked)} />
          Only differences
        </label>
      </div>
      {editedTruncated && (
        <p className="text-xs text-amber-800">{labels.edited} was cut at its row limit: rows past the cut count as missing here even if the query returns them.</p>
      )}
      <div className="grid gap-3 lg:grid-cols-2">
        <Grid side="stored" title={labels.stored} result={stored} diff={diff} rows={rows} columns={columnsFor(diff, "stored", words)} words={words} />
        <Grid side="edited" title={labels.edited} result={edited} diff={diff} rows={rows} columns={columnsFor(diff, "edited", words)} words={words} />
      </div>
      {note && <p className="text-xs text-slate-500">{note}</p>}
    </div>
  );
}

/** The gold result against a model's, as evaluation pages show them. */
export const GOLD_VS_MODEL = {
  labels: { stored: "Gold result", edited: "Model result" },
  words: { stored: "the gold result", edited: "the model's result", editedShort: "the model's", storedQuery: "the gold query" },
} satisfies Pick<ResultDiffProps, "labels" | "words">;
