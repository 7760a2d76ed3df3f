// A node:http server in front of the route handlers exported by app/api/**/route.ts, so real HTTP
// clients (the MCP client SDK, fetch) can talk to them without a Next.js build. Each request becomes
// a web Request with its body streamed, the handler's Response is streamed back; a path with no
// route answers 404 and a method its route file does not export answers 405, as Next.js does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";

export interface RouteServer {
  url: string;
  close(): Promise<void>;
}

function match(route: ApiRoute, pathname: string): Record<string, string> | null {
  const want = route.urlPath.split("/");
  const got = pathname.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const param = /^\[(\w+)\]$/.exec(want[i]);
    if (param) params[param[1]] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    duplex: hasBody ? "half" : undefined,
  };
  return new Request(new URL(req.url ?? "/", origin), init);
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
  }
  res.end();
}

export async function startRouteServer(): Promise<RouteServer> {
  const routes = await loadApiRoutes();
  let origin = "";
  const server: Server = createServer((req, res) => {
    void (async () => {
      const pathname = new URL(req.url ?? "/", origin).pathname;
      const matching = routes.map((route) => ({ route, params: match(route, pathname) })).filter((m) => m.params);
      if (matching.length === 0) return send(res, new Response("Not found", { status: 404 }));
      const hit = matching.find((m) => m.route.method === req.method);
      if (!hit) {
        req.resume();
        return send(res, new Response(null, { status: 405, headers: { allow: matching.map((m) => m.route.method).join(", ") } }));
      }
      const response = await hit.route.handler(toRequest(req, origin), { params: Promise.resolve(hit.params!) });
      return send(res, response);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String((error as Error)?.stack ?? error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
