// POST /api/projects/:projectId/datasets/:versionId/comment — add to a version's sign-off conversation
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { commentOnDatasetVersion, requiredCommentInput } from "@/lib/datasets/server/sign-off";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; versionId: string }>("pairs.review", async ({ req, db, user, params }) => {
  const { comment } = await parseJson(req, requiredCommentInput);
  return Response.json(await commentOnDatasetVersion(db, params.projectId, params.versionId, user.id, comment), { status: 201 });
});
