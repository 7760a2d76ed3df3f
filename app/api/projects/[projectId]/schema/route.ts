// POST /api/projects/:projectId/schema — ingest pasted DDL as the next schema version
import { z } from "zod";
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { ingestDdl } from "@/lib/schema/server/service";

export const runtime = "nodejs";

const input = z.object({ ddl: z.string().max(1_000_000, "The DDL is over 1 MB. Paste only the CREATE TABLE statements.") });

export const POST = route<{ projectId: string }>(async (req, { projectId }) => {
  const { ddl } = await parseJson(req, input);
  const version = await ingestDdl(getDb(), projectId, ddl);
  return Response.json({ schemaVersion: version }, { status: 201 });
});
