// POST /api/projects/:projectId/pairs/:pairId/decision — approve, reject or reopen a pair
import { getDb } from "@/lib/db/server/client";
import { parseJson, route } from "@/lib/http";
import { decidePair, decidePairInput } from "@/lib/review/server/service";

export const runtime = "nodejs";

export const POST = route<{ projectId: string; pairId: string }>(async (req, { projectId, pairId }) =>
  decidePair(getDb(), projectId, pairId, await parseJson(req, decidePairInput)),
);
