// GET /api/projects/:projectId/endpoints — model endpoints · POST — add one (OpenAI-compatible, Bedrock or few-shot)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { createEndpoint, createEndpointInput, listEndpoints } from "@/lib/evaluation/server/endpoints";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ endpoints: await listEndpoints(db, params.projectId) }));

export const POST = projectRoute("evaluations.run", async ({ req, db, user, params }) => {
  const endpoint = await createEndpoint(db, params.projectId, await parseJson(req, createEndpointInput), user.id);
  return Response.json({ endpoint }, { status: 201 });
});
