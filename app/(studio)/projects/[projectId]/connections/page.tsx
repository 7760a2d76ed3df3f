import { getDb } from "@/lib/db/server/client";
import { listConnections } from "@/lib/providers/server/connections";
import { listFineTuneJobs } from "@/lib/finetune/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { roleAllows } from "@/lib/auth/policy";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { ConnectionCard, type ConnectionJob } from "./connection-card";
import { ConnectionForm } from "./connection-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Connections" };

export default async function ConnectionsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  // Every member sees the connections; admins change them; those who launch jobs may test them.
  const access = await requireProjectPage(projectId, "project.admin");
  const canEdit = access.allowed;
  const canTest = roleAllows(access.role, "finetune.launch", access.isStudioAdmin);
  const db = getDb();
  const [connections, jobs] = await Promise.all([listConnections(db, projectId), listFineTuneJobs(db, projectId)]);
  // Connection names are unique in a project, so a job's connection name finds its connection.
  const jobsByConnection = new Map<string, ConnectionJob[]>();
  for (const job of jobs) {
    if (!job.connectionName) continue;
    const list = jobsByConnection.get(job.connectionName) ?? [];
    list.push({ id: job.id, name: job.name, state: job.state });
    jobsByConnection.set(job.connectionName, list);
  }
  return (
    <>
      <PageHeader
        title="Connections"
        description="The provider accounts fine-tune jobs train with: a Fireworks account, or an AWS account with the S3 bucket that carries the training files and the IAM role Bedrock assumes. Keys are stored encrypted and never shown again; a model deployed through a connection becomes an endpoint on the Evaluations page."
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_380px]">
        <div className="min-w-0">
          {connections.length === 0 ? (
            <EmptyState title="No connections yet">
              A connection is the provider account a fine-tune job runs in. Add a <strong>Fireworks</strong> connection (an API key and the account id) to fine-tune open models with reinforcement (RFT) or supervised (SFT) training, or an <strong>AWS</strong> connection (a region, an S3 bucket
              and an IAM role Bedrock can assume) to fine-tune Amazon Nova.{canEdit ? "" : " Ask a project admin to add one."}
            </EmptyState>
          ) : (
            <ul className="space-y-4" aria-label="Connections">
              {connections.map((c) => (
                <li key={c.id}>
                  <ConnectionCard projectId={projectId} connection={c} jobs={jobsByConnection.get(c.name) ?? []} canEdit={canEdit} canTest={canTest} />
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="space-y-6">
          {canEdit ? (
            <Card title="Add a connection" description="Test it once added: the studio checks the key, the account and (for AWS) the bucket and the role.">
              <ConnectionForm projectId={projectId} />
            </Card>
          ) : (
            <Card title="Read only">
              <p className="text-sm text-slate-600">
                Only a project admin can add, change or delete connections. You can see what each one points at{canTest ? " and test it" : ""}; keys are never shown to anyone.
              </p>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
