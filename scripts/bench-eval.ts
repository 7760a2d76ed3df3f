// npm run bench:eval — how close an evaluation run comes to the time its model calls alone need.
//
// Setup (a throwaway data dir with its own SQLite studio database): the demo schema, a sandbox and
// template queries built by the real jobs (three seeds, so most items have SQL of their own), then
// a dataset version whose test split holds BENCH_ITEMS items (1,000) inserted directly, each a
// generated query with its ground truth as the queries job stored it (a real result of its SQL on
// the sandbox) and a question of its own.
// The OpenAI-compatible stand-in runs in its own process, answering after BENCH_LATENCY_MS (100)
// with the gold SQL, except every 10th item, answered wrongly.
// The run (concurrency BENCH_CONCURRENCY, 16) is done by the real job worker (scripts/worker.ts)
// in its own process, started fresh, as in production: nothing it executes has been seen before.
// Wall time: from the moment the worker claims the job to its end (the wait for the worker's next
// poll, up to 0.5 s, is printed apart). The ideal is items ÷ concurrency × latency: the time the
// calls take when one starts the moment another ends and nothing else costs anything.
// Goal: wall ≤ 1.15 × ideal. Prints PASS or FAIL; exit code 0 only on PASS.
// Then, in the same process, the comparator on two 100,000-row × 4-column results: as a multiset
// (the prediction shuffled) and in order.
// Options: BENCH_ITEMS, BENCH_CONCURRENCY, BENCH_LATENCY_MS, BENCH_RATIO_GOAL, BENCH_KEEP=1 keeps the
// temp dir, BENCH_PROFILE=<dir> writes a CPU profile of the worker process there, BENCH_DEBUG=1
// passes the worker's and the stand-in's stderr through.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { numberFromEnv, throwawayStudio } from "./bench-env";


const root = path.resolve(import.meta.dirname, "..");
const ITEMS = Math.round(numberFromEnv("BENCH_ITEMS", 1_000));
const CONCURRENCY = Math.round(numberFromEnv("BENCH_CONCURRENCY", 16));
const LATENCY_MS = numberFromEnv("BENCH_LATENCY_MS", 100);
const RATIO_GOAL = numberFromEnv("BENCH_RATIO_GOAL", 1.15);
const COMPARE_ROWS = 100_000;
const KEEP = process.env.BENCH_KEEP === "1";
const API_KEY = "bench-key-0123456789";
const MODEL = "bench-model";

const { workDir, dataDir, databaseUrl } = throwawayStudio("eval");

const { applyMigrations } = await import("@/lib/db/server/migrate");
const { disconnectDb, getDb } = await import("@/lib/db/server/client");
const { startWorker } = await import("@/lib/jobs/server/worker");
const { getJobHandlers } = await import("@/lib/jobs/server/handlers");
const { createProject } = await import("@/lib/projects/server/service");
const { ingestDdl } = await import("@/lib/schema/server/ingest");
const { requestSandboxGeneration } = await import("@/lib/sandbox/server/service");
const { requestQueryGeneration } = await import("@/lib/queries/server/service");
const { sealSecret } = await import("@/lib/secrets/server/crypto");
const { startEvalRun } = await import("@/lib/evaluation/server/service");
const { compareResults, DEFAULT_COMPARE_SETTINGS } = await import("@/lib/evaluation/compare");
const { closeAllSandboxReaders } = await import("@/lib/sql/server/safe-exec");
const { DEFAULT_INSTRUCTIONS, buildSystemPrompt } = await import("@/lib/datasets/prompt");
const { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } = await import("@/lib/demo/openflights");

type Db = ReturnType<typeof getDb>;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? 0;
}

const fenced = (sql: string) => "```sql\n" + sql + "\n```";

/** The demo schema, a sandbox and executed template queries, through the real jobs. */
async function buildProject(db: Db) {
  const project = await createProject(db, { name: "Bench eval", description: "" });
  await ingestDdl(db, project.id, OPENFLIGHTS_DDL);
  const worker = startWorker({ db, handlers: getJobHandlers(db), pollMs: 20 });
  try {
    await requestSandboxGeneration(db, project.id, { seed: 42, tableRows: OPENFLIGHTS_ROWS, variants: 0 });
    await worker.drain();
    // Each seed picks other literal values, so each adds queries of its own.
    for (const seed of [7, 8, 9]) {
      await requestQueryGeneration(db, project.id, { max: 400, seed });
      await worker.drain();
    }
  } finally {
    await worker.stop();
  }
  const { activeSandboxId } = await db.project.findUniqueOrThrow({ where: { id: project.id } });
  const sandbox = await db.sandbox.findUniqueOrThrow({ where: { id: activeSandboxId! } });
  const queries = await db.query.findMany({
    where: { projectId: project.id, result: { not: null }, resultSandboxId: sandbox.id, resultRowCount: { gt: 0 } },
    orderBy: { createdAt: "asc" },
  });
  if (queries.length === 0) throw new Error("The queries job executed no query.");
  return { projectId: project.id, sandbox, queries };
}

/** A version whose test split holds ITEMS items over the executed queries, and the stand-in's answers. */
async function buildVersion(db: Db, setup: Awaited<ReturnType<typeof buildProject>>) {
  const version = await db.datasetVersion.create({
    data: {
      projectId: setup.projectId,
      version: 1,
      name: "Bench",
      seed: 1,
      testFraction: 1,
      systemPrompt: buildSystemPrompt(OPENFLIGHTS_DDL, DEFAULT_INSTRUCTIONS),
      itemCount: ITEMS,
      trainCount: 0,
      testCount: ITEMS,
      sandboxId: setup.sandbox.id,
      schemaVersionId: setup.sandbox.schemaVersionId,
    },
  });
  const byUser: Record<string, string> = {};
  const rows = [];
  let wrong = 0;
  for (let i = 0; i < ITEMS; i++) {
    const q = setup.queries[i % setup.queries.length]!;
    const question = `Question ${i + 1}: what does this query return? ${q.shape} over ${q.complexity} data`;
    const isWrong = i % 10 === 9;
    if (isWrong) wrong++;
    byUser[question] = fenced(isWrong ? `SELECT ${i} AS wrong_answer` : q.sql);
    rows.push({
      datasetVersionId: version.id,
      pairId: `bench-${i}`,
      split: "test",
      question,
      sql: q.sql,
      result: q.result!,
      topLevelOrderBy: q.topLevelOrderBy,
      complexity: q.complexity,
      shape: q.shape,
      templateHash: q.templateHash,
      features: q.features,
    });
  }
  for (let i = 0; i < rows.length; i += 500) await db.datasetItem.createMany({ data: rows.slice(i, i + 500) });
  const answersFile = path.join(workDir, "answers.json");
  writeFileSync(answersFile, JSON.stringify({ byUser, fallback: "I do not know." }));
  return { version, answersFile, wrong };
}

/** Starts a child process and resolves once it prints a line matching `ready`. */
async function startChild(what: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let errors = "";
  child.stderr?.on("data", (d: Buffer) => {
    errors = (errors + d.toString()).slice(-4_000);
    if (process.env.BENCH_DEBUG) process.stderr.write(d);
  });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`The ${what} did not start within 60 s.\n${errors}`)), 60_000);
    child.stdout?.on("data", (d: Buffer) => {
      out = (out + d.toString()).slice(-4_000);
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The ${what} exited (code ${code}) before it was ready.\n${errors}`));
    });
  });
  return { child, match };
}

async function createEndpoint(db: Db, projectId: string, baseUrl: string) {
  const sealed = sealSecret(API_KEY);
  const connection = await db.providerConnection.create({
    data: { projectId, kind: "openai_compatible", name: "Stand-in connection", baseUrl, secretCipher: sealed.cipher, secretKeyId: sealed.keyId, secretHint: sealed.hint },
  });
  return db.modelEndpoint.create({
    data: { projectId, name: "Stand-in", kind: "openai_compatible", connectionId: connection.id, model: MODEL, settings: JSON.stringify({ pricing: { inputPerMillion: 0.2, outputPerMillion: 0.8 } }) },
  });
}

/** The comparator on 100,000 rows × 4 columns: bag semantics on a shuffled copy, then in order. */
function benchComparator(): { multisetMs: number; orderedMs: number; ok: boolean } {
  let seed = 12345;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const gold = {
    columns: ["id", "name", "amount", "flag"],
    rows: Array.from({ length: COMPARE_ROWS }, (_, i) => [i, `name-${Math.floor(random() * 50_000)}`, Math.round(random() * 1e6) / 100, random() < 0.1 ? null : random() < 0.5]),
  };
  const shuffled = gold.rows.map((r) => [...r]);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const inOrder = gold.rows.map((r) => [...r]);
  let t0 = performance.now();
  const bag = compareResults(gold, { columns: ["flag", "amount", "name", "id"], rows: shuffled.map((r) => [r[3], r[2], r[1], r[0]]) }, { ...DEFAULT_COMPARE_SETTINGS, orderMatters: false });
  const multisetMs = performance.now() - t0;
  t0 = performance.now();
  const ordered = compareResults(gold, { columns: gold.columns, rows: inOrder }, { ...DEFAULT_COMPARE_SETTINGS, orderMatters: true });
  const orderedMs = performance.now() - t0;
  return { multisetMs, orderedMs, ok: bag.match && ordered.match };
}

const children: ChildProcess[] = [];

async function main(): Promise<boolean> {
  console.log(`bench:eval — ${fmt(ITEMS)} test items, concurrency ${CONCURRENCY}, ${fmt(LATENCY_MS)} ms per call`);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs\n`);
  await applyMigrations(databaseUrl);
  const db = getDb();
  const t0 = performance.now();
  const setup = await buildProject(db);
  const { version, answersFile, wrong } = await buildVersion(db, setup);
  const distinct = new Set(setup.queries.map((q) => q.sql)).size;
  console.log(`setup: ${fmt(distinct)} executed queries, ${fmt(ITEMS)} items (${fmt(wrong)} answered wrongly) in ${fmt((performance.now() - t0) / 1000, 1)} s`);

  // The stand-in must not share the event loop being measured; neither may the setup's leftovers
  // (readers, remembered queries): the run happens in a fresh worker process.
  const standIn = await startChild(
    "stand-in",
    ["--import", "tsx", "test/stand-ins/openai-server.ts", "--delay-ms", String(LATENCY_MS), "--answers", answersFile, "--api-key", API_KEY, "--model", MODEL],
    {},
    /listening (\S+)/,
  );
  children.push(standIn.child);
  const endpoint = await createEndpoint(db, setup.projectId, standIn.match[1]!);
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
  const worker = await startChild(
    "worker",
    [...profile, "--conditions=react-server", "--import", "tsx", "scripts/worker.ts"],
    { DATABASE_URL: databaseUrl, SANDPIPER_DATA_DIR: dataDir, SANDPIPER_LOG: "info" },
    /worker started/,
  );
  children.push(worker.child);

  const requested = performance.now();
  const { run: started, job: queued } = await startEvalRun(db, setup.projectId, {
    datasetVersionId: version.id,
    endpointId: endpoint.id,
    scope: { split: "test", includeRegression: false },
    settings: { concurrency: CONCURRENCY, timeoutMs: 30_000, maxRetries: 0, repeats: 1, useCache: true },
  });
  let job = queued;
  while (!["succeeded", "failed", "cancelled"].includes(job.status)) {
    await new Promise((r) => setTimeout(r, 20));
    job = await db.job.findUniqueOrThrow({ where: { id: queued.id } });
  }
  const endToEndMs = performance.now() - requested;
  await stopChild(worker.child);

  const run = await db.evalRun.findUniqueOrThrow({ where: { id: started.id } });
  const results = await db.evalResult.findMany({ where: { evalRunId: run.id }, select: { latencyMs: true } });
  const latencies = results.map((r) => r.latencyMs);
  const wallMs = job.finishedAt!.getTime() - job.startedAt!.getTime();
  const idealMs = (ITEMS / CONCURRENCY) * LATENCY_MS;
  const ratio = wallMs / idealMs;

  console.log(`\nrun: ${run.status}, ${fmt(run.done)} of ${fmt(run.total)} answered, ${fmt(run.correct)} correct (${fmt((run.accuracy ?? 0) * 100, 1)}%), ${fmt(run.errors)} errors, ${fmt(run.calls)} calls, $${run.costUsd.toFixed(4)}`);
  console.log(`call latency as the runner saw it: p50 ${fmt(percentile(latencies, 50))} ms, p95 ${fmt(percentile(latencies, 95))} ms, max ${fmt(Math.max(0, ...latencies))} ms`);
  console.log(`wall time (worker claims the job → job ends): ${fmt(wallMs / 1000, 3)} s; request → end ${fmt(endToEndMs / 1000, 3)} s (includes the worker's poll wait)`);
  console.log(`ideal (${fmt(ITEMS)} ÷ ${CONCURRENCY} × ${fmt(LATENCY_MS)} ms): ${fmt(idealMs / 1000, 3)} s`);
  const runOk = run.status === "succeeded" && run.done === ITEMS && run.calls === ITEMS && run.correct === ITEMS - wrong;
  if (!runOk) console.log(`the run did not answer as expected: ${run.error ?? job.error ?? `expected ${fmt(ITEMS - wrong)} correct of ${fmt(ITEMS)} with ${fmt(ITEMS)} calls`}`);
  const pass = ratio <= RATIO_GOAL && runOk;
  console.log(`ratio ${fmt(ratio, 3)}× (goal ≤ ${RATIO_GOAL}×)   ${pass ? "PASS" : "FAIL"}`);

  const compare = benchComparator();
  console.log(`\ncomparator, ${fmt(COMPARE_ROWS)} rows × 4 columns: multiset (shuffled, columns permuted) ${fmt(compare.multisetMs)} ms, ordered ${fmt(compare.orderedMs)} ms${compare.ok ? "" : " — MISMATCH (expected both to match)"}`);
  return pass && compare.ok;
}

/** SIGTERM (the worker finishes its job loop and exits, writing its profile), then SIGKILL after 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(`\nFAIL: the benchmark could not run: ${(error as Error).stack ?? String(error)}`);
} finally {
  for (const child of children) await stopChild(child);
  await closeAllSandboxReaders().catch(() => {});
  await disconnectDb().catch(() => {});
  if (KEEP) console.log(`kept: ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}
process.exit(passed ? 0 : 1);
