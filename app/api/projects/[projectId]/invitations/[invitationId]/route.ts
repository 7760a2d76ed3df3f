// DELETE /api/projects/:projectId/invitations/:invitationId — revoke an unused invitation
import { projectRoute } from "@/lib/auth/server/route";
import { revokeInvitation } from "@/lib/auth/server/users";

export const runtime = "nodejs";

export const DELETE = projectRoute<{ projectId: string; invitationId: string }>("project.admin", async ({ db, user, params }) => {
  await revokeInvitation(db, params.projectId, params.invitationId, user);
  return { ok: true };
});
