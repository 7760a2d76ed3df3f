import "server-only";
import type { Db, Tx } from "@/lib/db/server/client";
import type { EvalScope } from "@/lib/evaluation/run-options";

// Which items an evaluation run answers. The same function counts the plan when the run is started
// and lists it when the job runs (and again on every resume), so `total` and the work agree.

export type ItemSource = "scope" | "regression";

export interface PlannedItem {
  id: string;
  /** Regression items may come from other versions: each is asked with its own version's prompt
   * and executed on its own version's sandbox. */
  datasetVersionId: string;
  source: ItemSource;
}

/**
 * Items of the version matching the scope (split, complexities, shapes; excluded items left out;
 * `limit` keeps the first N by id, a stable order), then, when the scope includes the regression
 * set, every regression item of the project that is not already in scope. Scope items come first,
 * each list ordered by id.
 */
export async function planEvalItems(db: Db | Tx, projectId: string, datasetVersionId: string, scope: EvalScope): Promise<PlannedItem[]> {
  const scoped = await db.datasetItem.findMany({
    where: {
      datasetVersionId,
      split: scope.split,
      excluded: false,
      ...(scope.complexities.length ? { complexity: { in: scope.complexities } } : {}),
      ...(scope.shapes.length ? { shape: { in: scope.shapes } } : {}),
    },
    orderBy: { id: "asc" },
    ...(scope.limit > 0 ? { take: scope.limit } : {}),
    select: { id: true },
  });
  const planned: PlannedItem[] = scoped.map((i) => ({ id: i.id, datasetVersionId, source: "scope" }));
  if (!scope.includeRegression) return planned;
  const inScope = new Set(planned.map((p) => p.id));
  const regression = await db.regressionItem.findMany({
    where: { projectId },
    orderBy: { itemId: "asc" },
    select: { itemId: true, item: { select: { datasetVersionId: true } } },
  });
  for (const r of regression) {
    if (inScope.has(r.itemId)) continue;
    inScope.add(r.itemId);
    planned.push({ id: r.itemId, datasetVersionId: r.item.datasetVersionId, source: "regression" });
  }
  return planned;
}

/** The scope in words ("split test, complexity simple or moderate"), for messages. */
export function describeScope(scope: EvalScope): string {
  const parts = [`split ${scope.split}`];
  if (scope.complexities.length) parts.push(`complexity ${scope.complexities.join(" or ")}`);
  if (scope.shapes.length) parts.push(`shape ${scope.shapes.join(" or ")}`);
  return parts.join(", ");
}
