import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { getGlossary } from "@/lib/schema/server/glossary";
import { inferSemanticType } from "@/lib/schema/semantic";
import { SEMANTIC_TYPE_LABELS } from "@/lib/schema/glossary";
import type { ForeignKeyModel } from "@/lib/schema/model";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { DescriptionField, ForeignKeyButtons, SemanticTypeSelect, SensitiveCheckbox } from "./glossary-controls";

export const dynamic = "force-dynamic";
export const metadata = { title: "Glossary" };

const STATUS_TONE: Record<string, BadgeTone> = { suggested: "amber", confirmed: "green", dropped: "red" };

function fkLabel(fk: ForeignKeyModel): string {
  return `(${fk.columns.join(", ")}) → ${fk.refTable}(${fk.refColumns.join(", ")})`;
}

export default async function GlossaryPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "pipeline.build");
  const glossary = await getGlossary(getDb(), projectId);
  if (!glossary) {
    return (
      <>
        <PageHeader title="Glossary" />
        <EmptyState title="No schema yet">Import a schema on the Schema page; its tables and columns appear here to describe.</EmptyState>
      </>
    );
  }
  const suggested = glossary.model.tables.flatMap((t) => t.foreignKeys.filter((f) => f.origin === "inferred" && (f.status ?? "suggested") === "suggested")).length;
  return (
    <>
      <PageHeader
        title="Glossary"
        description={
          <>
            Descriptions and semantic types reach the prompts; sensitive columns stay out of prompts and exports. Suggested foreign keys are used only once confirmed. Entries follow tables and columns by name into later schema versions.
            {!allowed && " Only a data lead or an admin can change the glossary."}
          </>
        }
        actions={<Badge tone={suggested > 0 ? "amber" : "gray"}>{`Schema v${glossary.version} · ${suggested} key${suggested === 1 ? "" : "s"} to decide`}</Badge>}
      />
      <div className="space-y-6">
        {glossary.model.tables.map((t) => {
          const inferredKeys = t.foreignKeys.filter((f) => f.origin === "inferred");
          const declaredKeys = t.foreignKeys.filter((f) => (f.origin ?? "declared") === "declared");
          return (
            <Card key={t.name} title={<span className="font-mono">{t.name}</span>} description={allowed ? undefined : t.description ?? undefined}>
              <div data-testid="glossary-table" className="space-y-4">
                {allowed && <DescriptionField projectId={projectId} table={t.name} initial={t.description ?? ""} label={`Description of table ${t.name}`} />}
                <div className="overflow-x-auto">
                  <table className="w-full text-sm">
                    <thead>
                      <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
                        <th className="py-1 pr-3 font-medium">Column</th>
                        <th className="py-1 pr-3 font-medium">Type</th>
                        <th className="w-1/2 py-1 pr-3 font-medium">Description</th>
                        <th className="py-1 pr-3 font-medium">Semantic type</th>
                        <th className="py-1 text-center font-medium">Sensitive</th>
                      </tr>
                    </thead>
                    <tbody>
                      {t.columns.map((c) => {
                        const inferred = inferSemanticType(t.name, c.name, c.type);
                        const source = c.semanticTypeSource ?? "inferred";
                        return (
                          <tr key={c.name} className="border-t border-slate-100 align-top" data-testid="glossary-column">
                            <td className="py-1.5 pr-3 font-mono text-slate-800">
                              {c.name}
                              {c.primaryKey && <span className="ml-1"><Badge tone="teal">PK</Badge></span>}
                            </td>
                            <td className="py-1.5 pr-3 font-mono text-xs text-slate-500">{c.type}</td>
                            <td className="py-1.5 pr-3">
                              {allowed ? (
                                <DescriptionField projectId={projectId} table={t.name} column={c.name} initial={c.description ?? ""} label={`Description of ${t.name}.${c.name}`} />
                              ) : (
                                <span className="text-slate-700">{c.description ?? <span className="text-slate-400">—</span>}</span>
                              )}
                            </td>
                            <td className="py-1.5 pr-3">
                              {allowed ? (
                                <SemanticTypeSelect projectId={projectId} table={t.name} column={c.name} value={c.semanticType} source={source} inferred={inferred} />
                              ) : (
                                <span className="text-slate-700">
                                  {SEMANTIC_TYPE_LABELS[c.semanticType] ?? c.semanticType} {source === "inferred" && <span className="text-xs text-slate-400">(inferred)</span>}
                                </span>
                              )}
                            </td>
                            <td className="py-1.5 text-center">
                              {allowed ? (
                                <SensitiveCheckbox projectId={projectId} table={t.name} column={c.name} initial={Boolean(c.sensitive)} />
                              ) : c.sensitive ? (
                                <Badge tone="red">sensitive</Badge>
                              ) : (
                                <span className="text-slate-400">—</span>
                              )}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                {(inferredKeys.length > 0 || declaredKeys.length > 0) && (
                  <div>
                    <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Foreign keys</h3>
                    <ul className="space-y-1 text-sm">
                      {declaredKeys.map((fk) => (
                        <li key={fkLabel(fk)} className="flex items-center gap-2">
                          <span className="font-mono text-xs text-slate-800">{fkLabel(fk)}</span>
                          <Badge tone="blue">declared</Badge>
                          {fk.status === "dropped" && <Badge tone="red">dropped</Badge>}
                        </li>
                      ))}
                      {inferredKeys.map((fk) => {
                        const status = fk.status ?? "suggested";
                        return (
                          <li key={fkLabel(fk)} className="flex flex-wrap items-center gap-2" data-testid="suggested-fk">
                            <span className="font-mono text-xs text-slate-800">{fkLabel(fk)}</span>
                            <Badge tone={STATUS_TONE[status] ?? "gray"}>{status}</Badge>
                            <span className="text-xs text-slate-500" title="How sure the naming makes the studio">
                              {Math.round((fk.confidence ?? 0) * 100)}% confidence
                            </span>
                            {allowed && <ForeignKeyButtons projectId={projectId} table={t.name} columns={fk.columns} refTable={fk.refTable} refColumns={fk.refColumns} status={status} />}
                          </li>
                        );
                      })}
                    </ul>
                  </div>
                )}
              </div>
            </Card>
          );
        })}
      </div>
    </>
  );
}
