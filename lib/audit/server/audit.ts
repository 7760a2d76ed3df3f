import "server-only";
import type { Tx } from "@/lib/db/server/client";

// Append-only record of every change. Written with the change, in the same transaction, so an
// event exists exactly when its change does.
export async function recordAudit(
  tx: Tx,
  event: { projectId?: string | null; userId?: string | null; action: string; entityType: string; entityId?: string | null; summary: string; before?: unknown; after?: unknown },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      projectId: event.projectId ?? null,
      userId: event.userId ?? null,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId ?? null,
      summary: event.summary.slice(0, 500),
      before: event.before === undefined ? null : JSON.stringify(event.before),
      after: event.after === undefined ? null : JSON.stringify(event.after),
    },
  });
}
