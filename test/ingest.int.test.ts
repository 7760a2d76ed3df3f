// The schema import flow through the API: preview, commit, uploads (deleted after reading), live
// connections (password kept only when asked, sealed), and the errors on the way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createTestDb, TEST_PG_URL, type TestDb } from "@/test/helpers/db";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { createProject } from "@/lib/projects/server/service";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

let t: TestDb;
let routes: ApiRoute[];
let cookie: string;
const ids: Record<string, string> = {};
const PG_SCHEMA = `sp_ingest_${Date.now().toString(36)}`;
const PASSWORD = "pw-ingest-test-0123456789";

function route(key: string): ApiRoute {
  return routes.find((r) => r.key === key)!;
}

async function upload(file: Blob, name: string, kind: string, dialect?: string) {
  const form = new FormData();
  form.set("file", new File([file], name));
  form.set("kind", kind);
  if (dialect) form.set("dialect", dialect);
  const req = new Request(`http://studio.test/api/projects/${ids.projectId}/schema/upload`, { method: "POST", headers: { cookie, host: "studio.test" }, body: form });
  const res = await route("POST /api/projects/[projectId]/schema/upload").handler(req, { params: Promise.resolve({ projectId: ids.projectId }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
}

function uploadsLeft(): string[] {
  const dir = path.join(os.tmpdir(), "sandpiper-uploads");
  return existsSync(dir) ? readdirSync(dir) : [];
}

beforeAll(async () => {
  routes = await loadApiRoutes();
  t = await createTestDb();
  const lead = await t.db.user.create({ data: { email: "lead@ingest.test", name: "Lead" } });
  ids.projectId = (await createProject(t.db, { name: "Ingest", description: "" }, lead.id)).id;
  await t.db.projectMember.update({ where: { projectId_userId: { projectId: ids.projectId, userId: lead.id } }, data: { role: "data_lead" } });
  cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, lead.id)).cookieValue)}`;
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${PG_SCHEMA}; CREATE TABLE ${PG_SCHEMA}.things (thing_id int PRIMARY KEY, label text NOT NULL)`);
  await client.end();
}, 60_000);

afterAll(async () => {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  await client.end();
  await t?.cleanup();
});

describe("schema import", () => {
  it("previews without storing, then commits the previewed schema once", async () => {
    const preview = await callRoute(route("POST /api/projects/[projectId]/schema/preview"), { ids, cookie, body: { source: "ddl", dialect: "auto", text: OPENFLIGHTS_DDL } });
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ dialect: "duckdb", stats: { tables: 5 }, currentVersion: null });
    expect(await t.db.schemaVersion.count({ where: { projectId: ids.projectId } })).toBe(0);
    const commit = route("POST /api/projects/[projectId]/schema/commit");
    const first = await callRoute(commit, { ids, cookie, body: { previewId: preview.json.previewId } });
    expect(first.status).toBe(201);
    const again = await callRoute(commit, { ids, cookie, body: { previewId: preview.json.previewId } });
    expect(again.status).toBe(404);
    expect(again.json.error?.message).toMatch(/Preview the schema again/);
    expect(await t.db.schemaVersion.count({ where: { projectId: ids.projectId } })).toBe(1);
  });

  it("reads an uploaded SQLite file's catalog and deletes the upload", async () => {
    const file = path.join(t.dataDir, "upload.sqlite");
    const sqlite = new Database(file);
    sqlite.exec("CREATE TABLE shops (shop_id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO shops VALUES (1, 'ROW-MARKER-ingest');");
    sqlite.close();
    const res = await upload(new Blob([readFileSync(file)]), "shop.sqlite", "database");
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(JSON.stringify(res.json)).not.toContain("ROW-MARKER-ingest");
    expect(res.json).toMatchObject({ dialect: "sqlite", stats: { tables: 1 } });
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses broken uploads with a message, and leaves nothing behind", async () => {
    const truncated = await upload(new Blob([Buffer.concat([Buffer.from("SQLite format 3\0"), Buffer.alloc(200)])]), "broken.db", "database");
    expect(truncated.status).toBe(400);
    expect(truncated.json.error?.message).toBeTruthy();
    const notUtf8 = await upload(new Blob([Buffer.from([0x43, 0x52, 0xff, 0xfe, 0x00, 0x41])]), "schema.sql", "ddl");
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.json.error?.message).toMatch(/UTF-8/);
    const badDialect = await upload(new Blob(["CREATE TABLE a (id INT);"]), "schema.sql", "ddl", "klingon");
    expect(badDialect.status).toBe(400);
    expect(badDialect.json.error?.message).toMatch(/settings are not valid/);
    const wrongType = await upload(new Blob(["hello"]), "notes.txt", "database");
    expect(wrongType.status).toBe(400);
    expect(uploadsLeft()).toEqual([]);
  });

  it("keeps a live connection's password only when asked, and then sealed", async () => {
    const url = new URL(TEST_PG_URL);
    const base = { source: "live", engine: "postgres", host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: url.username || "postgres", password: PASSWORD, schemas: [PG_SCHEMA] };
    const previewRoute = route("POST /api/projects/[projectId]/schema/preview");
    const commit = route("POST /api/projects/[projectId]/schema/commit");
    const once = await callRoute(previewRoute, { ids, cookie, body: { ...base, savePassword: false } });
    expect(once.status, once.text).toBe(200);
    expect(once.text).not.toContain(PASSWORD);
    expect(await t.db.providerConnection.count({ where: { projectId: ids.projectId } })).toBe(0);

    const kept = await callRoute(previewRoute, { ids, cookie, body: { ...base, savePassword: true } });
    expect((await callRoute(commit, { ids, cookie, body: { previewId: kept.json.previewId } })).status).toBe(201);
    const connections = await t.db.providerConnection.findMany({ where: { projectId: ids.projectId } });
    expect(connections).toHaveLength(1);
    expect(connections[0].kind).toBe("live_postgres");
    expect(connections[0].secretCipher).toBeTruthy();
    expect(JSON.stringify(connections)).not.toContain(PASSWORD);

    const closed = await callRoute(previewRoute, { ids, cookie, body: { ...base, port: 1, savePassword: false } });
    expect(closed.status).toBe(400);
    expect(closed.json.error?.message).toMatch(/reach/i);
  });

  it("refuses a 50 MB paste with the limit in the message", async () => {
    const started = Date.now();
    const res = await callRoute(route("POST /api/projects/[projectId]/schema/preview"), { ids, cookie, body: { source: "ddl", dialect: "auto", text: "x".repeat(50 * 1024 * 1024) } });
    expect(res.status).toBe(400);
    expect(res.json.error?.message).toMatch(/5 MB/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
