// GET /api/projects/:projectId/datasets/:versionId/export?format=fireworks_rft — download the train split
import { projectRoute } from "@/lib/auth/server/route";
import { ValidationError } from "@/lib/errors";
import { EXPORT_FORMATS, exportDatasetVersion, type ExportFormat } from "@/lib/datasets/server/service";

export const runtime = "nodejs";

export const GET = projectRoute<{ projectId: string; versionId: string }>("datasets.manage", async ({ req, db, user, params }) => {
  const format = new URL(req.url).searchParams.get("format") ?? "fireworks_rft";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ValidationError(`Unknown export format "${format.slice(0, 40)}". Use one of: ${EXPORT_FORMATS.join(", ")}.`);
  const file = await exportDatasetVersion(db, params.projectId, params.versionId, format as ExportFormat, user.id);
  return new Response(file.body, {
    headers: {
      "content-type": "application/jsonl; charset=utf-8",
      "content-disposition": `attachment; filename="${file.filename}"`,
      "x-line-count": String(file.lineCount),
      "x-sha256": file.sha256,
    },
  });
});
