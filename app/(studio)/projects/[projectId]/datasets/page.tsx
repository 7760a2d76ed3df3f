import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { listDatasetVersions } from "@/lib/datasets/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, stateTone } from "@/components/ui/badge";
import { FreezeForm } from "./freeze-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Datasets" };

export default async function DatasetsPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "datasets.manage");
  const db = getDb();
  const [versions, approved] = await Promise.all([listDatasetVersions(db, projectId), db.pair.count({ where: { projectId, reviewState: "approved" } })]);
  return (
    <>
      <PageHeader
        title="Dataset versions"
        description="A version is an immutable snapshot of the approved pairs with their results, split into train and test so that the same query structure never lands on both sides. Only a signed-off version can be exported."
      />
      <div className="grid gap-6 xl:grid-cols-[340px_minmax(0,1fr)]">
        <Card title="Freeze a new version" description={`${approved} approved pair${approved === 1 ? "" : "s"} available`}>
          {allowed ? <FreezeForm projectId={projectId} disabled={approved < 2} /> : <p className="text-sm text-slate-600">Only a data lead or an admin can freeze versions.</p>}
        </Card>
        {versions.length === 0 ? (
          <EmptyState title="No versions yet">Approve pairs on the Review page, then freeze them into a version here.</EmptyState>
        ) : (
          <Card title="Versions">
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th className="py-1">Version</th>
                  <th>Pairs</th>
                  <th>Train / test</th>
                  <th>State</th>
                  <th>Exports</th>
                  <th>Evaluations</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id} className="border-t border-slate-100">
                    <td className="py-1.5">
                      <Link href={`/projects/${projectId}/datasets/${v.id}`} className="font-medium text-brand-700 hover:underline">
                        v{v.version} · {v.name}
                      </Link>
                    </td>
                    <td className="tabular-nums">{v.itemCount}</td>
                    <td className="tabular-nums">
                      {v.trainCount} / {v.testCount}
                    </td>
                    <td>
                      <Badge tone={stateTone(v.approvalState)}>{v.approvalState.replace("_", " ")}</Badge>
                    </td>
                    <td className="tabular-nums">{v.exportCount}</td>
                    <td className="tabular-nums">{v.evalRunCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </div>
    </>
  );
}
