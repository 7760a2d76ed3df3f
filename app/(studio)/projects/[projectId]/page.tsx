import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getProjectOverview } from "@/lib/projects/server/service";
import { listProjectJobs } from "@/lib/jobs/server/queue";
import { JOB_LABELS } from "@/lib/jobs/server/handlers";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, PageHeader } from "@/components/ui/card";
import { Badge, stateTone } from "@/components/ui/badge";

export const dynamic = "force-dynamic";

const ORDER = [
  ["schema", "Schema", "The tables of your production database (DDL only, never rows)."],
  ["sandbox", "Sandbox", "A synthetic DuckDB database with the same schema and realistic rows."],
  ["queries", "Queries", "SQL covering the query shapes, executed on the sandbox for ground truth."],
  ["review", "Review", "Analysts approve, fix or reject question/SQL pairs."],
  ["datasets", "Datasets", "Frozen, split and signed-off versions, exported for fine-tuning."],
  ["jobs", "Fine-tuning", "Fireworks (RFT, SFT) or Bedrock Nova trains on an approved version; the model becomes an endpoint."],
  ["evaluations", "Evaluations", "Models answer the test split; their SQL is executed and compared."],
] as const;

export default async function ProjectOverviewPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  await requireProjectPage(projectId);
  const db = getDb();
  const [overview, jobs] = await Promise.all([getProjectOverview(db, projectId), listProjectJobs(db, projectId, 8)]);
  const next = ORDER.find(([key]) => !overview.stages[key].done);
  return (
    <>
      <PageHeader title={overview.project.name} description={overview.project.description || "From schema to scorecard: each stage below builds on the one before."} />
      <ol className="grid gap-3 md:grid-cols-2 xl:grid-cols-3">
        {ORDER.map(([key, title, blurb], i) => {
          const stage = overview.stages[key];
          return (
            <li key={key}>
              <Link href={`/projects/${projectId}/${key}`} className="block h-full rounded-lg border border-slate-200 bg-white p-4 shadow-sm transition hover:border-brand-500">
                <div className="flex items-center justify-between">
                  <span className="text-xs font-medium text-slate-500">Stage {i + 1}</span>
                  {stage.done ? <Badge tone="green">done</Badge> : next?.[0] === key ? <Badge tone="blue">next</Badge> : <Badge>to do</Badge>}
                </div>
                <div className="mt-1 font-semibold text-slate-900">{title}</div>
                <div className="mt-0.5 text-sm text-slate-600">{blurb}</div>
                <div className="mt-2 text-sm font-medium text-brand-700">{stage.label}</div>
              </Link>
            </li>
          );
        })}
      </ol>
      <Card title="Recent jobs" className="mt-6">
        {jobs.length === 0 ? (
          <p className="text-sm text-slate-500">No background work yet. Jobs appear here when you generate a sandbox, queries, questions or run an evaluation.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {jobs.map((j) => (
              <li key={j.id} className="flex items-center justify-between gap-3 py-1.5">
                <span className="text-slate-800">{JOB_LABELS[j.type] ?? j.type}</span>
                <span className="min-w-0 flex-1 truncate text-slate-500">{j.status === "failed" ? j.error : j.message}</span>
                <Badge tone={stateTone(j.status)}>{j.status}</Badge>
                <time className="text-xs text-slate-400 tabular-nums">{new Date(j.createdAt).toISOString().slice(0, 16).replace("T", " ")}</time>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
