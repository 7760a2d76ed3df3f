// GET /api/projects/:projectId/evaluations/regression — the regression set · POST — add items · DELETE — remove items
import { z } from "zod";
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { addRegressionItems, listRegressionItems, regressionChangeInput, removeRegressionItems } from "@/lib/evaluation/server/regression";

export const runtime = "nodejs";

export const GET = projectRoute("project.view", async ({ db, params }) => ({ items: await listRegressionItems(db, params.projectId) }));

export const POST = projectRoute("evaluations.run", async ({ req, db, user, params }) => addRegressionItems(db, params.projectId, await parseJson(req, regressionChangeInput), user.id));

const removeInput = z.object({ itemIds: z.array(z.string().min(1).max(64)).min(1, "Pick at least one item.").max(5_000, "At most 5,000 items at a time.") });

export const DELETE = projectRoute("evaluations.run", async ({ req, db, user, params }) => removeRegressionItems(db, params.projectId, (await parseJson(req, removeInput)).itemIds, user.id));
