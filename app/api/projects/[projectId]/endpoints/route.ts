// GET /api/projects/:projectId/endpoints — model endpoints · POST — add an OpenAI-compatible endpoint
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { createEndpointInput, createOpenAiEndpoint, listEndpoints } from "@/lib/evaluation/server/service";

export const runtime = "nodejs";

export const GET = route<{ projectId: string }>(async (_req, { projectId }) => ({ endpoints: await listEndpoints(getDb(), projectId) }));

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const endpoint = await createOpenAiEndpoint(getDb(), projectId, await parseJson(req, createEndpointInput));
  return Response.json({ endpoint }, { status: 201 });
});
