// POST /api/projects/:projectId/datasets/:versionId/submit — ask a data lead to sign off a version
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { reviewCommentInput, submitDatasetVersion } from "@/lib/datasets/server/sign-off";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("pairs.review", async ({ req, db, user, params }) => {
  const { comment } = await parseJson(req, reviewCommentInput);
  return submitDatasetVersion(db, params.projectId, params.versionId, user.id, comment ?? "");
});
