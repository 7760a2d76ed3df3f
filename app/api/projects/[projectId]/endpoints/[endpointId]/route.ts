// PATCH /api/projects/:projectId/endpoints/:endpointId — rename, settings, prices, k, new key · DELETE — delete it with its runs
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { deleteEndpoint, updateEndpointInput, updateEndpointSettings } from "@/lib/evaluation/server/endpoints";

export const runtime = "nodejs";

type Params = { projectId: string; endpointId: string };

export const PATCH = projectRoute<Params>("evaluations.run", async ({ req, db, user, params }) => {
  const endpoint = await updateEndpointSettings(db, params.projectId, params.endpointId, await parseJson(req, updateEndpointInput), user.id);
  return { endpoint };
});

export const DELETE = projectRoute<Params>("evaluations.run", async ({ db, user, params }) => ({
  deleted: await deleteEndpoint(db, params.projectId, params.endpointId, user.id),
}));
