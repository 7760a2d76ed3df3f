"use client";

import { useMemo, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { ResultTable } from "@/components/ui/result-table";
import { GOLD_VS_MODEL, ResultDiff } from "@/components/result-diff";
import { InlineDiff } from "@/components/inline-diff";
import { diffText } from "@/lib/review/text-diff";
import { ERROR_CLASS_LABELS, HALLUCINATION_CLASSES, isErrorClass, type ErrorClass } from "@/lib/evaluation/error-class";
import { effectiveClass } from "@/lib/evaluation/scorecard";
import { itemQueryKey, useRun, type ItemView } from "./run-context";
import { count, formatMs, formatUsd, plural } from "./format";

// One question of the run: the gold against what the model answered, query and result, and every
// repeat. Loaded on demand, since results are not part of the run's own payload.

type Answer = ItemView["answers"][number];

/** The class the scorecard counts an answer under: its own, or the default for an unclassified failure. */
export function errorClassOf(answer: { outcome: string; errorClass: string | null }): ErrorClass | null {
  const outcome = answer.outcome === "correct" ? "correct" : answer.outcome === "wrong" ? "wrong" : "error";
  return effectiveClass({ outcome, errorClass: isErrorClass(answer.errorClass) ? answer.errorClass : null });
}

export function errorClassLabel(errorClass: string | null): string | null {
  return isErrorClass(errorClass) ? ERROR_CLASS_LABELS[errorClass] : errorClass;
}

export function isHallucination(errorClass: string | null): boolean {
  return isErrorClass(errorClass) && HALLUCINATION_CLASSES.includes(errorClass);
}

export function ItemDetail({ itemId, onClose }: { itemId: string; onClose: () => void }) {
  const { projectId, runId, run } = useRun();
  const row = run.results.find((r) => r.itemId === itemId);
  const query = useQuery({
    queryKey: itemQueryKey(projectId, runId, itemId),
    queryFn: ({ signal }) => apiFetch<ItemView>(`/api/projects/${projectId}/evaluations/${runId}/items/${encodeURIComponent(itemId)}`, { signal }),
    staleTime: 30_000,
  });
  const item = query.data;
  return (
    <section aria-label="Item detail" data-testid="item-detail" data-item-id={itemId} className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex items-start gap-3 border-b border-slate-100 px-4 py-3">
        <h3 className="min-w-0 flex-1 text-sm font-semibold text-slate-900">{item?.question ?? row?.question ?? "Question"}</h3>
        <button type="button" className={buttonClass("ghost", "px-2 py-0.5 text-xs")} aria-label="Close item detail" title="Close (Esc)" onClick={onClose}>
          Close
        </button>
      </header>
      <div className="space-y-5 p-4">
        {query.isPending ? (
          <p className="text-sm text-slate-500">Loading the gold and the model&apos;s answers…</p>
        ) : query.isError ? (
          <div role="alert" className="space-y-2 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-900">
            <p>Could not load this question: {query.error.message}</p>
            <button type="button" className={buttonClass("secondary", "text-xs")} onClick={() => void query.refetch()}>
              Try again
            </button>
          </div>
        ) : (
          <ItemBody item={query.data} />
        )}
      </div>
    </section>
  );
}

function ItemBody({ item }: { item: ItemView }) {
  const { run, allowed } = useRun();
  const first = item.answers.find((a) => a.repeat === 0) ?? item.answers[0];
  const sqlDiff = useMemo(() => (first.predictedSql ? diffText(item.goldSql, first.predictedSql).segments : null), [item.goldSql, first.predictedSql]);
  const errorClass = errorClassOf(first);
  const label = errorClassLabel(errorClass);
  return (
    <>
      <div className="space-y-2">
        <div className="flex flex-wrap items-center gap-1.5">
          <Badge tone={stateTone(first.outcome)}>{first.outcome}</Badge>
          {label && <Badge tone={isHallucination(errorClass) ? "red" : "gray"}>{label}</Badge>}
          {first.suiteMatch === false && (
            <Badge tone="amber" title="Right on the sandbox, wrong on a test-suite variant">
              coincidence
            </Badge>
          )}
          <ComplexityBadge complexity={item.complexity} />
          <Badge>{item.shape.replace(/_/g, " ")}</Badge>
          {item.style && <Badge>{item.style.replace(/_/g, " ")}</Badge>}
          {first.source === "regression" && (
            <Badge tone="teal" title="Answered because it is in the project's regression set">
              regression
            </Badge>
          )}
          <span className="text-xs text-slate-500">dataset v{item.datasetVersion}</span>
        </div>
        {first.reason && <p className="text-sm text-slate-700">{first.reason}</p>}
        {allowed && <RegressionControl itemId={item.itemId} inRegression={item.inRegression} />}
      </div>

      <AnswerFacts answer={first} priced={run.scorecard.cost.priced} builtIn={run.endpoint.kind === "retrieval_baseline"} />

      <Section title="Gold SQL → model SQL">
        {sqlDiff ? (
          <>
            <InlineDiff segments={sqlDiff} mono />
            <p className="mt-1 text-xs text-slate-500">Struck through: only in the gold. Highlighted: only in the model&apos;s SQL.</p>
          </>
        ) : (
          <p className="text-sm text-slate-600">The answer had no SQL to compare.</p>
        )}
        <div className="mt-3 grid gap-3 2xl:grid-cols-2">
          <SqlBlock title="Gold SQL" sql={item.goldSql} />
          <SqlBlock title="Model SQL" sql={first.predictedSql} />
        </div>
      </Section>

      <details open={!first.predictedSql} className="rounded-md border border-slate-200">
        <summary className="cursor-pointer px-3 py-2 text-xs font-semibold text-slate-700">Model&apos;s raw answer</summary>
        <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-words border-t border-slate-100 px-3 py-2 font-mono text-xs text-slate-700">
          {first.responseText || "(empty)"}
        </pre>
      </details>

      <Section title="Results">
        {first.pred ? (
          <ResultDiff stored={item.gold} edited={first.pred} orderMatters={item.orderMatters} editedTruncated={first.pred.truncated ?? false} {...GOLD_VS_MODEL} />
        ) : (
          <>
            <p className="mb-2 text-sm text-slate-600">The model&apos;s SQL did not run, so there is no result to compare. The gold result:</p>
            <ResultTable columns={item.gold.columns} rows={item.gold.rows} maxRows={20} />
          </>
        )}
      </Section>

      {item.answers.length > 1 && <Repeats answers={item.answers} />}
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div>
      <h4 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h4>
      {children}
    </div>
  );
}

function SqlBlock({ title, sql }: { title: string; sql: string }) {
  return (
    <div className="min-w-0">
      <div className="mb-1 text-xs font-semibold text-slate-600">{title}</div>
      <pre className="max-h-72 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono text-xs text-slate-800">{sql || "(no SQL)"}</pre>
    </div>
  );
}

function yesNo(value: boolean): string {
  return value ? "yes" : "no";
}

function AnswerFacts({ answer, priced, builtIn }: { answer: Answer; priced: boolean; builtIn: boolean }) {
  const suite = answer.suiteMatch === null ? "not checked" : answer.suiteMatch ? `right on all ${plural(answer.suiteSize, "variant")}` : "wrong on a variant";
  const facts: [string, string][] = [
    ["Latency", formatMs(answer.latencyMs)],
    ["Tokens", `${count(answer.promptTokens)} prompt · ${count(answer.completionTokens)} completion`],
    ["Cost", builtIn ? "free (built in)" : priced ? formatUsd(answer.costUsd) : "not priced"],
    ["Attempts", count(answer.attempts)],
    ["Cached", yesNo(answer.cached)],
    ["Similarity", answer.similarity.toFixed(2)],
    ["Exact match", yesNo(answer.exactMatch)],
    ["Template match", yesNo(answer.templateMatch)],
    ["Test suite", suite],
  ];
  return (
    <dl className="grid grid-cols-2 gap-x-4 gap-y-1.5 text-sm sm:grid-cols-3" aria-label="Answer facts">
      {facts.map(([k, v]) => (
        <div key={k}>
          <dt className="text-xs text-slate-500">{k}</dt>
          <dd className="tabular-nums text-slate-800">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Repeats({ answers }: { answers: Answer[] }) {
  const agree = answers.filter((a) => a.outcome === answers[0].outcome).length;
  return (
    <Section title={`Each repeat (${agree} of ${answers.length} agree with the first)`}>
      <ol className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Repeats">
        {answers.map((a) => {
          const errorClass = errorClassOf(a);
          const label = errorClassLabel(errorClass);
          return (
            <li key={a.repeat} className="px-3 py-2 text-sm">
              <div className="flex flex-wrap items-center gap-1.5">
                <span className="w-24 text-xs text-slate-500">{a.repeat === 0 ? "First (scored)" : `Repeat ${a.repeat}`}</span>
                <Badge tone={stateTone(a.outcome)}>{a.outcome}</Badge>
                {label && <Badge tone={isHallucination(errorClass) ? "red" : "gray"}>{label}</Badge>}
                {a.cached && <Badge tone="blue">cached</Badge>}
                <span className="ml-auto text-xs tabular-nums text-slate-500">{formatMs(a.latencyMs)}</span>
              </div>
              {a.reason && <p className="mt-0.5 text-xs text-slate-600">{a.reason}</p>}
              {a.repeat > 0 && (
                <details className="mt-1">
                  <summary className="cursor-pointer text-xs text-brand-700">SQL of this repeat</summary>
                  <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-mono text-xs">{a.predictedSql || "(no SQL)"}</pre>
                </details>
              )}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

function RegressionControl({ itemId, inRegression }: { itemId: string; inRegression: boolean }) {
  const { changeRegression } = useRun();
  const [busy, setBusy] = useState(false);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        className={buttonClass(inRegression ? "secondary" : "primary", "text-xs")}
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          await changeRegression([itemId], !inRegression);
          setBusy(false);
        }}
      >
        {busy ? (inRegression ? "Removing…" : "Adding…") : inRegression ? "Remove from regression set" : "Add to regression set"}
      </button>
      <span className="text-xs text-slate-500">{inRegression ? "In the regression set: every run of this project answers it." : "Every later run of this project would also answer it."}</span>
    </div>
  );
}
