import "server-only";
import { NextResponse } from "next/server";
import { getDb, type Db } from "@/lib/db/server/client";
import { errorResponse } from "@/lib/http";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "@/lib/errors";
import type { Permission } from "@/lib/auth/policy";
import { authorize, type ProjectAccess } from "@/lib/auth/server/access";
import { getUserFromRequest, type SessionUser } from "@/lib/auth/server/session";

// Every API route is built with one of these wrappers. Each carries `access` metadata so the
// authorization matrix test can check every route against every role, and fail on a route
// that has no rule.

export type RouteAccess =
  | { kind: "public" }
  | { kind: "user" }
  | { kind: "project"; permission: Permission }
  | { kind: "job"; permission: Permission }
  /** A dataset version's sandbox access token (lib/sandbox-access/server/route.ts), never a session. */
  | { kind: "sandbox_token" };

type Ctx<P> = { params: Promise<P> };
export type RouteHandler<P> = ((req: Request, ctx: Ctx<P>) => Promise<Response>) & { access: RouteAccess };

function toResponse(out: unknown): Response {
  return out instanceof Response ? out : NextResponse.json(out);
}

/**
 * Browsers send Origin on cross-site requests; a cookie-authenticated write from another origin
 * is refused (defence in depth on top of SameSite=Lax). API tokens are not cookies: no check.
 */
function assertSameOrigin(req: Request): void {
  if (req.method === "GET" || req.method === "HEAD" || req.headers.get("authorization")) return;
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    if (new URL(origin).host !== host) throw new ForbiddenError("Cross-site requests are not accepted. Use the studio's own pages.");
  } catch (error) {
    if (error instanceof ForbiddenError) throw error;
    throw new ForbiddenError("The request's origin is not valid.");
  }
}

export function publicRoute<P = Record<string, never>>(handler: (ctx: { req: Request; params: P; db: Db }) => Promise<unknown>): RouteHandler<P> {
  const fn = async (req: Request, ctx: Ctx<P>) => {
    try {
      assertSameOrigin(req);
      return toResponse(await handler({ req, params: await ctx.params, db: getDb() }));
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(fn, { access: { kind: "public" } as const });
}

export function userRoute<P = Record<string, never>>(handler: (ctx: { req: Request; params: P; db: Db; user: SessionUser }) => Promise<unknown>): RouteHandler<P> {
  const fn = async (req: Request, ctx: Ctx<P>) => {
    try {
      assertSameOrigin(req);
      const db = getDb();
      const user = await getUserFromRequest(db, req);
      if (!user) throw new UnauthorizedError("Sign in to continue.");
      return toResponse(await handler({ req, params: await ctx.params, db, user }));
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(fn, { access: { kind: "user" } as const });
}

export function projectRoute<P extends { projectId: string }>(
  permission: Permission,
  handler: (ctx: { req: Request; params: P; db: Db; user: SessionUser; access: ProjectAccess }) => Promise<unknown>,
): RouteHandler<P> {
  const fn = async (req: Request, ctx: Ctx<P>) => {
    try {
      assertSameOrigin(req);
      const db = getDb();
      const params = await ctx.params;
      const user = await getUserFromRequest(db, req);
      const access = await authorize(db, user, params.projectId, permission);
      return toResponse(await handler({ req, params, db, user: user!, access }));
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(fn, { access: { kind: "project", permission } as const });
}

/** Routes on a job: the job's project decides access. */
export function jobRoute<P extends { jobId: string }>(
  permission: Permission,
  handler: (ctx: { req: Request; params: P; db: Db; user: SessionUser }) => Promise<unknown>,
): RouteHandler<P> {
  const fn = async (req: Request, ctx: Ctx<P>) => {
    try {
      assertSameOrigin(req);
      const db = getDb();
      const params = await ctx.params;
      const user = await getUserFromRequest(db, req);
      if (!user) throw new UnauthorizedError("Sign in to continue.");
      const job = await db.job.findUnique({ where: { id: params.jobId }, select: { projectId: true } });
      if (job?.projectId) await authorize(db, user, job.projectId, permission);
      else if (!user.isAdmin) throw new NotFoundError("This job does not exist.");
      return toResponse(await handler({ req, params, db, user }));
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(fn, { access: { kind: "job", permission } as const });
}
