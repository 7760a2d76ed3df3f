// POST /api/projects/:projectId/datasets/:versionId/sign-off — a data lead signs off a version
import { getDb } from "@/lib/db/server/client";
import { route } from "@/lib/http";
import { signOffDatasetVersion } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const POST = route<{ projectId: string; versionId: string }>(async (_req, { projectId, versionId }) => signOffDatasetVersion(getDb(), projectId, versionId));
