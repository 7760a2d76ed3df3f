// PATCH /api/projects/:projectId/connections/:connectionId — rename, settings, new key · DELETE — remove it
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { deleteConnection, updateConnection, updateConnectionInput } from "@/lib/providers/server/connections";

export const runtime = "nodejs";

type Params = { projectId: string; connectionId: string };

export const PATCH = projectRoute<Params>("project.admin", async ({ req, db, user, params }) => ({
  connection: await updateConnection(db, params.projectId, params.connectionId, await parseJson(req, updateConnectionInput), user.id),
}));

export const DELETE = projectRoute<Params>("project.admin", async ({ db, user, params }) => ({
  deleted: await deleteConnection(db, params.projectId, params.connectionId, user.id),
}));
