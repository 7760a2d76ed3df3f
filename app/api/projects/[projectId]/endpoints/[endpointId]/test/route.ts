// POST /api/projects/:projectId/endpoints/:endpointId/test — one small real call; ok: false with the reason when it fails
import { projectRoute } from "@/lib/auth/server/route";
import { testEndpoint } from "@/lib/evaluation/server/endpoints";

export const runtime = "nodejs";

type Params = { projectId: string; endpointId: string };

export const POST = projectRoute<Params>("evaluations.run", async ({ db, params }) => testEndpoint(db, params.projectId, params.endpointId));
