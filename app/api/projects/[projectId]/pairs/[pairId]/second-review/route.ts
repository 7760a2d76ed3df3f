// GET /api/projects/:projectId/pairs/:pairId/second-review — the blind view of a pair · POST — submit my second review
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { getBlindPair, submitSecondReview, submitSecondReviewInput } from "@/lib/review/server/second-review";

export const runtime = "nodejs";

type Params = { projectId: string; pairId: string };

export const GET = projectRoute<Params>("pairs.review", async ({ db, user, params }) => getBlindPair(db, params.projectId, params.pairId, user.id));

export const POST = projectRoute<Params>("pairs.review", async ({ req, db, user, params }) =>
  submitSecondReview(db, params.projectId, params.pairId, user.id, await parseJson(req, submitSecondReviewInput)),
);
