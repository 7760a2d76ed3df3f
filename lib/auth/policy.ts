// Who may do what. Roles are per project; a studio admin (User.isAdmin) may do everything.
// Every route and page names one of these permissions (lib/auth/server/route.ts); the
// authorization matrix test (test/authz-matrix.int.test.ts) checks each against every role.

export const ROLES = ["admin", "data_lead", "analyst", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = { admin: "Admin", data_lead: "Data lead", analyst: "Analyst", viewer: "Viewer" };

export const PERMISSIONS = {
  /** See the project and everything in it. */
  "project.view": ["admin", "data_lead", "analyst", "viewer"],
  /** Generate queries and questions, run SQL on the sandbox, approve/reject/edit pairs. */
  "pairs.review": ["admin", "data_lead", "analyst"],
  /** Change the schema, generate sandboxes. */
  "pipeline.build": ["admin", "data_lead"],
  /** Freeze dataset versions, sign them off, export them. */
  "datasets.manage": ["admin", "data_lead"],
  /** Add model endpoints and run evaluations. */
  "evaluations.run": ["admin", "data_lead"],
  /** Launch, cancel and deploy fine-tune jobs. */
  "finetune.launch": ["admin", "data_lead"],
  /** Read the audit trail. */
  "audit.view": ["admin", "data_lead"],
  /** Members, invitations, provider connections. */
  "project.admin": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function roleAllows(role: Role | null, permission: Permission, isStudioAdmin = false): boolean {
  if (isStudioAdmin) return true;
  if (!role) return false;
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Permissions a role holds, for the UI to hide what the user cannot do. */
export function permissionsOf(role: Role | null, isStudioAdmin = false): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => roleAllows(role, p, isStudioAdmin));
}

export const MIN_PASSWORD_LENGTH = 10;
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
