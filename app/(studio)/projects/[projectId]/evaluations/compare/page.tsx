import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { AppError } from "@/lib/errors";
import { compareRuns, DIMENSIONS } from "@/lib/evaluation/server/dashboards";
import { listEvalRuns } from "@/lib/evaluation/server/runs";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { SERIES_COLORS } from "@/components/charts/accuracy-bars";
import { CompareTable } from "./compare-table";
import { GroupCharts } from "./group-charts";
import { RunChanges } from "./run-changes";
import { RunPicker } from "./run-picker";

export const dynamic = "force-dynamic";
export const metadata = { title: "Compare evaluation runs" };

export default async function CompareRunsPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<{ runs?: string }> }) {
  const { projectId } = await params;
  const { runs: runsParam = "" } = await searchParams;
  const { allowed } = await requireProjectPage(projectId, "evaluations.run");
  const db = getDb();
  const all = await listEvalRuns(db, projectId);
  const ids = runsParam.split(",").map((s) => s.trim()).filter(Boolean).slice(0, 12);
  let data: Awaited<ReturnType<typeof compareRuns>> | null = null;
  let problem: string | null = null;
  if (ids.length > 0) {
    try {
      data = await compareRuns(db, projectId, ids);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problem = error.message;
    }
  }
  const series = (data?.runs ?? []).map((r, i) => ({ name: r.label || `${r.endpointName} · v${r.datasetVersion}`, color: SERIES_COLORS[i % SERIES_COLORS.length]! }));
  return (
    <>
      <PageHeader
        title="Compare runs"
        description={
          <>
            <Link href={`/projects/${projectId}/evaluations`} className="text-brand-700 hover:underline">
              All runs
            </Link>{" "}
            · scorecards side by side, accuracy per category with 95% intervals, and what the later run fixed and broke.
          </>
        }
      />
      <Card title="Runs to compare" className="mb-6">
        <RunPicker projectId={projectId} runs={all} selected={ids} />
      </Card>
      {problem && (
        <p role="alert" className="mb-6 rounded-md border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800">
          {problem} Pick the runs again above.
        </p>
      )}
      {!data ? (
        !problem && <EmptyState title="Pick runs to compare">Tick two or more runs above, e.g. the base model, a few-shot prompt and the fine-tuned model on the same test split.</EmptyState>
      ) : (
        <div className="space-y-6">
          <Card title="Scorecards" description="One row per run, as in a results table: accuracy with its interval, test-suite accuracy, failures, speed and cost.">
            <CompareTable projectId={projectId} runs={data.runs} series={series} />
          </Card>
          <Card title="Accuracy by category">
            <GroupCharts groups={Object.fromEntries(DIMENSIONS.map((d) => [d, data.groups[d]]))} series={series} />
          </Card>
          {data.diff ? (
            <RunChanges projectId={projectId} first={data.runs[0]!} second={data.runs[1]!} diff={data.diff} allowed={allowed} />
          ) : (
            data.runs.length > 2 && <p className="text-sm text-slate-500">Pick exactly two runs to see which items the later one fixed and broke.</p>
          )}
        </div>
      )}
    </>
  );
}
