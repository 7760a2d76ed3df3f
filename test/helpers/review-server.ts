// A bare HTTP front for review decisions, run as a process of its own so a test can SIGKILL it in
// the middle of saves:
//   node --conditions=react-server --import tsx test/helpers/review-server.ts
// POST /decide {pairId, action, revision[, projectId]} → 200 with decidePair's result, or the
// error's status with {error: {code, message}}. Prints "listening <port>" once it accepts requests.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getDb } from "@/lib/db/server/client";
import { AppError } from "@/lib/errors";
import { decidePair, decidePairInput } from "@/lib/review/server/service";

const db = getDb();

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== "POST" || req.url !== "/decide") return send(res, 404, { error: { code: "not_found", message: `No route ${req.method} ${req.url}.` } });
  let raw: { pairId?: unknown; projectId?: unknown; action?: unknown; revision?: unknown };
  try {
    raw = JSON.parse(await readBody(req)) as typeof raw;
  } catch {
    return send(res, 400, { error: { code: "validation", message: "The body is not valid JSON." } });
  }
  const input = decidePairInput.safeParse({ action: raw.action, revision: raw.revision });
  if (!input.success || typeof raw.pairId !== "string") return send(res, 400, { error: { code: "validation", message: "Send pairId, action and revision." } });
  let projectId = typeof raw.projectId === "string" ? raw.projectId : undefined;
  if (!projectId) {
    const pair = await db.pair.findUnique({ where: { id: raw.pairId }, select: { projectId: true } });
    if (!pair) return send(res, 404, { error: { code: "not_found", message: "No such pair." } });
    projectId = pair.projectId;
  }
  try {
    send(res, 200, await decidePair(db, projectId, raw.pairId, input.data));
  } catch (error) {
    if (error instanceof AppError) return send(res, error.status, { error: { code: error.code, message: error.message } });
    throw error;
  }
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    process.stderr.write(`review-server: ${(error as Error)?.stack ?? String(error)}\n`);
    if (!res.headersSent) send(res, 500, { error: { code: "internal", message: String(error) } });
  });
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});

/** Stop politely: finish the requests being handled, then disconnect. */
function shutdown(): void {
  server.close(() => {
    void db.$disconnect().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
