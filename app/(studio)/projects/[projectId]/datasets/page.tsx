import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { listDatasetVersions } from "@/lib/datasets/server/service";
import { approvalStateLabel, approvalStateTone } from "@/lib/datasets/approval";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { FreezeForm } from "./freeze-form";
import { CompareForm } from "./compare-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Datasets" };

export default async function DatasetsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "datasets.manage");
  const db = getDb();
  const [versions, approved, imported] = await Promise.all([
    listDatasetVersions(db, projectId),
    db.pair.count({ where: { projectId, reviewState: "approved" } }),
    db.pair.count({ where: { projectId, reviewState: "approved", query: { origin: "imported" } } }),
  ]);
  return (
    <>
      <PageHeader
        title="Dataset versions"
        description="A version is an immutable snapshot of the approved pairs with their results, split into train, validation and test so that the same query structure never lands in two splits. A data lead approves it before it can be exported or trained on."
      />
      <div className="grid gap-6 xl:grid-cols-[360px_minmax(0,1fr)]">
        <Card title="Freeze a new version" description={`${approved} approved pair${approved === 1 ? "" : "s"} available${imported ? `, ${imported} from imported logs` : ""}`}>
          {allowed ? (
            <FreezeForm projectId={projectId} disabled={approved < 2} importedCount={imported} />
          ) : (
            <p className="text-sm text-slate-600">Only a data lead or an admin can freeze versions.</p>
          )}
        </Card>
        {versions.length === 0 ? (
          <EmptyState title="No versions yet">Approve pairs on the Review page, then freeze them into a version here.</EmptyState>
        ) : (
          <div className="space-y-6">
            <Card title="Versions">
              <div className="overflow-x-auto">
                <table className="w-full text-sm">
                  <thead className="text-left text-xs text-slate-500">
                    <tr>
                      <th className="py-1 pr-3">Version</th>
                      <th className="pr-3">State</th>
                      <th className="pr-3 text-right">Train</th>
                      <th className="pr-3 text-right">Val</th>
                      <th className="pr-3 text-right">Test</th>
                      <th className="pr-3 text-right">Held out</th>
                      <th className="pr-3">Created</th>
                      <th className="pr-3">Approved by</th>
                      <th className="text-right">Exports</th>
                    </tr>
                  </thead>
                  <tbody>
                    {versions.map((v) => (
                      <tr key={v.id} className="border-t border-slate-100">
                        <td className="py-1.5 pr-3">
                          <Link href={`/projects/${projectId}/datasets/${v.id}`} className="font-medium text-brand-700 hover:underline">
                            v{v.version} · {v.name}
                          </Link>
                          <div className="text-xs text-slate-500">
                            {v.itemCount} pairs · {v.promptFormat} prompt
                          </div>
                        </td>
                        <td className="pr-3">
                          <Badge tone={approvalStateTone(v.approvalState)}>{approvalStateLabel(v.approvalState)}</Badge>
                        </td>
                        <td className="pr-3 text-right tabular-nums">{v.trainCount}</td>
                        <td className="pr-3 text-right tabular-nums">{v.validationCount || "–"}</td>
                        <td className="pr-3 text-right tabular-nums">{v.testCount}</td>
                        <td className="pr-3 text-right tabular-nums">{v.heldOutCount || "–"}</td>
                        <td className="pr-3 whitespace-nowrap text-slate-600">{v.createdAt.slice(0, 16).replace("T", " ")}</td>
                        <td className="pr-3 text-slate-600">{v.approvedBy ?? (v.approvalState === "signed_off" ? "studio" : "–")}</td>
                        <td className="text-right tabular-nums">{v.exportCount}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Card>
            {versions.length >= 2 && (
              <Card title="Compare versions" description="Pairs added, removed and changed between two versions, split sizes and prompt changes.">
                <CompareForm action={`/projects/${projectId}/datasets/compare`} versions={versions} a={versions[1].id} b={versions[0].id} />
              </Card>
            )}
          </div>
        )}
      </div>
    </>
  );
}
