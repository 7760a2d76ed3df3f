import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sealData, unsealData } from "iron-session";
import type { Db } from "@/lib/db/server/client";
import { SESSION_TTL_MS } from "@/lib/auth/policy";
import { loadKeyMaterial } from "@/lib/secrets/server/crypto";
import { getFastSqlite, prepared, sqliteNow } from "@/lib/db/server/sqlite-fast";

// A session is a random token: the browser holds it sealed (iron-session) in an HttpOnly cookie,
// the database holds its sha256 and expiry. Logout and expiry are therefore enforced on the
// server, and a stolen database holds no usable session.

export const SESSION_COOKIE = "sandpiper_session";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function newToken(prefix = ""): string {
  return prefix + randomBytes(32).toString("base64url");
}

function sessionPassword(): string {
  return process.env.SANDPIPER_SESSION_SECRET ?? createHash("sha256").update(`session:${loadKeyMaterial()}`).digest("hex");
}

export async function createSession(db: Db, userId: string): Promise<{ cookieValue: string; expiresAt: Date }> {
  const token = newToken();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.userSession.create({ data: { userId, tokenHash: hashToken(token), expiresAt } });
  const cookieValue = await sealData({ t: token }, { password: sessionPassword(), ttl: Math.floor(SESSION_TTL_MS / 1000) });
  return { cookieValue, expiresAt };
}

async function tokenFromCookie(cookieValue: string | undefined): Promise<string | null> {
  if (!cookieValue || cookieValue.length > 4096) return null;
  try {
    const data = await unsealData<{ t?: string }>(cookieValue, { password: sessionPassword(), ttl: Math.floor(SESSION_TTL_MS / 1000) });
    return typeof data.t === "string" ? data.t : null;
  } catch {
    return null;
  }
}

export async function resolveSession(db: Db, cookieValue: string | undefined): Promise<SessionUser | null> {
  const token = await tokenFromCookie(cookieValue);
  if (!token) return null;
  const session = await db.userSession.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { expiresAt: true, user: { select: { id: true, email: true, name: true, isAdmin: true } } },
  });
  if (!session || session.expiresAt.getTime() < Date.now()) return null;
  const u = session.user;
  return { id: u.id, email: u.email, name: u.name, isAdmin: u.isAdmin };
}

export async function destroySession(db: Db, cookieValue: string | undefined): Promise<void> {
  const token = await tokenFromCookie(cookieValue);
  if (token) await db.userSession.deleteMany({ where: { tokenHash: hashToken(token) } });
}

/** `Authorization: Bearer spt_…` — a personal API token for scripts. */
export async function resolveApiToken(db: Db, header: string | null): Promise<SessionUser | null> {
  const match = header?.match(/^Bearer\s+(spt_[A-Za-z0-9_-]{20,100})$/);
  if (!match) return null;
  const fast = getFastSqlite(db);
  if (fast) {
    const hit = prepared(fast, `SELECT t.id AS tokenId, t.lastUsedAt, u.id, u.email, u.name, u.isAdmin FROM "ApiToken" t JOIN "User" u ON u.id = t.userId WHERE t.tokenHash = ?`).get(hashToken(match[1])) as
      | { tokenId: string; lastUsedAt: string | null; id: string; email: string; name: string; isAdmin: number }
      | undefined;
    if (!hit) return null;
    if (!hit.lastUsedAt || Date.now() - Date.parse(hit.lastUsedAt) > 60_000) {
      try {
        prepared(fast, `UPDATE "ApiToken" SET lastUsedAt = ? WHERE id = ?`).run(sqliteNow(), hit.tokenId);
      } catch {
        // best-effort, as below
      }
    }
    return { id: hit.id, email: hit.email, name: hit.name, isAdmin: !!hit.isAdmin };
  }
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(match[1]) },
    select: { id: true, lastUsedAt: true, user: { select: { id: true, email: true, name: true, isAdmin: true } } },
  });
  if (!row) return null;
  // Recording last use is best-effort; it must never fail the request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  const u = row.user;
  return { id: u.id, email: u.email, name: u.name, isAdmin: u.isAdmin };
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export async function getUserFromRequest(db: Db, req: Request): Promise<SessionUser | null> {
  const auth = req.headers.get("authorization");
  if (auth) return resolveApiToken(db, auth);
  return resolveSession(db, readCookie(req.headers.get("cookie"), SESSION_COOKIE));
}

export function sessionCookieHeader(value: string, expiresAt: Date): string {
  const secure = process.env.SANDPIPER_SECURE_COOKIES === "1" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Expires=${expiresAt.toUTCString()}${secure}`;
}

export function clearSessionCookieHeader(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}
