// POST /api/auth/logout — end this session on the server and clear the cookie
import { publicRoute } from "@/lib/auth/server/route";
import { clearSessionCookieHeader, destroySession, readCookie, SESSION_COOKIE } from "@/lib/auth/server/session";

export const runtime = "nodejs";

export const POST = publicRoute(async ({ req, db }) => {
  await destroySession(db, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
  return Response.json({ ok: true }, { headers: { "set-cookie": clearSessionCookieHeader() } });
});
