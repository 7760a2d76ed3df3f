// POST /api/projects/:projectId/pairs/:pairId/comments — add a comment to a pair
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { addComment, addCommentInput } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; pairId: string }>("pairs.review", async ({ req, db, user, params }) => {
  const comment = await addComment(db, params.projectId, params.pairId, await parseJson(req, addCommentInput), user.id);
  return Response.json(comment, { status: 201 });
});
