import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { listFineTuneJobs, listLaunchableVersions } from "@/lib/finetune/server/service";
import { listConnections } from "@/lib/providers/server/connections";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button";
import { LaunchForm } from "./launch-form";
import { JobsTable } from "./jobs-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Fine-tuning" };

export default async function FineTuningPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  // Every member follows the jobs; data leads and admins launch them.
  const { allowed } = await requireProjectPage(projectId, "finetune.launch");
  const db = getDb();
  const [jobs, versions, connections] = await Promise.all([
    listFineTuneJobs(db, projectId),
    allowed ? listLaunchableVersions(db, projectId) : Promise.resolve([]),
    allowed ? listConnections(db, projectId) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageHeader
        title="Fine-tuning"
        description="Train a model on an approved dataset version: on Fireworks with reinforcement (the studio's reward runs each answer's SQL on the sandbox) or supervised training, or on Amazon Bedrock with Nova. The studio sends the version's files, follows the provider's job, and registers the deployed model as an endpoint to evaluate."
        actions={
          <Link href={`/projects/${projectId}/connections`} className={buttonClass("secondary")}>
            Connections
          </Link>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[400px_minmax(0,1fr)]">
        <div className="space-y-6">
          <Card title="Launch a fine-tune">
            {allowed ? (
              <LaunchForm
                projectId={projectId}
                versions={versions.map((v) => ({ id: v.id, version: v.version, name: v.name, trainCount: v.trainCount, validationCount: v.validationCount }))}
                connections={connections.map((c) => ({ id: c.id, name: c.name, kind: c.kind, testOk: c.testOk }))}
              />
            ) : (
              <p className="text-sm text-slate-600">Only a data lead or an admin can launch fine-tune jobs. You can follow every job here.</p>
            )}
          </Card>
        </div>
        <div className="min-w-0">
          <JobsTable projectId={projectId} initial={jobs} canLaunch={allowed} />
        </div>
      </div>
    </>
  );
}
