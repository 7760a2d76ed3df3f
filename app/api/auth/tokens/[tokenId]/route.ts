// DELETE /api/auth/tokens/:tokenId — revoke one of your API tokens
import { userRoute } from "@/lib/auth/server/route";
import { revokeApiToken } from "@/lib/auth/server/users";

export const runtime = "nodejs";

export const DELETE = userRoute<{ tokenId: string }>(async ({ db, user, params }) => {
  await revokeApiToken(db, user, params.tokenId);
  return { ok: true };
});
