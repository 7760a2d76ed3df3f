// POST /api/auth/accept-invitation — accept an invitation link: create the account, join, sign in
import { publicRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { acceptInvitationInput } from "@/lib/auth/schemas";
import { acceptInvitation } from "@/lib/auth/server/users";
import { sessionCookieHeader } from "@/lib/auth/server/session";

export const runtime = "nodejs";

export const POST = publicRoute(async ({ req, db }) => {
  const { user, cookieValue, expiresAt } = await acceptInvitation(db, await parseJson(req, acceptInvitationInput));
  return Response.json({ user: { id: user.id, email: user.email } }, { headers: { "set-cookie": sessionCookieHeader(cookieValue, expiresAt) } });
});
