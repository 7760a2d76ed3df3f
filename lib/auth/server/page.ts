import "server-only";
import { cookies, headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { getDb } from "@/lib/db/server/client";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import type { Permission } from "@/lib/auth/policy";
import { authorize, type ProjectAccess } from "@/lib/auth/server/access";
import { resolveSession, SESSION_COOKIE, type SessionUser } from "@/lib/auth/server/session";
import { hasAnyUser } from "@/lib/auth/server/users";

// Pages check access on the server exactly like routes do; a page never renders data first.

export async function getPageUser(): Promise<SessionUser | null> {
  const jar = await cookies();
  return resolveSession(getDb(), jar.get(SESSION_COOKIE)?.value);
}

async function currentPath(): Promise<string> {
  const h = await headers();
  return h.get("x-sandpiper-path") ?? "/";
}

/** A signed-in user, or a redirect to sign in (or to first-run set-up when nobody exists yet). */
export async function requireUser(): Promise<SessionUser> {
  const user = await getPageUser();
  if (user) return user;
  if (!(await hasAnyUser(getDb()))) redirect("/setup");
  redirect(`/login?next=${encodeURIComponent(await currentPath())}`);
}

export type PageAccess = ProjectAccess & { user: SessionUser; allowed: boolean };

/**
 * Access to a project page. Not a member → 404. With `permission`, a member whose role lacks it
 * gets `allowed: false` and the page shows what they may not do instead of the content.
 */
export async function requireProjectPage(projectId: string, permission: Permission = "project.view"): Promise<PageAccess> {
  const user = await requireUser();
  const db = getDb();
  try {
    const access = await authorize(db, user, projectId, "project.view");
    if (permission === "project.view") return { ...access, user, allowed: true };
    try {
      await authorize(db, user, projectId, permission);
      return { ...access, user, allowed: true };
    } catch (error) {
      if (error instanceof ForbiddenError) return { ...access, user, allowed: false };
      throw error;
    }
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    if (error instanceof UnauthorizedError) redirect("/login");
    throw error;
  }
}
