"use client";

import { useDeferredValue, useEffect, useId, useMemo, useRef, useState } from "react";
import { Card } from "@/components/ui/card";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass, inputClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { COMPLEXITIES } from "@/lib/queries/complexity";
import { NO_FILTER, useRun, type OutcomeFilter, type RunResult } from "./run-context";
import { ItemDetail, errorClassLabel, errorClassOf, isHallucination } from "./item-detail";
import { count } from "./format";

/** The filter row's inputs sit side by side: the form input without its full width. */
const compactInput = `${inputClass.replace(/\bw-full\b/, "")} py-1 text-xs`;

// Every question of the run, filterable, with one opened beside the list. Runs can hold thousands
// of items, so at most PAGE rows are rendered until the reader asks for more; filtering works on
// all of them. Keyboard: j / k move, Enter opens, Esc closes (not while typing in a field).

const PAGE = 200;
const OUTCOMES: { key: OutcomeFilter; label: string }[] = [
  { key: "all", label: "All" },
  { key: "correct", label: "Correct" },
  { key: "wrong", label: "Wrong" },
  { key: "error", label: "Error" },
];
const COMPLEXITY_ORDER: readonly string[] = COMPLEXITIES;

const NON_TEXT_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

/** Keys typed here are text, not shortcuts. */
function isTypingTarget(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && !NON_TEXT_INPUTS.has((el as HTMLInputElement).type);
}

/** Enter already acts on these (a click), so the page's own Enter must leave it alone. */
function handlesEnter(el: EventTarget | null): boolean {
  return el instanceof HTMLElement && el.closest("a, button, summary, [role='button'], [role='tab'], input") !== null;
}

function isFailing(r: RunResult): boolean {
  return r.outcome !== "correct";
}

export function ResultsPanel() {
  const { run, allowed, filter, setFilter, changeRegression } = useRun();
  const results = run.results;
  const hasStability = run.scorecard.stability !== null;
  const search = useDeferredValue(filter.search);
  const needle = search.trim().toLowerCase();
  const baseId = useId();

  // Everything but the outcome: what the outcome tabs count.
  const base = useMemo(
    () =>
      results.filter(
        (r) =>
          (filter.errorClass === "" || errorClassOf(r) === filter.errorClass) &&
          (filter.complexity === "" || r.complexity === filter.complexity) &&
          (!filter.flakyOnly || r.flaky) &&
          (needle === "" || r.question.toLowerCase().includes(needle)),
      ),
    [results, filter.errorClass, filter.complexity, filter.flakyOnly, needle],
  );
  const outcomeCounts = useMemo(() => {
    const c: Record<OutcomeFilter, number> = { all: base.length, correct: 0, wrong: 0, error: 0 };
    for (const r of base) if (r.outcome === "correct" || r.outcome === "wrong" || r.outcome === "error") c[r.outcome]++;
    return c;
  }, [base]);
  const shown = useMemo(() => (filter.outcome === "all" ? base : base.filter((r) => r.outcome === filter.outcome)), [base, filter.outcome]);

  const errorClassOptions = useMemo(() => countBy(results, (r) => errorClassOf(r) ?? "").filter((o) => o.key !== ""), [results]);
  const complexityOptions = useMemo(() => {
    const counts = countBy(results, (r) => r.complexity);
    const rank = (k: string) => (COMPLEXITY_ORDER.includes(k) ? COMPLEXITY_ORDER.indexOf(k) : COMPLEXITY_ORDER.length);
    return counts.sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
  }, [results]);

  // A new filter starts again from the first page of rows.
  const filterKey = `${filter.outcome}|${filter.errorClass}|${filter.complexity}|${filter.flakyOnly}|${needle}`;
  const [limit, setLimit] = useState(PAGE);
  const [limitKey, setLimitKey] = useState(filterKey);
  if (limitKey !== filterKey) {
    setLimitKey(filterKey);
    setLimit(PAGE);
  }
  const visible = shown.slice(0, limit);

  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const rowRefs = useRef(new Map<string, HTMLButtonElement>());
  const focusPending = useRef<string | null>(null);
  const revealPending = useRef(false);
  const detailRef = useRef<HTMLDivElement>(null);
  const selectedIndex = selectedId === null ? -1 : shown.findIndex((r) => r.itemId === selectedId);

  function open(itemId: string) {
    setSelectedId(itemId);
    setOpenId(itemId);
    revealPending.current = true;
  }

  function close() {
    setOpenId(null);
    if (selectedId) focusPending.current = selectedId;
  }

  function move(delta: 1 | -1) {
    if (shown.length === 0) return;
    const next = selectedIndex < 0 ? 0 : Math.max(0, Math.min(shown.length - 1, selectedIndex + delta));
    const target = shown[next];
    if (next >= limit) setLimit(Math.ceil((next + 1) / PAGE) * PAGE);
    setSelectedId(target.itemId);
    // An open detail follows the selection, so j / k step through answers.
    if (openId !== null) setOpenId(target.itemId);
    focusPending.current = target.itemId;
  }

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      if (e.key === "j" || e.key === "k") {
        e.preventDefault();
        move(e.key === "j" ? 1 : -1);
      } else if (e.key === "Enter") {
        if (handlesEnter(e.target) || selectedIndex < 0) return;
        e.preventDefault();
        open(shown[selectedIndex].itemId);
      } else if (e.key === "Escape" && openId !== null) {
        e.preventDefault();
        close();
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  // After a move or a close, the selected row takes the focus (rendering it first if it was past
  // the shown rows); after opening, the detail is scrolled into view when it is off screen.
  useEffect(() => {
    const pending = focusPending.current;
    if (pending) {
      const el = rowRefs.current.get(pending);
      if (el) {
        el.focus();
        el.scrollIntoView({ block: "nearest" });
        focusPending.current = null;
      }
    }
    if (revealPending.current && detailRef.current) {
      revealPending.current = false;
      const box = detailRef.current.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight - 80) detailRef.current.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  });

  const failingShown = useMemo(() => shown.filter((r) => isFailing(r) && !r.inRegression), [shown]);
  const [bulkBusy, setBulkBusy] = useState(false);
  const filtered = filter.outcome !== "all" || filter.errorClass !== "" || filter.complexity !== "" || filter.flakyOnly || filter.search !== "";

  return (
    <div id="per-question-results" className="scroll-mt-4">
      <Card
        title="Per-question results"
        description={`${count(results.length)} question${results.length === 1 ? "" : "s"} · j / k to move, Enter to open, Esc to close`}
        actions={
          allowed && failingShown.length > 0 ? (
            <button
              type="button"
              className={buttonClass("secondary", "text-xs")}
              disabled={bulkBusy}
              onClick={async () => {
                setBulkBusy(true);
                await changeRegression(
                  failingShown.map((r) => r.itemId),
                  true,
                );
                setBulkBusy(false);
              }}
            >
              {bulkBusy ? "Adding…" : `Add ${count(failingShown.length)} failing item${failingShown.length === 1 ? "" : "s"} shown to the regression set`}
            </button>
          ) : undefined
        }
      >
        <div className="mb-3 flex flex-wrap items-center gap-2">
          <div role="tablist" aria-label="Outcome" className="flex gap-1">
            {OUTCOMES.map((o) => (
              <button
                key={o.key}
                id={`${baseId}-outcome-${o.key}`}
                type="button"
                role="tab"
                aria-selected={filter.outcome === o.key}
                aria-controls={`${baseId}-list`}
                onClick={() => setFilter({ outcome: o.key })}
                className={cn("rounded px-2 py-1 text-xs font-medium", filter.outcome === o.key ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}
              >
                {o.label} <span className="tabular-nums text-slate-400">{count(outcomeCounts[o.key])}</span>
              </button>
            ))}
          </div>
          <select aria-label="Error class" className={cn(compactInput, "w-auto")} value={filter.errorClass} onChange={(e) => setFilter({ errorClass: e.target.value })}>
            <option value="">Every error class</option>
            {errorClassOptions.map((o) => (
              <option key={o.key} value={o.key}>
                {`${errorClassLabel(o.key)} (${count(o.count)})`}
              </option>
            ))}
          </select>
          <select aria-label="Complexity" className={cn(compactInput, "w-auto")} value={filter.complexity} onChange={(e) => setFilter({ complexity: e.target.value })}>
            <option value="">Every complexity</option>
            {complexityOptions.map((o) => (
              <option key={o.key} value={o.key}>
                {`${o.key.replace("_", " ")} (${count(o.count)})`}
              </option>
            ))}
          </select>
          <input
            type="search"
            aria-label="Search questions"
            placeholder="Search questions"
            className={cn(compactInput, "w-48")}
            value={filter.search}
            onChange={(e) => setFilter({ search: e.target.value })}
          />
          {hasStability && (
            <label className="flex items-center gap-1.5 text-xs text-slate-700">
              <input type="checkbox" className="accent-brand-600" checked={filter.flakyOnly} onChange={(e) => setFilter({ flakyOnly: e.target.checked })} />
              Flaky only
            </label>
          )}
          {filtered && (
            <button type="button" className="text-xs font-medium text-brand-700 hover:underline" onClick={() => setFilter(NO_FILTER)}>
              Clear filters
            </button>
          )}
        </div>

        <div className="grid gap-4 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <div id={`${baseId}-list`} role="tabpanel" aria-labelledby={`${baseId}-outcome-${filter.outcome}`} className="min-w-0">
            {shown.length === 0 ? (
              <p className="py-6 text-center text-sm text-slate-500">No question matches these filters.</p>
            ) : (
              <>
                <ul className="space-y-0.5" aria-label="Questions">
                  {visible.map((r) => (
                    <ResultRow
                      key={r.itemId}
                      result={r}
                      selected={r.itemId === selectedId}
                      opened={r.itemId === openId}
                      onOpen={() => open(r.itemId)}
                      buttonRef={(el) => {
                        if (el) rowRefs.current.set(r.itemId, el);
                        else rowRefs.current.delete(r.itemId);
                      }}
                    />
                  ))}
                </ul>
                <div className="mt-2 flex items-center justify-between gap-2 text-xs text-slate-500">
                  <span>
                    Showing {count(visible.length)} of {count(shown.length)}
                  </span>
                  {shown.length > visible.length && (
                    <button type="button" className={buttonClass("secondary", "text-xs")} onClick={() => setLimit((l) => l + PAGE)}>
                      Show {count(Math.min(PAGE, shown.length - visible.length))} more
                    </button>
                  )}
                </div>
              </>
            )}
          </div>
          <div ref={detailRef} className="order-first min-w-0 scroll-mt-4 xl:order-none xl:sticky xl:top-4 xl:max-h-[calc(100vh-2rem)] xl:self-start xl:overflow-auto">
            {openId ? (
              <ItemDetail key={openId} itemId={openId} onClose={close} />
            ) : (
              <p className="hidden rounded-lg border border-dashed border-slate-300 px-4 py-10 text-center text-sm text-slate-500 xl:block">
                Open a question to see the gold and the model&apos;s answer side by side.
              </p>
            )}
          </div>
        </div>
      </Card>
    </div>
  );
}

function ResultRow({ result: r, selected, opened, onOpen, buttonRef }: { result: RunResult; selected: boolean; opened: boolean; onOpen: () => void; buttonRef: (el: HTMLButtonElement | null) => void }) {
  const errorClass = errorClassOf(r);
  const label = errorClassLabel(errorClass);
  return (
    <li data-testid="eval-result" data-item-id={r.itemId} data-outcome={r.outcome} data-selected={selected || undefined}>
      <button
        ref={buttonRef}
        type="button"
        onClick={onOpen}
        aria-expanded={opened}
        aria-current={selected ? "true" : undefined}
        className={cn("block w-full rounded-md px-2 py-1.5 text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500", selected ? "bg-brand-50 ring-1 ring-brand-100" : "hover:bg-slate-50")}
      >
        <span className="flex flex-wrap items-center gap-1">
          <Badge tone={stateTone(r.outcome)}>{r.outcome}</Badge>
          {label && <Badge tone={isHallucination(errorClass) ? "red" : "gray"}>{label}</Badge>}
          {r.suiteMatch === false && (
            <Badge tone="amber" title="Right on the sandbox, wrong on a test-suite variant">
              coincidence
            </Badge>
          )}
          {r.cached && (
            <Badge tone="blue" title="Answered from the response cache: no call was made">
              cached
            </Badge>
          )}
          {r.flaky && (
            <Badge tone="amber" title="Repeats of this question did not all get the same outcome">
              flaky
            </Badge>
          )}
          {(r.source === "regression" || r.inRegression) && (
            <Badge tone="teal" title={r.inRegression ? "In the project's regression set" : "Answered because it was in the regression set"}>
              regression
            </Badge>
          )}
          <ComplexityBadge complexity={r.complexity} />
          <Similarity value={r.similarity} />
        </span>
        <span className="mt-1 line-clamp-2 block text-sm text-slate-800">{r.question}</span>
        {r.outcome !== "correct" && r.reason && <span className="block truncate text-xs text-slate-500">{r.reason}</span>}
      </button>
    </li>
  );
}

function Similarity({ value }: { value: number }) {
  const v = Math.max(0, Math.min(1, value));
  return (
    <span className="ml-auto inline-flex items-center gap-1 text-[0.65rem] tabular-nums text-slate-500" title={`Similarity of the model's SQL to the gold: ${v.toFixed(2)}`}>
      <span className="sr-only">similarity</span>
      <span className="block h-1.5 w-10 rounded bg-slate-100" aria-hidden>
        <span className="block h-1.5 rounded bg-slate-400" style={{ width: `${v * 100}%` }} />
      </span>
      {v.toFixed(2)}
    </span>
  );
}

function countBy(rows: RunResult[], key: (r: RunResult) => string): { key: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return [...counts].map(([k, c]) => ({ key: k, count: c })).sort((a, b) => b.count - a.count);
}
