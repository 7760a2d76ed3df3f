// DELETE /api/projects/:projectId/datasets/:versionId/access-tokens/:tokenId — revoke an evaluator token (at once; revoking twice is harmless)
import { projectRoute } from "@/lib/auth/server/route";
import { revokeAccessToken } from "@/lib/sandbox-access/server/service";

export const runtime = "nodejs";

export const DELETE = projectRoute<{ projectId: string; versionId: string; tokenId: string }>("datasets.manage", async ({ db, user, params }) => ({
  token: await revokeAccessToken(db, params.projectId, params.versionId, params.tokenId, user.id),
}));
