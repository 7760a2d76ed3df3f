import { getDb } from "@/lib/db/server/client";
import { getLatestSchema, listSchemaVersions } from "@/lib/schema/server/service";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import Link from "next/link";
import { ImportPanel } from "./import-panel";
import { buttonClass } from "@/components/ui/button";

export const dynamic = "force-dynamic";
export const metadata = { title: "Schema" };

export default async function SchemaPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "pipeline.build");
  const db = getDb();
  const [schema, versions] = await Promise.all([getLatestSchema(db, projectId), listSchemaVersions(db, projectId)]);
  return (
    <>
      <PageHeader
        title="Schema"
        description="Bring the schema of your production database: DDL in PostgreSQL, MySQL, SQLite or DuckDB, a database file, a live connection, or a DESCRIBE export. Only the schema is read; no row of your data ever enters the studio."
        actions={
          schema && (
            <>
              <Link className={buttonClass("secondary")} href={`/projects/${projectId}/schema/explorer`}>
                ER diagram
              </Link>
              <Link className={buttonClass("secondary")} href={`/projects/${projectId}/schema/glossary`}>
                Glossary
              </Link>
              <Link className={buttonClass("secondary")} href={`/projects/${projectId}/schema/drift`}>
                Drift
              </Link>
            </>
          )
        }
      />
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Card title={schema ? `Import a new version (current: v${schema.version})` : "Import your schema"}>
          {allowed ? (
            <ImportPanel projectId={projectId} exampleDdl={OPENFLIGHTS_DDL} />
          ) : (
            <>
              <p className="mb-3 text-sm text-slate-600">Only a data lead or an admin can change the schema.</p>
              <pre className="max-h-[28rem] overflow-auto rounded bg-slate-50 p-3 font-mono text-xs">{schema?.rawText ?? "No schema yet."}</pre>
            </>
          )}
        </Card>
        <div className="space-y-4">
          {!schema ? (
            <EmptyState title="No schema yet">Import it on the left: paste DDL, upload a file, connect, or paste a DESCRIBE export. Tables, keys and foreign keys appear here.</EmptyState>
          ) : (
            <>
              {schema.warnings.length > 0 && (
                <Card title={`${schema.warnings.length} warning${schema.warnings.length === 1 ? "" : "s"}`}>
                  <ul className="list-disc space-y-1 pl-5 text-sm text-amber-800">
                    {schema.warnings.map((w, i) => (
                      <li key={i}>
                        {w.line ? `Line ${w.line}: ` : ""}
                        {w.message}
                      </li>
                    ))}
                  </ul>
                </Card>
              )}
              <Card title={`Schema v${schema.version}: ${schema.model.tables.length} tables`} description={`${schema.model.dialect} · from ${schema.source.replace("_", " ")} · ${versions.length} version${versions.length === 1 ? "" : "s"} stored`}>
                <div className="space-y-4">
                  {schema.model.tables.map((t) => (
                    <div key={t.name} data-testid="schema-table">
                      <h3 className="font-mono text-sm font-semibold text-slate-900">{t.name}</h3>
                      <table className="mt-1 w-full text-xs">
                        <tbody>
                          {t.columns.map((c) => {
                            const fk = t.foreignKeys.find((f) => f.columns.includes(c.name) && f.status !== "dropped");
                            return (
                              <tr key={c.name} className="border-t border-slate-100">
                                <td className="py-0.5 pr-2 font-mono text-slate-800">{c.name}</td>
                                <td className="py-0.5 pr-2 font-mono text-slate-500" title={c.originalType && c.originalType !== c.type ? `declared as ${c.originalType}` : undefined}>
                                  {c.type}
                                </td>
                                <td className="space-x-1 py-0.5">
                                  {c.primaryKey && <Badge tone="teal">PK</Badge>}
                                  {fk && (
                                    <Badge tone={fk.origin === "inferred" && fk.status !== "confirmed" ? "amber" : "blue"} title={fk.origin === "inferred" ? `Inferred from naming (confidence ${Math.round((fk.confidence ?? 0) * 100)}%), ${fk.status ?? "suggested"}` : "Declared"}>
                                      → {fk.refTable}.{fk.refColumns[fk.columns.indexOf(c.name)]}
                                      {fk.origin === "inferred" && fk.status !== "confirmed" ? " ?" : ""}
                                    </Badge>
                                  )}
                                  {c.sensitive && <Badge tone="red">sensitive</Badge>}
                                  {c.unique && <Badge>unique</Badge>}
                                  {!c.nullable && !c.primaryKey && <Badge>not null</Badge>}
                                  {c.allowedValues && <Badge tone="amber">in ({c.allowedValues.join(", ")})</Badge>}
                                </td>
                                <td className="py-0.5 text-right text-slate-400">{c.semanticType}</td>
                              </tr>
                            );
                          })}
                        </tbody>
                      </table>
                    </div>
                  ))}
                </div>
              </Card>
            </>
          )}
        </div>
      </div>
    </>
  );
}
