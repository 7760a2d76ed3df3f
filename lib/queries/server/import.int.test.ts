// Importing query logs: a messy .sql history, CSV with multi-line SQL and questions, JSON Lines
// with a bad line; each query checked on the sandbox, stored with ground truth, once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, usingPostgres, type TestDb } from "@/test/helpers/db";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { POST as importRoute } from "@/app/api/projects/[projectId]/queries/import/route";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { ValidationError } from "@/lib/errors";
import { createProject } from "@/lib/projects/server/service";
import type { LintFlag } from "@/lib/queries/lint";
import { IMPORT_JOB_THRESHOLD, importQueryLog, type ImportReport } from "@/lib/queries/server/import";
import { toStoredResult } from "@/lib/queries/server/service";
import { requestSandboxGeneration, requireActiveSandbox } from "@/lib/sandbox/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";

let t: TestDb;
let projectId: string;
let userId: string;
let sandbox: { id: string; path: string; schemaVersionId: string };

const HISTORY_SQL = [
  "-- Analyst history, exported from the warehouse", // 1
  "/* dashboard: airports", // 2
  "   one statement per query */", // 3
  "SELECT name, city FROM airports WHERE latitude > 0 ORDER BY airport_id;", // 4
  "INSERT INTO airports (airport_id, name) VALUES (1, 'x');", // 5
  "CREATE TABLE scratch (a INT);", // 6
  "SET threads = 4;", // 7
  "BEGIN;", // 8
  "SELECT count(*) AS n FROM routes WHERE stops = 0;", // 9
  "COMMIT;", // 10
  "SELEC name FROM airports;", // 11
  "SELECT name FROM airprots;", // 12
  "SELECT a.name,", // 13
  "       a.altitud", // 14
  "FROM airports a;", // 15
  "SELECT 'a;b' AS label, count(*) AS n FROM airports;", // 16
  "SELECT count(*) AS n FROM routes WHERE stops = 0;", // 17
  "SELECT name FROM airports WHERE airport_id = -1 ORDER BY airport_id;", // 18
  "SELECT r1.route_id AS a, r2.route_id AS b FROM routes r1, routes r2; -- far too many rows", // 19
  "SUMMARIZE airports;", // 20
  "CHEKPOINT;", // 21
  "", // 22
].join("\n");

const QUESTIONS_CSV = [
  "question,sql", // 1
  '"Which airports are in Germany?","SELECT name', // 2
  "FROM airports", // 3
  "WHERE country = 'Germany'", // 4
  'ORDER BY airport_id"', // 5
  '"How many routes have no stops?","SELECT count(*) AS n FROM routes WHERE stops = 0;"', // 6
  ',"SELECT count(*) AS airlines FROM airlines"', // 7
  '"Which planes, by ""code""?","SELECT nope FROM planes"', // 8
].join("\n");

const QUESTIONS_JSONL = [
  '{"sql": "SELECT iata FROM planes ORDER BY plane_id", "question": "List the IATA code of every aircraft type."}', // 1
  '{"sql": "SELECT', // 2
  '{"sql": "UPDATE planes SET iata = \'X\'"}', // 3
  '{"sql": "SELECT name FROM countries ORDER BY name", "question": "Name every country."}', // 4
].join("\n");

async function counts() {
  return {
    queries: await t.db.query.count({ where: { projectId } }),
    pairs: await t.db.pair.count({ where: { projectId } }),
    audits: await t.db.auditEvent.count({ where: { projectId, action: "queries.import" } }),
  };
}

async function stored(sql: string) {
  return t.db.query.findUniqueOrThrow({ where: { projectId_sql: { projectId, sql } }, include: { pairs: true } });
}

beforeAll(async () => {
  t = await createTestDb();
  const lead = await t.db.user.create({ data: { email: "lead@import.test", name: "Lead" } });
  userId = lead.id;
  projectId = (await createProject(t.db, { name: "Imports", description: "" }, lead.id)).id;
  await t.db.projectMember.update({ where: { projectId_userId: { projectId, userId } }, data: { role: "data_lead" } });
  await ingestDdl(t.db, projectId, OPENFLIGHTS_DDL);
  const worker = startTestWorker(t.db);
  try {
    await requestSandboxGeneration(t.db, projectId, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
    await worker.drain();
  } finally {
    await worker.stop();
  }
  sandbox = await requireActiveSandbox(t.db, projectId);
}, 120_000);

afterAll(async () => t?.cleanup());

describe("importQueryLog", () => {
  let history: ImportReport;

  it("imports a messy .sql history: queries kept, statements skipped, bad queries explained by line", async () => {
    const { report, queryIds } = await importQueryLog(t.db, projectId, { fileName: "history.sql", content: HISTORY_SQL }, userId);
    history = report;
    expect(report.format).toBe("sql");
    expect(report.skipped.map((s) => [s.line, s.reason])).toEqual([
      [5, "INSERT is not a query: only SELECT statements become labels"],
      [6, "CREATE is not a query: only SELECT statements become labels"],
      [7, "SET is not a query: only SELECT statements become labels"],
      [8, "BEGIN is not a query: only SELECT statements become labels"],
      [10, "COMMIT is not a query: only SELECT statements become labels"],
      [17, "duplicate of line 9"],
      [20, "SUMMARIZE is not a query: only SELECT statements become labels"],
    ]);
    expect(report.invalid.map((i) => i.line)).toEqual([11, 12, 13, 21]);
    expect(report.invalid[3]!.error).toMatch(/^Syntax error: .*CHEKPOINT/);
    expect(report.invalid[0]!.error).toMatch(/^Syntax error: .*SELEC/);
    expect(report.invalid[1]).toMatchObject({ sql: "SELECT name FROM airprots" });
    expect(report.invalid[1]!.error).toMatch(/^Does not match the current schema \(line 12\): Catalog Error: Table with name airprots does not exist! Did you mean "airports"\?/);
    // The unknown column is on the statement's second line, and the message says so.
    expect(report.invalid[2]!.error).toBe('Does not match the current schema (line 14): Binder Error: Table "a" does not have a column named "altitud" Candidate bindings: "altitude", "latitude"');
    expect(report.invalid.every((i) => !/LINE \d/.test(i.error))).toBe(true);
    expect(report).toMatchObject({ total: 16, added: 5, alreadyKnown: 0, withQuestion: 0, pairsAdded: 0, groundTruth: { executed: 4, failed: 1, empty: 1 } });
    expect(report.total).toBe(report.added + report.alreadyKnown + report.invalid.length + report.skipped.length);
    expect(queryIds).toHaveLength(5);
    expect(await counts()).toEqual({ queries: 5, pairs: 0, audits: 1 });
  });

  it("stores the valid queries like generated ones, with ground truth from the active sandbox", async () => {
    const literal = await stored("SELECT 'a;b' AS label, count(*) AS n FROM airports");
    expect(literal).toMatchObject({
      origin: "imported",
      schemaVersionId: sandbox.schemaVersionId,
      resultSandboxId: sandbox.id,
      resultRowCount: 1,
      executionError: null,
      questionSeed: null,
      complexity: "simple",
      topLevelOrderBy: false,
    });
    expect(literal.executedAt).toBeInstanceOf(Date);
    expect(literal.templateHash).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.parse(literal.features)).toMatchObject({ tables: ["airports"] });
    expect(literal.result).toBe(toStoredResult(await executeReadOnly(sandbox.path, literal.sql)));
    expect(JSON.parse(literal.result!).rows).toEqual([["a;b", 120]]);

    const ordered = await stored("SELECT name, city FROM airports WHERE latitude > 0 ORDER BY airport_id");
    expect(ordered.topLevelOrderBy).toBe(true);
    expect(ordered.resultRowCount).toBeGreaterThan(0);
    expect(ordered.result).toBe(toStoredResult(await executeReadOnly(sandbox.path, ordered.sql)));

    const empty = await stored("SELECT name FROM airports WHERE airport_id = -1 ORDER BY airport_id");
    expect(empty.resultRowCount).toBe(0);
    expect((JSON.parse(empty.lintFlags) as LintFlag[]).map((f) => f.code)).toContain("empty_result");

    // A query that runs but cannot be a label is stored with the reason, like a generated one.
    const cross = await stored("SELECT r1.route_id AS a, r2.route_id AS b FROM routes r1, routes r2");
    expect(cross).toMatchObject({ result: null, resultRowCount: null, resultSandboxId: sandbox.id });
    expect(cross.executionError).toMatch(/more than 5,000 rows, too many for a label/);

    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { projectId, action: "queries.import" } });
    expect(audit).toMatchObject({ userId, entityType: "query", summary: "Imported 5 queries from history.sql" });
    expect(JSON.parse(audit.after!)).toMatchObject({ fileName: "history.sql", format: "sql", total: 16, added: 5, invalid: 4, skipped: 7 });
  });

  it("imports CSV with quoted multi-line SQL and questions as pending pairs, also for a query already known", async () => {
    const { report } = await importQueryLog(t.db, projectId, { fileName: "questions.csv", content: QUESTIONS_CSV }, userId);
    expect(report).toMatchObject({ format: "csv", total: 4, added: 2, alreadyKnown: 1, withQuestion: 2, pairsAdded: 2, skipped: [] });
    expect(report.invalid).toEqual([{ line: 8, sql: "SELECT nope FROM planes", error: expect.stringMatching(/^Does not match the current schema \(line 8\): Binder Error: .*"nope"/) }]);

    const germany = await stored("SELECT name\nFROM airports\nWHERE country = 'Germany'\nORDER BY airport_id");
    expect(germany.origin).toBe("imported");
    expect(germany.resultSandboxId).toBe(sandbox.id);
    expect(germany.pairs).toMatchObject([{ question: "Which airports are in Germany?", reviewState: "pending", style: "imported", revision: 1 }]);

    const known = await stored("SELECT count(*) AS n FROM routes WHERE stops = 0");
    expect(known.pairs.map((p) => p.question)).toEqual(["How many routes have no stops?"]);
    expect((await stored("SELECT count(*) AS airlines FROM airlines")).pairs).toEqual([]);
  });

  it("imports JSON Lines, skipping a line that is not JSON and a statement that is not a query", async () => {
    const { report } = await importQueryLog(t.db, projectId, { fileName: "log.jsonl", content: QUESTIONS_JSONL }, userId);
    expect(report).toMatchObject({ format: "jsonl", total: 4, added: 2, alreadyKnown: 0, invalid: [], withQuestion: 2, pairsAdded: 2 });
    expect(report.skipped.map((s) => s.line)).toEqual([2, 3]);
    expect(report.skipped[0]!.reason).toMatch(/^Not valid JSON/);
    expect(report.skipped[1]!.reason).toBe("UPDATE is not a query: only SELECT statements become labels");
    expect((await stored("SELECT name FROM countries ORDER BY name")).pairs.map((p) => p.question)).toEqual(["Name every country."]);
    expect(await counts()).toEqual({ queries: 9, pairs: 4, audits: 3 });
  });

  it("adds nothing when the same files are imported again", async () => {
    const before = await t.db.query.findMany({ where: { projectId }, orderBy: { id: "asc" } });
    const again = await importQueryLog(t.db, projectId, { fileName: "history.sql", content: HISTORY_SQL }, userId);
    expect(again.report).toMatchObject({ added: 0, alreadyKnown: 5, pairsAdded: 0, groundTruth: { executed: 0, failed: 0, empty: 0 } });
    expect(again.report.invalid.map((i) => i.line)).toEqual(history.invalid.map((i) => i.line));
    expect(again.report.skipped).toEqual(history.skipped);
    expect(again.queryIds).toEqual([]);
    expect((await importQueryLog(t.db, projectId, { fileName: "questions.csv", content: QUESTIONS_CSV }, userId)).report).toMatchObject({ added: 0, alreadyKnown: 3, pairsAdded: 0 });
    expect((await importQueryLog(t.db, projectId, { fileName: "log.jsonl", content: QUESTIONS_JSONL }, userId)).report).toMatchObject({ added: 0, alreadyKnown: 2, pairsAdded: 0 });
    expect(await t.db.query.findMany({ where: { projectId }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await counts()).toEqual({ queries: 9, pairs: 4, audits: 6 });
  });

  it("refuses oversized, binary and overlong input as a whole, storing nothing", async () => {
    const before = await counts();
    const attempts: [string, string, RegExp][] = [
      ["huge.sql", `SELECT 1 AS fresh;\n${"-- padding\n".repeat(2_000_000)}`, /a query log can be at most 20 MB\. Split it/],
      ["dump.sql", "SELECT 2 AS fresh;\u0000\u0000\u0001binary", /binary data, not text/],
      ["long.sql", `SELECT 3 AS fresh;\nSELECT '${"x".repeat(101 * 1024)}' AS s;`, /query on line 2 is 102 KB; a query can be at most 100 KB/],
      ["many.sql", "SELECT 4 AS fresh;\n".repeat(20_001), /at most 20,000 can be imported at once/],
    ];
    for (const [fileName, content, message] of attempts) {
      const attempt = importQueryLog(t.db, projectId, { fileName, content }, userId);
      await expect(attempt, fileName).rejects.toThrow(ValidationError);
      await expect(attempt, fileName).rejects.toThrow(message);
    }
    expect(await counts()).toEqual(before);
  });

  // The failure is injected with a trigger in each database's own dialect.
  it("stores nothing of a file when writing it fails midway", async () => {
    const before = await counts();
    if (usingPostgres()) {
      await t.db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION fail_pair() RETURNS trigger AS $$ BEGIN IF NEW.question = 'boom' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await t.db.$executeRawUnsafe(`CREATE TRIGGER fail_pair BEFORE INSERT ON "Pair" FOR EACH ROW EXECUTE FUNCTION fail_pair()`);
    } else {
      await t.db.$executeRawUnsafe(`CREATE TRIGGER fail_pair BEFORE INSERT ON "Pair" WHEN NEW.question = 'boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    }
    try {
      const content = "question,sql\nfine,SELECT count(*) AS c FROM airports WHERE altitude > 0\nboom,SELECT count(*) AS c FROM airports WHERE altitude < 0\n";
      await expect(importQueryLog(t.db, projectId, { fileName: "crash.csv", content }, userId)).rejects.toThrow();
      expect(await counts()).toEqual(before);
      expect(await t.db.query.count({ where: { projectId, sql: { contains: "altitude" } } })).toBe(0);
    } finally {
      if (usingPostgres()) {
        await t.db.$executeRawUnsafe(`DROP TRIGGER fail_pair ON "Pair"`);
        await t.db.$executeRawUnsafe("DROP FUNCTION fail_pair()");
      } else {
        await t.db.$executeRawUnsafe("DROP TRIGGER fail_pair");
      }
    }
  });

  it("needs an active sandbox to check queries against", async () => {
    const other = await createProject(t.db, { name: "No sandbox", description: "" });
    await expect(importQueryLog(t.db, other.id, { fileName: "a.sql", content: "SELECT 1;" })).rejects.toThrow(/no sandbox yet\. Generate one on the Sandbox page first/);
  });
});

describe("POST /api/projects/:projectId/queries/import", () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, userId)).cookieValue)}`;
  });

  async function post(body: BodyInit, contentType?: string) {
    const headers: Record<string, string> = { cookie, host: "studio.test" };
    if (contentType) headers["content-type"] = contentType;
    const req = new Request(`http://studio.test/api/projects/${projectId}/queries/import`, { method: "POST", headers, body });
    const res = await importRoute(req, { params: Promise.resolve({ projectId }) });
    return { status: res.status, json: (await res.json()) as { report?: ImportReport; job?: { id: string; type: string }; error?: { message: string } } };
  }

  it("takes a multipart upload in the file field and returns the report", async () => {
    const form = new FormData();
    form.set("file", new File(["sql,question\nSELECT count(*) AS planes FROM planes,How many aircraft types are there?\n"], "upload.csv"));
    const res = await post(form);
    expect(res.status).toBe(200);
    expect(res.json.report).toMatchObject({ format: "csv", added: 1, pairsAdded: 1, withQuestion: 1 });
    expect((await stored("SELECT count(*) AS planes FROM planes")).pairs.map((p) => p.question)).toEqual(["How many aircraft types are there?"]);
  });

  it("takes JSON {fileName, content}", async () => {
    const res = await post(JSON.stringify({ fileName: "snippet.sql", content: "SELECT count(*) AS countries FROM countries;\nDROP TABLE planes;" }), "application/json");
    expect(res.status).toBe(200);
    expect(res.json.report).toMatchObject({ format: "sql", added: 1, skipped: [{ line: 2, reason: "DROP is not a query: only SELECT statements become labels" }] });
  });

  it("answers 400 with what to do for a file that is not UTF-8 text, and for a missing file", async () => {
    const form = new FormData();
    form.set("file", new File([new Uint8Array([0x53, 0x45, 0x4c, 0xe9, 0x20, 0x31])], "latin1.sql"));
    const latin1 = await post(form);
    expect(latin1.status).toBe(400);
    expect(latin1.json.error?.message).toMatch(/not UTF-8 text\. Save it as UTF-8/);
    const missing = await post(new FormData());
    expect(missing.status).toBe(400);
    expect(missing.json.error?.message).toMatch(/Choose a file to upload/);
    const noName = await post(JSON.stringify({ fileName: "", content: "SELECT 1" }), "application/json");
    expect(noName.status).toBe(400);
    expect(noName.json.error?.message).toMatch(/^fileName: Give the file's name/);
  });

  it("imports a large log as a job with progress, whose result is the report", async () => {
    const statements = Array.from({ length: IMPORT_JOB_THRESHOLD + 30 }, (_, i) => `SELECT count(*) AS n FROM routes WHERE route_id > ${1000 + i}`);
    const res = await post(JSON.stringify({ fileName: "big.sql", content: statements.join(";\n") }), "application/json");
    expect(res.status).toBe(202);
    expect(res.json.job?.type).toBe("queries.import");
    const worker = startTestWorker(t.db);
    try {
      await worker.drain();
    } finally {
      await worker.stop();
    }
    const job = await t.db.job.findUniqueOrThrow({ where: { id: res.json.job!.id } });
    expect(job.status).toBe("succeeded");
    const report = (JSON.parse(job.result!) as { report: ImportReport }).report;
    expect(report).toMatchObject({ format: "sql", added: IMPORT_JOB_THRESHOLD + 30, invalid: [], skipped: [] });
    expect(job.progress).toBe(100);
    expect(await t.db.query.count({ where: { projectId, sql: { startsWith: "SELECT count(*) AS n FROM routes WHERE route_id > " } } })).toBe(IMPORT_JOB_THRESHOLD + 30);
    // A format error in a large upload still answers at once.
    const broken = await post(JSON.stringify({ fileName: "big.csv", content: `query_text\n${statements.join("\n")}` }), "application/json");
    expect(broken.status).toBe(400);
  });
});
