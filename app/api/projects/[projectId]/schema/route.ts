// POST /api/projects/:projectId/schema — parse a schema source (DDL, DESCRIBE export, live connection) and store it as the next version
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { importSchema, schemaSourceInput } from "@/lib/schema/server/ingest";

export const runtime = "nodejs";

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const input = await parseJson(req, schemaSourceInput, 60 * 1024 * 1024);
  return Response.json({ schemaVersion: await importSchema(db, params.projectId, input, user.id) }, { status: 201 });
});
