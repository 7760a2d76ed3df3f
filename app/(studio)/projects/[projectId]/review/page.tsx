import { getDb } from "@/lib/db/server/client";
import { listPairs } from "@/lib/review/server/service";
import { requireProjectPage } from "@/lib/auth/server/page";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { ReviewWorkspace } from "./review-workspace";

export const dynamic = "force-dynamic";
export const metadata = { title: "Review" };

export default async function ReviewPage({ params }: { params: Promise<{ projectId: string }> }) {
  const { projectId } = await params;
  const { allowed } = await requireProjectPage(projectId, "pairs.review");
  const initial = await listPairs(getDb(), projectId, { state: "pending", take: 500 });
  const total = Object.values(initial.counts).reduce((a, b) => a + (b ?? 0), 0);
  return (
    <>
      <PageHeader
        title="Review"
        description={
          <>
            Read the question, check the SQL and its result, then approve or reject. Edited SQL is executed on the sandbox before it is saved. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>a</kbd> approve,{" "}
            <kbd>r</kbd> reject, <kbd>e</kbd> edit SQL, <kbd>q</kbd> edit question, <kbd>Ctrl</kbd>+<kbd>Enter</kbd> run.
          </>
        }
      />
      {total === 0 ? (
        <EmptyState title="Nothing to review yet">Generate queries and write questions on the Queries page; the pairs appear here.</EmptyState>
      ) : (
        <ReviewWorkspace projectId={projectId} initial={initial} canReview={allowed} />
      )}
    </>
  );
}
