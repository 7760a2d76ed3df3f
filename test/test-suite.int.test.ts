import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { startOpenAiStandIn, type OpenAiStandIn, type StandInMessage } from "@/test/stand-ins/openai-server";
import type { Db } from "@/lib/db/server/client";
import { createProject } from "@/lib/projects/server/service";
import { getSchemaVersion } from "@/lib/schema/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { listReadyVariants, requestSandboxGeneration, resolveSandboxPath } from "@/lib/sandbox/server/service";
import { quoteIdent, quoteTable } from "@/lib/sandbox/ddl";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestQuestionGeneration } from "@/lib/questions/server/service";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { createOpenAiEndpoint } from "@/lib/evaluation/server/endpoints";
import { getEvalRun, listEvalRuns } from "@/lib/evaluation/server/runs";
import { startEvalRun } from "@/lib/evaluation/server/service";
import { executeReadOnly } from "@/lib/sql/server/safe-exec";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

// Test-suite accuracy: a prediction that returns the gold result on the sandbox only by
// coincidence must be caught on the variant sandboxes built next to it.

const VARIANTS = 3;
/** An answer no gold query of the demo schema returns. */
const WRONG_SQL = "SELECT -987654321 AS n";

type Version = Awaited<ReturnType<typeof freezeDatasetVersion>>;
interface StoredResult {
  columns: string[];
  rows: unknown[][];
}

let t: TestDb;
let standIn: OpenAiStandIn | null = null;
let projectId: string;
/** Frozen on a sandbox built without variants. */
let plainVersion: Version;
/** Frozen on a sandbox (same seed, same rows) built with VARIANTS variants. */
let suiteVersion: Version;
/** Shared by the evaluation tests: the stand-in endpoint, and the answers right only on the sandbox. */
let endpointId = "";
const coincidental: { question: string; sql: string }[] = [];
let wrongQuestion = "";

beforeAll(async () => {
  t = await createTestDb();
  const project = await createProject(t.db, { name: "Test suite", description: "" });
  projectId = project.id;
  await ingestDdl(t.db, projectId, OPENFLIGHTS_DDL);
  const worker = startTestWorker(t.db);
  try {
    await requestSandboxGeneration(t.db, projectId, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
    await worker.drain();
    await requestQueryGeneration(t.db, projectId, { max: 120, seed: 7 });
    await worker.drain();
    await requestQuestionGeneration(t.db, projectId);
    await worker.drain();
    const pairs = await t.db.pair.findMany({ where: { projectId, query: { resultRowCount: { gt: 0 } } } });
    for (let i = 0; i < pairs.length; i += 10) {
      await Promise.all(pairs.slice(i, i + 10).map((p) => decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision })));
    }
    plainVersion = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.3, seed: 13 });

    // The same rows again, now with variants; the queries exist, so their constants are fuzzed in.
    await requestSandboxGeneration(t.db, projectId, { seed: 42, tableRows: SMALL_ROWS, variants: VARIANTS });
    await worker.drain();
    // Ground truth on the new sandbox (the queries already stored are executed again).
    await requestQueryGeneration(t.db, projectId, { max: 1, seed: 7 });
    await worker.drain();
    suiteVersion = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.3, seed: 13 });
  } finally {
    await worker.stop();
  }
}, 60_000);

afterAll(async () => {
  await standIn?.close();
  await t?.cleanup();
});

async function withReadOnly<T>(file: string, fn: (count: (sql: string) => Promise<number>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    return await fn(async (sql) => Number((await connection.runAndReadAll(sql)).getRows()[0]![0]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Primary keys are unique and no foreign key points at a missing parent. */
async function expectKeysHold(file: string, model: SchemaModel, label: string): Promise<void> {
  await withReadOnly(file, async (count) => {
    for (const table of model.tables) {
      const q = quoteTable(table.name);
      expect(table.primaryKey.length, `${table.name} has a primary key`).toBeGreaterThan(0);
      const key = table.primaryKey.map(quoteIdent).join(", ");
      expect(await count(`SELECT count(*) - count(DISTINCT (${key})) FROM ${q}`), `${label}: ${table.name} primary key is unique`).toBe(0);
      for (const fk of table.foreignKeys) {
        const notNull = fk.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
        const join = fk.columns.map((c, i) => `p.${quoteIdent(fk.refColumns[i]!)} = c.${quoteIdent(c)}`).join(" AND ");
        const orphans = await count(`SELECT count(*) FROM ${q} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(fk.refTable)} p WHERE ${join})`);
        expect(orphans, `${label}: ${table.name}(${fk.columns.join(", ")}) → ${fk.refTable} has no orphans`).toBe(0);
      }
    }
  });
}

async function loadModel(db: Db, schemaVersionId: string): Promise<SchemaModel> {
  return toEffectiveSchema((await getSchemaVersion(db, projectId, schemaVersionId)).model);
}

const questionOf = (messages: StandInMessage[]) => messages.find((m) => m.role === "user")?.content ?? "";
const asAnswer = (sql: string) => "```sql\n" + sql + "\n```";

async function runEvaluation(versionId: string, endpointId: string) {
  const { run } = await startEvalRun(t.db, projectId, { datasetVersionId: versionId, endpointId, compare: {} });
  const worker = startTestWorker(t.db);
  try {
    await worker.drain();
  } finally {
    await worker.stop();
  }
  return getEvalRun(t.db, projectId, run.id);
}

describe("test-suite variants", () => {
  it("builds the asked number of ready variants next to the sandbox, each with its own seed and intact keys", async () => {
    const project = await t.db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(suiteVersion.sandboxId).toBe(project.activeSandboxId);
    const primary = await t.db.sandbox.findUniqueOrThrow({ where: { id: suiteVersion.sandboxId! } });
    expect(primary).toMatchObject({ role: "primary", status: "ready", seed: 42, variantOfId: null });

    const variants = await t.db.sandbox.findMany({ where: { variantOfId: primary.id }, orderBy: { seed: "asc" } });
    expect(variants).toHaveLength(VARIANTS);
    const seeds = variants.map((v) => v.seed);
    expect(new Set(seeds).size).toBe(VARIANTS);
    expect(seeds).not.toContain(primary.seed);
    const primaryCounts = JSON.parse(primary.rowCounts) as Record<string, number>;
    expect(primaryCounts).toEqual(SMALL_ROWS);
    for (const v of variants) {
      expect(v).toMatchObject({ projectId, role: "variant", status: "ready", schemaVersionId: primary.schemaVersionId, error: null });
      expect(existsSync(resolveSandboxPath(v.filePath!))).toBe(true);
      expect(v.bytes).toBeGreaterThan(0);
      // Small tables stay whole in a variant.
      expect(JSON.parse(v.rowCounts)).toEqual(primaryCounts);
      // Built after the queries, so their constants were collected for fuzzing.
      expect((JSON.parse(v.settings) as { fuzzedColumns?: number }).fuzzedColumns).toBeGreaterThan(0);
    }
    // Other seeds, other rows: no two files are the same.
    expect(new Set([primary.sha256, ...variants.map((v) => v.sha256)]).size).toBe(VARIANTS + 1);
    expect((await listReadyVariants(t.db, primary.id)).map((v) => v.id)).toEqual(variants.map((v) => v.id));

    // The sandbox built with variants: 0 has none, and was superseded by the new one.
    expect(plainVersion.sandboxId).not.toBe(primary.id);
    expect(await t.db.sandbox.count({ where: { variantOfId: plainVersion.sandboxId! } })).toBe(0);
    expect(await t.db.sandbox.findUniqueOrThrow({ where: { id: plainVersion.sandboxId! } })).toMatchObject({ status: "superseded", role: "primary" });
    expect(await t.db.sandbox.count({ where: { projectId, role: "variant" } })).toBe(VARIANTS);

    const model = await loadModel(t.db, primary.schemaVersionId);
    expect(model.tables.some((table) => table.foreignKeys.length > 0)).toBe(true);
    for (const v of variants) {
      const file = resolveSandboxPath(v.filePath!);
      await expectKeysHold(file, model, `variant seed ${v.seed}`);
      await withReadOnly(file, async (count) => {
        for (const [table, n] of Object.entries(primaryCounts)) expect(await count(`SELECT count(*) FROM ${quoteTable(table)}`), `${table} rows`).toBe(n);
      });
    }
  });

  it("scores a coincidental match as correct but not suite-correct, and a wrong answer as neither", async () => {
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: suiteVersion.id, split: "test" }, orderBy: { id: "asc" } });
    expect(items.length).toBe(suiteVersion.testCount);
    const perQuestion = new Map<string, number>();
    for (const i of items) perQuestion.set(i.question, (perQuestion.get(i.question) ?? 0) + 1);
    // Answers are chosen by question, so only items with a question of their own are checked one by one.
    const unique = items.filter((i) => perQuestion.get(i.question) === 1 && (JSON.parse(i.result) as StoredResult).rows.length > 0);
    expect(unique.length).toBeGreaterThanOrEqual(6);

    // Coincidences: a single whole number on the sandbox that the gold query does not return on
    // some variant. Answering that number as a literal matches on the sandbox only.
    const variants = await listReadyVariants(t.db, suiteVersion.sandboxId!);
    expect(variants).toHaveLength(VARIANTS);
    for (const item of unique) {
      if (coincidental.length === 2) break;
      const gold = JSON.parse(item.result) as StoredResult;
      const value = gold.rows[0]?.[0];
      if (gold.rows.length !== 1 || gold.columns.length !== 1 || !Number.isInteger(value)) continue;
      let differs = false;
      for (const v of variants) {
        const onVariant = await executeReadOnly(v.path, item.sql, { timeoutMs: 10_000, maxRows: 10 });
        if (onVariant.rows.length !== 1 || Number(onVariant.rows[0]![0]) !== value) differs = true;
      }
      if (differs) coincidental.push({ question: item.question, sql: `SELECT ${value as number} AS ${quoteIdent(gold.columns[0]!)}` });
    }
    expect(coincidental.length, "test items whose single count changes on a variant").toBeGreaterThan(0);
    const isCoincidental = (question: string) => coincidental.some((c) => c.question === question);
    wrongQuestion = unique.find((i) => !isCoincidental(i.question))!.question;

    const answers = new Map<string, string>();
    for (const i of items) if (!answers.has(i.question)) answers.set(i.question, i.sql);
    for (const c of coincidental) answers.set(c.question, c.sql);
    answers.set(wrongQuestion, WRONG_SQL);
    standIn = await startOpenAiStandIn({ answer: (messages) => asAnswer(answers.get(questionOf(messages)) ?? "SELECT 1") });
    const endpoint = await createOpenAiEndpoint(t.db, projectId, { name: "Stand-in", baseUrl: standIn.url, model: "test-model", apiKey: "test-key" });
    endpointId = endpoint.id;

    const view = await runEvaluation(suiteVersion.id, endpointId);
    expect(view.status).toBe("succeeded");
    expect(view.results).toHaveLength(items.length);
    expect(view.suiteSize).toBe(VARIANTS);

    const byQuestion = new Map(view.results.map((r) => [r.question, r]));
    for (const c of coincidental) {
      const r = byQuestion.get(c.question)!;
      expect(r.predictedSql).toBe(c.sql);
      expect(r).toMatchObject({ outcome: "correct", suiteMatch: false });
      // The comparison stops at the first variant that disagrees.
      expect(r.suiteSize).toBeGreaterThanOrEqual(1);
      expect(r.suiteSize).toBeLessThanOrEqual(VARIANTS);
      expect(r.reason).toMatch(/variant/i);
    }
    expect(byQuestion.get(wrongQuestion)).toMatchObject({ predictedSql: WRONG_SQL, outcome: "wrong", suiteMatch: null, suiteSize: 0 });
    const goldAnswered = unique.filter((i) => i.question !== wrongQuestion && !isCoincidental(i.question));
    expect(goldAnswered.length).toBeGreaterThan(0);
    for (const i of goldAnswered) {
      const r = byQuestion.get(i.question)!;
      expect({ question: i.question, predictedSql: r.predictedSql, outcome: r.outcome, suiteMatch: r.suiteMatch, suiteSize: r.suiteSize, reason: r.reason }).toMatchObject({
        predictedSql: i.sql,
        outcome: "correct",
        suiteMatch: true,
        suiteSize: VARIANTS,
      });
    }
    // Only an answer correct on the sandbox is tried on the variants.
    for (const r of view.results) {
      if (r.outcome === "correct") expect(typeof r.suiteMatch).toBe("boolean");
      else expect(r.suiteMatch).toBeNull();
    }

    const suiteCorrect = view.results.filter((r) => r.suiteMatch === true).length;
    expect(view.suiteCorrect).toBe(suiteCorrect);
    expect(view.correct).toBe(view.results.filter((r) => r.outcome === "correct").length);
    expect(view.correct - view.suiteCorrect).toBeGreaterThanOrEqual(coincidental.length);
    expect(view.suiteAccuracy).toBeCloseTo(suiteCorrect / items.length, 10);
    expect(view.suiteAccuracy!).toBeLessThan(view.accuracy!);
    const stored = await t.db.evalRun.findUniqueOrThrow({ where: { id: view.id } });
    expect(stored).toMatchObject({ suiteSize: VARIANTS, suiteCorrect, correct: view.correct });
    const listed = (await listEvalRuns(t.db, projectId)).find((r) => r.id === view.id)!;
    expect(listed.suiteSize).toBe(VARIANTS);
    expect(listed.suiteAccuracy).toBeCloseTo(suiteCorrect / items.length, 10);
  });

  it("claims no suite accuracy for a version whose sandbox has no variants, and counts the coincidences as correct", async () => {
    expect(endpointId, "the previous test set up the stand-in endpoint").toBeTruthy();
    expect(await listReadyVariants(t.db, plainVersion.sandboxId!)).toEqual([]);
    const plain = await runEvaluation(plainVersion.id, endpointId);
    expect(plain.status).toBe("succeeded");
    expect(plain.results).toHaveLength(plainVersion.testCount);
    expect(plain).toMatchObject({ suiteSize: 0, suiteCorrect: 0, suiteAccuracy: null, suiteInterval: null });
    expect(plain.correct).toBeGreaterThan(0);
    for (const r of plain.results) expect({ question: r.question, suiteMatch: r.suiteMatch, suiteSize: r.suiteSize }).toEqual({ question: r.question, suiteMatch: null, suiteSize: 0 });
    // Same seed, same rows: on the sandbox alone the literal answers are right.
    const byQuestion = new Map(plain.results.map((r) => [r.question, r]));
    const shared = coincidental.filter((c) => byQuestion.has(c.question));
    expect(shared.length).toBeGreaterThan(0);
    for (const c of shared) expect(byQuestion.get(c.question)).toMatchObject({ predictedSql: c.sql, outcome: "correct", suiteMatch: null });
    if (byQuestion.has(wrongQuestion)) expect(byQuestion.get(wrongQuestion)).toMatchObject({ outcome: "wrong", suiteMatch: null });
    const stored = await t.db.evalRun.findUniqueOrThrow({ where: { id: plain.id } });
    expect(stored).toMatchObject({ suiteSize: 0, suiteCorrect: 0 });
    const listed = (await listEvalRuns(t.db, projectId)).find((r) => r.id === plain.id)!;
    expect(listed).toMatchObject({ suiteSize: 0, suiteAccuracy: null });
  });
});
