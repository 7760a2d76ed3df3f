"use client";

import { Stat } from "@/components/ui/card";
import { useRun } from "./run-context";
import { count, formatMs, formatUsd, pct, plural } from "./format";

/** The figures a data lead reads first, each with what it is measured over. */
export function HeadlineStats() {
  const { run } = useRun();
  const card = run.scorecard;
  const baseline = run.endpoint.kind === "retrieval_baseline";
  const coincidence = card.suite ? card.correct - card.suite.correct : 0;
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5" data-testid="headline-stats">
      <Stat
        label="Execution accuracy"
        value={pct(card.accuracy)}
        hint={`95% CI ${pct(card.interval.low)} – ${pct(card.interval.high)} · ${count(card.correct)} / ${count(card.total)} right`}
      />
      <Stat
        label="Test-suite accuracy"
        value={card.suite ? pct(card.suite.accuracy) : "–"}
        hint={
          card.suite
            ? `95% CI ${pct(card.suite.interval.low)} – ${pct(card.suite.interval.high)} · ${count(coincidence)} right by coincidence (${plural(card.suite.variants, "variant")})`
            : "no variants: the sandbox has no test-suite variants"
        }
      />
      <Stat label="Exact match" value={pct(card.exactMatchRate)} hint="normalised SQL equal to the gold" />
      <Stat label="Template match" value={pct(card.templateMatchRate)} hint="same structure as the gold, names and literals aside" />
      <Stat label="Mean similarity" value={card.meanSimilarity.toFixed(2)} hint="token similarity to the gold SQL, 0 to 1" />
      <Stat label="Execution error rate" value={pct(card.executionErrorRate)} hint={`SQL did not run · ${pct(card.noAnswerRate)} got no answer or no SQL`} />
      <Stat label="Hallucination rate" value={pct(card.hallucinationRate)} hint="named a table or column the schema lacks" />
      {card.stability && (
        <Stat
          label="Rerun stability"
          value={pct(card.stability.rate)}
          hint={`consistent over ${card.stability.repeats} repeats · ${plural(card.stability.flakyItemIds.length, "flaky item")} of ${count(card.stability.items)}`}
        />
      )}
      <Stat label="Latency p50 / p95" value={`${formatMs(card.latency.p50)} / ${formatMs(card.latency.p95)}`} hint={`mean ${formatMs(card.latency.mean)} · max ${formatMs(card.latency.max)}`} />
      <Stat
        label="Cost per 1,000 questions"
        value={baseline ? "free (built in)" : card.cost.priced ? formatUsd(card.cost.per1kUsd) : "not priced"}
        hint={baseline ? "the retrieval baseline makes no model call" : card.cost.priced ? `${formatUsd(card.cost.totalUsd)} for this run` : "add prices to the endpoint to see its cost"}
      />
    </div>
  );
}
