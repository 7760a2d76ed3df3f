// POST /api/projects/:projectId/foreign-keys — confirm or drop a (suggested) foreign key
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { decideForeignKey, foreignKeyDecisionInput } from "@/lib/schema/server/glossary";

export const runtime = "nodejs";

export const POST = projectRoute("pipeline.build", async ({ req, db, user, params }) => {
  const input = await parseJson(req, foreignKeyDecisionInput);
  return { foreignKey: await decideForeignKey(db, params.projectId, input, user.id) };
});
