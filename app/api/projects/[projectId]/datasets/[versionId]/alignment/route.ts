// GET /api/projects/:projectId/datasets/:versionId/alignment?target=&size=&ngramMax= — the train split's alignment with a target workload
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { alignmentReportInput, getAlignmentReport } from "@/lib/datasets/server/alignment";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; versionId: string }>("project.view", async ({ req, db, params }) => {
  return getAlignmentReport(db, params.projectId, params.versionId, parseSearchParams(req, alignmentReportInput));
});
