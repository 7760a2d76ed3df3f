"use client";

// The detail pane of the review workspace: the question and SQL editors, Run with the stored and
// the new result side by side, decisions with a reason and flags, comments, history, schema, and
// the conflict view when someone else saved first.
import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { ApiError, apiFetch } from "@/components/api";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass, inputClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { ResultTable } from "@/components/ui/result-table";
import { SqlEditor, type SqlEditorHandle } from "@/components/sql-editor";
import { ResultDiff } from "@/components/result-diff";
import { PAIR_FLAG_LABELS, PAIR_FLAGS, REJECT_REASON_LABELS, REJECT_REASONS, type PairFlag, type RejectReason } from "@/lib/review/flags";
import { ChoiceMenu } from "./choice-menu";
import { PairHistory } from "./pair-history";
import { plural, type PairDetail, type RunResult, type SchemaTables } from "./types";

export type DecideAction = "approve" | "reject" | "reopen" | "flag";
export interface DecideExtra {
  reason?: RejectReason;
  flags?: PairFlag[];
}

export interface PairEditorHandle {
  focusSql(): void;
  focusQuestion(): void;
  focusComment(): void;
  run(): void;
  openReject(): void;
  openFlags(): void;
  toggleHistory(): void;
  isDirty(): boolean;
}

interface Props {
  projectId: string;
  pair: PairDetail;
  canReview: boolean;
  schema: SchemaTables;
  onDecide: (action: DecideAction, extra?: DecideExtra) => void;
  onSaved: (text: string, opts?: { next?: boolean }) => void;
  onNotice: (tone: "ok" | "error", text: string) => void;
  /** Whether the history is open; held by the workspace so a save (which remounts this) keeps it. */
  historyOpen: boolean;
  onToggleHistory: () => void;
}

export const PairEditor = forwardRef<PairEditorHandle, Props>(function PairEditor({ projectId, pair, canReview, schema, onDecide, onSaved, onNotice, historyOpen: showHistory, onToggleHistory }, ref) {
  const queryClient = useQueryClient();
  const [question, setQuestion] = useState(pair.question);
  const [sql, setSql] = useState(pair.sql);
  const [run, setRun] = useState<RunResult | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"run" | "save" | null>(null);
  const [menu, setMenu] = useState<"reject" | "flags" | null>(null);
  const [showSchema, setShowSchema] = useState(false);
  const [comment, setComment] = useState("");
  const [commentError, setCommentError] = useState<string | null>(null);
  // A save refused because someone else saved first: their version, to merge with or to keep.
  const [conflict, setConflict] = useState<PairDetail | null>(null);
  const sqlRef = useRef<SqlEditorHandle>(null);
  const questionRef = useRef<HTMLTextAreaElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const dirty = question !== pair.question || sql !== pair.sql;

  useImperativeHandle(ref, () => ({
    focusSql: () => sqlRef.current?.focus(),
    focusQuestion: () => questionRef.current?.focus(),
    focusComment: () => commentRef.current?.focus(),
    run: () => void runSql(),
    openReject: () => canReview && setMenu("reject"),
    openFlags: () => canReview && setMenu("flags"),
    toggleHistory: onToggleHistory,
    isDirty: () => dirty,
  }));

  async function runSql() {
    if (!sql.trim()) {
      setRunError("Type a query first.");
      return;
    }
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

  async function save(base: { revision: number; question: string; sql: string } = pair, next = false) {
    if (!dirty && base === pair) {
      if (next) onSaved("Nothing to save; moved on.", { next: true });
      return;
    }
    if (!question.trim()) {
      setSaveError("The question is empty. Write the question this SQL answers, then save.");
      return;
    }
    setBusy("save");
    setSaveError(null);
    try {
      await apiFetch(`/api/projects/${projectId}/pairs/${pair.id}`, {
        method: "PATCH",
        body: { revision: base.revision, ...(question !== base.question ? { question } : {}), ...(sql !== base.sql ? { sql } : {}) },
      });
      setConflict(null);
      onSaved(sql !== base.sql ? "Saved: the new SQL ran on the sandbox and its result is now the ground truth. The pair is pending again." : "Saved the question.", { next });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        try {
          setConflict(await apiFetch<PairDetail>(`/api/projects/${projectId}/pairs/${pair.id}`));
        } catch {
          setSaveError((error as Error).message);
        }
      } else setSaveError((error as Error).message);
    } finally {
      setBusy(null);
    }
  }

  async function postComment() {
    if (!comment.trim()) {
      setCommentError("Write something first.");
      return;
    }
    setCommentError(null);
    try {
      await apiFetch(`/api/projects/${projectId}/pairs/${pair.id}/comments`, { body: { body: comment } });
      setComment("");
      commentRef.current?.blur();
      onNotice("ok", "Comment added.");
      await queryClient.invalidateQueries({ queryKey: ["pair", projectId, pair.id] });
    } catch (error) {
      setCommentError((error as Error).message);
    }
  }

  function toggleFlag(flag: PairFlag) {
    const flags = pair.flags.includes(flag) ? pair.flags.filter((f) => f !== flag) : [...pair.flags, flag];
    onDecide("flag", { flags });
  }

  // Editor shortcuts, caught before the editors see them: Ctrl+Enter runs, Ctrl+S saves,
  // Ctrl+Shift+Enter saves and moves on.
  function onKeyDownCapture(e: React.KeyboardEvent) {
    const mod = e.ctrlKey || e.metaKey;
    if (!mod) return;
    if (e.key === "Enter" && e.shiftKey) {
      e.preventDefault();
      e.stopPropagation();
      if (canReview) void save(pair, true);
    } else if (e.key === "Enter" && (e.target as HTMLElement).closest("[data-editor]")) {
      e.preventDefault();
      e.stopPropagation();
      void runSql();
    } else if (e.key.toLowerCase() === "s") {
      e.preventDefault();
      e.stopPropagation();
      if (canReview) void save();
    }
  }

  const pairTables = schema.tables.filter((t) => pair.tables.some((name) => name.toLowerCase() === t.name.toLowerCase()));

  return (
    <div className="space-y-3" data-pair={pair.id} onKeyDownCapture={onKeyDownCapture}>
      {conflict && (
        <section role="alertdialog" aria-label="Conflicting edit" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950 shadow-sm">
          <p className="font-medium">
            Someone else saved this pair while you were editing it (now revision {conflict.revision}, {conflict.reviewState}
            {conflict.reviewedBy ? `, by ${conflict.reviewedBy}` : ""}). Nothing of yours was saved yet.
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
          {pair.rejectReason && <Badge tone="red">{REJECT_REASON_LABELS[pair.rejectReason as RejectReason] ?? pair.rejectReason}</Badge>}
          <ComplexityBadge complexity={pair.complexity} />
          <Badge>{pair.shape.replaceAll("_", " ")}</Badge>
          <Badge title="question style">{pair.style}</Badge>
          <Badge title="where the SQL came from">{pair.origin}</Badge>
          {pair.questionSource !== "template" && <Badge title="who wrote the question">question: {pair.questionSource}</Badge>}
          {pair.roundTripStatus && (
            <Badge tone={pair.roundTripStatus === "consistent" ? "green" : "amber"} title={pair.roundTrip?.reason ?? undefined}>
              round trip: {pair.roundTripStatus}
            </Badge>
          )}
          <span className="ml-auto text-slate-400">
            revision {pair.revision}
            {pair.reviewedBy ? ` · last by ${pair.reviewedBy}` : ""}
            {pair.assignee ? ` · assigned to ${pair.assignee}` : ""}
          </span>
        </div>
        <label htmlFor="question" className="text-xs font-medium uppercase tracking-wide text-slate-500">
          Question
        </label>
        <textarea
          id="question"
          data-editor
          ref={questionRef}
          className={cn(inputClass, "mt-1 text-base")}
          rows={2}
          value={question}
          readOnly={!canReview}
          onChange={(e) => setQuestion(e.target.value)}
          aria-invalid={saveError !== null && !question.trim()}
        />
        <div className="mt-3 flex items-center justify-between">
          <span className="text-xs font-medium uppercase tracking-wide text-slate-500" id="sql-label">
            SQL
          </span>
          <button type="button" className="text-xs text-slate-500 hover:text-slate-800" onClick={() => setShowSchema((v) => !v)} aria-expanded={showSchema}>
            {showSchema ? "Hide schema" : "Schema"}
          </button>
        </div>
        <div className={cn("mt-1", showSchema && "grid gap-2 md:grid-cols-[minmax(0,1fr)_14rem]")}>
          <div data-editor>
            <SqlEditor ref={sqlRef} id="sql" ariaLabel="SQL" value={sql} onChange={setSql} schema={schema} readOnly={!canReview} onEscape={() => undefined} />
          </div>
          {showSchema && (
            <aside aria-label="Schema" className="max-h-72 overflow-y-auto rounded-md border border-slate-200 bg-slate-50 p-2 text-xs">
              {(pairTables.length ? pairTables : schema.tables).map((t) => (
                <div key={t.name} className="mb-2">
                  <p className="font-mono font-semibold text-slate-800">{t.name}</p>
                  <ul className="ml-2 font-mono text-slate-600">
                    {t.columns.map((c) => (
                      <li key={c.name}>
                        {c.name} <span className="text-slate-400">{c.type?.toLowerCase()}</span>
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
              {pairTables.length > 0 && pairTables.length < schema.tables.length && <p className="text-slate-400">Tables this SQL reads; completion knows all {schema.tables.length}.</p>}
            </aside>
          )}
        </div>
        {pair.lintFlags.length > 0 && (
          <ul className="mt-2 space-y-0.5 text-xs text-amber-800" aria-label="Lint flags">
            {pair.lintFlags.map((f) => (
              <li key={f.code}>⚠ {f.message}</li>
            ))}
          </ul>
        )}
        {saveError && (
          <p role="alert" className="mt-2 rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            {saveError}
          </p>
        )}
        {!canReview && <p className="mt-3 text-sm text-slate-500">Your role can read pairs but not decide on them.</p>}
        {canReview && (
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <button className={buttonClass("primary")} onClick={() => onDecide("approve")} disabled={dirty || busy !== null} title={dirty ? "Save or discard your edit first" : "Approve (a)"}>
              Approve <kbd className="ml-1 bg-brand-50">a</kbd>
            </button>
            <button className={buttonClass("danger")} onClick={() => setMenu(menu === "reject" ? null : "reject")} disabled={dirty || busy !== null} title="Reject with a reason (r)" aria-expanded={menu === "reject"}>
              Reject… <kbd className="ml-1">r</kbd>
            </button>
            {pair.reviewState !== "pending" && (
              <button className={buttonClass("secondary")} onClick={() => onDecide("reopen")} disabled={dirty || busy !== null} title="Reopen (u)">
                Reopen
              </button>
            )}
            <button className={buttonClass("ghost")} onClick={() => setMenu(menu === "flags" ? null : "flags")} aria-expanded={menu === "flags"} title="Flags (f)">
              Flags{pair.flags.length ? ` · ${pair.flags.length}` : ""}
            </button>
            <span className="mx-1 h-5 w-px bg-slate-200" />
            <button className={buttonClass("secondary")} onClick={() => void runSql()} disabled={busy !== null} title="Run (Ctrl+Enter)">
              {busy === "run" ? "Running…" : "Run SQL"}
            </button>
            <button className={buttonClass("secondary")} onClick={() => void save()} disabled={!dirty || busy !== null} title="Save (Ctrl+S)">
              {busy === "save" ? "Saving…" : "Save edit"}
            </button>
            <button className={buttonClass("ghost")} onClick={() => void save(pair, true)} disabled={!dirty || busy !== null} title="Save and next (Ctrl+Shift+Enter)">
              Save & next
            </button>
            {dirty && (
              <button
                className={buttonClass("ghost")}
                onClick={() => {
                  setQuestion(pair.question);
                  setSql(pair.sql);
                  setSaveError(null);
                }}
              >
                Discard
              </button>
            )}
          </div>
        )}
        {pair.flags.length > 0 && (
          <p className="mt-2 flex flex-wrap gap-1 text-xs" aria-label="Flags on this pair">
            {pair.flags.map((f) => (
              <Badge key={f} tone="red">
                {PAIR_FLAG_LABELS[f]}
              </Badge>
            ))}
          </p>
        )}
        {menu === "reject" && (
          <ChoiceMenu
            label="Reject because…"
            options={REJECT_REASONS.map((r) => ({ value: r, label: REJECT_REASON_LABELS[r] }))}
            onPick={(reason) => {
              setMenu(null);
              onDecide("reject", { reason });
            }}
            enterHint="reject without a reason"
            onEnter={() => {
              setMenu(null);
              onDecide("reject");
            }}
            onClose={() => setMenu(null)}
          />
        )}
        {menu === "flags" && (
          <ChoiceMenu label="Flags" options={PAIR_FLAGS.map((f) => ({ value: f, label: PAIR_FLAG_LABELS[f] }))} selected={pair.flags} onPick={toggleFlag} onClose={() => setMenu(null)} />
        )}
      </section>
      {(run || runError) && (
        <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="Your run">
          <h3 className="mb-2 text-sm font-semibold text-slate-900">Your run</h3>
          {runError ? (
            <p role="alert" className="text-sm text-rose-700">
              {runError}
            </p>
          ) : (
            run && (
              <>
                <p className="mb-2 text-xs text-slate-500">
                  {plural(run.rowCount, "row")}
                  {run.truncated ? " (cut at 500)" : ""} in {run.elapsedMs} ms
                </p>
                {pair.result ? (
                  <ResultDiff stored={pair.result} edited={{ columns: run.columns.map((c) => c.name), rows: run.rows }} orderMatters={pair.orderMatters} editedTruncated={run.truncated} />
                ) : (
                  <ResultTable columns={run.columns.map((c) => c.name)} rows={run.rows} maxRows={20} />
                )}
              </>
            )
          )}
        </section>
      )}
      {!run && (
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
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="Comments">
        <h3 className="mb-2 text-sm font-semibold text-slate-900">Comments{pair.comments.length ? ` (${pair.comments.length})` : ""}</h3>
        {pair.comments.length === 0 && <p className="mb-2 text-xs text-slate-500">No comments yet. Press c to write one: a note for the next reviewer or the data lead.</p>}
        <ul className="mb-2 space-y-2">
          {pair.comments.map((c) => (
            <li key={c.id} className="text-sm">
              <span className="font-medium text-slate-800">{c.author}</span> <span className="text-xs text-slate-400">{c.createdAt.slice(0, 16).replace("T", " ")}</span>
              <p className="whitespace-pre-wrap text-slate-700">{c.body}</p>
            </li>
          ))}
        </ul>
        {canReview && (
          <div className="flex items-start gap-2">
            <textarea
              ref={commentRef}
              aria-label="New comment"
              className={cn(inputClass, "text-sm")}
              rows={1}
              placeholder="Add a comment… (Ctrl+Enter to post)"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              onKeyDownCapture={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.shiftKey) {
                  e.preventDefault();
                  e.stopPropagation();
                  void postComment();
                }
              }}
            />
            <button type="button" className={buttonClass("secondary")} onClick={() => void postComment()}>
              Post
            </button>
          </div>
        )}
        {commentError && (
          <p role="alert" className="mt-1 text-sm text-rose-700">
            {commentError}
          </p>
        )}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <button type="button" className="flex w-full items-center justify-between text-sm font-semibold text-slate-900" onClick={onToggleHistory} aria-expanded={showHistory}>
          History <span className="text-xs font-normal text-slate-500">{showHistory ? "hide" : "show (h)"}</span>
        </button>
        {showHistory && (
          <div className="mt-2">
            <PairHistory projectId={projectId} pairId={pair.id} revision={pair.revision} />
          </div>
        )}
      </section>
    </div>
  );
});
