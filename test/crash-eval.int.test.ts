import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { spawnWorker, waitFor } from "@/test/helpers/processes";
import { SMALL_ROWS, startTestWorker } from "@/test/helpers/pipeline";
import { childEnv, killHard, stopChild, waitForJobEnd } from "@/test/helpers/crash";
import { startOpenAiStandIn, type OpenAiStandIn, type StandInMessage } from "@/test/stand-ins/openai-server";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { requestQuestionGeneration } from "@/lib/questions/server/service";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { createOpenAiEndpoint } from "@/lib/evaluation/server/endpoints";
import { startEvalRun } from "@/lib/evaluation/server/service";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

let t: TestDb;
let standIn: OpenAiStandIn | null = null;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await standIn?.close();
  await t?.cleanup();
});

/** Model calls the run keeps in flight (its pool starts the next call as soon as one ends). */
const CONCURRENCY = 4;

/** A frozen dataset version with a test split large enough to take a few seconds to evaluate. */
async function buildFrozenVersion(db: TestDb["db"]) {
  const project = await createProject(db, { name: "Crash eval", description: "" });
  await ingestDdl(db, project.id, OPENFLIGHTS_DDL);
  const worker = startTestWorker(db);
  try {
    await requestSandboxGeneration(db, project.id, { seed: 42, tableRows: SMALL_ROWS, variants: 0 });
    await worker.drain();
    // Several seeds pick different literal values, so each run adds new queries.
    for (const seed of [7, 8]) {
      await requestQueryGeneration(db, project.id, { max: 120, seed });
      await worker.drain();
    }
    await requestQuestionGeneration(db, project.id);
    await worker.drain();
  } finally {
    await worker.stop();
  }
  const pairs = await db.pair.findMany({ where: { projectId: project.id, query: { resultRowCount: { gt: 0 } } } });
  for (let i = 0; i < pairs.length; i += 10) {
    await Promise.all(pairs.slice(i, i + 10).map((p) => decidePair(db, project.id, p.id, { action: "approve", revision: p.revision })));
  }
  const version = await freezeDatasetVersion(db, project.id, { testFraction: 0.5, seed: 13 });
  return { projectId: project.id, version };
}

describe("killing the worker during an evaluation run", () => {
  it("resumes the run, re-asking only the items in flight, with one result per item", async () => {
    const { projectId, version } = await buildFrozenVersion(t.db);
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: version.id, split: "test" } });
    expect(items.length).toBe(version.testCount);
    expect(items.length).toBeGreaterThanOrEqual(40);

    // The stand-in answers each question with its gold SQL, so every answer is checkable.
    const goldByQuestion = new Map<string, string[]>();
    for (const i of items) goldByQuestion.set(i.question, [...(goldByQuestion.get(i.question) ?? []), i.sql]);
    const questionOf = (messages: StandInMessage[]) => messages.find((m) => m.role === "user")?.content ?? "";
    standIn = await startOpenAiStandIn({
      delayMs: 150,
      answer: (messages) => {
        const gold = goldByQuestion.get(questionOf(messages));
        return gold ? "```sql\n" + gold[0] + "\n```" : "I do not know.";
      },
    });
    const endpoint = await createOpenAiEndpoint(t.db, projectId, { name: "Stand-in", baseUrl: standIn.url, model: "test-model", apiKey: "test-key" });
    const { run, job } = await startEvalRun(t.db, projectId, {
      datasetVersionId: version.id,
      endpointId: endpoint.id,
      compare: {},
      settings: { concurrency: CONCURRENCY, timeoutMs: 10_000, maxRetries: 0, repeats: 1, useCache: true },
    });

    const env = childEnv(t);
    let worker: ChildProcess | null = spawnWorker(env);
    let storedBefore: Awaited<ReturnType<typeof t.db.evalResult.findMany>> = [];
    let cutOff: string[] = [];
    try {
      // Kill while calls are in flight, after some answers are stored and well before the end.
      const inFlight = () => standIn!.requests.filter((r) => r.status === 0).length;
      await waitFor(
        "some answers stored and more in flight",
        async () => {
          if (inFlight() === 0) return false;
          const n = await t.db.evalResult.count({ where: { evalRunId: run.id } });
          // Checked again after the count: the calls may have been answered meanwhile.
          return n >= 2 * CONCURRENCY && n <= items.length - 4 * CONCURRENCY && inFlight() > 0;
        },
        30_000,
        20,
      );
      await killHard(worker);
      worker = null;
      // Requests the dead worker never got an answer to.
      cutOff = standIn.requests.filter((r) => r.status === 0).map((r) => questionOf((r.body as { messages: StandInMessage[] }).messages));

      const crashed = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(crashed.status).toBe("running");
      storedBefore = await t.db.evalResult.findMany({ where: { evalRunId: run.id } });
      expect(storedBefore.length).toBeGreaterThan(0);
      expect(storedBefore.length).toBeLessThan(items.length);
      expect(cutOff.length).toBeGreaterThan(0);
      expect(cutOff.length).toBeLessThanOrEqual(CONCURRENCY);
      const askedBefore = standIn.requests.length;
      expect(askedBefore).toBeGreaterThan(storedBefore.length);

      worker = spawnWorker(env);
      const done = await waitForJobEnd(t, job.id, 60_000);
      expect(done.error).toBeNull();
      expect(done.status).toBe("succeeded");
      expect(done.attempts).toBe(2);
    } finally {
      await stopChild(worker);
    }

    // One result per test item: none missing, none twice.
    const results = await t.db.evalResult.findMany({ where: { evalRunId: run.id } });
    expect(results.map((r) => r.itemId).sort()).toEqual(items.map((i) => i.id).sort());

    // Results stored before the kill were kept as they were, not answered again.
    const byItem = new Map(results.map((r) => [r.itemId, r]));
    for (const r of storedBefore) expect(byItem.get(r.itemId)).toEqual(r);

    // Every item was asked once; only calls cut off by the kill were asked again (answers that
    // arrived before it were in the response cache). No item with a stored result was asked again.
    const asked = standIn.requests.filter((r) => r.path === "/v1/chat/completions");
    expect(asked.length).toBeLessThanOrEqual(items.length + CONCURRENCY);
    const timesAsked = new Map<string, number>();
    for (const r of asked) {
      const q = questionOf((r.body as { messages: StandInMessage[] }).messages);
      timesAsked.set(q, (timesAsked.get(q) ?? 0) + 1);
    }
    const answeredBefore = new Set(storedBefore.map((r) => items.find((i) => i.id === r.itemId)!.question));
    const perQuestion = new Map<string, number>();
    for (const i of items) perQuestion.set(i.question, (perQuestion.get(i.question) ?? 0) + 1);
    for (const i of items) expect(timesAsked.get(i.question) ?? 0, i.question).toBeGreaterThan(0);
    for (const [question, n] of timesAsked) {
      // A question shared by several items has one cache key: the checks hold for unique ones.
      if (perQuestion.get(question) !== 1) continue;
      if (answeredBefore.has(question)) expect(n, question).toBe(1);
      else if (cutOff.includes(question)) expect(n, question).toBe(2);
      // Answered just before the kill: reused from the cache, unless the kill came between the
      // answer and its cache write (the call still held its slot, so the total bound above holds).
      else expect(n, question).toBeLessThanOrEqual(2);
    }

    // The answers were the gold SQL, so every item whose question is unique is correct.
    for (const r of results) {
      const item = items.find((i) => i.id === r.itemId)!;
      if (perQuestion.get(item.question) === 1) expect({ item: item.question, outcome: r.outcome, reason: r.reason }).toMatchObject({ outcome: "correct" });
    }

    // The run's counters are what its result rows say.
    const finished = await t.db.evalRun.findUniqueOrThrow({ where: { id: run.id } });
    const correct = results.filter((r) => r.outcome === "correct").length;
    const errors = results.filter((r) => r.outcome === "error").length;
    expect(finished.status).toBe("succeeded");
    expect(finished.total).toBe(items.length);
    expect(finished.done).toBe(results.length);
    expect(finished.correct).toBe(correct);
    expect(finished.errors).toBe(errors);
    expect(finished.accuracy).toBeCloseTo(correct / items.length, 10);
  }, 90_000);
});
