// POST /api/projects/:projectId/datasets/:versionId/sign-off — a data lead submits and approves in one step
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { reviewCommentInput, signOffDatasetVersion } from "@/lib/datasets/server/sign-off";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("datasets.manage", async ({ req, db, user, params }) => {
  const { comment } = await parseJson(req, reviewCommentInput);
  return signOffDatasetVersion(db, params.projectId, params.versionId, user.id, comment ?? "");
});
