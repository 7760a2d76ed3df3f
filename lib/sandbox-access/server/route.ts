import "server-only";
import { NextResponse } from "next/server";
import { getDb, type Db } from "@/lib/db/server/client";
import { errorResponse } from "@/lib/http";
import { authenticate, type SandboxAccess } from "@/lib/sandbox-access/server/service";
import type { RouteHandler } from "@/lib/auth/server/route";

/**
 * Routes a remote evaluator calls with `Authorization: Bearer sbx_…`. A session cookie or a personal
 * API token grants nothing here, and a sandbox token grants nothing on any other route. No
 * same-origin check: without a cookie there is nothing a cross-site page could ride on.
 */
export function sandboxTokenRoute(handler: (ctx: { req: Request; db: Db; access: SandboxAccess }) => Promise<unknown>): RouteHandler<Record<string, never>> {
  const fn = async (req: Request) => {
    try {
      const db = getDb();
      const access = await authenticate(db, req.headers.get("authorization"));
      const out = await handler({ req, db, access });
      return out instanceof Response ? out : NextResponse.json(out);
    } catch (error) {
      return errorResponse(error);
    }
  };
  return Object.assign(fn, { access: { kind: "sandbox_token" } as const });
}
