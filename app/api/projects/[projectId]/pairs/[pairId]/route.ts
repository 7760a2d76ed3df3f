// GET /api/projects/:projectId/pairs/:pairId — one pair with its result · PATCH — edit question/SQL
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { editPair, editPairInput, getPairDetail } from "@/lib/review/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; pairId: string };

export const GET = projectRoute<Params>("project.view", async ({ db, user, params }) => getPairDetail(db, params.projectId, params.pairId, user.id));

export const PATCH = projectRoute<Params>("pairs.review", async ({ req, db, user, params }) =>
  editPair(db, params.projectId, params.pairId, await parseJson(req, editPairInput), user.id),
);
