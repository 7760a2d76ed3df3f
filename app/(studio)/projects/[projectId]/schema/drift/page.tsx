import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { getLatestDrift } from "@/lib/schema/server/drift";
import type { DiffSummary } from "@/lib/schema/diff";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge, stateTone, type BadgeTone } from "@/components/ui/badge";

export const dynamic = "force-dynamic";
export const metadata = { title: "Schema drift" };

const GROUPS: { key: keyof DiffSummary; label: string; tone: BadgeTone }[] = [
  { key: "removed", label: "Removed", tone: "red" },
  { key: "renamed", label: "Renamed (looks like)", tone: "amber" },
  { key: "changed", label: "Changed", tone: "blue" },
  { key: "added", label: "Added", tone: "green" },
];

function Reasons({ reasons }: { reasons: string[] }) {
  return (
    <ul className="mt-1 space-y-0.5 text-xs text-amber-800">
      {reasons.map((r) => (
        <li key={r}>{r}</li>
      ))}
    </ul>
  );
}

export default async function DriftPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  await requireProjectPage(projectId);
  const drift = await getLatestDrift(getDb(), projectId);
  if (!drift) {
    return (
      <>
        <PageHeader title="Schema drift" />
        <EmptyState title="No drift yet">
          Each schema import after the first is compared with the version before it. Import a new version on the <Link className="text-brand-700 underline" href={`/projects/${projectId}/schema`}>Schema page</Link> to see what changed and which queries, pairs and dataset versions it touches.
        </EmptyState>
      </>
    );
  }
  const { summary, impact } = drift;
  const changes = GROUPS.reduce((n, g) => n + summary[g.key].length, 0);
  const label = (v: number | null) => (v === null ? "a deleted version" : `v${v}`);
  return (
    <>
      <PageHeader
        title="Schema drift"
        description={`Schema ${label(drift.to.version)} compared with ${label(drift.from.version)} on ${drift.createdAt.slice(0, 10)}. Everything that uses a removed, renamed or changed table or column is flagged for re-validation.`}
      />
      <div className="space-y-6">
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          <Stat label="Changes" value={changes} />
          <Stat label="Queries to re-validate" value={impact.queries.length} />
          <Stat label="Pairs to re-validate" value={impact.pairs.length} />
          <Stat label="Dataset versions touched" value={impact.datasetVersions.length} />
        </div>
        <Card title="What changed">
          {changes === 0 ? (
            <p className="text-sm text-slate-600">No table, column, type or key changed.</p>
          ) : (
            <div className="grid gap-4 md:grid-cols-2" data-testid="drift-diff">
              {GROUPS.filter((g) => summary[g.key].length > 0).map((g) => (
                <div key={g.key}>
                  <h3 className="mb-1 flex items-center gap-2 text-sm font-semibold text-slate-900">
                    {g.label} <Badge tone={g.tone}>{summary[g.key].length}</Badge>
                  </h3>
                  <ul className="list-disc space-y-0.5 pl-5 text-sm text-slate-700">
                    {summary[g.key].map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                </div>
              ))}
            </div>
          )}
        </Card>
        <Card title={`Queries (${impact.queries.length})`} description="Each carries a schema drift flag on the Queries page until it is fixed.">
          {impact.queries.length === 0 ? (
            <p className="text-sm text-slate-600">No query uses a changed element.</p>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="drift-queries">
              {impact.queries.map((q) => (
                <li key={q.id} className="py-2">
                  <code className="block whitespace-pre-wrap break-words font-mono text-xs text-slate-800">{q.sql}</code>
                  <Reasons reasons={q.reasons} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title={`Pairs (${impact.pairs.length})`}>
          {impact.pairs.length === 0 ? (
            <p className="text-sm text-slate-600">No pair uses a changed element.</p>
          ) : (
            <ul className="divide-y divide-slate-100" data-testid="drift-pairs">
              {impact.pairs.map((p) => (
                <li key={p.id} className="flex items-start justify-between gap-3 py-2 text-sm">
                  <div>
                    <span className="text-slate-900">{p.question}</span>
                    <Reasons reasons={p.reasons} />
                  </div>
                  <Badge tone={stateTone(p.reviewState)}>{p.reviewState}</Badge>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title={`Dataset versions (${impact.datasetVersions.length})`} description="Frozen versions never change; these hold items whose SQL uses a changed element.">
          {impact.datasetVersions.length === 0 ? (
            <p className="text-sm text-slate-600">No dataset version holds an affected item.</p>
          ) : (
            <ul className="space-y-1 text-sm" data-testid="drift-datasets">
              {impact.datasetVersions.map((v) => (
                <li key={v.id} className="flex items-center gap-2">
                  <span className="font-medium text-slate-900">v{v.version}</span> <span className="text-slate-600">{v.name}</span>
                  <Badge tone={stateTone(v.approvalState)}>{v.approvalState.replace("_", " ")}</Badge>
                  <span className="text-slate-600">
                    {v.affectedItems} of {v.itemCount} items affected
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
