import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/lib/db/server/client";
import { NotFoundError } from "@/lib/errors";
import { getFineTuneJob } from "@/lib/finetune/server/service";
import { FINETUNE_KIND_LABELS } from "@/lib/finetune/types";
import { requireProjectPage } from "@/lib/auth/server/page";
import { PageHeader } from "@/components/ui/card";
import { formatTime } from "../format";
import { JobProvider } from "./job-context";
import { JobActions, JobNotices, JobStatus } from "./job-header";
import { CostCard, ResourcesCard, SettingsCard, TimelineCard } from "./job-cards";
import { TrainingCurves } from "./training-curves";
import { LineageStrip } from "./lineage-strip";

export const dynamic = "force-dynamic";
export const metadata = { title: "Fine-tune job" };

export default async function FineTuneJobPage({ params }: { params: Promise<{ projectId: string; jobId: string }> }) {
  const { projectId, jobId } = await params;
  // Every member follows the job; data leads and admins cancel and deploy it.
  const { allowed } = await requireProjectPage(projectId, "finetune.launch");
  const job = await getFineTuneJob(getDb(), projectId, jobId).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return (
    <JobProvider projectId={projectId} jobId={job.id} allowed={allowed} initial={job}>
      <PageHeader
        title={job.name}
        description={
          <>
            {FINETUNE_KIND_LABELS[job.kind]} of <span className="font-mono text-xs">{job.baseModel}</span>
            <span className="mt-0.5 block text-xs text-slate-500">
              On{" "}
              <Link href={`/projects/${projectId}/datasets/${job.datasetVersionId}`} className="text-brand-700 hover:underline">
                dataset v{job.datasetVersion}
              </Link>
              {job.connectionName ? ` through ${job.connectionName}` : ""} · launched {formatTime(job.createdAt)}
              {job.createdBy ? ` by ${job.createdBy}` : ""}
            </span>
          </>
        }
        actions={<JobActions />}
      />
      <JobStatus />
      <JobNotices />
      <div className="space-y-6">
        <LineageStrip />
        <div className="grid gap-6 lg:grid-cols-3">
          <div className="min-w-0 space-y-6 lg:col-span-2">
            <TrainingCurves />
            <TimelineCard />
          </div>
          <div className="min-w-0 space-y-6">
            <CostCard />
            <SettingsCard />
            <ResourcesCard />
          </div>
        </div>
      </div>
    </JobProvider>
  );
}
