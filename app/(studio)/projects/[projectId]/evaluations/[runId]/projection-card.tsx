"use client";

import { useId, useMemo } from "react";
import { monthlyProjection } from "@/lib/evaluation/scorecard";
import { Card } from "@/components/ui/card";
import { inputClass, labelClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useRun } from "./run-context";
import { count, formatUsd } from "./format";

/** What the endpoint would cost and get wrong at a monthly workload, at this run's rates. */
export function ProjectionCard() {
  const { run, monthly } = useRun();
  const inputId = useId();
  const errorId = useId();
  const card = run.scorecard;
  const projection = useMemo(() => monthlyProjection(card, monthly.value), [card, monthly.value]);
  const baseline = run.endpoint.kind === "retrieval_baseline";
  const n = projection.questionsPerMonth;
  // The interval on accuracy bounds the failures too: fewest at its top, most at its bottom.
  const failLow = n * (1 - card.interval.high);
  const failHigh = n * (1 - card.interval.low);
  return (
    <Card title="Monthly projection" description="At this run's mean cost, tokens and accuracy per question.">
      <div className="space-y-3">
        <div>
          <label htmlFor={inputId} className={labelClass}>
            Questions per month
          </label>
          <input
            id={inputId}
            type="text"
            inputMode="numeric"
            autoComplete="off"
            className={cn(inputClass, monthly.error && "border-rose-400 focus:border-rose-500 focus:ring-rose-100")}
            value={monthly.text}
            onChange={(e) => monthly.setText(e.target.value)}
            aria-invalid={monthly.error ? true : undefined}
            aria-describedby={monthly.error ? errorId : undefined}
          />
          {monthly.error && (
            <p id={errorId} className="mt-1 text-xs text-rose-700">
              {monthly.error} Showing {count(monthly.value)}, the last valid number.
            </p>
          )}
        </div>
        <dl className={cn("grid grid-cols-1 gap-3 text-sm", monthly.error && "opacity-60")} data-testid="monthly-projection">
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Projected cost</dt>
            <dd className="text-lg font-semibold tabular-nums text-slate-900">
              {baseline ? "free (built in)" : card.cost.priced ? `${formatUsd(projection.costUsd)} a month` : "not priced"}
            </dd>
            {!baseline && !card.cost.priced && <dd className="text-xs text-slate-500">Add prices to the endpoint to project its cost.</dd>}
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Tokens</dt>
            <dd className="text-lg font-semibold tabular-nums text-slate-900">{count(projection.promptTokens + projection.completionTokens)}</dd>
            <dd className="text-xs text-slate-500">
              {count(projection.promptTokens)} prompt · {count(projection.completionTokens)} completion
            </dd>
          </div>
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Expected failed answers</dt>
            <dd className="text-lg font-semibold tabular-nums text-slate-900">{count(projection.expectedFailures)}</dd>
            <dd className="text-xs text-slate-500">
              of {count(n)} · 95% CI {count(failLow)} – {count(failHigh)}
            </dd>
          </div>
        </dl>
      </div>
    </Card>
  );
}
