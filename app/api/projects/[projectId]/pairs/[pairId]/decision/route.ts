// POST /api/projects/:projectId/pairs/:pairId/decision — approve, reject or reopen a pair
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { decidePair, decidePairInput } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const POST = projectRoute<{ projectId: string; pairId: string }>("pairs.review", async ({ req, db, user, params }) =>
  decidePair(db, params.projectId, params.pairId, await parseJson(req, decidePairInput), user.id),
);
