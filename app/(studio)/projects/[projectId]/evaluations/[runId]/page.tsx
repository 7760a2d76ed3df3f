import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb, type Db } from "@/lib/db/server/client";
import { NotFoundError } from "@/lib/errors";
import { getEvalRun } from "@/lib/evaluation/server/runs";
import { getJob, toJobView } from "@/lib/jobs/server/queue";
import { isTerminal, type JobView } from "@/lib/jobs/types";
import { requireProjectPage } from "@/lib/auth/server/page";
import { PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { JobProgress } from "@/components/jobs/job-runner";
import { RunProvider } from "./run-context";
import { CompareLink, ExportMenu, RunNotices, RunStatusBadge } from "./run-header";
import { RunBody } from "./run-body";
import { StatusNotice } from "./status-notice";
import { describeCompareSettings, describeScope, formatStarted } from "./format";

export const dynamic = "force-dynamic";
export const metadata = { title: "Evaluation run" };

/** The run's job, if it still exists (jobs of old runs may have been cleaned up). */
async function findJob(db: Db, jobId: string | null): Promise<JobView | null> {
  if (!jobId) return null;
  try {
    return toJobView(await getJob(db, jobId));
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export default async function EvalRunPage({ params }: { params: Promise<{ projectId: string; runId: string }> }) {
  const { projectId, runId } = await params;
  // Every member may read the scorecard; only those who may run evaluations change the regression set.
  const { allowed } = await requireProjectPage(projectId, "evaluations.run");
  const db = getDb();
  const run = await getEvalRun(db, projectId, runId).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  const job = await findJob(db, run.jobId);
  const model = run.endpoint.kind === "retrieval_baseline" ? "built-in retrieval baseline" : run.endpoint.model || run.endpoint.name;
  return (
    <RunProvider projectId={projectId} runId={run.id} allowed={allowed} initial={run}>
      <PageHeader
        title={run.label || `${run.endpoint.name} on v${run.datasetVersion.version}`}
        description={
          <>
            {run.label ? `${run.endpoint.name} on v${run.datasetVersion.version} · ` : ""}
            {model} · {describeScope(run.scope, run.settings)} · started {formatStarted(run.createdAt)}
            <span className="mt-0.5 block text-xs text-slate-500">Compared with {describeCompareSettings(run.compareSettings)}</span>
          </>
        }
        actions={
          <>
            <RunStatusBadge />
            <ExportMenu />
            <CompareLink />
            <Link href={`/projects/${projectId}/evaluations`} className={buttonClass("ghost")}>
              All runs
            </Link>
          </>
        }
      />
      {job && !isTerminal(job.status) && (
        <div className="mb-4 rounded-lg border border-slate-200 bg-white p-4">
          <JobProgress jobId={job.id} initial={job} />
        </div>
      )}
      <RunNotices jobError={job?.error ?? null} />
      <RunBody />
      <StatusNotice />
    </RunProvider>
  );
}
