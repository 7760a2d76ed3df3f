import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { listDatasetVersions } from "@/lib/datasets/server/service";
import { listEndpoints } from "@/lib/evaluation/server/endpoints";
import { listEvalRuns } from "@/lib/evaluation/server/runs";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, stateTone } from "@/components/ui/badge";
import { EndpointForm } from "./endpoint-form";
import { RunForm } from "./run-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Evaluations" };

export default async function EvaluationsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "evaluations.run");
  const db = getDb();
  const [versions, endpoints, runs] = await Promise.all([listDatasetVersions(db, projectId), listEndpoints(db, projectId), listEvalRuns(db, projectId)]);
  return (
    <>
      <PageHeader
        title="Evaluations"
        description="A model answers each question of a version's test split; its SQL is executed on the sandbox and its result compared with the ground truth (rows as a multiset unless the gold query orders them, columns up to permutation, numbers with a tolerance)."
      />
      <div className="grid gap-6 xl:grid-cols-[360px_minmax(0,1fr)]">
        <div className="space-y-6">
          <Card title="Run an evaluation">
            {!allowed ? (
              <p className="text-sm text-slate-600">Only a data lead or an admin can run evaluations.</p>
            ) : versions.length === 0 ? (
              <p className="text-sm text-slate-600">Freeze a dataset version first: evaluations run on its test split.</p>
            ) : (
              <RunForm projectId={projectId} versions={versions.map((v) => ({ id: v.id, label: `v${v.version} · ${v.name} (${v.testCount} test)` }))} endpoints={endpoints.map((e) => ({ id: e.id, label: e.name }))} />
            )}
          </Card>
          <Card title="Model endpoints">
            <ul className="mb-4 space-y-1 text-sm">
              {endpoints.map((e) => (
                <li key={e.id} className="flex items-center justify-between gap-2">
                  <span className="truncate text-slate-800">{e.name}</span>
                  <span className="shrink-0 text-xs text-slate-500">{e.kind === "retrieval_baseline" ? "built in, no LLM" : `${e.model}${e.keyHint ? ` · key ${e.keyHint}` : ""}`}</span>
                </li>
              ))}
            </ul>
            {allowed && <details>
              <summary className="cursor-pointer text-sm font-medium text-brand-700">Add an OpenAI-compatible endpoint</summary>
              <div className="mt-3">
                <EndpointForm projectId={projectId} />
              </div>
            </details>}
          </Card>
        </div>
        {runs.length === 0 ? (
          <EmptyState title="No evaluation runs yet">Pick a dataset version and an endpoint on the left. The built-in retrieval baseline needs no key and no network: it answers with the SQL of the most similar training question.</EmptyState>
        ) : (
          <Card title="Runs" description="Execution accuracy with its 95% interval (Wilson).">
            <ul className="space-y-3">
              {runs.map((r) => (
                <li key={r.id} data-testid="eval-run">
                  <Link href={`/projects/${projectId}/evaluations/${r.id}`} className="block rounded-md px-2 py-1.5 hover:bg-slate-50">
                    <div className="flex items-center gap-2 text-sm">
                      <span className="font-medium text-slate-900">{r.endpointName}</span>
                      <span className="text-slate-500">on v{r.datasetVersion}</span>
                      <Badge tone={stateTone(r.status)}>{r.status}</Badge>
                      <span className="ml-auto tabular-nums font-semibold text-slate-900">{r.accuracy != null && r.done ? `${(r.accuracy * 100).toFixed(1)}%` : "–"}</span>
                    </div>
                    <div className="relative mt-1.5 h-3 rounded bg-slate-100">
                      {r.interval && r.done > 0 && (
                        <>
                          <div className="absolute inset-y-0 rounded bg-brand-100" style={{ left: `${r.interval.low * 100}%`, width: `${(r.interval.high - r.interval.low) * 100}%` }} />
                          <div className="absolute inset-y-0 left-0 rounded bg-brand-500" style={{ width: `${(r.accuracy ?? 0) * 100}%`, opacity: 0.85 }} />
                        </>
                      )}
                    </div>
                    <div className="mt-1 text-xs text-slate-500">
                      {r.correct} correct of {r.total} · {r.errors} errors{r.interval ? ` · 95% CI ${(r.interval.low * 100).toFixed(0)}–${(r.interval.high * 100).toFixed(0)}%` : ""}
                      {r.suiteAccuracy != null && ` · test-suite ${(r.suiteAccuracy * 100).toFixed(1)}% on ${r.suiteSize} variants`}
                      {r.endpointKind === "retrieval_baseline" && " · a floor: test questions never share a query structure with training ones, so copying a training query rarely matches"}
                    </div>
                  </Link>
                </li>
              ))}
            </ul>
          </Card>
        )}
      </div>
    </>
  );
}
