// POST /api/projects/:projectId/connections/:connectionId/test — check it against the provider; ok: false with each failed check
import { projectRoute } from "@/lib/auth/server/route";
import { testConnection } from "@/lib/providers/server/connections";

export const runtime = "nodejs";

type Params = { projectId: string; connectionId: string };

export const POST = projectRoute<Params>("finetune.launch", async ({ db, params }) => testConnection(db, params.projectId, params.connectionId));
