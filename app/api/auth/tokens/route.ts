// GET /api/auth/tokens — your API tokens · POST — create one (its value is shown once)
import { userRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { createApiTokenInput } from "@/lib/auth/schemas";
import { createApiToken, listApiTokens } from "@/lib/auth/server/users";

export const runtime = "nodejs";

export const GET = userRoute(async ({ db, user }) => ({ tokens: await listApiTokens(db, user) }));

export const POST = userRoute(async ({ req, db, user }) => {
  const { name } = await parseJson(req, createApiTokenInput);
  return Response.json({ token: await createApiToken(db, user, name, !!req.headers.get("authorization")) }, { status: 201 });
});
