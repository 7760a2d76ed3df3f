"use client";

// The review workspace: a virtualized list of the pairs matching the filter on the left, the pair
// in the detail pane on the right, driven from the keyboard. Decisions show at once and are undone
// on screen if the server refuses them; a decision on a pair someone else changed meanwhile opens a
// conflict view instead of overwriting their change.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, apiFetch } from "@/components/api";
import { Badge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { cleanFilter, filterToParams, type PairFilter, type PairSort } from "@/lib/review/filter";
import { REJECT_REASON_LABELS } from "@/lib/review/flags";
import { actionForKey, bindingProblem, DEFAULT_SHORTCUTS, FIXED_SHORTCUTS, loadShortcuts, saveShortcuts, SHORTCUT_ACTIONS, SHORTCUT_LABELS, type ShortcutAction, type ShortcutMap } from "@/lib/review/shortcuts";
import { AssignDialog } from "./assign-dialog";
import { FilterBar } from "./filter-bar";
import { SecondReviewQueue } from "./second-review-queue";
import { PairEditor, type DecideAction, type DecideExtra, type PairEditorHandle } from "./pair-editor";
import { PairList } from "./pair-list";
import { usePairWindow } from "./use-pair-window";
import { plural, type Member, type PairDetail, type PairListPage, type SchemaTables, type State } from "./types";

const PAST: Record<DecideAction, string> = { approve: "Approved", reject: "Rejected", reopen: "Reopened", flag: "Flags saved" };

interface Notice {
  tone: "error" | "ok";
  text: string;
  undoBatch?: string;
}

interface DecisionConflict {
  action: DecideAction;
  extra?: DecideExtra;
  mine: PairDetail;
  theirs: PairDetail;
}

interface FirstReviewProps {
  projectId: string;
  initial: PairListPage;
  initialFilter: PairFilter;
  canReview: boolean;
  canAssign: boolean;
  members: Member[];
  schema: SchemaTables;
  initialPairId: string | null;
}

export function ReviewWorkspace({ secondReviewsOwed, ...props }: FirstReviewProps & { secondReviewsOwed: number }) {
  const { projectId } = props;
  const [mode, setMode] = useState<"review" | "second">("review");
  const [owed, setOwed] = useState(secondReviewsOwed);
  const tabs = (owed > 0 || mode === "second") && (
    <div className="mb-3 flex gap-1" role="tablist" aria-label="Review mode">
      {(
        [
          ["review", "Review"],
          ["second", `My second reviews · ${owed}`],
        ] as const
      ).map(([key, label]) => (
        <button key={key} role="tab" aria-selected={mode === key} className={cn("rounded-md px-3 py-1.5 text-sm font-medium", mode === key ? "bg-slate-900 text-white" : "bg-white text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50")} onClick={() => setMode(key)}>
          {label}
        </button>
      ))}
    </div>
  );
  return (
    <>
      {tabs}
      {mode === "second" ? (
        <SecondReviewQueue projectId={projectId} onCount={setOwed} />
      ) : (
        <FirstReview {...props} />
      )}
    </>
  );
}

function FirstReview({ projectId, initial, initialFilter, canReview, canAssign, members, schema, initialPairId }: FirstReviewProps) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const [filter, setFilter] = useState<PairFilter>(initialFilter);
  const [sort, setSort] = useState<PairSort>("created");
  const [searchText, setSearchText] = useState(initialFilter.q ?? "");
  const initialKey = useMemo(() => JSON.stringify([initialFilter, "created"]), [initialFilter]);
  const list = usePairWindow(projectId, filter, sort, { key: initialKey, page: initial });
  const [selectedId, setSelectedId] = useState<string | null>(initialPairId ?? initial.pairs[0]?.id ?? null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirming, setConfirming] = useState<{ action: "approve" | "reject"; count: number } | null>(null);
  const [bulkBusy, setBulkBusy] = useState(false);
  const [help, setHelp] = useState(false);
  const [assigning, setAssigning] = useState(false);
  const [keys, setKeys] = useState<ShortcutMap>(DEFAULT_SHORTCUTS);
  const [decisionConflict, setDecisionConflict] = useState<DecisionConflict | null>(null);
  const editorRef = useRef<PairEditorHandle>(null);
  // The pair whose history is open: kept across a save's remount, closed on another pair.
  const [historyFor, setHistoryFor] = useState<string | null>(null);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const index = list.indexOf(selectedId);
  // A pair opened from a link stays selected even when it is not in the first page, until the filter changes.
  const [linked, setLinked] = useState(initialPairId);

  useEffect(() => setKeys(loadShortcuts()), []);

  // The first row of a new filter is selected when the old selection is not in it.
  useEffect(() => {
    if (list.loading) return;
    if (selectedId && index >= 0) return;
    if (selectedId && selectedId === linked) return;
    const first = list.rowAt(0);
    setSelectedId(first?.id ?? null);
  }, [list.loading, list, index, selectedId, linked]);

  // The selected pair is in the address, so a link opens it and a reload keeps it.
  useEffect(() => {
    const url = new URL(window.location.href);
    if (selectedId) url.searchParams.set("pair", selectedId);
    else url.searchParams.delete("pair");
    window.history.replaceState(window.history.state, "", url.toString());
  }, [selectedId]);

  const detailKey = (id: string | null) => ["pair", projectId, id];
  const fetchDetail = useCallback((id: string) => apiFetch<PairDetail>(`/api/projects/${projectId}/pairs/${id}`), [projectId]);
  const detail = useQuery({ queryKey: detailKey(selectedId), queryFn: () => fetchDetail(selectedId!), enabled: !!selectedId, staleTime: 5_000 });

  // The next pairs are fetched ahead, so moving on shows them at once.
  useEffect(() => {
    if (index < 0) return;
    for (const i of [index + 1, index + 2, index - 1]) {
      const row = list.rowAt(i);
      if (row) void queryClient.prefetchQuery({ queryKey: detailKey(row.id), queryFn: () => fetchDetail(row.id), staleTime: 5_000 });
    }
    list.ensure(index, index + 3);
    // detailKey is a pure function of projectId
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [index, list.rowAt, list.ensure, queryClient, fetchDetail]);

  const move = useCallback(
    (delta: number) => {
      if (list.total === 0) return;
      const next = Math.max(0, Math.min(list.total - 1, (index < 0 ? 0 : index) + delta));
      const row = list.rowAt(next);
      if (row) setSelectedId(row.id);
      else list.ensure(next, next);
    },
    [list, index],
  );

  /** The sidebar's counts are rendered by the server: refresh them once decisions pause. */
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => router.refresh(), 4_000);
  }, [router]);
  useEffect(() => () => void (refreshTimer.current && clearTimeout(refreshTimer.current)), []);

  const decide = useCallback(
    async (action: DecideAction, extra?: DecideExtra, base?: PairDetail) => {
      const pair = base ?? (detail.data && detail.data.id === selectedId ? detail.data : null);
      if (!pair || !canReview) return;
      if (action !== "flag" && editorRef.current?.isDirty() && !base) {
        setNotice({ tone: "error", text: "Save or discard your edit first: a decision applies to the saved version." });
        return;
      }
      const nextState: State = action === "approve" ? "approved" : action === "reject" ? "rejected" : action === "reopen" ? "pending" : pair.reviewState;
      const flags = extra?.flags ?? pair.flags;
      const rejectReason = action === "reject" ? (extra?.reason ?? null) : action === "flag" ? pair.rejectReason : null;
      // Optimistic: show the decision and move on at once; roll back if the server refuses.
      const previous = queryClient.getQueryData<PairDetail>(detailKey(pair.id));
      list.patchRow(pair.id, { reviewState: nextState, revision: pair.revision + 1, flags, rejectReason });
      queryClient.setQueryData<PairDetail>(detailKey(pair.id), (old) => (old ? { ...old, reviewState: nextState, revision: old.revision + 1, flags, rejectReason } : old));
      if (action === "approve" || action === "reject") move(1);
      setNotice(null);
      try {
        const out = await apiFetch<{ revision: number; reviewState: State }>(`/api/projects/${projectId}/pairs/${pair.id}/decision`, {
          body: { action, revision: pair.revision, ...(extra?.reason ? { reason: extra.reason } : {}), ...(extra?.flags ? { flags: extra.flags } : {}) },
        });
        setNotice({
          tone: "ok",
          text: `${PAST[action]}${extra?.reason ? ` (${REJECT_REASON_LABELS[extra.reason]})` : ""}: “${pair.question.slice(0, 80)}”`,
        });
        list.patchRow(pair.id, { revision: out.revision });
        void queryClient.invalidateQueries({ queryKey: detailKey(pair.id) });
        scheduleRefresh();
      } catch (error) {
        list.patchRow(pair.id, { reviewState: pair.reviewState, revision: pair.revision, flags: pair.flags, rejectReason: pair.rejectReason });
        queryClient.setQueryData(detailKey(pair.id), previous);
        if (error instanceof ApiError && error.status === 409) {
          // Someone else decided or edited it first: show both, let the reviewer choose.
          try {
            const theirs = await fetchDetail(pair.id);
            queryClient.setQueryData(detailKey(pair.id), theirs);
            list.patchRow(pair.id, { reviewState: theirs.reviewState, revision: theirs.revision, flags: theirs.flags, rejectReason: theirs.rejectReason });
            setSelectedId(pair.id);
            setDecisionConflict({ action, extra, mine: pair, theirs });
          } catch {
            setNotice({ tone: "error", text: (error as Error).message });
          }
        } else {
          setSelectedId(pair.id);
          setNotice({ tone: "error", text: (error as Error).message });
        }
      }
    },
    // detailKey is a pure function of projectId
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [detail.data, selectedId, canReview, queryClient, list, move, projectId, fetchDetail, scheduleRefresh],
  );

  /** The filter with the search box's text as typed, even if the pause before applying it has not passed yet. */
  function currentFilter(): PairFilter {
    const q = searchText.trim() || undefined;
    if ((filter.q ?? undefined) === q) return filter;
    const next = cleanFilter({ ...filter, q });
    setFilter(next);
    return next;
  }

  // Bulk decisions apply to every pair matching the filter, not only the ones in view.
  async function askBulk(action: "approve" | "reject") {
    setNotice(null);
    const effective = currentFilter();
    try {
      const { count } = await apiFetch<{ count: number }>(`/api/projects/${projectId}/pairs/bulk?${filterToParams(effective).toString()}`);
      if (count === 0) setNotice({ tone: "error", text: "No pair matches this filter." });
      else setConfirming({ action, count });
    } catch (error) {
      setNotice({ tone: "error", text: (error as Error).message });
    }
  }
  async function runBulk() {
    if (!confirming) return;
    setBulkBusy(true);
    try {
      const out = await apiFetch<{ batchId: string; changed: number }>(`/api/projects/${projectId}/pairs/bulk`, {
        body: { action: confirming.action, filter: cleanFilter(filter), expectedCount: confirming.count },
      });
      setNotice({ tone: "ok", text: `${confirming.action === "approve" ? "Approved" : "Rejected"} ${plural(out.changed, "pair")}.`, undoBatch: out.batchId });
      setConfirming(null);
      list.refresh();
      void queryClient.invalidateQueries({ queryKey: ["pair", projectId] });
      scheduleRefresh();
    } catch (error) {
      setNotice({ tone: "error", text: (error as Error).message });
      setConfirming(null);
    } finally {
      setBulkBusy(false);
    }
  }
  async function undoBulk(batchId: string) {
    try {
      const out = await apiFetch<{ reverted: number; skipped: number }>(`/api/projects/${projectId}/pairs/bulk/undo`, { body: { batchId } });
      setNotice({ tone: "ok", text: `Undone: ${plural(out.reverted, "pair")} back as they were${out.skipped ? `; ${plural(out.skipped, "pair")} changed since, left alone` : ""}.` });
      list.refresh();
      void queryClient.invalidateQueries({ queryKey: ["pair", projectId] });
      scheduleRefresh();
    } catch (error) {
      setNotice({ tone: "error", text: (error as Error).message });
    }
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      const typing = target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.tagName === "SELECT" || target.isContentEditable;
      if (typing) {
        if (e.key === "Escape") target.blur();
        return;
      }
      if (target.closest('[role="menu"]') || document.querySelector('[aria-modal="true"]') || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "Escape") {
        setHelp(false);
        setConfirming(null);
        return;
      }
      const action: ShortcutAction | null = actionForKey(keys, e.key);
      if (!action) return;
      e.preventDefault();
      const editor = editorRef.current;
      switch (action) {
        case "next":
          return move(1);
        case "previous":
          return move(-1);
        case "approve":
          return void decide("approve");
        case "reject":
          return editor?.openReject();
        case "reopen":
          return void decide("reopen");
        case "editSql":
          return editor?.focusSql();
        case "editQuestion":
          return editor?.focusQuestion();
        case "run":
          return editor?.run();
        case "flag":
          return editor?.openFlags();
        case "comment":
          return editor?.focusComment();
        case "history":
          return editor?.toggleHistory();
        case "help":
          return setHelp((v) => !v);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [move, decide, keys]);

  const tables = useMemo(() => schema.tables.map((t) => t.name), [schema]);
  const onFilter = useCallback((f: PairFilter) => {
    setLinked(null);
    setFilter(cleanFilter(f));
    setConfirming(null);
  }, []);
  const pair = selectedId && detail.data && detail.data.id === selectedId ? detail.data : null;

  return (
    <div className="grid gap-4 lg:grid-cols-[380px_minmax(0,1fr)]">
      <div className="flex min-h-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm">
        <FilterBar text={searchText} onText={setSearchText} filter={filter} sort={sort} counts={list.counts} total={list.total} members={members} tables={tables} onChange={onFilter} onSort={setSort} />
        <div className="space-y-2 border-b border-slate-100 p-2">
          <div className="flex flex-wrap items-center gap-1.5 text-xs">
            {canReview && (
              <>
                <span className="text-slate-500">All matching:</span>
                <button type="button" className={buttonClass("secondary", "px-2 py-1 text-xs")} onClick={() => askBulk("approve")} disabled={bulkBusy}>
                  Approve all…
                </button>
                <button type="button" className={buttonClass("secondary", "px-2 py-1 text-xs")} onClick={() => askBulk("reject")} disabled={bulkBusy}>
                  Reject all…
                </button>
              </>
            )}
            {canAssign && (
              <button type="button" className={buttonClass("secondary", "px-2 py-1 text-xs")} onClick={() => {
                  currentFilter();
                  setAssigning(true);
                }}
              >
                Assign…
              </button>
            )}
            <button type="button" className="ml-auto text-slate-500 hover:text-slate-800" onClick={() => list.refresh()} title="Reload the list: decided pairs leave a state filter">
              Refresh
            </button>
            <button type="button" className="text-slate-500 hover:text-slate-800" onClick={() => setHelp((v) => !v)} aria-expanded={help}>
              Shortcuts <kbd>?</kbd>
            </button>
          </div>
          {confirming && (
            <div role="alertdialog" aria-label="Confirm bulk decision" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
              <p>
                {confirming.action === "approve" ? "Approve" : "Reject"} <strong>{plural(confirming.count, "pair")}</strong> matching {describeFilter(filter)}, including those not listed here? You can undo it.
              </p>
              <div className="mt-2 flex gap-2">
                <button type="button" className={buttonClass("primary", "px-2 py-1 text-xs")} onClick={runBulk} disabled={bulkBusy} autoFocus>
                  {bulkBusy ? "Working…" : `${confirming.action === "approve" ? "Approve" : "Reject"} ${plural(confirming.count, "pair")}`}
                </button>
                <button type="button" className={buttonClass("ghost", "px-2 py-1 text-xs")} onClick={() => setConfirming(null)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
        </div>
        <PairList
          total={list.total}
          rowAt={list.rowAt}
          ensure={list.ensure}
          selectedIndex={index}
          selectedId={selectedId}
          onSelect={(_, id) => setSelectedId(id)}
          loading={list.loading}
          error={list.error}
          emptyText={filter.state === "pending" && Object.keys(filter).length === 1 ? "All caught up: no pending pairs." : "No pair matches this filter. Change or clear the filters."}
        />
      </div>
      <div className="min-w-0 space-y-3">
        {notice && (
          <p role={notice.tone === "error" ? "alert" : "status"} className={cn("flex items-center gap-3 rounded-md px-3 py-2 text-sm", notice.tone === "error" ? "bg-rose-50 text-rose-800" : "bg-emerald-50 text-emerald-800")}>
            <span>{notice.text}</span>
            {notice.undoBatch && (
              <button type="button" className="ml-auto font-medium underline" onClick={() => undoBulk(notice.undoBatch!)}>
                Undo
              </button>
            )}
          </p>
        )}
        {assigning && (
          <AssignDialog
            projectId={projectId}
            filter={cleanFilter(filter)}
            members={members.filter((m) => m.role !== "viewer")}
            onClose={() => setAssigning(false)}
            onDone={(message) => {
              setAssigning(false);
              setNotice({ tone: "ok", text: message });
              list.refresh();
              scheduleRefresh();
            }}
          />
        )}
        {help && <ShortcutSheet keys={keys} onChange={setKeys} onClose={() => setHelp(false)} />}
        {decisionConflict && (
          <section role="alertdialog" aria-label="Conflicting decision" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 shadow-sm">
            <p className="font-medium">
              Someone else changed this pair before your decision reached it: it is now <Badge tone={stateTone(decisionConflict.theirs.reviewState)}>{decisionConflict.theirs.reviewState}</Badge> at revision{" "}
              {decisionConflict.theirs.revision}
              {decisionConflict.theirs.reviewedBy ? `, by ${decisionConflict.theirs.reviewedBy}` : ""}. Your decision ({decisionConflict.action}) was not saved.
            </p>
            {(decisionConflict.theirs.question !== decisionConflict.mine.question || decisionConflict.theirs.sql !== decisionConflict.mine.sql) && (
              <div className="mt-2 grid gap-2 md:grid-cols-2">
                {[
                  { title: "What you decided on", p: decisionConflict.mine },
                  { title: "What it is now", p: decisionConflict.theirs },
                ].map((v) => (
                  <div key={v.title} className="rounded-md border border-amber-200 bg-white p-2">
                    <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{v.title}</div>
                    <p>{v.p.question}</p>
                    <code className="mt-1 block whitespace-pre-wrap font-mono text-xs">{v.p.sql}</code>
                  </div>
                ))}
              </div>
            )}
            <div className="mt-3 flex gap-2">
              <button
                type="button"
                className={buttonClass("primary")}
                onClick={() => {
                  const c = decisionConflict;
                  setDecisionConflict(null);
                  void decide(c.action, c.extra, c.theirs);
                }}
              >
                Apply my decision to the current version
              </button>
              <button type="button" className={buttonClass("secondary")} onClick={() => setDecisionConflict(null)}>
                Keep theirs
              </button>
            </div>
          </section>
        )}
        {pair ? (
          <PairEditor
            key={`${pair.id}:${pair.revision}`}
            ref={editorRef}
            historyOpen={historyFor === pair.id}
            onToggleHistory={() => setHistoryFor((open) => (open === pair.id ? null : pair.id))}
            projectId={projectId}
            pair={pair}
            canReview={canReview}
            schema={schema}
            onDecide={(action, extra) => void decide(action, extra)}
            onNotice={(tone, text) => setNotice({ tone, text })}
            onSaved={(text, opts) => {
              setNotice({ tone: "ok", text });
              void queryClient.invalidateQueries({ queryKey: detailKey(pair.id) });
              list.patchRow(pair.id, { reviewState: "pending" });
              scheduleRefresh();
              if (opts?.next) move(1);
            }}
          />
        ) : selectedId ? (
          <div className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500">{detail.error ? (detail.error as Error).message : "Loading pair…"}</div>
        ) : (
          <div className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">Pick a pair on the left, or change the filter.</div>
        )}
      </div>
    </div>
  );
}

function describeFilter(filter: PairFilter): string {
  const parts = Object.entries(cleanFilter(filter)).map(([k, v]) => (k === "q" ? `“${String(v)}”` : `${k} ${String(v).replaceAll("_", " ")}`));
  return parts.length ? parts.join(", ") : "every state";
}

function ShortcutSheet({ keys, onChange, onClose }: { keys: ShortcutMap; onChange: (keys: ShortcutMap) => void; onClose: () => void }) {
  const [editing, setEditing] = useState<ShortcutAction | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div role="dialog" aria-label="Keyboard shortcuts" className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="font-semibold text-slate-900">Keyboard shortcuts</h2>
        <button type="button" className="text-slate-500 hover:text-slate-800" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <dl className="grid grid-cols-[10rem_1fr_auto] items-center gap-x-3 gap-y-1">
        {SHORTCUT_ACTIONS.map((action) => (
          <div key={action} className="contents">
            <dt>
              <kbd>{keys[action]}</kbd>
            </dt>
            <dd className="text-slate-700">{SHORTCUT_LABELS[action]}</dd>
            <dd>
              {editing === action ? (
                <input
                  autoFocus
                  aria-label={`New key for ${SHORTCUT_LABELS[action]}`}
                  className="w-24 rounded border border-brand-400 px-1 text-xs"
                  placeholder="press a key"
                  onKeyDown={(e) => {
                    e.preventDefault();
                    e.stopPropagation();
                    if (e.key === "Escape") {
                      setEditing(null);
                      setProblem(null);
                      return;
                    }
                    const why = bindingProblem(keys, action, e.key);
                    if (why) return setProblem(why);
                    const next = { ...keys, [action]: e.key };
                    saveShortcuts(next);
                    onChange(next);
                    setEditing(null);
                    setProblem(null);
                  }}
                  readOnly
                />
              ) : (
                <button type="button" className="text-xs text-brand-700 hover:underline" onClick={() => setEditing(action)}>
                  Change
                </button>
              )}
            </dd>
          </div>
        ))}
        {FIXED_SHORTCUTS.map(([k, what]) => (
          <div key={k} className="contents">
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd className="col-span-2 text-slate-700">{what}</dd>
          </div>
        ))}
      </dl>
      {problem && (
        <p role="alert" className="mt-2 text-sm text-rose-700">
          {problem}
        </p>
      )}
      <button
        type="button"
        className="mt-3 text-xs text-slate-500 underline"
        onClick={() => {
          saveShortcuts(DEFAULT_SHORTCUTS);
          onChange({ ...DEFAULT_SHORTCUTS });
        }}
      >
        Restore the default keys
      </button>
    </div>
  );
}
