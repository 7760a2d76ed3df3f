// Load every API route module and call its handlers directly, as Next.js would.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { RouteAccess } from "@/lib/auth/server/route";

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"] as const;
export type Handler = ((req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { access?: RouteAccess };
export interface ApiRoute {
  key: string;
  urlPath: string;
  method: string;
  handler: Handler;
}

const root = path.resolve(import.meta.dirname, "../..");

function listRouteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listRouteFiles(p) : name === "route.ts" ? [p] : [];
  });
}

export async function loadApiRoutes(): Promise<ApiRoute[]> {
  const routes: ApiRoute[] = [];
  for (const file of listRouteFiles(path.join(root, "app/api"))) {
    const mod = (await import(file)) as Record<string, Handler>;
    const urlPath = "/" + path.relative(path.join(root, "app"), path.dirname(file)).split(path.sep).join("/");
    for (const method of METHODS) if (mod[method]) routes.push({ key: `${method} ${urlPath}`, urlPath, method, handler: mod[method] });
  }
  return routes;
}

/** Call a route with its [param] segments filled from `ids`; returns status, headers and raw text. */
export async function callRoute(
  route: ApiRoute,
  opts: { ids: Record<string, string>; cookie?: string; authorization?: string; body?: unknown; query?: string },
): Promise<{ status: number; text: string; headers: Headers; json: { error?: { message?: string } } & Record<string, unknown> }> {
  const params = Object.fromEntries([...route.urlPath.matchAll(/\[(\w+)\]/g)].map((m) => [m[1], opts.ids[m[1]]]));
  const url = "http://studio.test" + route.urlPath.replace(/\[(\w+)\]/g, (_, k: string) => opts.ids[k]) + (opts.query ? `?${opts.query}` : "");
  const headers: Record<string, string> = { "content-type": "application/json", host: "studio.test" };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.authorization) headers.authorization = opts.authorization;
  const req = new Request(url, { method: route.method, headers, body: route.method === "GET" ? undefined : JSON.stringify(opts.body ?? {}) });
  const res = await route.handler(req, { params: Promise.resolve(params) });
  const text = await res.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = {};
  }
  return { status: res.status, text, headers: res.headers, json };
}
