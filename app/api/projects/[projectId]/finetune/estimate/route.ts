// POST /api/projects/:projectId/finetune/estimate — examples, tokens and cost of a launch, without launching
import { projectRoute } from "@/lib/auth/server/route";
import { parseJson } from "@/lib/http";
import { estimateFineTune } from "@/lib/finetune/server/service";
import { z } from "zod";

export const runtime = "nodejs";

export const POST = projectRoute("finetune.launch", async ({ req, db, params }) => estimateFineTune(db, params.projectId, await parseJson(req, z.record(z.string(), z.unknown()))));
