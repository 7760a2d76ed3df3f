import { getDb } from "@/lib/db/server/client";
import { getProject } from "@/lib/projects/server/service";
import { listQueries } from "@/lib/queries/server/service";
import { findActiveJob } from "@/lib/jobs/server/queue";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge, ComplexityBadge } from "@/components/ui/badge";
import { JobButton } from "@/components/jobs/job-runner";

export const dynamic = "force-dynamic";
export const metadata = { title: "Queries" };

const LEVELS = ["simple", "moderate", "complex", "highly_complex"] as const;

export default async function QueriesPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "pairs.review");
  const db = getDb();
  const [project, data, queriesJob, questionsJob, pairCount] = await Promise.all([
    getProject(db, projectId),
    listQueries(db, projectId, { take: 500 }),
    findActiveJob(db, `queries:${projectId}`),
    findActiveJob(db, `questions:${projectId}`),
    db.pair.count({ where: { projectId } }),
  ]);
  const executed = data.queries.filter((q) => q.rowCount !== null).length;
  const failed = data.queries.filter((q) => q.executionError).length;
  const empty = data.queries.filter((q) => q.rowCount === 0).length;
  const maxLevel = Math.max(1, ...LEVELS.map((l) => data.byComplexity[l] ?? 0));
  return (
    <>
      <PageHeader
        title="Queries"
        description="SQL over your schema, one per query shape and complexity level, each executed on the sandbox for its ground-truth result. Then a question is written for each."
        actions={
          allowed && <div className="flex items-start gap-3">
            <JobButton
              endpoint={`/api/projects/${projectId}/queries`}
              body={{ max: 200 }}
              label="Generate queries"
              activeJob={queriesJob}
              disabled={!project.activeSandboxId}
              disabledReason="Generate a sandbox first."
            />
            <JobButton
              endpoint={`/api/projects/${projectId}/questions`}
              label="Write questions"
              variant="secondary"
              activeJob={questionsJob}
              disabled={executed === 0}
              disabledReason={executed === 0 ? "Needs executed queries." : undefined}
            />
          </div>
        }
      />
      {data.total === 0 ? (
        <EmptyState title="No queries yet">{project.activeSandboxId ? "Press Generate queries: template SQL for every shape is written and executed on the sandbox." : "Generate a sandbox first; queries are executed on it for their ground truth."}</EmptyState>
      ) : (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
            <Stat label="Queries" value={data.total} />
            <Stat label="Executed" value={executed} />
            <Stat label="Failed" value={failed} />
            <Stat label="Empty results" value={empty} hint={data.total ? `${((empty / data.total) * 100).toFixed(0)}% (aim ≤ 10%)` : undefined} />
            <Stat label="Pairs" value={pairCount} hint="questions written" />
          </div>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="By complexity">
              <ul className="space-y-1.5">
                {LEVELS.map((l) => (
                  <li key={l} className="grid grid-cols-[8rem_1fr_3rem] items-center gap-3 text-sm">
                    <ComplexityBadge complexity={l} />
                    <span className="h-3 rounded bg-brand-500/80" style={{ width: `${Math.max(1, ((data.byComplexity[l] ?? 0) / maxLevel) * 100)}%` }} />
                    <span className="text-right tabular-nums">{data.byComplexity[l] ?? 0}</span>
                  </li>
                ))}
              </ul>
            </Card>
            <Card title={`${Object.keys(data.byShape).length} query shapes`}>
              <div className="flex flex-wrap gap-1.5">
                {Object.entries(data.byShape)
                  .sort((a, b) => b[1] - a[1])
                  .map(([shape, n]) => (
                    <Badge key={shape} tone="gray">
                      {shape} · {n}
                    </Badge>
                  ))}
              </div>
            </Card>
          </div>
          <Card title="All queries">
            <div className="overflow-x-auto">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    <th className="py-1 pr-3">SQL</th>
                    <th className="pr-3">Shape</th>
                    <th className="pr-3">Complexity</th>
                    <th className="pr-3 text-right">Rows</th>
                    <th>Checks</th>
                  </tr>
                </thead>
                <tbody>
                  {data.queries.map((q) => (
                    <tr key={q.id} className="border-t border-slate-100 align-top" data-testid="query-row">
                      <td className="max-w-[40rem] py-1.5 pr-3">
                        <code className="block whitespace-pre-wrap break-words font-mono text-xs text-slate-800">{q.sql}</code>
                      </td>
                      <td className="pr-3 text-xs text-slate-600">{q.shape}</td>
                      <td className="pr-3">
                        <ComplexityBadge complexity={q.complexity} />
                      </td>
                      <td className="pr-3 text-right tabular-nums">{q.rowCount ?? "–"}</td>
                      <td className="space-y-0.5">
                        {q.executionError && (
                          <Badge tone="red" title={q.executionError}>
                            error
                          </Badge>
                        )}
                        {q.lintFlags.map((f) => (
                          <Badge key={f.code} tone="amber" title={f.message}>
                            {f.code.replaceAll("_", " ")}
                          </Badge>
                        ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </div>
      )}
    </>
  );
}
