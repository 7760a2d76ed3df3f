// PATCH /api/projects/:projectId/members/:userId — change a role · DELETE — remove a member
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { updateMemberInput } from "@/lib/auth/schemas";
import { removeMember, updateMemberRole } from "@/lib/auth/server/users";

export const runtime = "nodejs";

type Params = { projectId: string; userId: string };

export const PATCH = projectRoute<Params>("project.admin", async ({ req, db, user, params }) => {
  const { role } = await parseJson(req, updateMemberInput);
  return updateMemberRole(db, params.projectId, params.userId, role, user);
});

export const DELETE = projectRoute<Params>("project.admin", async ({ db, user, params }) => {
  await removeMember(db, params.projectId, params.userId, user);
  return { ok: true };
});
