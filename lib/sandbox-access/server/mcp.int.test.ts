import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { startRouteServer, type RouteServer } from "@/test/helpers/route-server";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";
import { newSandboxToken } from "@/lib/sandbox-access/server/service";
import type { AccessTokenSummary, EvaluatorEndpoints } from "@/lib/sandbox-access/schemas";

// The evaluator's side of the endpoint over real HTTP: the official MCP client SDK and plain fetch
// against the route handlers, served by node:http. The token is created the way a data lead does it,
// through the management route with a session cookie.

let t: TestDb;
let server: RouteServer;
let projectId: string;
let versionId: string;
let cookie: string;
let token: string;
let tokenId: string;
let endpoints: EvaluatorEndpoints;
const clients: Client[] = [];

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

function tokensUrl(suffix = ""): string {
  return `${server.url}/api/projects/${projectId}/datasets/${versionId}/access-tokens${suffix}`;
}

async function connect(bearer: string | null): Promise<Client> {
  const client = new Client({ name: "rft-evaluator", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(endpoints.mcp), {
    requestInit: { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const content = result.content as { type: string; text?: string }[];
  expect(content[0]?.type).toBe("text");
  return content[0]!.text!;
}

async function query(body: unknown, bearer: string | null = token): Promise<Response> {
  return fetch(endpoints.query, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "MCP evaluator");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  versionId = (await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 17 })).id;
  const lead = await t.db.user.create({ data: { email: "lead@mcp.test", name: "Lead" } });
  await t.db.projectMember.create({ data: { projectId, userId: lead.id, role: "data_lead" } });
  cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, lead.id)).cookieValue)}`;
  server = await startRouteServer();
}, 180_000);

afterEach(() => {
  delete process.env.SANDPIPER_SANDBOX_RATE;
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => {});
  await server?.close();
  await closeAllSandboxReaders();
  await t?.cleanup();
});

describe("managing evaluator tokens over HTTP", () => {
  it("creates a token shown once with the two URLs, and lists it without its value", async () => {
    const created = await fetch(tokensUrl(), { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "Fireworks RFT", expiresInDays: 7 }) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { token: { id: string; token: string; hint: string }; endpoints: EvaluatorEndpoints };
    token = body.token.token;
    tokenId = body.token.id;
    endpoints = body.endpoints;
    expect(token).toMatch(/^sbx_[0-9A-Za-z]{40}$/);
    expect(endpoints).toEqual({ query: `${server.url}/api/sandbox-access/query`, mcp: `${server.url}/api/sandbox-access/mcp` });

    const listed = await fetch(tokensUrl(), { headers: { cookie } });
    const text = await listed.text();
    expect(listed.status).toBe(200);
    expect(text).not.toContain(token);
    const list = JSON.parse(text) as { tokens: AccessTokenSummary[]; endpoints: EvaluatorEndpoints };
    expect(list.tokens).toEqual([expect.objectContaining({ id: tokenId, name: "Fireworks RFT", hint: token.slice(-4), state: "active" })]);
    expect(list.endpoints).toEqual(endpoints);
  });

  it("takes the URLs from SANDPIPER_PUBLIC_URL when it is set", async () => {
    process.env.SANDPIPER_PUBLIC_URL = "https://studio.example.com/";
    try {
      const list = (await (await fetch(tokensUrl(), { headers: { cookie } })).json()) as { endpoints: EvaluatorEndpoints };
      expect(list.endpoints.mcp).toBe("https://studio.example.com/api/sandbox-access/mcp");
    } finally {
      delete process.env.SANDPIPER_PUBLIC_URL;
    }
  });

  it("does not let a session cookie use the evaluator routes", async () => {
    const res = await fetch(endpoints.query, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ sql: "SELECT 1" }) });
    expect(res.status).toBe(401);
  });
});

describe("the MCP server", () => {
  it("lists the query tool and says which version it serves and that it is read-only", async () => {
    const client = await connect(token);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["query"]);
    const tool = tools[0]!;
    expect(tool.inputSchema.required).toEqual(["sql"]);
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(["sql", "maxRows"]);
    expect(tool.annotations?.readOnlyHint).toBe(true);
    expect(client.getInstructions()).toMatch(/dataset version v1 .*"MCP evaluator"/);
    expect(client.getInstructions()).toMatch(/read-only/i);
    expect(client.getServerVersion()?.name).toBe("sandpiper-sandbox");
  });

  it("runs a query and returns the result as JSON text", async () => {
    const client = await connect(token);
    const result = await client.callTool({ name: "query", arguments: { sql: "SELECT airport_id, name FROM airports ORDER BY airport_id", maxRows: 5 } });
    expect(result.isError).toBeFalsy();
    const out = JSON.parse(textOf(result)) as { columns: { name: string; type: string }[]; rows: unknown[][]; rowCount: number; truncated: boolean; elapsedMs: number };
    expect(out.columns.map((c) => c.name)).toEqual(["airport_id", "name"]);
    expect(out.rowCount).toBe(5);
    expect(out.rows).toHaveLength(5);
    expect(out.truncated).toBe(true);
    expect(typeof out.elapsedMs).toBe("number");
  });

  it("answers refused writes, file access and SQL errors as tool errors with the reason", async () => {
    const client = await connect(token);
    const write = await client.callTool({ name: "query", arguments: { sql: "INSERT INTO airports (id) VALUES (-1)" } });
    expect(write.isError).toBe(true);
    expect(textOf(write)).toMatch(/SELECT or WITH.*starts with INSERT/);
    const copy = await client.callTool({ name: "query", arguments: { sql: "COPY (SELECT 1) TO '/tmp/sandpiper-mcp-exfil.csv'" } });
    expect(copy.isError).toBe(true);
    expect(textOf(copy)).toMatch(/starts with COPY/);
    const file = await client.callTool({ name: "query", arguments: { sql: "SELECT * FROM read_csv('/etc/passwd')" } });
    expect(file.isError).toBe(true);
    expect(textOf(file)).toMatch(/cannot read or write files/);
    const missing = await client.callTool({ name: "query", arguments: { sql: "SELECT * FROM no_such_table" } });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/Catalog Error.*no_such_table/);
  });

  it("refuses a row cap above 10,000 before running anything", async () => {
    const client = await connect(token);
    const result = await client.callTool({ name: "query", arguments: { sql: "SELECT 1", maxRows: 50_000 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/10,000/);
  });

  it("fails with 401 without a token, with an unknown one, and once the token is revoked", async () => {
    for (const bearer of [null, newSandboxToken(), "spt_not-a-sandbox-token-0123456789"]) {
      const error = await connect(bearer).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(401);
    }
    const doomed = (await (await fetch(tokensUrl(), { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "revoked soon" }) })).json()) as {
      token: { id: string; token: string };
    };
    const client = await connect(doomed.token.token);
    expect((await client.callTool({ name: "query", arguments: { sql: "SELECT 1" } })).isError).toBeFalsy();
    const revoked = await fetch(tokensUrl(`/${doomed.token.id}`), { method: "DELETE", headers: { cookie } });
    expect(revoked.status).toBe(200);
    const error = await client.callTool({ name: "query", arguments: { sql: "SELECT 1" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
  });

  it("answers a GET (no event stream in stateless mode) with 405", async () => {
    const res = await fetch(endpoints.mcp, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } });
    expect(res.status).toBe(405);
  });

  it("refuses a body over 100 KB with 413", async () => {
    const sql = `SELECT '${"x".repeat(110 * 1024)}'`;
    const res = await fetch(endpoints.mcp, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "query", arguments: { sql } } }),
    });
    expect(res.status).toBe(413);
  });
});

describe("the JSON route", () => {
  it("returns columns, rows, rowCount, truncated and elapsedMs", async () => {
    const res = await query({ sql: "SELECT count(*) AS n, 'ok' AS s FROM airports" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { columns: unknown; rows: unknown[][]; rowCount: number; truncated: boolean; elapsedMs: number };
    expect(body.columns).toEqual([
      { name: "n", type: "BIGINT" },
      { name: "s", type: "VARCHAR" },
    ]);
    expect(body.rows[0]![1]).toBe("ok");
    expect(body).toMatchObject({ rowCount: 1, truncated: false });
    expect(typeof body.elapsedMs).toBe("number");
    const capped = (await (await query({ sql: "SELECT * FROM range(3000)" })).json()) as { rowCount: number; truncated: boolean };
    expect(capped).toEqual(expect.objectContaining({ rowCount: 1000, truncated: true }));
  });

  it("answers refused SQL, failing SQL and bad input with 400 and the reason", async () => {
    const refused = await query({ sql: "SELECT * FROM read_text('/etc/passwd')" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({ code: "sql_refused", message: expect.stringMatching(/cannot read or write files/) });
    const attach = await query({ sql: "ATTACH '/tmp/x.duckdb' AS x" });
    expect(((await attach.json()) as ErrorBody).error.code).toBe("sql_refused");
    const failing = await query({ sql: "SELECT nope FROM airports" });
    expect(failing.status).toBe(400);
    expect(((await failing.json()) as ErrorBody).error).toMatchObject({ code: "sql_error", message: expect.stringMatching(/Binder Error.*nope/) });
    const noSql = await query({ maxRows: 5 });
    expect(noSql.status).toBe(400);
    expect(((await noSql.json()) as ErrorBody).error.message).toMatch(/sql/);
    const tooMany = await query({ sql: "SELECT 1", maxRows: 10_001 });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as ErrorBody).error.message).toMatch(/at most 10,000/);
    const notJson = await query("{");
    expect(notJson.status).toBe(400);
  });

  it("answers 401 with a Bearer challenge, and the same message for unknown and revoked tokens", async () => {
    const none = await query({ sql: "SELECT 1" }, null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(((await none.json()) as ErrorBody).error.message).toMatch(/Authorization: Bearer sbx_/);
    const unknown = await query({ sql: "SELECT 1" }, newSandboxToken());
    expect(unknown.status).toBe(401);
    const revokedToken = (await (await fetch(tokensUrl(), { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ name: "gone" }) })).json()) as {
      token: { id: string; token: string };
    };
    await fetch(tokensUrl(`/${revokedToken.token.id}`), { method: "DELETE", headers: { cookie } });
    const revoked = await query({ sql: "SELECT 1" }, revokedToken.token.token);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as ErrorBody).error.message).toBe(((await unknown.json()) as ErrorBody).error.message);
  });

  it("refuses a body over 100 KB with 413, declared or streamed", async () => {
    const big = await query({ sql: `SELECT '${"x".repeat(101 * 1024)}'` });
    expect(big.status).toBe(413);
    expect(((await big.json()) as ErrorBody).error.message).toMatch(/limit is 100 KB/);
    const chunks = [JSON.stringify({ sql: "SELECT 1" }).slice(0, -1), `, "pad": "${"y".repeat(120 * 1024)}"}`];
    const streamed = await fetch(endpoints.query, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    expect(streamed.status).toBe(413);
  });

  it("answers 429 with Retry-After past the token's rate", async () => {
    process.env.SANDPIPER_SANDBOX_RATE = "2,3";
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await query({ sql: "SELECT 1" });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(limited!.headers.get("retry-after")).toBe("1");
    const body = (await limited!.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: "rate_limited", details: { retryAfterSeconds: 1 } });
    expect(body.error.message).toMatch(/Too many queries with this token.*Retry after 1 s/);
  });
});

describe("the token's last use", () => {
  it("is shown in the list once it was used", async () => {
    const list = (await (await fetch(tokensUrl(), { headers: { cookie } })).json()) as { tokens: AccessTokenSummary[] };
    const used = list.tokens.find((x) => x.id === tokenId)!;
    expect(used.lastUsedAt).not.toBeNull();
    expect(list.tokens.filter((x) => x.state === "revoked")).toHaveLength(2);
  });
});
