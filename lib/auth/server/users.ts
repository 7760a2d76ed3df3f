import "server-only";
import bcrypt from "bcryptjs";
import type { z } from "zod";
import type { Db } from "@/lib/db/server/client";
import { recordAudit } from "@/lib/audit/server/audit";
import { ConflictError, ForbiddenError, NotFoundError, RateLimitError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { INVITATION_TTL_MS, isRole, ROLE_LABELS, type Role } from "@/lib/auth/policy";
import type { acceptInvitationInput, createInvitationInput, loginInput, setupInput } from "@/lib/auth/schemas";
import { createSession, hashToken, newToken, type SessionUser } from "@/lib/auth/server/session";

const BCRYPT_ROUNDS = 10;
// Compared against when the email is unknown, so a wrong email takes as long as a wrong password.
const DUMMY_HASH = bcrypt.hashSync("not-a-real-password", BCRYPT_ROUNDS);

export async function hasAnyUser(db: Db): Promise<boolean> {
  return (await db.user.count()) > 0;
}

/** First run: the first account is a studio admin. Refused once any account exists. */
export async function setupFirstAdmin(db: Db, input: z.infer<typeof setupInput>) {
  const passwordHash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
  return db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) throw new ConflictError("The studio is already set up. Sign in instead.");
    const user = await tx.user.create({ data: { email: input.email, name: input.name, passwordHash, isAdmin: true } });
    await recordAudit(tx, { userId: user.id, action: "user.setup", entityType: "user", entityId: user.id, summary: `First admin ${user.email} created` });
    return user;
  });
}

// Sign-in attempts per email and per client, kept in memory: a few wrong passwords are fine, a
// guessing loop is slowed to a stop.
const failures = new Map<string, number[]>();
const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES = 8;

function recentFailures(key: string): number[] {
  const now = Date.now();
  const list = (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  failures.set(key, list);
  return list;
}

export async function signIn(db: Db, input: z.infer<typeof loginInput>, clientKey = "unknown") {
  const keys = [`email:${input.email}`, `client:${clientKey}`];
  if (keys.some((k) => recentFailures(k).length >= MAX_FAILURES)) {
    throw new RateLimitError("Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.");
  }
  const user = await db.user.findUnique({ where: { email: input.email } });
  const ok = await bcrypt.compare(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !user.passwordHash || !ok) {
    for (const k of keys) recentFailures(k).push(Date.now());
    throw new UnauthorizedError("Wrong email or password.");
  }
  for (const k of keys) failures.delete(k);
  return { user, ...(await createSession(db, user.id)) };
}

export async function createInvitation(db: Db, projectId: string, input: z.infer<typeof createInvitationInput>, invitedBy: SessionUser) {
  const already = await db.projectMember.findFirst({ where: { projectId, user: { email: input.email } } });
  if (already) throw new ConflictError(`${input.email} is already a member of this project.`);
  const token = newToken("inv_");
  return db.$transaction(async (tx) => {
    const invitation = await tx.invitation.create({
      data: { projectId, email: input.email, role: input.role, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + INVITATION_TTL_MS), createdById: invitedBy.id },
    });
    await recordAudit(tx, { projectId, userId: invitedBy.id, action: "member.invite", entityType: "invitation", entityId: invitation.id, summary: `Invited ${input.email} as ${ROLE_LABELS[input.role]}` });
    // The token is returned once, to be shown once; only its hash is stored.
    return { id: invitation.id, token, expiresAt: invitation.expiresAt.toISOString() };
  });
}

export async function getInvitation(db: Db, token: string) {
  const invitation = await db.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { project: { select: { name: true } } } });
  if (!invitation) throw new NotFoundError("This invitation link is not valid. Ask for a new one.");
  if (invitation.acceptedAt) throw new ConflictError("This invitation has already been used. Sign in instead.");
  if (invitation.expiresAt.getTime() < Date.now()) throw new ConflictError("This invitation has expired. Ask for a new one.");
  return { email: invitation.email, role: invitation.role, projectName: invitation.project.name, projectId: invitation.projectId };
}

/** Accept an invitation: creates the account if needed, adds the membership, signs the person in. */
export async function acceptInvitation(db: Db, input: z.infer<typeof acceptInvitationInput>) {
  const tokenHash = hashToken(input.token);
  const passwordHash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
  const user = await db.$transaction(async (tx) => {
    const invitation = await tx.invitation.findUnique({ where: { tokenHash } });
    if (!invitation) throw new NotFoundError("This invitation link is not valid. Ask for a new one.");
    if (invitation.expiresAt.getTime() < Date.now()) throw new ConflictError("This invitation has expired. Ask for a new one.");
    // One use: the compare-and-set on acceptedAt means two tabs cannot both accept.
    const { count } = await tx.invitation.updateMany({ where: { id: invitation.id, acceptedAt: null }, data: { acceptedAt: new Date() } });
    if (count !== 1) throw new ConflictError("This invitation has already been used. Sign in instead.");
    let account = await tx.user.findUnique({ where: { email: invitation.email } });
    if (account?.passwordHash) throw new ConflictError(`An account for ${invitation.email} exists. Sign in, then open the invitation again.`);
    account = account
      ? await tx.user.update({ where: { id: account.id }, data: { name: input.name, passwordHash } })
      : await tx.user.create({ data: { email: invitation.email, name: input.name, passwordHash } });
    await tx.projectMember.upsert({
      where: { projectId_userId: { projectId: invitation.projectId, userId: account.id } },
      create: { projectId: invitation.projectId, userId: account.id, role: invitation.role },
      update: { role: invitation.role },
    });
    await recordAudit(tx, { projectId: invitation.projectId, userId: account.id, action: "member.join", entityType: "member", entityId: account.id, summary: `${account.email} joined as ${invitation.role}` });
    return account;
  });
  return { user, ...(await createSession(db, user.id)) };
}

export async function listMembers(db: Db, projectId: string) {
  const [members, invitations] = await Promise.all([
    db.projectMember.findMany({ where: { projectId }, include: { user: { select: { id: true, email: true, name: true } } }, orderBy: { createdAt: "asc" } }),
    db.invitation.findMany({ where: { projectId, acceptedAt: null, expiresAt: { gt: new Date() } }, orderBy: { createdAt: "desc" } }),
  ]);
  return {
    members: members.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role as Role, since: m.createdAt.toISOString() })),
    invitations: invitations.map((i) => ({ id: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt.toISOString() })),
  };
}

async function assertNotLastAdmin(db: Db, projectId: string, userId: string) {
  const admins = await db.projectMember.findMany({ where: { projectId, role: "admin" }, select: { userId: true } });
  if (admins.length === 1 && admins[0].userId === userId) {
    throw new ConflictError("This is the project's last admin. Make someone else an admin first.");
  }
}

export async function updateMemberRole(db: Db, projectId: string, userId: string, role: Role, by: SessionUser) {
  const member = await db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } } });
  if (!member) throw new NotFoundError("This person is not a member of the project.");
  if (member.role === "admin" && role !== "admin") await assertNotLastAdmin(db, projectId, userId);
  return db.$transaction(async (tx) => {
    await tx.projectMember.update({ where: { id: member.id }, data: { role } });
    await recordAudit(tx, { projectId, userId: by.id, action: "member.role", entityType: "member", entityId: userId, summary: `Role changed to ${role}`, before: { role: member.role }, after: { role } });
    return { userId, role };
  });
}

export async function removeMember(db: Db, projectId: string, userId: string, by: SessionUser) {
  const member = await db.projectMember.findUnique({ where: { projectId_userId: { projectId, userId } } });
  if (!member) throw new NotFoundError("This person is not a member of the project.");
  if (member.role === "admin") await assertNotLastAdmin(db, projectId, userId);
  await db.$transaction(async (tx) => {
    await tx.projectMember.delete({ where: { id: member.id } });
    await recordAudit(tx, { projectId, userId: by.id, action: "member.remove", entityType: "member", entityId: userId, summary: "Member removed", before: { role: member.role } });
  });
}

export async function revokeInvitation(db: Db, projectId: string, invitationId: string, by: SessionUser) {
  const { count } = await db.invitation.deleteMany({ where: { id: invitationId, projectId, acceptedAt: null } });
  if (!count) throw new NotFoundError("This invitation does not exist or was already used.");
  await db.$transaction((tx) => recordAudit(tx, { projectId, userId: by.id, action: "member.uninvite", entityType: "invitation", entityId: invitationId, summary: "Invitation revoked" }));
}

/** A personal API token (`spt_…`), shown once. Scripts send it as `Authorization: Bearer …`. */
export async function createApiToken(db: Db, user: SessionUser, name: string, viaToken: boolean) {
  if (viaToken) throw new ForbiddenError("An API token cannot create other tokens. Create tokens from the studio while signed in.");
  const token = newToken("spt_");
  const row = await db.apiToken.create({ data: { userId: user.id, name, tokenHash: hashToken(token) } });
  await db.$transaction((tx) => recordAudit(tx, { userId: user.id, action: "token.create", entityType: "api_token", entityId: row.id, summary: `API token "${name}" created` }));
  return { id: row.id, name, token };
}

export async function listApiTokens(db: Db, user: SessionUser) {
  const rows = await db.apiToken.findMany({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
  return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.createdAt.toISOString(), lastUsedAt: r.lastUsedAt?.toISOString() ?? null }));
}

export async function revokeApiToken(db: Db, user: SessionUser, tokenId: string) {
  const { count } = await db.apiToken.deleteMany({ where: { id: tokenId, userId: user.id } });
  if (!count) throw new NotFoundError("This token does not exist.");
  await db.$transaction((tx) => recordAudit(tx, { userId: user.id, action: "token.revoke", entityType: "api_token", entityId: tokenId, summary: "API token revoked" }));
}

/** The creator of a project becomes its admin. */
export async function addCreatorAsAdmin(db: Db, projectId: string, userId: string) {
  await db.projectMember.upsert({ where: { projectId_userId: { projectId, userId } }, create: { projectId, userId, role: "admin" }, update: {} });
}

export const DEMO_USERS: { email: string; name: string; role: Role; password: string; isAdmin: boolean }[] = [
  { email: "admin@sandpiper.demo", name: "Ada Admin", role: "admin", password: "demo-admin-pass", isAdmin: true },
  { email: "lead@sandpiper.demo", name: "Lee Lead", role: "data_lead", password: "demo-lead-pass", isAdmin: false },
  { email: "analyst@sandpiper.demo", name: "Ana Analyst", role: "analyst", password: "demo-analyst-pass", isAdmin: false },
  { email: "viewer@sandpiper.demo", name: "Vic Viewer", role: "viewer", password: "demo-viewer-pass", isAdmin: false },
];

/** The demo's accounts, one per role, with the passwords printed in the README. */
export async function ensureDemoUsers(db: Db, projectId: string) {
  for (const u of DEMO_USERS) {
    let user = await db.user.findUnique({ where: { email: u.email } });
    if (!user) user = await db.user.create({ data: { email: u.email, name: u.name, isAdmin: u.isAdmin, passwordHash: await bcrypt.hash(u.password, BCRYPT_ROUNDS) } });
    await db.projectMember.upsert({ where: { projectId_userId: { projectId, userId: user.id } }, create: { projectId, userId: user.id, role: u.role }, update: {} });
  }
}

export function assertRole(value: string): Role {
  if (!isRole(value)) throw new ValidationError(`Unknown role "${value}".`);
  return value;
}
