import Link from "next/link";
import { getDb } from "@/lib/db/server/client";
import { getReviewContext, listPairs } from "@/lib/review/server/service";
import { listSecondReviewQueue } from "@/lib/review/server/second-review";
import { roleAllows } from "@/lib/auth/policy";
import { requireProjectPage } from "@/lib/auth/server/page";
import { EmptyState, PageHeader } from "@/components/ui/card";
import type { PairFilter } from "@/lib/review/filter";
import { ReviewWorkspace } from "./review-workspace";

export const dynamic = "force-dynamic";
export const metadata = { title: "Review" };

const INITIAL_FILTER: PairFilter = { state: "pending" };

export default async function ReviewPage({ params, searchParams }: { params: Promise<{ projectId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { projectId } = await params;
  const query = await searchParams;
  const { allowed, user, role, isStudioAdmin } = await requireProjectPage(projectId, "pairs.review");
  const db = getDb();
  const [initial, context, owed] = await Promise.all([
    listPairs(db, projectId, { ...INITIAL_FILTER, take: 200 }, user.id),
    getReviewContext(db, projectId),
    listSecondReviewQueue(db, projectId, user.id, { take: 1 }),
  ]);
  const total = Object.values(initial.counts).reduce((a, b) => a + (b ?? 0), 0);
  const linked = typeof query.pair === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(query.pair) ? query.pair : null;
  return (
    <>
      <PageHeader
        title="Review"
        description={
          <>
            Read the question, check the SQL and its result, then approve or reject. Edited SQL is executed on the sandbox before it is saved. Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>a</kbd> approve,{" "}
            <kbd>r</kbd> reject, <kbd>e</kbd> edit SQL, <kbd>?</kbd> all shortcuts.
          </>
        }
        actions={
          <Link href={`/projects/${projectId}/review/progress`} className="text-sm font-medium text-brand-700 hover:underline">
            Progress and agreement →
          </Link>
        }
      />
      {total === 0 ? (
        <EmptyState title="Nothing to review yet">Generate queries and write questions on the Queries page; the pairs appear here.</EmptyState>
      ) : (
        <ReviewWorkspace
          projectId={projectId}
          initial={initial}
          initialFilter={INITIAL_FILTER}
          canReview={allowed}
          canAssign={roleAllows(role, "datasets.manage", isStudioAdmin)}
          members={context.members}
          secondReviewsOwed={owed.total}
          schema={context.schema}
          initialPairId={linked}
        />
      )}
    </>
  );
}
