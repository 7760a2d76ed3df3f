"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiFetch } from "@/components/api";
import { buttonClass, inputClass, labelClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { BrowsableTable, BrowseRowsResult } from "@/lib/sandbox/server/browse";

const PAGE_SIZE = 50;

function renderCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** Page numbers around the current one, with the first and last always shown; null marks a gap. */
function pageNumbers(page: number, pages: number): (number | null)[] {
  const wanted = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((p) => p >= 1 && p <= pages));
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((p, i) => {
    if (i > 0 && p - sorted[i - 1]! > 1) out.push(null);
    out.push(p);
  });
  return out;
}

export function TableBrowser({ projectId, tables, initialTable }: { projectId: string; tables: BrowsableTable[]; initialTable: string }) {
  const [table, setTable] = useState(initialTable);
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<{ column: string; dir: "asc" | "desc" } | null>(null);
  const [filterText, setFilterText] = useState("");
  const [filter, setFilter] = useState("");

  useEffect(() => {
    const timer = setTimeout(() => {
      setFilter(filterText.trim());
      setPage(1);
    }, 300);
    return () => clearTimeout(timer);
  }, [filterText]);

  const params = new URLSearchParams({ table, page: String(page), pageSize: String(PAGE_SIZE) });
  if (sort) {
    params.set("sort", sort.column);
    params.set("dir", sort.dir);
  }
  if (filter) params.set("filter", filter);
  const url = `/api/projects/${projectId}/sandbox/rows?${params.toString()}`;
  const query = useQuery({
    queryKey: ["sandbox-rows", projectId, table, page, sort?.column ?? null, sort?.dir ?? null, filter],
    queryFn: ({ signal }) => apiFetch<BrowseRowsResult>(url, { signal }),
    placeholderData: keepPreviousData,
  });

  const data = query.data?.table === table ? query.data : undefined;
  const columns = data?.columns.map((c) => c.name) ?? tables.find((t) => t.name === table)?.columns ?? [];
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);

  function changeTable(name: string) {
    setTable(name);
    setPage(1);
    setSort(null);
  }

  function toggleSort(column: string) {
    setSort((s) => (s?.column === column ? { column, dir: s.dir === "asc" ? "desc" : "asc" } : { column, dir: "asc" }));
    setPage(1);
  }

  return (
    <section className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-end gap-4 border-b border-slate-100 px-4 py-3">
        <div>
          <label htmlFor="browse-table" className={labelClass}>
            Table
          </label>
          <select id="browse-table" className={cn(inputClass, "w-56 font-mono")} value={table} onChange={(e) => changeTable(e.target.value)}>
            {tables.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
        <div className="min-w-[14rem] flex-1">
          <label htmlFor="browse-filter" className={labelClass}>
            Filter
          </label>
          <input id="browse-filter" type="search" className={inputClass} placeholder="Text in any column" value={filterText} onChange={(e) => setFilterText(e.target.value)} maxLength={200} />
        </div>
        <p className="pb-1.5 text-sm text-slate-600 tabular-nums" data-testid="browse-count" aria-live="polite">
          {data ? (total === 0 ? "No rows" : `Rows ${first.toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`) : "Loading…"}
          {query.isFetching && data && <span className="ml-2 text-slate-400">updating…</span>}
        </p>
      </div>
      {query.error && (
        <p role="alert" className="px-4 py-2 text-sm text-rose-700">
          {query.error.message}
        </p>
      )}
      <div className="overflow-auto">
        <table className="min-w-full text-xs" aria-label={`Rows of ${table}`}>
          <thead className="sticky top-0 bg-slate-50">
            <tr>
              {columns.map((c) => {
                const active = sort?.column === c;
                return (
                  <th key={c} className="whitespace-nowrap border-b border-slate-200 px-2 py-1 text-left font-semibold text-slate-700" aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
                    <button type="button" className="inline-flex items-center gap-1 hover:text-brand-700" onClick={() => toggleSort(c)} title={`Sort by ${c}`}>
                      {c}
                      <span aria-hidden className={cn("text-[10px]", active ? "text-brand-700" : "text-slate-300")}>
                        {active ? (sort.dir === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody className="font-mono">
            {data?.rows.map((row, r) => (
              <tr key={r} data-testid="browse-row" className="odd:bg-white even:bg-slate-50/60">
                {row.map((v, i) => (
                  <td key={i} className={cn("max-w-[18rem] truncate whitespace-nowrap px-2 py-0.5", v === null && "italic text-slate-400")} title={renderCell(v)}>
                    {renderCell(v)}
                  </td>
                ))}
              </tr>
            ))}
            {data && data.rows.length === 0 && (
              <tr>
                <td colSpan={Math.max(1, columns.length)} className="px-2 py-3 text-center text-slate-500">
                  {filter ? "No rows match the filter." : "This table is empty."}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav className="flex flex-wrap items-center gap-1 border-t border-slate-100 px-4 py-2" aria-label="Pages">
        <button type="button" className={buttonClass("secondary")} onClick={() => setPage((p) => Math.max(1, p - 1))} disabled={page <= 1}>
          Prev
        </button>
        {pageNumbers(page, pages).map((p, i) =>
          p === null ? (
            <span key={`gap-${i}`} className="px-1 text-slate-400">
              …
            </span>
          ) : (
            <button key={p} type="button" className={buttonClass(p === page ? "primary" : "ghost", "min-w-8 px-2")} aria-current={p === page ? "page" : undefined} aria-label={`Page ${p}`} onClick={() => setPage(p)}>
              {p}
            </button>
          ),
        )}
        <button type="button" className={buttonClass("secondary")} onClick={() => setPage((p) => Math.min(pages, p + 1))} disabled={page >= pages}>
          Next
        </button>
      </nav>
    </section>
  );
}
