import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getProject } from "@/lib/projects/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { summarizeReport, type ReportCheck } from "@/lib/sandbox/report";
import { getActiveSandboxReport } from "@/lib/sandbox/server/report";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sandbox validation report" };

function formatBytes(n: number): string {
  return n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

function CheckBadge({ check }: { check: ReportCheck }) {
  if (check.status === "passed") return <Badge tone="green">passed</Badge>;
  if (check.status === "failed") return <Badge tone="red">{`${check.violations?.toLocaleString("en-US")} ${check.unit}`}</Badge>;
  return (
    <Badge tone="amber" title={check.error}>
      not checked
    </Badge>
  );
}

export default async function SandboxReportPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  await requireProjectPage(projectId);
  const db = getDb();
  const project = await getProject(db, projectId);
  const back = (
    <Link href={`/projects/${projectId}/sandbox`} className={buttonClass("secondary")}>
      Back to sandbox
    </Link>
  );
  if (!project.activeSandboxId) {
    return (
      <>
        <PageHeader title="Validation report" actions={back} />
        <EmptyState title="No sandbox yet">Generate a sandbox on the Sandbox page; its report appears here.</EmptyState>
      </>
    );
  }
  const report = await getActiveSandboxReport(db, projectId);
  const summary = summarizeReport(report);
  const totalRows = report.tables.reduce((a, t) => a + t.rowCount, 0);
  return (
    <>
      <PageHeader
        title="Validation report"
        description="Every primary key, UNIQUE, NOT NULL, foreign key and CHECK of the schema, proved by a query that counts the rows breaking it, and a short profile of each column."
        actions={back}
      />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Checks passed" value={<span data-testid="report-summary">{`${summary.passed} of ${summary.checks} checks passed`}</span>} hint={summary.failed > 0 ? `${summary.failed} failed` : summary.notChecked > 0 ? `${summary.notChecked} not checked` : "all constraints hold"} />
        <Stat label="Tables" value={report.tables.length} />
        <Stat label="Rows" value={totalRows.toLocaleString("en-US")} />
        <Stat label="File size" value={formatBytes(report.bytes)} hint={`${report.bytes.toLocaleString("en-US")} bytes`} />
      </div>
      <div className="space-y-6">
        {report.tables.map((table) => {
          const failing = table.checks.filter((c) => c.status !== "passed").length;
          return (
            <Card
              key={table.name}
              title={<span className="font-mono">{table.name}</span>}
              description={`${table.rowCount.toLocaleString("en-US")} rows`}
              actions={failing === 0 ? <Badge tone="green">{`${table.checks.length} of ${table.checks.length} passed`}</Badge> : <Badge tone="red">{`${failing} of ${table.checks.length} not passed`}</Badge>}
            >
              {table.error && <p className="mb-3 text-sm text-rose-700">{table.error}</p>}
              <ul className="mb-4 divide-y divide-slate-100" aria-label={`Checks of ${table.name}`}>
                {table.checks.map((check, i) => (
                  <li key={i} data-testid="report-check" data-status={check.status} className="flex items-start justify-between gap-3 py-1.5 text-sm">
                    <span className="min-w-0">
                      <span className="break-all font-mono text-slate-800">{check.label}</span>
                      {check.error && <span className="block text-xs text-amber-800">{check.error}</span>}
                    </span>
                    <CheckBadge check={check} />
                  </li>
                ))}
                {table.checks.length === 0 && <li className="py-1.5 text-sm text-slate-500">No constraints declared on this table.</li>}
              </ul>
              <div className="overflow-auto rounded-md border border-slate-200">
                <table className="min-w-full text-xs" aria-label={`Column profile of ${table.name}`}>
                  <thead className="bg-slate-50 text-left text-slate-600">
                    <tr>
                      <th className="px-2 py-1 font-semibold">Column</th>
                      <th className="px-2 py-1 font-semibold">Type</th>
                      <th className="px-2 py-1 text-right font-semibold">Nulls</th>
                      <th className="px-2 py-1 text-right font-semibold">Distinct</th>
                      <th className="px-2 py-1 font-semibold">Min</th>
                      <th className="px-2 py-1 font-semibold">Max</th>
                      <th className="px-2 py-1 font-semibold">Top values</th>
                    </tr>
                  </thead>
                  <tbody>
                    {table.columns.map((c) => (
                      <tr key={c.name} className="border-t border-slate-100 align-top">
                        <td className="px-2 py-1 font-mono text-slate-800">{c.name}</td>
                        <td className="px-2 py-1 font-mono text-slate-500">{c.type}</td>
                        <td className="px-2 py-1 text-right tabular-nums">{`${(c.nullRate * 100).toFixed(c.nullRate > 0 && c.nullRate < 0.01 ? 2 : 0)}%`}</td>
                        <td className="px-2 py-1 text-right tabular-nums">{c.distinct.toLocaleString("en-US")}</td>
                        <td className="max-w-[10rem] truncate px-2 py-1 font-mono" title={c.min ?? undefined}>
                          {c.min ?? <span className="italic text-slate-400">NULL</span>}
                        </td>
                        <td className="max-w-[10rem] truncate px-2 py-1 font-mono" title={c.max ?? undefined}>
                          {c.max ?? <span className="italic text-slate-400">NULL</span>}
                        </td>
                        <td className="px-2 py-1">
                          {c.error ? (
                            <span className="text-amber-800">{c.error}</span>
                          ) : (
                            <span className="flex flex-wrap gap-1">
                              {c.top.map((t, i) => (
                                <span key={i} className="max-w-[12rem] truncate rounded bg-slate-100 px-1 font-mono" title={`${t.value} (${t.count})`}>
                                  {t.value} <span className="text-slate-500">×{t.count.toLocaleString("en-US")}</span>
                                </span>
                              ))}
                            </span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
          );
        })}
      </div>
    </>
  );
}
