"use client";

import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { InlineDiff } from "@/components/inline-diff";
import { GOLD_VS_MODEL, ResultDiff } from "@/components/result-diff";
import { diffText } from "@/lib/review/text-diff";
import { ERROR_CLASS_LABELS, isErrorClass } from "@/lib/evaluation/error-class";
import type { ItemChange, RunDiff, RunSummary } from "@/lib/evaluation/scorecard-types";
import type { EvalRunItemView } from "@/lib/evaluation/server/runs";

const runName = (r: RunSummary) => r.label || `${r.endpointName} · v${r.datasetVersion}`;

function formatP(p: number): string {
  if (p < 0.001) return "p < 0.001";
  return `p = ${p.toFixed(3)}`;
}

/** What the later run fixed and broke, each item opening to both answers against the gold. */
export function RunChanges({ projectId, first, second, diff, allowed }: { projectId: string; first: RunSummary; second: RunSummary; diff: RunDiff; allowed: boolean }) {
  const [tab, setTab] = useState<"broken" | "fixed">(diff.broken.length > 0 ? "broken" : "fixed");
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const list = tab === "broken" ? diff.broken : diff.fixed;
  const net = diff.fixed.length - diff.broken.length;

  async function addBroken() {
    setBusy(true);
    setNotice(null);
    try {
      const out = await apiFetch<{ added: number; alreadyThere: number }>(`/api/projects/${projectId}/evaluations/regression`, {
        body: { itemIds: diff.broken.map((c) => c.itemId), runId: second.id, note: `Broken by ${runName(second)}` },
      });
      setNotice({ ok: true, text: `Added ${out.added} item${out.added === 1 ? "" : "s"} to the regression set${out.alreadyThere ? ` (${out.alreadyThere} already there)` : ""}. Later runs answer them too.` });
    } catch (err) {
      setNotice({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-label="Fixed and broken items">
      <div className="mb-3 flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h2 className="text-base font-semibold text-slate-900">
          From {runName(first)} to {runName(second)}
        </h2>
        <span className="text-sm text-slate-600">
          {diff.shared} items in both · <span className="text-emerald-700">{diff.fixed.length} fixed</span> · <span className="text-rose-700">{diff.broken.length} broken</span> · {diff.bothCorrect} right in both · {diff.bothWrong} wrong in both · net {net >= 0 ? "+" : ""}
          {net}
        </span>
        <span className="text-xs text-slate-500" title="Exact McNemar test on the items whose outcome changed: a small p means the difference is unlikely to be chance.">
          McNemar {formatP(diff.mcnemarP)}
          {diff.onlyInFirst + diff.onlyInSecond > 0 && ` · ${diff.onlyInFirst + diff.onlyInSecond} items answered by only one run are left out`}
        </span>
      </div>
      <div className="mb-3 flex items-center gap-2">
        <div className="flex gap-1" role="tablist" aria-label="Changed items">
          {(["broken", "fixed"] as const).map((t) => (
            <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)} className={cn("rounded px-2 py-1 text-xs font-medium", tab === t ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100")}>
              {t === "broken" ? "Broken" : "Fixed"} <span className="text-slate-400">{t === "broken" ? diff.broken.length : diff.fixed.length}</span>
            </button>
          ))}
        </div>
        {allowed && diff.broken.length > 0 && (
          <button type="button" className={buttonClass("secondary", "ml-auto text-xs")} disabled={busy} onClick={addBroken}>
            {busy ? "Adding…" : `Add ${diff.broken.length} broken item${diff.broken.length === 1 ? "" : "s"} to the regression set`}
          </button>
        )}
      </div>
      {notice && (
        <p role="status" className={cn("mb-3 rounded-md px-3 py-2 text-sm", notice.ok ? "bg-emerald-50 text-emerald-800" : "bg-rose-50 text-rose-800")}>
          {notice.text}
        </p>
      )}
      {list.length === 0 ? (
        <p className="text-sm text-slate-500">{tab === "broken" ? "Nothing the first run got right is wrong in the second." : "Nothing the first run got wrong is right in the second."}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {list.map((c) => (
            <li key={c.itemId} data-testid="changed-item">
              <button type="button" className="flex w-full items-start gap-3 py-2 text-left" aria-expanded={open === c.itemId} onClick={() => setOpen(open === c.itemId ? null : c.itemId)}>
                <Badge tone={tab === "broken" ? "red" : "green"}>{tab}</Badge>
                <span className="min-w-0 flex-1">
                  <span className="block text-sm text-slate-800">{c.question}</span>
                  <span className="block text-xs text-slate-500">
                    {outcomeText(c.before)} → {outcomeText(c.after)}
                  </span>
                </span>
                <ComplexityBadge complexity={c.complexity} />
              </button>
              {open === c.itemId && <ChangeDetail projectId={projectId} change={c} first={first} second={second} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function outcomeText(side: ItemChange["before"]): string {
  if (side.outcome === "correct") return "correct";
  return isErrorClass(side.errorClass) ? ERROR_CLASS_LABELS[side.errorClass].toLowerCase() : side.outcome;
}

function ChangeDetail({ projectId, change, first, second }: { projectId: string; change: ItemChange; first: RunSummary; second: RunSummary }) {
  const load = (runId: string) => apiFetch<EvalRunItemView>(`/api/projects/${projectId}/evaluations/${runId}/items/${change.itemId}`);
  const before = useQuery({ queryKey: ["eval-item", first.id, change.itemId], queryFn: () => load(first.id) });
  const after = useQuery({ queryKey: ["eval-item", second.id, change.itemId], queryFn: () => load(second.id) });
  const sqlDiff = useMemo(() => diffText(change.before.predictedSql, change.after.predictedSql), [change.before.predictedSql, change.after.predictedSql]);
  if (before.isPending || after.isPending) return <p className="pb-3 text-sm text-slate-500">Loading both answers…</p>;
  if (before.error || after.error) {
    return (
      <p role="alert" className="pb-3 text-sm text-rose-700">
        {(before.error ?? after.error)?.message}
      </p>
    );
  }
  const b = before.data!;
  const a = after.data!;
  const bAnswer = b.answers[0];
  const aAnswer = a.answers[0];
  return (
    <div className="space-y-3 pb-4" role="region" aria-label="Change detail">
      <div>
        <div className="mb-1 text-xs font-semibold text-slate-600">Gold SQL</div>
        <code className="block whitespace-pre-wrap rounded bg-slate-50 p-2 font-mono text-xs">{b.goldSql}</code>
      </div>
      <div>
        <div className="mb-1 text-xs font-semibold text-slate-600">
          Model SQL: {runName(first)} → {runName(second)}
        </div>
        <InlineDiff segments={sqlDiff.segments} mono />
      </div>
      <div className="grid gap-3 lg:grid-cols-2">
        {[
          { run: first, answer: bAnswer },
          { run: second, answer: aAnswer },
        ].map(({ run, answer }) => (
          <div key={run.id} className="min-w-0 space-y-2">
            <div className="flex items-center gap-2 text-xs font-semibold text-slate-600">
              {runName(run)} <Badge tone={stateTone(answer?.outcome ?? "error")}>{answer?.outcome ?? "no answer"}</Badge>
            </div>
            <p className="text-xs text-slate-600">{answer?.reason}</p>
            {answer?.pred ? (
              <ResultDiff stored={b.gold} edited={answer.pred} orderMatters={b.orderMatters} editedTruncated={Boolean(answer.pred.truncated)} defaultOnlyDifferences {...GOLD_VS_MODEL} />
            ) : (
              <p className="text-xs text-rose-700">The SQL did not run, so there is no result to compare.</p>
            )}
          </div>
        ))}
      </div>
    </div>
  );
}
