// GET /api/projects/:projectId/connections — Fireworks and AWS connections (no secrets) · POST — add one
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { createConnection, createConnectionInput, listConnections } from "@/lib/providers/server/connections";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ connections: await listConnections(db, params.projectId) }));

export const POST = projectRoute("project.admin", async ({ req, db, user, params }) => {
  const connection = await createConnection(db, params.projectId, await parseJson(req, createConnectionInput), user.id);
  return Response.json({ connection }, { status: 201 });
});
