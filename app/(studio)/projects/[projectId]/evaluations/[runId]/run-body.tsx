"use client";

import { EmptyState } from "@/components/ui/card";
import { useRun } from "./run-context";
import { HeadlineStats } from "./headline-stats";
import { ProjectionCard } from "./projection-card";
import { BreakdownCard, ErrorClassCard } from "./breakdowns";
import { ResultsPanel } from "./results-panel";
import { isLive } from "./format";

/** The scorecard once the run has answers; until then, what to expect. */
export function RunBody() {
  const { run } = useRun();
  if (run.results.length === 0) {
    return (
      <EmptyState title="No answers yet">
        {isLive(run.status)
          ? "The scorecard fills in as the model answers; this page refreshes by itself."
          : run.status === "failed"
            ? "Start a new run once the cause above is fixed."
            : run.status === "cancelled"
              ? "The run was cancelled before any answer was scored."
              : "This run scored no answer: its scope held no item."}
      </EmptyState>
    );
  }
  return (
    <div className="space-y-6">
      <HeadlineStats />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <BreakdownCard />
        </div>
        <div className="space-y-6">
          <ProjectionCard />
          <ErrorClassCard />
        </div>
      </div>
      <ResultsPanel />
    </div>
  );
}
