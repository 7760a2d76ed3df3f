import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { requireProjectPage } from "@/lib/auth/server/page";
import { listRegressionItems } from "@/lib/evaluation/server/regression";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { RegressionList } from "./regression-list";

export const dynamic = "force-dynamic";
export const metadata = { title: "Regression set" };

export default async function RegressionPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "evaluations.run");
  const items = await listRegressionItems(getDb(), projectId);
  return (
    <>
      <PageHeader
        title="Regression set"
        description={
          <>
            <Link href={`/projects/${projectId}/evaluations`} className="text-brand-700 hover:underline">
              All runs
            </Link>{" "}
            · items a run broke. Every later run answers them too (unless its form says otherwise), so a model that breaks them again shows at once.
          </>
        }
      />
      {items.length === 0 ? (
        <EmptyState title="The regression set is empty">
          Compare two runs and add the items the later one broke, or add a failing item from a run&apos;s scorecard.
        </EmptyState>
      ) : (
        <Card title={`${items.length} item${items.length === 1 ? "" : "s"}`}>
          <RegressionList projectId={projectId} items={items} allowed={allowed} />
        </Card>
      )}
    </>
  );
}
