// npm run bench:load — 50 concurrent reviewers submit 5,000 review decisions to the production
// build over loopback, then the database is checked: every decision stored exactly once.
//
// Setup: a throwaway data dir and SQLite database under the OS temp dir, the demo project, extra
// pairs (copies of the demo's executed queries with new questions) so that each reviewer owns a
// disjoint set, and one analyst account with an API token per reviewer. Load: autocannon, one
// connection per reviewer; each connection walks its own pairs in order, alternating approve and
// reject per pair, and tracks each pair's revision from the responses, so no request is a
// legitimate 409. The verdict compares the run against the goal: zero errors, zero lost or
// duplicated decisions, p99 latency ≤ 250 ms.
//
// Options (environment): BENCH_REVIEWERS (50), BENCH_DECISIONS (5000), BENCH_PAIRS_PER_REVIEWER (20),
// BENCH_P99_GOAL_MS (250), BENCH_KEEP=1 keeps the temp dir for inspection, BENCH_SERVER_NODE_ARGS
// are extra node flags for the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it).
import { createRequire } from "node:module";
import { readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { requireBuild, startNextServer, type NextServer } from "./bench-server";
import { throwawayStudio } from "./bench-env";

const root = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive integer; got "${raw}".`);
    process.exit(1);
  }
  return value;
}

const REVIEWERS = intFromEnv("BENCH_REVIEWERS", 50);
const DECISIONS = intFromEnv("BENCH_DECISIONS", 5_000);
const PAIRS_PER_REVIEWER = intFromEnv("BENCH_PAIRS_PER_REVIEWER", 20);
const P99_GOAL_MS = intFromEnv("BENCH_P99_GOAL_MS", 250);
const KEEP = process.env.BENCH_KEEP === "1";

if (DECISIONS % REVIEWERS !== 0) {
  console.error(`BENCH_DECISIONS (${DECISIONS}) must be a multiple of BENCH_REVIEWERS (${REVIEWERS}) so every reviewer makes the same number of decisions.`);
  process.exit(1);
}
const PER_REVIEWER = DECISIONS / REVIEWERS;

requireBuild(root, "bench:load");

// ---------- a throwaway studio ----------

// Set before the studio's modules read them: this process and the server share the same state.
const { workDir, dataDir, databaseUrl } = throwawayStudio("load");
process.env.NEXT_TELEMETRY_DISABLED = "1";

const { applyMigrations } = await import("@/lib/db/server/migrate");
const { disconnectDb, getDb } = await import("@/lib/db/server/client");
const { ensureDemoProject } = await import("@/lib/demo/server/seed");
const { createApiToken } = await import("@/lib/auth/server/users");
const { nextStateFor } = await import("@/lib/review/states");
type ReviewState = ReturnType<typeof nextStateFor>;
type Action = "approve" | "reject";

interface PairPlan {
  id: string;
  initialRevision: number;
  initialState: string;
  /** The revision the client believes is current; advanced from each 2xx response. */
  revision: number;
  /** Decisions planned on this pair, in order. */
  actions: Action[];
}

interface Reviewer {
  userId: string;
  token: string;
  pairs: PairPlan[];
  built: number;
  ok: number;
}

let server: NextServer | null = null;

async function stopServer(): Promise<void> {
  const running = server;
  server = null;
  await running?.stop();
}

function cleanup(): void {
  if (KEEP) console.log(`kept: ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    void stopServer().finally(() => {
      cleanup();
      process.exit(130);
    });
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc; null where there is no /proc. */
function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// ---------- autocannon (no bundled types: the part used here) ----------

interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, context: Record<string, unknown>) => AcRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
interface AcHistogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  p99_9: number;
  total: number;
}
interface AcResult {
  duration: number;
  requests: AcHistogram & { sent: number };
  latency: AcHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
  "2xx": number;
}
interface AcOptions {
  url: string;
  connections: number;
  pipelining: number;
  amount: number;
  timeout: number;
  requests: AcRequest[];
}
type Autocannon = (opts: AcOptions) => Promise<AcResult>;
const autocannon = require("autocannon") as Autocannon;

// ---------- the run ----------

async function main(): Promise<boolean> {
  console.log(`bench:load — ${REVIEWERS} reviewers, ${fmt(DECISIONS)} decisions, ${PAIRS_PER_REVIEWER} pairs each (${PER_REVIEWER / PAIRS_PER_REVIEWER} passes)`);
  console.log(`state: ${workDir} (throwaway)`);

  const t0 = performance.now();
  await applyMigrations(databaseUrl);
  let db = getDb();
  const { projectId } = await ensureDemoProject(db);

  // Pairs: the demo's pairs whose SQL has a result (so "approve" is valid), then copies with new
  // questions over the same executed queries until each reviewer has its own set.
  const needed = REVIEWERS * PAIRS_PER_REVIEWER;
  const base = await db.pair.findMany({ where: { projectId, query: { result: { not: null } } }, orderBy: { createdAt: "asc" } });
  if (base.length === 0) throw new Error("The demo project has no pair with an executed query.");
  const extra = [];
  for (let i = base.length; i < needed; i++) {
    const src = base[i % base.length];
    extra.push({ projectId, queryId: src.queryId, question: `${src.question} (load test ${i + 1})`, style: src.style });
  }
  if (extra.length) await db.pair.createMany({ data: extra });
  const pairs = (await db.pair.findMany({ where: { projectId, query: { result: { not: null } } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] })).slice(0, needed);

  // Reviewers: analysts on the project, one API token each; reviewer r owns pairs r, r+N, r+2N…
  const reviewers: Reviewer[] = [];
  for (let r = 0; r < REVIEWERS; r++) {
    const email = `reviewer-${String(r + 1).padStart(2, "0")}@bench.sandpiper.test`;
    const user = await db.user.create({ data: { email, name: `Reviewer ${r + 1}` } });
    await db.projectMember.create({ data: { projectId, userId: user.id, role: "analyst" } });
    const { token } = await createApiToken(db, { id: user.id, email, name: user.name, isAdmin: false }, "load benchmark", false);
    const own = pairs.filter((_, i) => i % REVIEWERS === r);
    const plans: PairPlan[] = own.map((p) => ({ id: p.id, initialRevision: p.revision, initialState: p.reviewState, revision: p.revision, actions: [] }));
    // Step k decides pair k mod n; each pair alternates approve/reject across its visits.
    for (let k = 0; k < PER_REVIEWER; k++) {
      const j = k % plans.length;
      const visit = Math.floor(k / plans.length);
      plans[j].actions.push((visit + j) % 2 === 0 ? "approve" : "reject");
    }
    reviewers.push({ userId: user.id, token, pairs: plans, built: 0, ok: 0 });
  }
  await disconnectDb();
  console.log(`setup: ${fmt(pairs.length)} pairs, ${REVIEWERS} reviewer accounts in ${fmt((performance.now() - t0) / 1000, 1)} s`);

  // ---------- the server ----------
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  server = await startNextServer(root, { DATABASE_URL: databaseUrl, SANDPIPER_DATA_DIR: dataDir, SANDPIPER_LOG: "silent" }, nodeArgs);
  const baseUrl = server.baseUrl;
  const auth = (r: Reviewer) => ({ authorization: `Bearer ${r.token}`, "content-type": "application/json" });
  const t1 = performance.now();
  await server.ready("/api/projects", auth(reviewers[0]));
  console.log(`server: next start on ${baseUrl}, ready in ${fmt((performance.now() - t1) / 1000, 1)} s`);

  // Warm-up: each reviewer sends one decision with a revision that cannot match (409, nothing
  // written), so the route is loaded and every token has been seen once before measuring.
  const warm = await Promise.all(
    reviewers.map(async (r) => {
      const res = await fetch(`${baseUrl}/api/projects/${projectId}/pairs/${r.pairs[0].id}/decision`, {
        method: "POST",
        headers: auth(r),
        body: JSON.stringify({ action: "approve", revision: 1_000_000 }),
      });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  if (warm.some((s) => s !== 409)) throw new Error(`Warm-up expected 409 (stale revision) for every reviewer; got ${[...new Set(warm)].join(", ")}.`);

  db = getDb();
  const eventsBefore = await db.reviewEvent.count();
  await disconnectDb();

  // ---------- the load ----------
  let nextReviewer = 0;
  // Client-side timings per request (build → response), to separate each connection's first
  // request (which waits for the server to accept the connection) from the steady state.
  const timings: { first: boolean; ms: number }[] = [];
  let harnessErrors = 0;
  const failures = new Map<string, number>();
  const noteFailure = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
  const reviewerOf = (context: Record<string, unknown>): Reviewer => {
    if (typeof context.reviewer !== "number") {
      if (nextReviewer >= REVIEWERS) throw new Error("More connections than reviewers.");
      context.reviewer = nextReviewer++;
    }
    return reviewers[context.reviewer as number];
  };
  const requests: AcRequest[] = Array.from({ length: PER_REVIEWER }, (_, k) => ({
    method: "POST",
    setupRequest: (req, context) => {
      const r = reviewerOf(context);
      if (r.built !== k) harnessErrors++; // each step is built exactly once, in order
      r.built++;
      const plan = r.pairs[k % r.pairs.length];
      const action = plan.actions[Math.floor(k / r.pairs.length)];
      context.pending = { pair: plan.id, action, revision: plan.revision, at: performance.now() };
      return {
        ...req,
        path: `/api/projects/${projectId}/pairs/${plan.id}/decision`,
        headers: { ...req.headers, ...auth(r) },
        body: JSON.stringify({ action, revision: plan.revision }),
      };
    },
    onResponse: (status, body, context) => {
      const r = reviewerOf(context);
      const sent = context.pending as { pair: string; action: Action; revision: number; at: number };
      timings.push({ first: k === 0, ms: performance.now() - sent.at });
      const plan = r.pairs.find((p) => p.id === sent.pair)!;
      if (status >= 200 && status < 300) {
        const out = JSON.parse(body) as { id: string; reviewState: ReviewState; revision: number };
        if (out.id !== plan.id || out.revision !== sent.revision + 1 || out.reviewState !== nextStateFor(sent.action)) {
          noteFailure(`2xx with an unexpected body: ${body.slice(0, 160)}`);
        }
        plan.revision = out.revision;
        r.ok++;
      } else {
        let message = body.slice(0, 160);
        try {
          message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
        } catch {
          // not JSON
        }
        noteFailure(`${status} ${message}`);
      }
    },
  }));

  console.log(`load: ${REVIEWERS} connections, ${fmt(DECISIONS)} POST …/pairs/:id/decision`);
  const serverCpu0 = cpuMs(server.pid);
  const selfCpu0 = process.cpuUsage();
  const t2 = performance.now();
  const result = await autocannon({ url: baseUrl, connections: REVIEWERS, pipelining: 1, amount: DECISIONS, timeout: 30, requests });
  const wallS = (performance.now() - t2) / 1000;
  const serverCpu1 = cpuMs(server?.pid);
  const selfCpu = process.cpuUsage(selfCpu0);
  const loadAvg = os.loadavg()[0];

  await stopServer();

  // ---------- the database ----------
  db = getDb();
  const eventsAfter = await db.reviewEvent.count();
  const created = eventsAfter - eventsBefore;
  const ids = reviewers.flatMap((r) => r.pairs.map((p) => p.id));
  const events = await db.reviewEvent.findMany({ where: { pairId: { in: ids } }, select: { pairId: true, revision: true, action: true, userId: true } });
  const finals = new Map((await db.pair.findMany({ where: { id: { in: ids } }, select: { id: true, revision: true, reviewState: true, reviewedById: true } })).map((p) => [p.id, p]));
  const groups = await db.reviewEvent.groupBy({ by: ["pairId", "revision"], _count: { _all: true } });
  await disconnectDb();

  const sameRevision = groups.filter((g) => g._count._all > 1).length;
  const byKey = new Map<string, { action: string; userId: string | null }[]>();
  for (const e of events) {
    const key = `${e.pairId}#${e.revision}`;
    byKey.set(key, [...(byKey.get(key) ?? []), e]);
  }
  let lost = 0;
  let duplicated = 0;
  let wrongEvent = 0;
  let wrongFinal = 0;
  let clientMismatch = 0;
  let plannedKeys = 0;
  for (const r of reviewers) {
    for (const p of r.pairs) {
      p.actions.forEach((action, v) => {
        const found = byKey.get(`${p.id}#${p.initialRevision + v + 1}`) ?? [];
        plannedKeys++;
        if (found.length === 0) lost++;
        if (found.length > 1) duplicated += found.length - 1;
        if (found.some((e) => e.action !== action || e.userId !== r.userId)) wrongEvent++;
      });
      const final = finals.get(p.id);
      const expectedRevision = p.initialRevision + p.actions.length;
      const last = p.actions[p.actions.length - 1];
      const expectedState = last ? nextStateFor(last) : p.initialState;
      if (!final || final.revision !== expectedRevision || final.reviewState !== expectedState || (last && final.reviewedById !== r.userId)) wrongFinal++;
      if (final && final.revision !== p.revision) clientMismatch++;
    }
  }
  // Events on these pairs that no planned decision accounts for (beyond the demo's own history).
  const lastPlanned = new Map(reviewers.flatMap((r) => r.pairs.map((p) => [p.id, p.initialRevision + p.actions.length] as const)));
  const unexpected = events.filter((e) => e.revision > lastPlanned.get(e.pairId)!).length;
  duplicated += unexpected;

  // ---------- report ----------
  const ok2xx = result["2xx"];
  const clientOk = reviewers.reduce((s, r) => s + r.ok, 0);
  const total = result.requests.sent ?? result.requests.total;
  const responses = Object.values(result.statusCodeStats).reduce((s, c) => s + c.count, 0);
  const lat = result.latency;
  console.log("");
  console.log("requests");
  console.log(`  sent          ${fmt(total)}   responses ${fmt(responses)}   2xx ${fmt(ok2xx)}   non-2xx ${fmt(result.non2xx)}   errors ${fmt(result.errors)} (timeouts ${fmt(result.timeouts)})`);
  console.log(`  duration      ${fmt(wallS, 2)} s`);
  console.log(`  throughput    ${fmt(responses / wallS, 1)} req/s   (autocannon mean per second ${fmt(result.requests.mean, 1)})`);
  console.log(`  latency       p50 ${lat.p50} ms   p97.5 ${lat.p97_5} ms   p99 ${lat.p99} ms   max ${lat.max} ms   mean ${fmt(lat.mean, 1)} ms`);
  if (serverCpu0 !== null && serverCpu1 !== null) {
    const serverMs = serverCpu1 - serverCpu0;
    const selfMs = (selfCpu.user + selfCpu.system) / 1000;
    console.log(`  cpu           server ${fmt(serverMs / responses, 2)} ms per request (${fmt((serverMs / 1000 / wallS) * 100)}% of a core); load generator ${fmt(selfMs / responses, 2)} ms per request; ${os.cpus().length} cores, load average ${fmt(loadAvg, 1)}`);
  }
  const pct = (list: number[], q: number) => list[Math.min(list.length - 1, Math.ceil(q * list.length) - 1)] ?? 0;
  const steady = timings.filter((t) => !t.first).map((t) => t.ms).sort((a, b) => a - b);
  const firsts = timings.filter((t) => t.first).map((t) => t.ms).sort((a, b) => a - b);
  console.log(
    `  client-side   after the first request of each connection: p50 ${fmt(pct(steady, 0.5))} ms, p99 ${fmt(pct(steady, 0.99))} ms; first requests (connection accepted while the server is busy): p50 ${fmt(pct(firsts, 0.5))} ms, max ${fmt(firsts[firsts.length - 1] ?? 0)} ms`,
  );
  const codes = Object.entries(result.statusCodeStats).map(([c, s]) => `${c}×${s.count}`).join("  ");
  console.log(`  status codes  ${codes || "none"}`);
  for (const [what, n] of [...failures.entries()].slice(0, 10)) console.log(`  failure ×${n}: ${what}`);
  console.log("database");
  console.log(`  ReviewEvent rows created during the run  ${fmt(created)}   (2xx decisions ${fmt(ok2xx)}, planned ${fmt(plannedKeys)})`);
  console.log(`  lost ${lost}   duplicated ${duplicated}   pairs with two events at one revision ${sameRevision}`);
  console.log(`  events with the wrong action or reviewer ${wrongEvent}   pairs whose final state/revision/reviewer is off ${wrongFinal}   client-side revision off ${clientMismatch}`);

  const reasons: string[] = [];
  if (result.errors || result.timeouts) reasons.push(`${result.errors} connection errors/timeouts`);
  if (result.non2xx) reasons.push(`${result.non2xx} non-2xx responses`);
  if ([...failures.keys()].some((k) => k.startsWith("2xx"))) reasons.push("2xx responses with an unexpected body");
  if (total !== DECISIONS || responses !== DECISIONS) reasons.push(`${total} requests sent and ${responses} answered, not ${DECISIONS}`);
  if (harnessErrors || clientOk !== ok2xx) reasons.push(`load generator bookkeeping off (${harnessErrors} out-of-order builds, ${clientOk} vs ${ok2xx} 2xx)`);
  if (lost) reasons.push(`${lost} decisions lost`);
  if (duplicated || sameRevision) reasons.push(`${duplicated + sameRevision} decisions duplicated`);
  if (created !== ok2xx || created !== DECISIONS) reasons.push(`${created} events stored for ${ok2xx} 2xx of ${DECISIONS} decisions`);
  if (wrongEvent || wrongFinal || clientMismatch) reasons.push(`${wrongEvent + wrongFinal + clientMismatch} stored states differ from what the reviewers expect`);
  if (lat.p99 > P99_GOAL_MS) reasons.push(`p99 ${lat.p99} ms > ${P99_GOAL_MS} ms`);

  const ratio = lat.p99 / P99_GOAL_MS;
  console.log("");
  console.log(
    `goal: errors 0, lost 0, duplicated 0, p99 ≤ ${P99_GOAL_MS} ms → errors ${result.errors + result.non2xx}, lost ${lost}, duplicated ${duplicated + sameRevision}, p99 ${lat.p99} ms (${fmt(ratio * 100)}% of the goal, ${fmt(ratio, 2)}×)`,
  );
  console.log(reasons.length ? `FAIL: ${reasons.join("; ")}` : "PASS");
  return reasons.length === 0;
}

let passed = false;
try {
  passed = await main();
} catch (error) {
  console.error(`\nFAIL: the benchmark could not run: ${(error as Error).stack ?? String(error)}`);
} finally {
  await stopServer();
  await disconnectDb().catch(() => {});
  cleanup();
}
process.exit(passed ? 0 : 1);
