// POST /api/auth/setup — first run only: create the first (admin) account and sign it in
import { publicRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { setupInput } from "@/lib/auth/schemas";
import { setupFirstAdmin } from "@/lib/auth/server/users";
import { createSession, sessionCookieHeader } from "@/lib/auth/server/session";

export const runtime = "nodejs";

export const POST = publicRoute(async ({ req, db }) => {
  const user = await setupFirstAdmin(db, await parseJson(req, setupInput));
  const { cookieValue, expiresAt } = await createSession(db, user.id);
  return Response.json({ user: { id: user.id, email: user.email } }, { status: 201, headers: { "set-cookie": sessionCookieHeader(cookieValue, expiresAt) } });
});
