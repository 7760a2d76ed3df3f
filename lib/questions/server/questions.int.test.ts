// Template questions on a real sandbox: the glossary's words end to end, several distinct
// paraphrases per query, and re-runs that add only what is missing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { POST as questionsRoute } from "@/app/api/projects/[projectId]/questions/route";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { ValidationError } from "@/lib/errors";
import { createProject } from "@/lib/projects/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { updateGlossaryEntry } from "@/lib/schema/server/glossary";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { QUESTIONS_JOB, requestQuestionGeneration } from "@/lib/questions/server/service";
import type { QuestionSeed } from "@/lib/questions/seed";

let t: TestDb;
let projectId: string;
let userId: string;

async function runWorker() {
  const worker = startTestWorker(t.db);
  try {
    await worker.drain();
  } finally {
    await worker.stop();
  }
}

async function templatePairs() {
  return t.db.pair.findMany({ where: { projectId, questionSource: "template" }, include: { query: { select: { sql: true, questionSeed: true } } } });
}

async function post(body: string) {
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, userId)).cookieValue)}`;
  const req = new Request(`http://studio.test/api/projects/${projectId}/questions`, {
    method: "POST",
    headers: { cookie, host: "studio.test", ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body } : {}),
  });
  const res = await questionsRoute(req, { params: Promise.resolve({ projectId }) });
  return { status: res.status, json: (await res.json()) as { job?: { id: string; type: string }; created?: boolean; error?: { message: string } } };
}

beforeAll(async () => {
  t = await createTestDb();
  const lead = await t.db.user.create({ data: { email: "lead@questions.test", name: "Lead" } });
  userId = lead.id;
  projectId = (await createProject(t.db, { name: "Questions", description: "" }, userId)).id;
  await t.db.projectMember.update({ where: { projectId_userId: { projectId, userId } }, data: { role: "data_lead" } });
  await ingestDdl(t.db, projectId, OPENFLIGHTS_DDL);
  await updateGlossaryEntry(t.db, projectId, { table: "airports", description: "Aerodromes. Every place a route starts or ends." }, userId);
  await updateGlossaryEntry(t.db, projectId, { table: "airports", column: "altitude", description: "Elevation: feet above sea level" }, userId);
  // Sensitive: its description never reaches a question.
  await updateGlossaryEntry(t.db, projectId, { table: "airlines", column: "callsign", description: "Radio handle", sensitive: true }, userId);
  await requestSandboxGeneration(t.db, projectId, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
  await runWorker();
  await requestQueryGeneration(t.db, projectId, { max: 60, seed: 7 });
  await runWorker();
}, 120_000);

afterAll(async () => t?.cleanup());

describe("template questions", () => {
  it("refuses options it cannot honour, with the reason", async () => {
    await expect(requestQuestionGeneration(t.db, projectId, userId, { styles: ["metaphorical"] })).rejects.toThrow(ValidationError);
    const bad = await post(JSON.stringify({ perQuery: 9 }));
    expect(bad.status).toBe(400);
    expect(bad.json.error?.message).toBe("perQuery: At most 5 questions per query.");
  });

  it("writes one question per executed query with no body, in rotating styles and the glossary's words", async () => {
    const first = await post("");
    expect(first.status).toBe(202);
    expect(first.json).toMatchObject({ created: true, job: { type: QUESTIONS_JOB } });
    await runWorker();
    const executed = await t.db.query.count({ where: { projectId, result: { not: null }, questionSeed: { not: null } } });
    const pairs = await templatePairs();
    expect(executed).toBeGreaterThan(30);
    expect(pairs).toHaveLength(executed);
    expect(new Set(pairs.map((p) => p.style)).size).toBe(6);
    for (const p of pairs) {
      for (const literal of (JSON.parse(p.query.questionSeed!) as QuestionSeed).literals) expect(p.question, p.query.sql).toContain(literal);
    }
    // Queries over airports alone speak of aerodromes, and of elevation where they use the altitude.
    const airportsOnly = pairs.filter((p) => /\bFROM airports\b/.test(p.query.sql) && !/\b(JOIN|routes|airlines|countries|planes)\b/.test(p.query.sql));
    expect(airportsOnly.length).toBeGreaterThan(0);
    for (const p of airportsOnly) expect(p.question, p.query.sql).toMatch(/aerodrome/i);
    const altitude = pairs.filter((p) => airportsOnly.includes(p) && /\baltitude\b/.test(p.query.sql));
    expect(altitude.length).toBeGreaterThan(0);
    for (const p of altitude) {
      expect(p.question).toContain("elevation");
      expect(p.question).not.toMatch(/\baltitude\b/);
    }
    expect(pairs.some((p) => /radio handle/i.test(p.question))).toBe(false);
  }, 60_000);

  it("adds paraphrases up to the count asked for, each a different text, and nothing on a re-run", async () => {
    const before = await templatePairs();
    await requestQuestionGeneration(t.db, projectId, userId, { perQuery: 3, styles: ["formal", "interrogative", "descriptive", "concise"] });
    await runWorker();
    const after = await templatePairs();
    const byQuery = new Map<string, string[]>();
    for (const p of after) byQuery.set(p.queryId, [...(byQuery.get(p.queryId) ?? []), p.question]);
    for (const [queryId, questions] of byQuery) {
      expect(questions, queryId).toHaveLength(3);
      expect(new Set(questions).size).toBe(3);
    }
    // The first questions stay as they were.
    const kept = new Set(after.map((p) => p.id));
    expect(before.every((p) => kept.has(p.id))).toBe(true);
    expect(after.length).toBe(byQuery.size * 3);

    // Again, and after a simulated crash that lost some of the paraphrases: only the missing ones come back.
    await requestQuestionGeneration(t.db, projectId, userId, { perQuery: 3, styles: ["formal", "interrogative", "descriptive", "concise"] });
    await runWorker();
    expect(await t.db.pair.count({ where: { projectId, questionSource: "template" } })).toBe(after.length);
    const lost = after.slice(0, 5);
    await t.db.pair.deleteMany({ where: { id: { in: lost.map((p) => p.id) } } });
    await requestQuestionGeneration(t.db, projectId, userId, { perQuery: 3, styles: ["formal", "interrogative", "descriptive", "concise"] });
    await runWorker();
    const healed = await templatePairs();
    expect(healed).toHaveLength(after.length);
    const perQuery = new Map<string, Set<string>>();
    for (const p of healed) perQuery.set(p.queryId, (perQuery.get(p.queryId) ?? new Set()).add(p.question));
    for (const texts of perQuery.values()) expect(texts.size).toBe(3);
  }, 60_000);
});
