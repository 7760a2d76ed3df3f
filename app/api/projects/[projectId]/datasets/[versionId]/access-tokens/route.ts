// GET /api/projects/:projectId/datasets/:versionId/access-tokens — evaluator tokens and the endpoint URLs · POST — create one (its value is shown once)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson, publicOrigin } from "@/lib/http";
import { createAccessToken, listAccessTokens } from "@/lib/sandbox-access/server/service";
import { createAccessTokenInput, evaluatorEndpoints } from "@/lib/sandbox-access/schemas";

export const runtime = "nodejs";

type Params = { projectId: string; versionId: string };

export const GET = projectRoute<Params>("datasets.manage", async ({ req, db, params }) => ({
  tokens: await listAccessTokens(db, params.projectId, params.versionId),
  endpoints: evaluatorEndpoints(publicOrigin(req)),
}));

export const POST = projectRoute<Params>("datasets.manage", async ({ req, db, user, params }) => {
  const input = await parseJson(req, createAccessTokenInput);
  const token = await createAccessToken(db, params.projectId, params.versionId, input, user.id);
  return Response.json({ token, endpoints: evaluatorEndpoints(publicOrigin(req)) }, { status: 201 });
});
