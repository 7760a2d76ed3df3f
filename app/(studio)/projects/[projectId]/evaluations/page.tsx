import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { listDatasetVersions } from "@/lib/datasets/server/service";
import { listEndpoints } from "@/lib/evaluation/server/endpoints";
import { listEvalRuns } from "@/lib/evaluation/server/runs";
import { accuracyTimeline } from "@/lib/evaluation/server/dashboards";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { LineChart } from "@/components/charts/line-chart";
import { EndpointForm } from "./endpoint-form";
import { EndpointList } from "./endpoint-list";
import { RunForm } from "./run-form";
import { RunsTable } from "./runs-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Evaluations" };

export default async function EvaluationsPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ endpoint?: string; version?: string }> }) {
  const { projectId } = await params;
  // A link from elsewhere (a fine-tune job's lineage) can preselect what to evaluate.
  const wanted = await searchParams;
  const { allowed } = await requireProjectPage(projectId, "evaluations.run");
  const db = getDb();
  const [versions, endpoints, runs, timeline, regressionCount] = await Promise.all([
    listDatasetVersions(db, projectId),
    listEndpoints(db, projectId),
    listEvalRuns(db, projectId),
    accuracyTimeline(db, projectId),
    db.regressionItem.count({ where: { projectId } }),
  ]);
  const llmEndpoints = endpoints.filter((e) => e.kind === "openai_compatible" || e.kind === "bedrock_converse").map((e) => ({ id: e.id, name: e.name }));
  return (
    <>
      <PageHeader
        title="Evaluations"
        description="A model answers each question of a dataset version's split; its SQL is executed on the sandbox (and on the test-suite variants) and its result compared with the ground truth: rows as a multiset unless the gold query orders them, columns up to permutation, numbers with a tolerance."
        actions={
          <div className="flex gap-2">
            <Link href={`/projects/${projectId}/evaluations/regression`} className={buttonClass("secondary")}>
              Regression set ({regressionCount})
            </Link>
          </div>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[360px_minmax(0,1fr)]">
        <div className="space-y-6">
          <Card title="Run an evaluation">
            {!allowed ? (
              <p className="text-sm text-slate-600">Only a data lead or an admin can run evaluations.</p>
            ) : versions.length === 0 ? (
              <p className="text-sm text-slate-600">Freeze a dataset version first: evaluations run on its splits.</p>
            ) : (
              <RunForm
                projectId={projectId}
                initialEndpointId={endpoints.some((e) => e.id === wanted.endpoint) ? wanted.endpoint : undefined}
                initialVersionId={versions.some((v) => v.id === wanted.version) ? wanted.version : undefined}
                regressionCount={regressionCount}
                versions={versions.map((v) => ({
                  id: v.id,
                  label: `v${v.version} · ${v.name}`,
                  counts: { test: v.testCount, validation: v.validationCount, heldout: v.heldOutCount, train: v.trainCount },
                }))}
                endpoints={endpoints.map((e) => ({ id: e.id, label: e.kind === "few_shot" ? `${e.name} (few-shot)` : e.model ? `${e.name} (${e.model})` : e.name }))}
              />
            )}
          </Card>
          <Card title="Model endpoints">
            <EndpointList projectId={projectId} endpoints={endpoints} allowed={allowed} />
            {allowed && (
              <details className="mt-4">
                <summary className="cursor-pointer text-sm font-medium text-brand-700">Add a model endpoint</summary>
                <div className="mt-3">
                  <EndpointForm projectId={projectId} llmEndpoints={llmEndpoints} />
                </div>
              </details>
            )}
          </Card>
        </div>
        <div className="min-w-0 space-y-6">
          {runs.length === 0 ? (
            <EmptyState title="No evaluation runs yet">
              Pick a dataset version and an endpoint on the left. The built-in retrieval baseline needs no key and no network: it answers with the SQL of the most similar training question. Add an OpenAI-compatible or Bedrock endpoint, or few-shot prompting over your approved pairs, to compare real models against it.
            </EmptyState>
          ) : (
            <>
              <Card title="Runs" description="Execution accuracy with its 95% interval (Wilson). Tick two or more runs to compare them side by side.">
                <RunsTable projectId={projectId} runs={runs} />
              </Card>
              <Card title="Accuracy over time" description="Finished runs, one line per endpoint; the whisker is the 95% interval.">
                <LineChart
                  label="Accuracy over time per endpoint"
                  series={timeline.map((s) => ({
                    name: s.endpointName,
                    points: s.points.map((p) => ({ at: p.createdAt, value: p.accuracy, low: p.low, high: p.high })),
                  }))}
                />
              </Card>
            </>
          )}
        </div>
      </div>
    </>
  );
}
