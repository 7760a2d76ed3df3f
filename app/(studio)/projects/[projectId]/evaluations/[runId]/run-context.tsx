"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import type { EvalRunItemView, EvalRunView } from "@/lib/evaluation/server/runs";
import type { Scorecard } from "@/lib/evaluation/scorecard-types";
import { DEFAULT_MONTHLY_QUESTIONS, count, isLive, parseMonthlyQuestions } from "./format";

// The run the whole page reads. One query polls the run while it is queued or running (every 2 s)
// and stops once it ends; every card reads from it, so stats, charts and the list move together.
// The page's state that several cards share lives here too: the monthly workload (the projection
// card edits it, the export links carry it), the list's filters (the error-class card sets them)
// and the page's single status notice.

export type RunView = Omit<EvalRunView, "scorecard"> & { scorecard: Scorecard };
export type RunResult = RunView["results"][number];
export type ItemView = EvalRunItemView;

export type OutcomeFilter = "all" | "correct" | "wrong" | "error";

export interface ResultFilter {
  outcome: OutcomeFilter;
  /** "" for every class */
  errorClass: string;
  /** "" for every complexity */
  complexity: string;
  search: string;
  flakyOnly: boolean;
}

export const NO_FILTER: ResultFilter = { outcome: "all", errorClass: "", complexity: "", search: "", flakyOnly: false };

export interface Notice {
  id: number;
  tone: "success" | "error";
  text: string;
  action?: { label: string; run: () => void };
}

interface RunContextValue {
  projectId: string;
  runId: string;
  /** May change the regression set ("evaluations.run") */
  allowed: boolean;
  run: RunView;
  /** The last poll failed (the numbers shown are the previous ones) */
  refreshError: string | null;
  monthly: { text: string; setText: (text: string) => void; value: number; error: string | null };
  filter: ResultFilter;
  setFilter: (update: Partial<ResultFilter>) => void;
  notice: Notice | null;
  notify: (notice: Omit<Notice, "id"> | null) => void;
  changeRegression: (itemIds: string[], add: boolean) => Promise<boolean>;
}

const RunContext = createContext<RunContextValue | null>(null);

export function useRun(): RunContextValue {
  const value = useContext(RunContext);
  if (!value) throw new Error("useRun is used outside RunProvider.");
  return value;
}

export const runQueryKey = (projectId: string, runId: string) => ["eval-run", projectId, runId] as const;
export const itemQueryKey = (projectId: string, runId: string, itemId: string) => ["eval-run-item", projectId, runId, itemId] as const;

const POLL_MS = 2_000;
/** The regression endpoint takes at most this many items per request. */
const REGRESSION_BATCH = 5_000;

export function RunProvider({ projectId, runId, allowed, initial, children }: { projectId: string; runId: string; allowed: boolean; initial: RunView; children: ReactNode }) {
  const queryClient = useQueryClient();
  const key = runQueryKey(projectId, runId);
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => apiFetch<RunView>(`/api/projects/${projectId}/evaluations/${runId}`, { signal }),
    initialData: initial,
    // A finished run does not change, so it is never refetched (it can hold thousands of rows).
    staleTime: (q) => (q.state.data && isLive(q.state.data.status) ? 0 : Infinity),
    refetchInterval: (q) => (q.state.data && isLive(q.state.data.status) ? POLL_MS : false),
  });
  const run = query.data;
  // A server render (a revisit, or the refresh JobProgress asks for when the job ends) is at least
  // as new as anything cached, so it replaces what an earlier visit left in the cache.
  useEffect(() => {
    queryClient.setQueryData(runQueryKey(projectId, runId), initial);
  }, [queryClient, projectId, runId, initial]);

  const [monthlyText, setMonthlyText] = useState(String(DEFAULT_MONTHLY_QUESTIONS));
  const [lastValidMonthly, setLastValidMonthly] = useState(DEFAULT_MONTHLY_QUESTIONS);
  const parsedMonthly = useMemo(() => parseMonthlyQuestions(monthlyText), [monthlyText]);
  const setText = useCallback((text: string) => {
    setMonthlyText(text);
    const parsed = parseMonthlyQuestions(text);
    if (parsed.ok) setLastValidMonthly(parsed.value);
  }, []);

  const [filter, setFilterState] = useState<ResultFilter>(NO_FILTER);
  const setFilter = useCallback((update: Partial<ResultFilter>) => setFilterState((f) => ({ ...f, ...update })), []);

  const [notice, setNotice] = useState<Notice | null>(null);
  const notify = useCallback((next: Omit<Notice, "id"> | null) => setNotice(next ? { ...next, id: Date.now() } : null), []);

  /** Mark items in or out of the regression set in what the page shows, without refetching the run. */
  const patchRegression = useCallback(
    (itemIds: string[], inRegression: boolean) => {
      const ids = new Set(itemIds);
      queryClient.setQueryData<RunView>(runQueryKey(projectId, runId), (old) =>
        old ? { ...old, results: old.results.map((r) => (ids.has(r.itemId) ? { ...r, inRegression } : r)) } : old,
      );
      for (const itemId of ids) {
        queryClient.setQueryData<ItemView>(itemQueryKey(projectId, runId, itemId), (old) => (old ? { ...old, inRegression } : old));
      }
    },
    [queryClient, projectId, runId],
  );

  const changeRegression = useCallback(
    async (itemIds: string[], add: boolean): Promise<boolean> => {
      const url = `/api/projects/${projectId}/evaluations/regression`;
      const undoAdd = async (ids: string[]) => {
        try {
          await apiFetch(url, { method: "DELETE", body: { itemIds: ids } });
          patchRegression(ids, false);
          notify({ tone: "success", text: `Took those ${itemCount(ids.length)} out of the regression set again.` });
        } catch (error) {
          notify({ tone: "error", text: `Could not undo: ${(error as Error).message}` });
        }
      };
      let changed = 0;
      let alreadyThere = 0;
      try {
        for (let i = 0; i < itemIds.length; i += REGRESSION_BATCH) {
          const batch = itemIds.slice(i, i + REGRESSION_BATCH);
          if (add) {
            const out = await apiFetch<{ added: number; alreadyThere: number }>(url, { method: "POST", body: { itemIds: batch, runId } });
            changed += out.added;
            alreadyThere += out.alreadyThere;
          } else {
            const out = await apiFetch<{ removed: number }>(url, { method: "DELETE", body: { itemIds: batch } });
            changed += out.removed;
          }
          patchRegression(batch, add);
        }
      } catch (error) {
        notify({ tone: "error", text: `Could not change the regression set: ${(error as Error).message}` });
        return false;
      }
      const single = itemIds.length === 1;
      if (add) {
        const text = single
          ? changed === 1
            ? "Added to the regression set: every later run of this project will also answer this question."
            : "This question was already in the regression set."
          : `Added ${itemCount(changed)} to the regression set${alreadyThere > 0 ? ` (${count(alreadyThere)} already there)` : ""}. Every later run of this project will also answer them.`;
        // Undo is offered only when this click added every item, so it never removes one that
        // someone put in the set before.
        const undo = !single && changed > 0 && alreadyThere === 0 ? { label: "Undo", run: () => void undoAdd(itemIds) } : undefined;
        notify({ tone: "success", text, action: undo });
      } else {
        notify({
          tone: "success",
          text:
            changed === 0
              ? "That question was not in the regression set."
              : single
                ? "Removed from the regression set: later runs answer it only when it is in their scope."
                : `Removed ${itemCount(changed)} from the regression set.`,
        });
      }
      return true;
    },
    [projectId, runId, notify, patchRegression],
  );

  const value = useMemo<RunContextValue>(
    () => ({
      projectId,
      runId,
      allowed,
      run,
      refreshError: query.isRefetchError ? ((query.error as Error | null)?.message ?? "unknown error") : null,
      monthly: { text: monthlyText, setText, value: parsedMonthly.ok ? parsedMonthly.value : lastValidMonthly, error: parsedMonthly.ok ? null : parsedMonthly.message },
      filter,
      setFilter,
      notice,
      notify,
      changeRegression,
    }),
    [projectId, runId, allowed, run, query.isRefetchError, query.error, monthlyText, setText, parsedMonthly, lastValidMonthly, filter, setFilter, notice, notify, changeRegression],
  );
  return <RunContext.Provider value={value}>{children}</RunContext.Provider>;
}

function itemCount(n: number): string {
  return `${count(n)} item${n === 1 ? "" : "s"}`;
}
