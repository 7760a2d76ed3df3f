"use client";

// The pairs matching the current filter, loaded in pages as the list scrolls or the reviewer moves
// through it, so a project of 10,000+ pairs opens as fast as one of 100. Decided pairs stay where
// they are (with their new state) until the filter changes or the list is refreshed, so positions,
// next/previous and the scroll never jump under the reviewer.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { apiFetch } from "@/components/api";
import { filterToParams, type PairFilter, type PairSort } from "@/lib/review/filter";
import type { PairListPage, PairListRow } from "./types";

export const PAGE_SIZE = 200;

interface WindowState {
  key: string;
  total: number;
  counts: PairListPage["counts"];
  pages: Record<number, PairListRow[]>;
  error: string | null;
  loading: boolean;
}

export function listUrl(projectId: string, filter: PairFilter, sort: PairSort, offset: number, take = PAGE_SIZE): string {
  const params = filterToParams(filter);
  params.set("sort", sort);
  params.set("offset", String(offset));
  params.set("take", String(take));
  return `/api/projects/${projectId}/pairs?${params.toString()}`;
}

export function usePairWindow(projectId: string, filter: PairFilter, sort: PairSort, initial: { key: string; page: PairListPage } | null) {
  const key = useMemo(() => JSON.stringify([filter, sort]), [filter, sort]);
  const [state, setState] = useState<WindowState>((): WindowState =>
    initial && initial.key === key
      ? { key, total: initial.page.total, counts: initial.page.counts, pages: { 0: initial.page.pairs }, error: null, loading: false }
      : { key, total: 0, counts: {}, pages: {}, error: null, loading: true },
  );
  const inflight = useRef(new Map<string, Promise<void>>());
  const keyRef = useRef(key);
  keyRef.current = key;

  const loadPage = useCallback(
    (page: number, force = false): Promise<void> => {
      const id = `${key}#${page}`;
      if (!force && inflight.current.has(id)) return inflight.current.get(id)!;
      const run = apiFetch<PairListPage>(listUrl(projectId, filter, sort, page * PAGE_SIZE))
        .then((data) => {
          if (keyRef.current !== key) return;
          setState((s) => (s.key !== key ? s : { ...s, total: data.total, counts: data.counts, pages: { ...s.pages, [page]: data.pairs }, loading: false, error: null }));
        })
        .catch((error: Error) => {
          inflight.current.delete(id);
          if (keyRef.current === key) setState((s) => ({ ...s, loading: false, error: error.message }));
        });
      inflight.current.set(id, run);
      return run;
    },
    [projectId, filter, sort, key],
  );

  // A new filter or sort starts over from the first page.
  useEffect(() => {
    if (state.key === key) return;
    inflight.current.clear();
    setState({ key, total: 0, counts: state.counts, pages: {}, error: null, loading: true });
    void loadPage(0);
  }, [key, state.key, state.counts, loadPage]);

  const rowAt = useCallback((index: number): PairListRow | undefined => state.pages[Math.floor(index / PAGE_SIZE)]?.[index % PAGE_SIZE], [state.pages]);

  /** Makes sure the pages covering [from, to] are loaded or loading. */
  const ensure = useCallback(
    (from: number, to: number) => {
      if (state.key !== key) return;
      const first = Math.max(0, Math.floor(from / PAGE_SIZE));
      const last = Math.floor(Math.max(from, to) / PAGE_SIZE);
      for (let p = first; p <= last; p++) if (!state.pages[p] && p * PAGE_SIZE < Math.max(state.total, 1)) void loadPage(p);
    },
    [state.key, state.pages, state.total, key, loadPage],
  );

  const indexOf = useCallback(
    (id: string | null): number => {
      if (!id) return -1;
      for (const [p, rows] of Object.entries(state.pages)) {
        const i = rows.findIndex((r) => r.id === id);
        if (i >= 0) return Number(p) * PAGE_SIZE + i;
      }
      return -1;
    },
    [state.pages],
  );

  /** Changes one row in place (an optimistic decision), and the per-state counts with it. */
  const patchRow = useCallback((id: string, patch: Partial<PairListRow>) => {
    setState((s) => {
      let before: PairListRow | undefined;
      const pages: Record<number, PairListRow[]> = {};
      for (const [p, rows] of Object.entries(s.pages)) {
        pages[Number(p)] = rows.map((r) => {
          if (r.id !== id) return r;
          before = r;
          return { ...r, ...patch };
        });
      }
      const counts = { ...s.counts };
      if (before && patch.reviewState && patch.reviewState !== before.reviewState) {
        counts[before.reviewState] = Math.max(0, (counts[before.reviewState] ?? 1) - 1);
        counts[patch.reviewState] = (counts[patch.reviewState] ?? 0) + 1;
      }
      return { ...s, pages, counts };
    });
  }, []);

  /** Reloads the loaded pages (after a bulk decision, an assignment, or on request). */
  const refresh = useCallback(() => {
    inflight.current.clear();
    const loaded = Object.keys(state.pages).map(Number);
    setState((s) => ({ ...s, pages: {}, loading: true }));
    for (const p of loaded.length ? loaded : [0]) void loadPage(p, true);
  }, [state.pages, loadPage]);

  return { total: state.key === key ? state.total : 0, counts: state.counts, loading: state.loading || state.key !== key, error: state.error, rowAt, ensure, indexOf, patchRow, refresh };
}
