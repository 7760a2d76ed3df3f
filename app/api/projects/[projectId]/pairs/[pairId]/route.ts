// GET /api/projects/:projectId/pairs/:pairId — one pair with its result · PATCH — edit question/SQL
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { editPair, editPairInput, getPairDetail } from "@/lib/review/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; pairId: string };

export const GET = route<Params>(async (_req, { projectId, pairId }) => getPairDetail(getDb(), projectId, pairId));

export const PATCH = route<Params>(async (req, { projectId, pairId }) => editPair(getDb(), projectId, pairId, await parseJson(req, editPairInput)));
