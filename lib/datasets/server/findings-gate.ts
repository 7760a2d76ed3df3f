import "server-only";
import type { Db } from "@/lib/db/server/client";

// Blocking scan findings stop a version from being submitted or approved until each is resolved
// (excluded, redacted) or waived with a reason. One count, used by the sign-off workflow.

export async function openBlockingFindings(db: Db, versionId: string): Promise<number> {
  return db.datasetFinding.count({ where: { datasetVersionId: versionId, severity: "blocking", status: "open" } });
}
