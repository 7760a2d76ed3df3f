// GET /api/projects/:projectId/queries/:queryId — one query with its result and flags · POST — replace it by corrected SQL
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { fixQuery, fixQueryInput, getQueryDetail } from "@/lib/queries/server/service";

export const runtime = "nodejs";

type Params = { projectId: string; queryId: string };

export const GET = projectRoute<Params>("project.view", async ({ db, params }) => getQueryDetail(db, params.projectId, params.queryId));

export const POST = projectRoute<Params>("pairs.review", async ({ req, db, user, params }) =>
  Response.json(await fixQuery(db, params.projectId, params.queryId, await parseJson(req, fixQueryInput), user.id)),
);
