// GET /api/projects/:projectId/audit — the audit trail, filtered; ?format=csv|json downloads it
import { projectRoute } from "@/lib/auth/server/route";
import { parseSearchParams } from "@/lib/http";
import { auditFilterInput, exportAuditEvents, listAuditEvents } from "@/lib/audit/server/service";

export const runtime = "nodejs";

export const GET = projectRoute("audit.view", async ({ req, db, params }) => {
  const filter = parseSearchParams(req, auditFilterInput);
  if (!filter.format) return listAuditEvents(db, params.projectId, filter);
  const file = await exportAuditEvents(db, params.projectId, filter, filter.format);
  return new Response(file.body, { headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="audit-${params.projectId}.${filter.format}"` } });
});
