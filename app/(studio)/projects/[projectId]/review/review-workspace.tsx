"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError, apiFetch } from "@/components/api";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass, inputClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ResultTable } from "@/components/ui/result-table";

type State = "pending" | "approved" | "rejected";
interface PairRow {
  id: string;
  question: string;
  reviewState: State;
  revision: number;
  sql: string;
  complexity: string;
  shape: string;
  rowCount: number | null;
  flagCount: number;
}
interface PairList {
  counts: Partial<Record<State, number>>;
  pairs: PairRow[];
}
interface PairDetail extends PairRow {
  style: string;
  lintFlags: { code: string; message: string }[];
  executionError: string | null;
  result: { columns: string[]; rows: unknown[][] } | null;
  events: { id: string; action: string; revision: number; createdAt: string }[];
}
interface RunResult {
  columns: { name: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

const SHORTCUTS: [string, string][] = [
  ["j / ↓", "next pair"],
  ["k / ↑", "previous pair"],
  ["a", "approve and go to the next"],
  ["r", "reject and go to the next"],
  ["e", "edit the SQL"],
  ["q", "edit the question"],
  ["Ctrl+Enter", "run the SQL (in the editor)"],
  ["Esc", "leave the editor, close this"],
  ["?", "show or hide these shortcuts"],
];

const FILTERS: { key: State | "all"; label: string }[] = [
  { key: "pending", label: "Pending" },
  { key: "approved", label: "Approved" },
  { key: "rejected", label: "Rejected" },
  { key: "all", label: "All" },
];

export function ReviewWorkspace({ projectId, initial, canReview }: { projectId: string; initial: PairList; canReview: boolean }) {
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<State | "all">("pending");
  const [search, setSearch] = useState("");
  const [selectedId, setSelectedId] = useState<string | null>(initial.pairs[0]?.id ?? null);
  const [notice, setNotice] = useState<{ tone: "error" | "ok"; text: string; undoBatch?: string } | null>(null);
  const [confirming, setConfirming] = useState<{ action: "approve" | "reject"; count: number } | null>(null);
  const [bulkBusy, setBulkBusy] = useState(false);
  const [help, setHelp] = useState(false);
  const listKey = ["pairs", projectId, filter, search];
  const list = useQuery({
    queryKey: listKey,
    queryFn: () => apiFetch<PairList>(`/api/projects/${projectId}/pairs?take=500${filter === "all" ? "" : `&state=${filter}`}${search ? `&q=${encodeURIComponent(search)}` : ""}`),
    initialData: filter === "pending" && !search ? initial : undefined,
    staleTime: 2_000,
  });
  const pairs = useMemo(() => list.data?.pairs ?? [], [list.data]);
  const counts = list.data?.counts ?? initial.counts;
  const index = pairs.findIndex((p) => p.id === selectedId);
  const selected = index >= 0 ? pairs[index] : null;

  useEffect(() => {
    if (!selected && pairs.length) setSelectedId(pairs[0].id);
  }, [selected, pairs]);

  const detail = useQuery({
    queryKey: ["pair", projectId, selectedId],
    queryFn: () => apiFetch<PairDetail>(`/api/projects/${projectId}/pairs/${selectedId}`),
    enabled: !!selectedId,
  });

  const move = useCallback(
    (delta: number) => {
      if (!pairs.length) return;
      const next = Math.max(0, Math.min(pairs.length - 1, (index < 0 ? 0 : index) + delta));
      setSelectedId(pairs[next].id);
    },
    [pairs, index],
  );

  const decide = useCallback(
    async (action: "approve" | "reject" | "reopen") => {
      const pair = detail.data && detail.data.id === selectedId ? detail.data : selected;
      if (!pair || !canReview) return;
      const nextState: State = action === "approve" ? "approved" : action === "reject" ? "rejected" : "pending";
      // Optimistic: show the decision and move on at once; roll back if the server refuses.
      const previous = queryClient.getQueryData<PairList>(listKey);
      const position = pairs.findIndex((p) => p.id === pair.id);
      const following = pairs[position + 1] ?? pairs[position - 1] ?? null;
      queryClient.setQueryData<PairList>(listKey, (old) =>
        old
          ? {
              counts: { ...old.counts, [pair.reviewState]: Math.max(0, (old.counts[pair.reviewState] ?? 1) - 1), [nextState]: (old.counts[nextState] ?? 0) + 1 },
              pairs: filter === "all" ? old.pairs.map((p) => (p.id === pair.id ? { ...p, reviewState: nextState, revision: p.revision + 1 } : p)) : old.pairs.filter((p) => p.id !== pair.id),
            }
          : old,
      );
      if (filter !== "all" && following) setSelectedId(following.id);
      else if (filter === "all") move(1);
      setNotice(null);
      try {
        await apiFetch(`/api/projects/${projectId}/pairs/${pair.id}/decision`, { body: { action, revision: pair.revision } });
        setNotice({ tone: "ok", text: `${action === "approve" ? "Approved" : action === "reject" ? "Rejected" : "Reopened"}: “${pair.question.slice(0, 80)}”` });
        queryClient.invalidateQueries({ queryKey: ["pair", projectId, pair.id] });
        queryClient.invalidateQueries({ queryKey: ["pairs", projectId] });
      } catch (error) {
        queryClient.setQueryData(listKey, previous);
        setSelectedId(pair.id);
        setNotice({ tone: "error", text: (error as Error).message });
      }
    },
    // listKey is derived from filter/search
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [detail.data, selected, selectedId, pairs, filter, search, projectId, queryClient, move, canReview],
  );

  const sqlRef = useRef<HTMLTextAreaElement>(null);
  const questionRef = useRef<HTMLTextAreaElement>(null);

  // Bulk decisions apply to every pair matching the current tab and search, not only the ones listed.
  const filterBody = { ...(filter === "all" ? {} : { state: filter }), ...(search ? { q: search } : {}) };
  async function askBulk(action: "approve" | "reject") {
    setNotice(null);
    try {
      const params = new URLSearchParams(filterBody as Record<string, string>);
      const { count } = await apiFetch<{ count: number }>(`/api/projects/${projectId}/pairs/bulk?${params.toString()}`);
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
        body: { action: confirming.action, filter: filterBody, expectedCount: confirming.count },
      });
      setNotice({ tone: "ok", text: `${confirming.action === "approve" ? "Approved" : "Rejected"} ${plural(out.changed, "pair")}.`, undoBatch: out.batchId });
      setConfirming(null);
      queryClient.invalidateQueries({ queryKey: ["pairs", projectId] });
      queryClient.invalidateQueries({ queryKey: ["pair", projectId] });
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
      queryClient.invalidateQueries({ queryKey: ["pairs", projectId] });
      queryClient.invalidateQueries({ queryKey: ["pair", projectId] });
    } catch (error) {
      setNotice({ tone: "error", text: (error as Error).message });
    }
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const target = e.target as HTMLElement;
      const typing = target.tagName === "TEXTAREA" || target.tagName === "INPUT" || target.isContentEditable;
      if (typing) {
        if (e.key === "Escape") target.blur();
        return;
      }
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === "j" || e.key === "ArrowDown") {
        e.preventDefault();
        move(1);
      } else if (e.key === "k" || e.key === "ArrowUp") {
        e.preventDefault();
        move(-1);
      } else if (e.key === "a") {
        e.preventDefault();
        void decide("approve");
      } else if (e.key === "r") {
        e.preventDefault();
        void decide("reject");
      } else if (e.key === "e") {
        e.preventDefault();
        sqlRef.current?.focus();
      } else if (e.key === "q") {
        e.preventDefault();
        questionRef.current?.focus();
      } else if (e.key === "?") {
        e.preventDefault();
        setHelp((v) => !v);
      } else if (e.key === "Escape") {
        setHelp(false);
        setConfirming(null);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [move, decide]);

  return (
    <div className="grid gap-4 lg:grid-cols-[380px_minmax(0,1fr)]">
      <div className="flex min-h-0 flex-col rounded-lg border border-slate-200 bg-white shadow-sm">
        <div className="flex gap-1 border-b border-slate-100 p-2" role="tablist" aria-label="Review state">
          {FILTERS.map((f) => (
            <button
              key={f.key}
              role="tab"
              aria-selected={filter === f.key}
              className={cn("rounded px-2 py-1 text-xs font-medium", filter === f.key ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}
              onClick={() => {
                setFilter(f.key);
                setSelectedId(null);
              }}
            >
              {f.label}
              <span className="ml-1 tabular-nums text-slate-400">{f.key === "all" ? Object.values(counts).reduce((a, b) => a + (b ?? 0), 0) : (counts[f.key] ?? 0)}</span>
            </button>
          ))}
        </div>
        <div className="space-y-2 border-b border-slate-100 p-2">
          <input aria-label="Search pairs" className={inputClass} placeholder="Search questions and SQL…" value={search} onChange={(e) => setSearch(e.target.value)} />
          {canReview && (
            <div className="flex flex-wrap items-center gap-1.5 text-xs">
              <span className="text-slate-500">All matching:</span>
              <button type="button" className={buttonClass("secondary", "px-2 py-1 text-xs")} onClick={() => askBulk("approve")} disabled={bulkBusy}>
                Approve all…
              </button>
              <button type="button" className={buttonClass("secondary", "px-2 py-1 text-xs")} onClick={() => askBulk("reject")} disabled={bulkBusy}>
                Reject all…
              </button>
              <button type="button" className="ml-auto text-slate-500 hover:text-slate-800" onClick={() => setHelp((v) => !v)} aria-expanded={help}>
                Shortcuts <kbd>?</kbd>
              </button>
            </div>
          )}
          {confirming && (
            <div role="alertdialog" aria-label="Confirm bulk decision" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-950">
              <p>
                {confirming.action === "approve" ? "Approve" : "Reject"} <strong>{plural(confirming.count, "pair")}</strong> matching “{filter === "all" ? "all states" : filter}”
                {search ? ` and “${search}”` : ""}, including those not listed here? You can undo it.
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
        <ul className="max-h-[70vh] overflow-y-auto" aria-label="Pairs">
          {list.isLoading && <li className="p-3 text-sm text-slate-500">Loading…</li>}
          {!list.isLoading && pairs.length === 0 && <li className="p-3 text-sm text-slate-500">{filter === "pending" ? "All caught up: no pending pairs." : "No pairs here."}</li>}
          {pairs.map((p) => (
            <li key={p.id}>
              <button
                className={cn("block w-full border-l-2 px-3 py-2 text-left text-sm", p.id === selectedId ? "border-brand-500 bg-brand-50" : "border-transparent hover:bg-slate-50")}
                onClick={() => setSelectedId(p.id)}
                aria-current={p.id === selectedId ? "true" : undefined}
              >
                <span className="line-clamp-2 text-slate-800">{p.question}</span>
                <span className="mt-1 flex gap-1">
                  <Badge tone={stateTone(p.reviewState)}>{p.reviewState}</Badge>
                  <ComplexityBadge complexity={p.complexity} />
                  {p.flagCount > 0 && <Badge tone="amber">{p.flagCount} flag{p.flagCount > 1 ? "s" : ""}</Badge>}
                </span>
              </button>
            </li>
          ))}
        </ul>
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
        {help && (
          <div role="dialog" aria-label="Keyboard shortcuts" className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
            <div className="mb-2 flex items-center justify-between">
              <h2 className="font-semibold text-slate-900">Keyboard shortcuts</h2>
              <button type="button" className="text-slate-500 hover:text-slate-800" onClick={() => setHelp(false)} aria-label="Close">
                ×
              </button>
            </div>
            <dl className="grid grid-cols-[6rem_1fr] gap-x-3 gap-y-1">
              {SHORTCUTS.map(([keys, what]) => (
                <div key={keys} className="contents">
                  <dt>
                    <kbd>{keys}</kbd>
                  </dt>
                  <dd className="text-slate-700">{what}</dd>
                </div>
              ))}
            </dl>
          </div>
        )}
        {selectedId && detail.data && detail.data.id === selectedId ? (
          <PairEditor key={`${detail.data.id}:${detail.data.revision}`} projectId={projectId} pair={detail.data} canReview={canReview} sqlRef={sqlRef} questionRef={questionRef} onDecide={decide} onSaved={(text) => {
            setNotice({ tone: "ok", text });
            queryClient.invalidateQueries({ queryKey: ["pairs", projectId] });
            queryClient.invalidateQueries({ queryKey: ["pair", projectId, selectedId] });
          }} onError={(text) => setNotice({ tone: "error", text })} />
        ) : selectedId ? (
          <div className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-500">{detail.error ? (detail.error as Error).message : "Loading pair…"}</div>
        ) : null}
      </div>
    </div>
  );
}

function PairEditor({
  projectId,
  pair,
  canReview,
  sqlRef,
  questionRef,
  onDecide,
  onSaved,
  onError,
}: {
  projectId: string;
  pair: PairDetail;
  canReview: boolean;
  sqlRef: React.RefObject<HTMLTextAreaElement | null>;
  questionRef: React.RefObject<HTMLTextAreaElement | null>;
  onDecide: (action: "approve" | "reject" | "reopen") => Promise<void>;
  onSaved: (text: string) => void;
  onError: (text: string) => void;
}) {
  const [question, setQuestion] = useState(pair.question);
  const [sql, setSql] = useState(pair.sql);
  const [run, setRun] = useState<RunResult | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"run" | "save" | null>(null);
  // A save refused because someone else saved first: their version, to merge with or to keep.
  const [conflict, setConflict] = useState<PairDetail | null>(null);
  const dirty = question !== pair.question || sql !== pair.sql;

  async function runSql() {
    setBusy("run");
    setRunError(null);
    try {
      setRun(await apiFetch<RunResult>(`/api/projects/${projectId}/sql`, { body: { sql } }));
    } catch (error) {
      setRun(null);
      setRunError((error as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function save(base: { revision: number; question: string; sql: string } = pair) {
    setBusy("save");
    try {
      await apiFetch(`/api/projects/${projectId}/pairs/${pair.id}`, {
        method: "PATCH",
        body: { revision: base.revision, ...(question !== base.question ? { question } : {}), ...(sql !== base.sql ? { sql } : {}) },
      });
      setConflict(null);
      onSaved(sql !== base.sql ? "Saved: the new SQL ran on the sandbox and its result is now the ground truth. The pair is pending again." : "Saved the question.");
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        try {
          setConflict(await apiFetch<PairDetail>(`/api/projects/${projectId}/pairs/${pair.id}`));
        } catch {
          onError((error as Error).message);
        }
      } else onError((error as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="space-y-3">
      {conflict && (
        <section role="alertdialog" aria-label="Conflicting edit" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 shadow-sm">
          <p className="font-medium">
            Someone else saved this pair while you were editing it (now revision {conflict.revision}, {conflict.reviewState}). Nothing of yours was saved yet.
          </p>
          <div className="mt-3 grid gap-3 md:grid-cols-2">
            {[
              { title: "Their version (saved)", q: conflict.question, s: conflict.sql },
              { title: "Your version (not saved)", q: question, s: sql },
            ].map((v) => (
              <div key={v.title} className="rounded-md border border-amber-200 bg-white p-2">
                <div className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{v.title}</div>
                {/* What differs between the two versions is highlighted on both sides. */}
                <p className={cn("text-sm", conflict.question !== question && "rounded bg-amber-100 px-1")}>{v.q}</p>
                <code className={cn("mt-1 block whitespace-pre-wrap font-mono text-xs", conflict.sql !== sql && "rounded bg-amber-100 px-1")}>{v.s}</code>
              </div>
            ))}
          </div>
          <div className="mt-3 flex flex-wrap gap-2">
            <button type="button" className={buttonClass("primary")} disabled={busy !== null} onClick={() => save(conflict)}>
              Save mine over theirs
            </button>
            <button
              type="button"
              className={buttonClass("secondary")}
              onClick={() => {
                setConflict(null);
                onSaved("Kept their version; your edit was discarded.");
              }}
            >
              Keep theirs
            </button>
          </div>
        </section>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <div className="mb-2 flex flex-wrap items-center gap-2 text-xs">
          <Badge tone={stateTone(pair.reviewState)}>{pair.reviewState}</Badge>
          <ComplexityBadge complexity={pair.complexity} />
          <Badge>{pair.shape}</Badge>
          <Badge>{pair.style}</Badge>
          <span className="text-slate-400">revision {pair.revision}</span>
        </div>
        <label htmlFor="question" className="text-xs font-medium uppercase tracking-wide text-slate-500">
          Question
        </label>
        <textarea id="question" ref={questionRef} className={cn(inputClass, "mt-1 text-base")} rows={2} value={question} onChange={(e) => setQuestion(e.target.value)} />
        <label htmlFor="sql" className="mt-3 block text-xs font-medium uppercase tracking-wide text-slate-500">
          SQL
        </label>
        <textarea
          id="sql"
          ref={sqlRef}
          spellCheck={false}
          className={cn(inputClass, "mt-1 font-mono text-xs")}
          rows={Math.min(14, Math.max(4, sql.split("\n").length + 1))}
          value={sql}
          onChange={(e) => setSql(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              void runSql();
            }
          }}
        />
        {pair.lintFlags.length > 0 && (
          <ul className="mt-2 space-y-0.5 text-xs text-amber-800">
            {pair.lintFlags.map((f) => (
              <li key={f.code}>⚠ {f.message}</li>
            ))}
          </ul>
        )}
        {!canReview && <p className="mt-3 text-sm text-slate-500">Your role can read pairs but not decide on them.</p>}
        {canReview && <div className="mt-3 flex flex-wrap items-center gap-2">
          <button className={buttonClass("primary")} onClick={() => void onDecide("approve")} disabled={dirty || busy !== null} title={dirty ? "Save or discard your edit first" : "Approve (a)"}>
            Approve <kbd className="ml-1 bg-brand-50">a</kbd>
          </button>
          <button className={buttonClass("danger")} onClick={() => void onDecide("reject")} disabled={dirty || busy !== null} title="Reject (r)">
            Reject <kbd className="ml-1">r</kbd>
          </button>
          {pair.reviewState !== "pending" && (
            <button className={buttonClass("secondary")} onClick={() => void onDecide("reopen")} disabled={dirty || busy !== null}>
              Reopen
            </button>
          )}
          <span className="mx-1 h-5 w-px bg-slate-200" />
          <button className={buttonClass("secondary")} onClick={() => void runSql()} disabled={busy !== null}>
            {busy === "run" ? "Running…" : "Run SQL"}
          </button>
          <button className={buttonClass("secondary")} onClick={() => void save()} disabled={!dirty || busy !== null}>
            {busy === "save" ? "Saving…" : "Save edit"}
          </button>
          {dirty && (
            <button
              className={buttonClass("ghost")}
              onClick={() => {
                setQuestion(pair.question);
                setSql(pair.sql);
              }}
            >
              Discard
            </button>
          )}
        </div>}
      </section>
      {(run || runError) && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
          <h3 className="mb-2 text-sm font-semibold text-slate-900">Your run</h3>
          {runError ? (
            <p role="alert" className="text-sm text-rose-700">
              {runError}
            </p>
          ) : (
            run && (
              <>
                <p className="mb-2 text-xs text-slate-500">
                  {plural(run.rowCount, "row")}{run.truncated ? " (cut at 500)" : ""} in {run.elapsedMs} ms
                </p>
                <ResultTable columns={run.columns.map((c) => c.name)} rows={run.rows} maxRows={20} />
              </>
            )
          )}
        </section>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h3 className="mb-2 text-sm font-semibold text-slate-900">Ground truth on the sandbox</h3>
        {pair.executionError ? (
          <p className="text-sm text-rose-700">{pair.executionError}</p>
        ) : pair.result ? (
          <>
            <p className="mb-2 text-xs text-slate-500">{plural(pair.result.rows.length, "row")}</p>
            <ResultTable columns={pair.result.columns} rows={pair.result.rows} maxRows={20} />
          </>
        ) : (
          <p className="text-sm text-slate-500">Not executed yet.</p>
        )}
      </section>
      {pair.events.length > 0 && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
          <h3 className="mb-2 text-sm font-semibold text-slate-900">History</h3>
          <ul className="space-y-0.5 text-xs text-slate-600">
            {pair.events.map((e) => (
              <li key={e.id}>
                <span className="tabular-nums text-slate-400">{e.createdAt.slice(0, 19).replace("T", " ")}</span> · {e.action.replace("_", " ")} → revision {e.revision}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
