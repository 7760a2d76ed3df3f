import "server-only";
import type { Db } from "@/lib/db/server/client";
import { getFastSqlite, prepared } from "@/lib/db/server/sqlite-fast";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import { isRole, PERMISSIONS, ROLE_LABELS, roleAllows, type Permission, type Role } from "@/lib/auth/policy";
import type { SessionUser } from "@/lib/auth/server/session";

export interface ProjectAccess {
  role: Role | null;
  isStudioAdmin: boolean;
}

export async function getProjectAccess(db: Db, user: SessionUser, projectId: string): Promise<ProjectAccess> {
  const fast = getFastSqlite(db);
  if (fast) {
    const row = prepared(fast, `SELECT role FROM "ProjectMember" WHERE projectId = ? AND userId = ?`).get(projectId, user.id) as { role: string } | undefined;
    return { role: row && isRole(row.role) ? row.role : null, isStudioAdmin: user.isAdmin };
  }
  const member = await db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId: user.id } }, select: { role: true } });
  return { role: member && isRole(member.role) ? member.role : null, isStudioAdmin: user.isAdmin };
}

const WHAT: Record<Permission, string> = {
  "project.view": "see this project",
  "pairs.review": "review pairs or generate queries",
  "pipeline.build": "change the schema or generate sandboxes",
  "datasets.manage": "freeze, sign off or export dataset versions",
  "evaluations.run": "add endpoints or run evaluations",
  "finetune.launch": "launch, cancel or deploy fine-tune jobs",
  "audit.view": "read the audit trail",
  "project.admin": "manage members and connections",
};

/**
 * The one check every route and page makes. No user → 401. Not a member → 404 (a project's
 * existence is not revealed to outsiders). A member whose role lacks the permission → 403 with
 * who can do it instead.
 */
export async function authorize(db: Db, user: SessionUser | null, projectId: string, permission: Permission): Promise<ProjectAccess> {
  if (!user) throw new UnauthorizedError("Sign in to continue.");
  const access = await getProjectAccess(db, user, projectId);
  // A membership row implies the project exists (foreign key, deleted with the project), so a
  // member needs no second lookup; no membership is a 404 whether or not the project exists.
  if (!access.isStudioAdmin && !access.role) throw new NotFoundError("This project does not exist, or you are not a member of it.");
  if (!roleAllows(access.role, permission, access.isStudioAdmin)) {
    const who = (PERMISSIONS[permission] as readonly Role[]).map((r) => ROLE_LABELS[r].toLowerCase()).join(" or ");
    throw new ForbiddenError(`Your role (${ROLE_LABELS[access.role!]}) cannot ${WHAT[permission]}. Ask a project ${who}.`);
  }
  return access;
}
