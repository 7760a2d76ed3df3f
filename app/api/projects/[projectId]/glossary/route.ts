// GET /api/projects/:projectId/glossary — the latest schema with the glossary laid over it
// PATCH — set a table's or column's description, a column's semantic type or sensitive flag
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { getGlossary, glossaryEntryInput, updateGlossaryEntry } from "@/lib/schema/server/glossary";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ glossary: await getGlossary(db, params.projectId) }));

export const PATCH = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const input = await parseJson(req, glossaryEntryInput);
  return { entry: await updateGlossaryEntry(db, params.projectId, input, user.id) };
});
