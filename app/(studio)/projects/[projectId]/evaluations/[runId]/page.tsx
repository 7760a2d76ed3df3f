import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getEvalRun } from "@/lib/evaluation/server/runs";
import { findActiveJob } from "@/lib/jobs/server/queue";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, PageHeader, Stat } from "@/components/ui/card";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { JobProgress } from "@/components/jobs/job-runner";
import { RunResults } from "./run-results";

export const dynamic = "force-dynamic";
export const metadata = { title: "Evaluation run" };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export default async function EvalRunPage({ params }: { params: Promise<{ projectId: string; runId: string }> }) {
  const { projectId, runId } = await params;
  await requireProjectPage(projectId);
  const db = getDb();
  const run = await getEvalRun(db, projectId, runId);
  const job = run.jobId ? await db.job.findUnique({ where: { id: run.jobId } }) : null;
  const activeJob = job && (job.status === "queued" || job.status === "running") ? await findActiveJob(db, job.activeKey ?? "") : null;
  const s = run.compareSettings;
  return (
    <>
      <PageHeader
        title={`${run.endpoint.name} on v${run.datasetVersion.version}`}
        description={
          <>
            <Link href={`/projects/${projectId}/evaluations`} className="text-brand-700 hover:underline">
              All runs
            </Link>{" "}
            · started {run.createdAt.slice(0, 16).replace("T", " ")} · rows {s.orderMatters === "auto" ? "ordered only when the gold has ORDER BY" : s.orderMatters === "always" ? "always ordered" : "never ordered"} · columns {s.ignoreColumnOrder ? "in any order" : "in order"} · tolerance {s.floatAbsTol} · NULL {s.nullEqualsNull ? "=" : "≠"} NULL
          </>
        }
        actions={<Badge tone={stateTone(run.status)}>{run.status}</Badge>}
      />
      {activeJob && (
        <div className="mb-4 rounded-lg border border-slate-200 bg-white p-4">
          <JobProgress jobId={activeJob.id} initial={activeJob} />
        </div>
      )}
      <div className="space-y-6">
        <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
          <Stat label="Execution accuracy" value={run.accuracy != null ? pct(run.accuracy) : "–"} hint={run.interval ? `95% CI ${pct(run.interval.low)} – ${pct(run.interval.high)}` : undefined} />
          <Stat
            label="Test-suite accuracy"
            value={run.suiteAccuracy != null ? pct(run.suiteAccuracy) : "–"}
            hint={run.suiteSize > 0 ? `also right on ${run.suiteSize} variant sandbox${run.suiteSize === 1 ? "" : "es"} · ${run.correct - run.suiteCorrect} right by coincidence` : "no test-suite variants for this sandbox"}
          />
          <Stat label="Correct" value={`${run.correct} / ${run.total}`} />
          <Stat label="Wrong result" value={run.done - run.correct - run.errors} />
          <Stat label="Errors" value={run.errors} hint="did not run" />
        </div>
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Accuracy by complexity">
            <ul className="space-y-2">
              {run.byComplexity.map((g) => (
                <li key={g.complexity} className="grid grid-cols-[8rem_1fr_6rem] items-center gap-3 text-sm">
                  <ComplexityBadge complexity={g.complexity} />
                  <span className="h-3 rounded bg-slate-100">
                    <span className="block h-3 rounded bg-brand-500" style={{ width: `${g.accuracy * 100}%` }} />
                  </span>
                  <span className="text-right tabular-nums text-slate-700">
                    {pct(g.accuracy)} <span className="text-slate-400">({g.correct}/{g.total})</span>
                  </span>
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Why answers failed">
            {run.byErrorClass.length === 0 ? (
              <p className="text-sm text-slate-500">No failures.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {run.byErrorClass.map((e) => (
                  <li key={e.errorClass} className="flex justify-between">
                    <span className="text-slate-700">{e.errorClass === "mismatch" ? "ran, wrong result" : e.errorClass}</span>
                    <span className="tabular-nums text-slate-600">{e.count}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
        <Card title="Per-question results">
          <RunResults results={run.results} />
        </Card>
      </div>
    </>
  );
}
