// POST /api/projects/:projectId/schema — ingest pasted DDL as the next schema version
import { z } from "zod";
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { ingestDdl } from "@/lib/schema/server/service";

export const runtime = "nodejs";

const input = z.object({ ddl: z.string().max(1_000_000, "The DDL is over 1 MB. Paste only the CREATE TABLE statements.") });

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const { ddl } = await parseJson(req, input);
  return Response.json({ schemaVersion: await ingestDdl(db, params.projectId, ddl, user.id) }, { status: 201 });
});
