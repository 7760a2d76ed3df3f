// GET /api/projects/:projectId/pairs — list question/SQL pairs (filter by state, search text)
import { getDb } from "@/lib/db/server/client";
import { route } from "@/lib/http";
import { ValidationError } from "@/lib/errors";
import { listPairs, listPairsInput } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const GET = route<{ projectId: string }>(async (req, { projectId }) => {
  const parsed = listPairsInput.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) throw new ValidationError(parsed.error.issues[0]?.message ?? "Bad filter.");
  return listPairs(getDb(), projectId, parsed.data);
});
