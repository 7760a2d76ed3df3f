// POST /api/projects/:projectId/invitations — invite someone with a role (the link is shown once)
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { createInvitationInput } from "@/lib/auth/schemas";
import { createInvitation } from "@/lib/auth/server/users";
import { publicOrigin } from "@/lib/http";

export const runtime = "nodejs";

export const POST = projectRoute("project.admin", async ({ req, db, user, params }) => {
  const invitation = await createInvitation(db, params.projectId, await parseJson(req, createInvitationInput), user);
  const origin = publicOrigin(req);
  return Response.json({ invitation: { ...invitation, url: `${origin}/invite/${invitation.token}` } }, { status: 201 });
});
