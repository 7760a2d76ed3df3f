// POST /api/projects/:projectId/schema/preview — parse a schema source and show it before anything is stored
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { previewSchemaImport, schemaSourceInput } from "@/lib/schema/server/ingest";

export const runtime = "nodejs";

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const input = await parseJson(req, schemaSourceInput, 60 * 1024 * 1024);
  return previewSchemaImport(db, params.projectId, input, user.id);
});
