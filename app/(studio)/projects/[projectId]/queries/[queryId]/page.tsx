import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getQueryDetail } from "@/lib/queries/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, PageHeader, Stat } from "@/components/ui/card";
import { Badge, ComplexityBadge, stateTone } from "@/components/ui/badge";
import { ResultTable } from "@/components/ui/result-table";
import { QueryEditor } from "./query-editor";

export const dynamic = "force-dynamic";
export const metadata = { title: "Query" };

const FEATURE_LABELS: [string, string][] = [
  ["joinCount", "joins"],
  ["aggregateCount", "aggregates"],
  ["groupBy", "GROUP BY"],
  ["having", "HAVING"],
  ["orderBy", "ORDER BY"],
  ["limit", "LIMIT"],
  ["distinct", "DISTINCT"],
  ["subqueryCount", "subqueries"],
  ["cteCount", "CTEs"],
  ["windowFunctions", "window functions"],
  ["caseWhen", "CASE"],
  ["like", "LIKE"],
];

export default async function QueryPage({ params }: { params: Promise<{ projectId: string; queryId: string }> }) {
  const { projectId, queryId } = await params;
  const { allowed } = await requireProjectPage(projectId, "pairs.review");
  const q = await getQueryDetail(getDb(), projectId, queryId);
  const features = q.features;
  const tables = Array.isArray(features.tables) ? (features.tables as string[]) : [];
  return (
    <>
      <PageHeader
        title="Query"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Link href={`/projects/${projectId}/queries`} className="text-brand-700 hover:underline">
              ← All queries
            </Link>
            <span className="text-slate-400">·</span>
            <span className="font-mono text-xs">{q.shape || "no shape"}</span>
            <ComplexityBadge complexity={q.complexity} />
            <Badge tone="gray">{q.origin}</Badge>
          </span>
        }
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-6">
          <Card title="SQL" description={allowed ? "Edit and save to replace this query: its pairs move to the new SQL and go back to review." : undefined}>
            <QueryEditor projectId={projectId} queryId={q.id} sql={q.sql} flags={q.lintFlags} canEdit={allowed} />
          </Card>
          <Card title="Ground truth" description={q.executedAt ? `Executed on the sandbox ${q.executedAt.slice(0, 19).replace("T", " ")}` : "Not executed yet"}>
            {q.executionError ? (
              <p className="text-sm text-rose-700" role="alert">
                {q.executionError}
              </p>
            ) : q.result ? (
              <ResultTable columns={q.result.columns} rows={q.result.rows} maxRows={100} caption={`${(q.rowCount ?? 0).toLocaleString("en-US")} rows`} />
            ) : (
              <p className="text-sm text-slate-500">Generate or import queries to execute them on the sandbox.</p>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-3">
            <Stat label="Rows" value={q.rowCount ?? "–"} />
            <Stat label="Pairs" value={q.pairs.length} />
          </div>
          <Card title="Structure">
            <p className="mb-2 text-xs text-slate-500">Tables: {tables.length > 0 ? tables.join(", ") : "–"}</p>
            <ul className="flex flex-wrap gap-1.5" aria-label="Structural features">
              {FEATURE_LABELS.filter(([k]) => features[k] === true || (typeof features[k] === "number" && (features[k] as number) > 0)).map(([k, label]) => (
                <li key={k}>
                  <Badge tone="blue">{typeof features[k] === "number" ? `${features[k] as number} ${label}` : label}</Badge>
                </li>
              ))}
            </ul>
            <p className="mt-2 font-mono text-[11px] text-slate-400" title="Structural template hash: equal for queries of the same structure">
              template {q.templateHash || "–"}
            </p>
          </Card>
          <Card title="Pairs using this query">
            {q.pairs.length === 0 ? (
              <p className="text-sm text-slate-500">No question written for it yet.</p>
            ) : (
              <ul className="space-y-1.5 text-sm">
                {q.pairs.map((p) => (
                  <li key={p.id} className="flex items-start gap-2">
                    <Badge tone={stateTone(p.reviewState)}>{p.reviewState}</Badge>
                    <span className="text-slate-700">{p.question}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
