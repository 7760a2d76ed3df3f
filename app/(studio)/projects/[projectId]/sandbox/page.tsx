import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getLatestSchema } from "@/lib/schema/server/service";
import { defaultRowsFor, listSandboxes, previewSandbox } from "@/lib/sandbox/server/service";
import { listEndpoints } from "@/lib/evaluation/server/endpoints";
import { toEffectiveSchema } from "@/lib/schema/model";
import { findActiveJob } from "@/lib/jobs/server/queue";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader, Stat } from "@/components/ui/card";
import { Badge, stateTone } from "@/components/ui/badge";
import { ResultTable } from "@/components/ui/result-table";
import { buttonClass } from "@/components/ui/button";
import { SandboxForm, type SandboxFormTable } from "./sandbox-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sandbox" };

function formatBytes(n: number): string {
  return n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

export default async function SandboxPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "pipeline.build");
  const db = getDb();
  const [schema, sandboxes, activeJob, endpoints] = await Promise.all([
    getLatestSchema(db, projectId),
    listSandboxes(db, projectId),
    findActiveJob(db, `sandbox:${projectId}`),
    allowed ? listEndpoints(db, projectId) : Promise.resolve([]),
  ]);
  const active = sandboxes.find((s) => s.active) ?? null;
  const effective = schema ? toEffectiveSchema(schema.model) : null;
  // The form starts from the last sandbox's base rows (before its scale factor), else from defaults.
  const lastSettings = sandboxes[0]?.settings;
  const formTables: SandboxFormTable[] = (effective?.tables ?? []).map((t) => {
    const base = defaultRowsFor(effective!, t);
    const last = lastSettings?.tableRows?.[t.name];
    const rows = last ? Math.max(1, Math.round(last / (lastSettings?.scale ?? 1))) : base;
    return { name: t.name, rows, role: base === 200 ? "lookup" : base === 5_000 ? "fact" : "other" };
  });
  const preview = active ? await previewSandbox(db, projectId) : [];
  const maxRows = active ? Math.max(1, ...Object.values(active.rowCounts)) : 1;
  return (
    <>
      <PageHeader
        title="Sandbox"
        description="A synthetic DuckDB database with your schema, filled with realistic rows that respect primary keys, foreign keys, NOT NULL and CHECK constraints. The same seed always gives the same rows."
        actions={
          active ? (
            <>
              <Link href={`/projects/${projectId}/sandbox/report`} className={buttonClass("secondary")}>
                Validation report
              </Link>
              <Link href={`/projects/${projectId}/sandbox/browse`} className={buttonClass("secondary")}>
                Browse tables
              </Link>
            </>
          ) : undefined
        }
      />
      <div className="grid gap-6 xl:grid-cols-[340px_minmax(0,1fr)]">
        <Card title="Generate a sandbox">
          {!allowed ? <p className="text-sm text-slate-600">Only a data lead or an admin can generate sandboxes.</p> : schema ? <SandboxForm
              projectId={projectId}
              activeJob={activeJob}
              tables={formTables}
              endpoints={endpoints.filter((e) => e.kind === "openai_compatible").map((e) => ({ id: e.id, name: e.name, model: e.model }))}
              initialSeed={sandboxes[0]?.seed ?? 42}
              initialVariants={lastSettings?.variants ?? 4}
              initialNullRate={lastSettings?.nullRate}
            /> : <p className="text-sm text-slate-600">Save a schema first: the sandbox is built from it.</p>}
        </Card>
        <div className="space-y-6">
          {!active ? (
            <EmptyState title="No sandbox yet">Generate one on the left. It takes seconds for a few thousand rows.</EmptyState>
          ) : (
            <>
              <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
                <Stat label="Rows" value={active.totalRows.toLocaleString("en-US")} />
                <Stat label="Tables" value={Object.keys(active.rowCounts).length} />
                <Stat label="Size" value={formatBytes(active.bytes)} />
                <Stat label="Seed" value={active.seed} hint={`schema v${active.schemaVersion}`} />
              </div>
              {active.settings.notes && active.settings.notes.length > 0 && (
                <ul className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="sandbox-notes">
                  {active.settings.notes.map((n) => (
                    <li key={n}>{n}</li>
                  ))}
                </ul>
              )}
              {active.settings.augmentation && (
                <Card title="Rows added for empty queries" description="This sandbox is a copy of the previous one with the few rows that make empty queries return something; every constraint still holds.">
                  <p className="text-sm text-slate-700" data-testid="augmentation-summary">
                    {Object.values(active.settings.augmentation.rowsAdded).reduce((a, b) => a + b, 0)} rows added (
                    {Object.entries(active.settings.augmentation.rowsAdded)
                      .map(([t, n]) => `${t} ${n}`)
                      .join(", ")}
                    ): {active.settings.augmentation.fixed} of {active.settings.augmentation.emptyBefore} empty queries now return rows.
                  </p>
                  {active.settings.augmentation.stillEmpty.length > 0 && (
                    <details className="mt-2 text-sm">
                      <summary className="cursor-pointer text-slate-700">Still empty ({active.settings.augmentation.stillEmpty.length})</summary>
                      <ul className="mt-1 space-y-0.5 text-xs text-slate-600">
                        {active.settings.augmentation.stillEmpty.map((x) => (
                          <li key={x.id}>
                            <Link className="text-brand-700 hover:underline" href={`/projects/${projectId}/queries/${x.id}`}>
                              query
                            </Link>{" "}
                            {x.reason}
                          </li>
                        ))}
                      </ul>
                    </details>
                  )}
                </Card>
              )}
              <Card title="Rows per table">
                <ul className="space-y-1.5" aria-label="Rows per table">
                  {Object.entries(active.rowCounts).map(([table, n]) => (
                    <li key={table} className="grid grid-cols-[10rem_1fr_5rem] items-center gap-3 text-sm">
                      <span className="truncate font-mono text-slate-800">{table}</span>
                      <span className="h-3 rounded bg-brand-500/80" style={{ width: `${Math.max(2, (n / maxRows) * 100)}%` }} />
                      <span className="text-right tabular-nums text-slate-600">{n.toLocaleString("en-US")}</span>
                    </li>
                  ))}
                </ul>
              </Card>
              {(active.variants.length > 0 || active.settings.llm) && (
                <Card title="Test-suite variants and LLM text">
                  {active.variants.length > 0 ? (
                    <ul className="flex flex-wrap gap-2 text-sm" aria-label="Test-suite variants">
                      {active.variants.map((v, i) => (
                        <li key={v.id} className="rounded-md border border-slate-200 px-2 py-1" title={v.error ?? undefined}>
                          <span className="font-medium">Variant {i + 1}</span> <span className="text-slate-500">seed {v.seed} · {v.totalRows.toLocaleString("en-US")} rows</span>{" "}
                          <Badge tone={stateTone(v.status)}>{v.status}</Badge>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="text-sm text-slate-600">No test-suite variants: evaluation measures execution accuracy on this sandbox only.</p>
                  )}
                  {active.settings.llm && (
                    <p className="mt-3 text-sm text-slate-700" data-testid="llm-summary">
                      LLM text from <span className="font-medium">{active.settings.llm.endpointName}</span> ({active.settings.llm.model}):{" "}
                      {active.settings.llm.result
                        ? `${active.settings.llm.result.updatedCells.toLocaleString("en-US")} cells written, ${active.settings.llm.result.repairedCells} repaired, ${active.settings.llm.result.rejectedCells} rejected (rule values kept), ${(active.settings.llm.result.promptTokens + active.settings.llm.result.completionTokens).toLocaleString("en-US")} tokens in ${active.settings.llm.result.calls} requests`
                        : "not recorded"}
                    </p>
                  )}
                </Card>
              )}
              {preview.map((t) => (
                <Card key={t.name} title={<span className="font-mono">{t.name}</span>} description="First rows">
                  <ResultTable columns={t.columns.map((c) => c.name)} rows={t.rows} />
                </Card>
              ))}
            </>
          )}
          {sandboxes.length > 0 && (
            <Card title="History">
              <table className="w-full text-sm">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    <th className="py-1">Created</th>
                    <th>Seed</th>
                    <th>Rows</th>
                    <th>Scale</th>
                    <th>Variants</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {sandboxes.map((s) => (
                    <tr key={s.id} className="border-t border-slate-100">
                      <td className="py-1 tabular-nums">{s.createdAt.slice(0, 19).replace("T", " ")}</td>
                      <td className="tabular-nums">{s.seed}</td>
                      <td className="tabular-nums">{s.totalRows.toLocaleString("en-US")}</td>
                      <td className="tabular-nums">×{s.settings.scale ?? 1}</td>
                      <td className="tabular-nums">{s.variants.filter((v) => v.status === "ready").length}</td>
                      <td className="space-x-1">
                        <Badge tone={stateTone(s.status)}>{s.status}</Badge>
                        {s.active && <Badge tone="teal">active</Badge>}
                        {s.error && <span className="text-xs text-rose-700">{s.error}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
