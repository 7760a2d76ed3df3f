// POST /api/auth/login — sign in with email and password; sets the session cookie
import { publicRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { loginInput } from "@/lib/auth/schemas";
import { signIn } from "@/lib/auth/server/users";
import { sessionCookieHeader } from "@/lib/auth/server/session";

export const runtime = "nodejs";

export const POST = publicRoute(async ({ req, db }) => {
  const client = req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() ?? "local";
  const { user, cookieValue, expiresAt } = await signIn(db, await parseJson(req, loginInput), client);
  return Response.json({ user: { id: user.id, email: user.email, name: user.name } }, { headers: { "set-cookie": sessionCookieHeader(cookieValue, expiresAt) } });
});
