"use client";

import { useId, useRef, useState, type KeyboardEvent } from "react";
import { AccuracyBars, type BarRow } from "@/components/charts/accuracy-bars";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { ERROR_CLASS_LABELS, HALLUCINATION_CLASSES } from "@/lib/evaluation/error-class";
import type { GroupScore } from "@/lib/evaluation/scorecard-types";
import { UNKNOWN_GROUP } from "@/lib/evaluation/scorecard";
import { useRun } from "./run-context";
import { count, pct } from "./format";

// Where the run is right and wrong: accuracy per group with its interval, and why answers failed.

type Dimension = "complexity" | "shape" | "table" | "style" | "source";

const DIMENSION_LABELS: Record<Dimension, string> = { complexity: "Complexity", shape: "Shape", table: "Table", style: "Question style", source: "Source" };

/** Tables can run to dozens; the rest are one click away. */
const TABLE_LIMIT = 20;

function groupLabel(dimension: Dimension, key: string): string {
  if (key === UNKNOWN_GROUP) return dimension === "style" ? "unknown style" : dimension === "shape" ? "unknown shape" : "unknown";
  if (dimension === "source") return key === "regression" ? "Regression set" : key === "scope" ? "Run scope" : key;
  return dimension === "table" ? key : key.replace(/_/g, " ");
}

/** Groups keep the scorecard's order (the one exports and the compare page use too). */
function toRows(dimension: Dimension, groups: GroupScore[]): BarRow[] {
  return groups.map((g) => ({
    key: g.key,
    label: groupLabel(dimension, g.key),
    values: [{ accuracy: g.accuracy, low: g.interval.low, high: g.interval.high, correct: g.correct, total: g.total }],
  }));
}

export function BreakdownCard() {
  const { run } = useRun();
  const card = run.scorecard;
  const hasRegression = card.bySource.some((g) => g.key === "regression" && g.total > 0);
  const dimensions: Dimension[] = ["complexity", "shape", "table", "style", ...(hasRegression ? (["source"] as const) : [])];
  const [picked, setPicked] = useState<Dimension>("complexity");
  const [allTables, setAllTables] = useState(false);
  const active = dimensions.includes(picked) ? picked : "complexity";
  const baseId = useId();
  const tabRefs = useRef(new Map<Dimension, HTMLButtonElement>());

  const groups: Record<Dimension, GroupScore[]> = { complexity: card.byComplexity, shape: card.byShape, table: card.byTable, style: card.byStyle, source: card.bySource };
  let rows = toRows(active, groups[active]);
  const hiddenTables = active === "table" && !allTables ? Math.max(0, rows.length - TABLE_LIMIT) : 0;
  if (hiddenTables > 0) rows = rows.slice(0, TABLE_LIMIT);

  // Arrow keys move between tabs, as in any tab list.
  function onTabKey(e: KeyboardEvent<HTMLButtonElement>) {
    const at = dimensions.indexOf(active);
    const next = e.key === "ArrowRight" ? at + 1 : e.key === "ArrowLeft" ? at - 1 : e.key === "Home" ? 0 : e.key === "End" ? dimensions.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const target = dimensions[(next + dimensions.length) % dimensions.length];
    setPicked(target);
    tabRefs.current.get(target)?.focus();
  }

  return (
    <Card title="Accuracy by group" description="Each bar with its 95% interval: a wide whisker means too few items to tell.">
      <div role="tablist" aria-label="Group by" className="mb-4 flex flex-wrap gap-1 border-b border-slate-100 pb-2">
        {dimensions.map((d) => (
          <button
            key={d}
            ref={(el) => {
              if (el) tabRefs.current.set(d, el);
              else tabRefs.current.delete(d);
            }}
            id={`${baseId}-tab-${d}`}
            type="button"
            role="tab"
            aria-selected={active === d}
            aria-controls={`${baseId}-panel`}
            tabIndex={active === d ? 0 : -1}
            onClick={() => setPicked(d)}
            onKeyDown={onTabKey}
            className={cn("rounded px-2 py-1 text-sm font-medium", active === d ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}
          >
            {DIMENSION_LABELS[d]}
          </button>
        ))}
      </div>
      <div id={`${baseId}-panel`} role="tabpanel" aria-labelledby={`${baseId}-tab-${active}`}>
        <AccuracyBars rows={rows} series={[{ name: run.label || run.endpoint.name, color: "bg-brand-500" }]} label={`Accuracy by ${DIMENSION_LABELS[active].toLowerCase()}`} />
        {active === "source" && <p className="mt-3 text-xs text-slate-500">Regression-set items were answered because they are in the project's regression set (questions an earlier run got wrong), whatever this run's scope.</p>}
        {active === "table" && <p className="mt-3 text-xs text-slate-500">An item counts under every table its gold SQL reads.</p>}
        {hiddenTables > 0 && (
          <button type="button" className="mt-2 text-sm font-medium text-brand-700 hover:underline" onClick={() => setAllTables(true)}>
            Show {count(hiddenTables)} more table{hiddenTables === 1 ? "" : "s"}
          </button>
        )}
      </div>
    </Card>
  );
}

/** Why answers failed, largest class first; a click narrows the list below to that class. */
export function ErrorClassCard() {
  const { run, filter, setFilter } = useRun();
  const errors = run.scorecard.errors;
  const max = Math.max(1, ...errors.map((e) => e.count));
  return (
    <Card title="Why answers failed" description="Count and share of scored items; bars are relative to the largest class. Hallucinations name a table or column the schema lacks.">
      {errors.length === 0 ? (
        <p className="text-sm text-slate-500">No failures.</p>
      ) : (
        <ul className="space-y-1" aria-label="Failures by class">
          {errors.map((e) => {
            const hallucination = HALLUCINATION_CLASSES.includes(e.errorClass);
            const label = ERROR_CLASS_LABELS[e.errorClass] ?? e.label;
            const current = filter.errorClass === e.errorClass;
            return (
              <li key={e.errorClass}>
                <button
                  type="button"
                  className={cn("grid w-full grid-cols-[minmax(0,1fr)_6.5rem] items-center gap-x-3 gap-y-1 rounded px-1.5 py-1 text-left text-sm hover:bg-slate-50", current && "bg-brand-50")}
                  aria-pressed={current}
                  title={current ? "Show every class again" : "Show only these questions in the list below"}
                  onClick={() => {
                    setFilter({ errorClass: current ? "" : e.errorClass, outcome: "all" });
                    if (!current) document.getElementById("per-question-results")?.scrollIntoView({ behavior: "smooth", block: "start" });
                  }}
                >
                  <span className="flex min-w-0 items-center gap-1.5">
                    <span className={cn("truncate", hallucination ? "font-medium text-rose-800" : "text-slate-700")}>{label}</span>
                    {hallucination && <Badge tone="red">hallucination</Badge>}
                  </span>
                  <span className="text-right text-xs tabular-nums text-slate-600">
                    {count(e.count)} <span className="text-slate-400">· {pct(e.rate)}</span>
                  </span>
                  <span className="col-span-2 block h-2 rounded bg-slate-100" aria-hidden>
                    <span className={cn("block h-2 rounded", hallucination ? "bg-rose-500" : "bg-slate-400")} style={{ width: `${(e.count / max) * 100}%` }} />
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
