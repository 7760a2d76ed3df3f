// POST /api/projects/:projectId/schema/commit — store a previewed schema as the next version
import { z } from "zod";
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { commitSchemaImport } from "@/lib/schema/server/ingest";

export const runtime = "nodejs";

const input = z.object({ previewId: z.string().uuid("Preview the schema first.") });

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const { previewId } = await parseJson(req, input);
  return Response.json({ schemaVersion: await commitSchemaImport(db, params.projectId, previewId, user.id) }, { status: 201 });
});
