// POST /api/projects/:projectId/datasets/:versionId/approve — a data lead signs off a submitted version
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { approveDatasetVersion, reviewCommentInput } from "@/lib/datasets/server/sign-off";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("datasets.manage", async ({ req, db, user, params }) => {
  const { comment } = await parseJson(req, reviewCommentInput);
  return approveDatasetVersion(db, params.projectId, params.versionId, user.id, comment ?? "");
});
