// POST /api/projects/:projectId/datasets/:versionId/request-changes — send a submitted version back, with a comment
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { requestDatasetVersionChanges, requiredCommentInput } from "@/lib/datasets/server/sign-off";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("datasets.manage", async ({ req, db, user, params }) => {
  const { comment } = await parseJson(req, requiredCommentInput);
  return requestDatasetVersionChanges(db, params.projectId, params.versionId, user.id, comment);
});
