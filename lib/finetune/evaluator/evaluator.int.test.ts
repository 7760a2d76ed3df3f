import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { startRouteServer, type RouteServer } from "@/test/helpers/route-server";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { buildExport } from "@/lib/datasets/server/export";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";
import { createAccessToken } from "@/lib/sandbox-access/server/service";
import { compareResults, DEFAULT_COMPARE_SETTINGS, type CompareSettings, type ResultSet } from "@/lib/evaluation/compare";
import { extractSql } from "@/lib/providers/extract-sql";
import { holdsSql } from "@/lib/evaluation/answer-sql";
import { quoteOneLine } from "@/lib/providers/server/retry";
import { redactSecrets } from "@/lib/redact";
import type { JsonValue } from "@/lib/sql/result";
import { buildEvaluatorPackage, type EvaluatorCompareSettings, type EvaluatorPackage } from "@/lib/finetune/evaluator/package";

// The evaluator package against a real studio: the sandbox access route served over HTTP, a real
// DuckDB sandbox, and the machine's python3 running sandpiper_reward (standard library only; the
// eval-protocol layer is only compiled). Every score and reason must be the studio's own, as an
// evaluation run would give them (extractSql, holdsSql, the route's message, compareResults).

const run = promisify(execFile);

let t: TestDb;
let server: RouteServer;
let projectId: string;
let versionId: string;
let userId: string;
let studioToken: string;
let rewardToken: string;
let work: string;
const packages: Record<string, { dir: string; pkg: EvaluatorPackage; settings: EvaluatorCompareSettings }> = {};

const { orderMatters: _orderMatters, ...defaultSettings } = DEFAULT_COMPARE_SETTINGS;
void _orderMatters;
const strictSettings: EvaluatorCompareSettings = { ignoreColumnOrder: false, ignoreColumnNames: false, nullEqualsNull: false, floatAbsTol: 0, floatRelTol: 0 };

/** No proxy, and the package's own address and token unless given. */
function pythonEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of ["SANDPIPER_URL", "SANDPIPER_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]) delete base[key];
  return { ...base, NO_PROXY: "*", ...env };
}

/** Runs a python3 script. Async, not execFileSync: the route server it calls lives in this process's event loop. */
async function python(script: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const file = path.join(work, `script-${Math.random().toString(36).slice(2)}.py`);
  await writeFile(file, script);
  const { stdout } = await run("python3", [file, ...args], { env: pythonEnv(env), maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  return stdout;
}

async function writePackage(name: string, pkg: EvaluatorPackage, settings: EvaluatorCompareSettings): Promise<string> {
  const dir = path.join(work, name);
  await mkdir(dir, { recursive: true });
  for (const f of pkg.files) await writeFile(path.join(dir, f.path), f.content);
  await writeFile(path.join(dir, pkg.fileName), pkg.tarGz);
  packages[name] = { dir, pkg, settings };
  return dir;
}

interface QueryAnswer {
  status: number;
  body: { columns?: { name: string }[]; rows?: JsonValue[][]; error?: { message: string } };
}

async function query(sql: string, token = studioToken): Promise<QueryAnswer> {
  const res = await fetch(`${server.url}/api/sandbox-access/query`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql, maxRows: 5001 }),
  });
  return { status: res.status, body: (await res.json()) as QueryAnswer["body"] };
}

async function resultOf(sql: string): Promise<ResultSet> {
  const answer = await query(sql);
  if (answer.status !== 200) throw new Error(`gold query failed: ${sql}: ${JSON.stringify(answer.body)}`);
  return { columns: answer.body.columns!.map((c) => c.name), rows: answer.body.rows! };
}

function cut(text: string): string {
  return text.length > 1_000 ? `${text.slice(0, 999)}…` : text;
}

interface Verdict {
  score: number;
  reason: string;
  sql: string;
}

/** What an evaluation run concludes for this answer: its no-SQL reason, the studio's error, or compareResults. */
async function studioVerdict(answer: string, gold: ResultSet, orderMatters: boolean, settings: EvaluatorCompareSettings): Promise<Verdict> {
  const sql = extractSql(answer);
  if (!holdsSql(answer, sql)) {
    const line = quoteOneLine(redactSecrets(answer), 120);
    return { score: 0, reason: `The answer holds no SQL: ${line ? `"${line}"` : "the answer was empty."}`, sql: "" };
  }
  const predicted = await query(sql);
  if (predicted.status !== 200) {
    expect(predicted.status).toBe(400);
    return { score: 0, reason: cut(redactSecrets(predicted.body.error!.message)), sql };
  }
  const pred = { columns: predicted.body.columns!.map((c) => c.name), rows: predicted.body.rows! };
  const verdict = compareResults(gold, pred, { ...settings, orderMatters } as CompareSettings);
  return { score: verdict.match ? 1 : 0, reason: cut(redactSecrets(verdict.reason)), sql };
}

const SCORE_SCRIPT = `
import json, sys
sys.path.insert(0, sys.argv[1])
import sandpiper_reward as reward
cases = json.load(open(sys.argv[2], encoding="utf-8"))
print(json.dumps([reward.score(c["answer"], c["ground_truth"], c["order_matters"]) for c in cases]))
`;

async function pythonScores(pkgName: string, cases: { answer: string; ground_truth: string; order_matters: boolean }[], env: Record<string, string> = {}): Promise<Verdict[]> {
  const file = path.join(work, `cases-${pkgName}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(cases));
  return JSON.parse(await python(SCORE_SCRIPT, [packages[pkgName].dir, file], env)) as Verdict[];
}

beforeAll(async () => {
  // Many queries in quick succession: only the rate-limit test limits the rate.
  process.env.SANDPIPER_SANDBOX_RATE = "1000,2000";
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Reward evaluator");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 21 });
  versionId = version.id;
  await t.db.datasetVersion.update({ where: { id: versionId }, data: { approvalState: "signed_off", approvedAt: new Date() } });
  userId = (await t.db.user.create({ data: { email: "lead@reward.test", name: "Rita Lead" } })).id;
  studioToken = (await createAccessToken(t.db, projectId, versionId, { name: "studio side of the test" }, userId)).token;
  rewardToken = (await createAccessToken(t.db, projectId, versionId, { name: "RFT evaluator" }, userId)).token;
  server = await startRouteServer();
  work = await mkdtemp(path.join(os.tmpdir(), "sandpiper-evaluator-"));
  const base = { studioUrl: server.url, token: rewardToken, datasetVersionId: versionId, label: "Reward evaluator v1" };
  await writePackage("default", buildEvaluatorPackage({ ...base, compareSettings: defaultSettings }), defaultSettings);
  await writePackage("strict", buildEvaluatorPackage({ ...base, compareSettings: strictSettings }), strictSettings);
}, 240_000);

afterAll(async () => {
  delete process.env.SANDPIPER_SANDBOX_RATE;
  await server?.close();
  await closeAllSandboxReaders();
  if (work) await rm(work, { recursive: true, force: true });
  await t?.cleanup();
});

describe("the package on disk", () => {
  it("is a tarball the machine's tar reads back file for file", async () => {
    const { dir, pkg } = packages.default;
    const listed = (await run("tar", ["-tzf", path.join(dir, pkg.fileName)])).stdout.trim().split("\n");
    expect(listed).toEqual(pkg.files.map((f) => f.path));
    const out = path.join(work, "extracted");
    await mkdir(out);
    await run("tar", ["-xzf", path.join(dir, pkg.fileName), "-C", out]);
    for (const f of pkg.files) expect(await readFile(path.join(out, f.path), "utf8")).toBe(f.content);
  });

  it("compiles with python3, the eval-protocol layer included", async () => {
    for (const name of ["default", "strict"]) {
      const { dir, pkg } = packages[name];
      const sources = pkg.files.filter((f) => f.path.endsWith(".py")).map((f) => path.join(dir, f.path));
      expect(sources).toHaveLength(2);
      await run("python3", ["-m", "py_compile", ...sources]);
    }
  });

  it("checks its connection when run on its own", async () => {
    const { stdout } = await run("python3", [path.join(packages.default.dir, "sandpiper_reward.py")], { env: pythonEnv() });
    expect(stdout.trim()).toBe(`The sandbox of Reward evaluator v1 answered through ${server.url}: [[1]]`);
  });

  it("reads back hostile constants exactly, and SANDPIPER_URL / SANDPIPER_TOKEN override them", async () => {
    const hostile = {
      studioUrl: "http://127.0.0.1:9/x\"y\\z'''$&",
      token: 'sbx_a"b\'c\\d$&$\'"""\\',
      datasetVersionId: 'v\\"1\n',
      label: 'Flights "v3" \\ ${x} """\n\rDEFAULT_TOKEN = "stolen" é 😀 end\\',
      compareSettings: defaultSettings,
      timeoutSeconds: 12.5,
    };
    const dir = await writePackage("hostile", buildEvaluatorPackage(hostile), defaultSettings);
    await run("python3", ["-m", "py_compile", path.join(dir, "sandpiper_reward.py")]);
    const read = `
import json, sys
sys.path.insert(0, sys.argv[1])
import sandpiper_reward as r
print(json.dumps([r.DEFAULT_STUDIO_URL, r.DEFAULT_TOKEN, r.DATASET_VERSION_ID, r.LABEL, r.COMPARE_SETTINGS, r.REQUEST_TIMEOUT_SECONDS, list(r.studio_config())]))
`;
    expect(JSON.parse(await python(read, [dir]))).toEqual([
      "http://127.0.0.1:9/x\"y\\z'''$&",
      hostile.token,
      'v\\"1',
      hostile.label,
      defaultSettings,
      12.5,
      ["http://127.0.0.1:9/x\"y\\z'''$&", hostile.token],
    ]);
    // The built-in address and token lead nowhere; the environment's lead to the studio.
    const gold = await resultOf("SELECT count(*) AS n FROM airports");
    const [verdict] = await pythonScores("hostile", [{ answer: "SELECT count(*) FROM airports", ground_truth: JSON.stringify(gold), order_matters: false }], {
      SANDPIPER_URL: `${server.url}/`,
      SANDPIPER_TOKEN: rewardToken,
    });
    expect(verdict).toEqual({ score: 1, reason: "results match", sql: "SELECT count(*) FROM airports" });
  });
});

const FIRST = (n: number) => `(SELECT airport_id FROM airports ORDER BY airport_id LIMIT ${n})`;
const FIVE = `SELECT airport_id, name FROM airports WHERE airport_id IN ${FIRST(5)}`;
const ORDERED = "SELECT airport_id, name FROM airports ORDER BY airport_id LIMIT 5";
const AVERAGE = "SELECT avg(latitude) AS lat FROM airports";
const NULLS = `SELECT airport_id, CASE WHEN airport_id % 2 = 0 THEN NULL ELSE city END AS city FROM airports WHERE airport_id IN ${FIRST(6)}`;
const ACTIVE = "SELECT active FROM airlines";

interface Case {
  name: string;
  gold: string;
  answer: string;
  orderMatters?: boolean;
  /** The score under the default settings. */
  expected: 0 | 1;
  reason?: RegExp;
}

const CASES: Case[] = [
  { name: "exact match", gold: FIVE, answer: FIVE, expected: 1, reason: /^results match$/ },
  { name: "fenced answer with prose", gold: FIVE, answer: `Here is the query:\n\`\`\`sql\n${FIVE};\n\`\`\`\nIt lists five airports.`, expected: 1 },
  { name: "<think> block", gold: FIVE, answer: `<think>Maybe SELECT * FROM airlines; no.</think>\n${FIVE}`, expected: 1 },
  { name: "SQL: prefix, prose after", gold: FIVE, answer: `The question asks for names.\nSQL: ${FIVE};\nThis lists them.`, expected: 1 },
  { name: "rows reordered, order does not matter", gold: FIVE, answer: `${FIVE} ORDER BY airport_id DESC`, expected: 1 },
  { name: "rows reordered, order matters", gold: ORDERED, answer: `SELECT * FROM (${ORDERED}) ORDER BY airport_id DESC`, orderMatters: true, expected: 0, reason: /^rows are in a different order$/ },
  { name: "same order, order matters", gold: ORDERED, answer: ORDERED, orderMatters: true, expected: 1 },
  { name: "columns permuted", gold: FIVE, answer: `SELECT name, airport_id FROM airports WHERE airport_id IN ${FIRST(5)}`, expected: 1, reason: /columns in a different order/ },
  { name: "different aliases", gold: FIVE, answer: `SELECT airport_id AS id, name AS airport FROM airports WHERE airport_id IN ${FIRST(5)}`, expected: 1 },
  { name: "float within tolerance", gold: AVERAGE, answer: "SELECT avg(latitude) + 1e-9 AS lat FROM airports", expected: 1 },
  { name: "float beyond tolerance", gold: AVERAGE, answer: "SELECT avg(latitude) + 0.001 AS average FROM airports", expected: 0, reason: /^1 row missing, 1 extra row \(e\.g\. column 1: / },
  { name: "NULLs", gold: NULLS, answer: `SELECT airport_id, IF(airport_id % 2 = 0, NULL, city) FROM airports WHERE airport_id IN ${FIRST(6)}`, expected: 1 },
  { name: "NULL against a value", gold: NULLS, answer: `SELECT airport_id, coalesce(IF(airport_id % 2 = 0, NULL, city), '') FROM airports WHERE airport_id IN ${FIRST(6)}`, expected: 0 },
  { name: "an extra row", gold: FIVE, answer: `SELECT airport_id, name FROM airports WHERE airport_id IN ${FIRST(6)}`, expected: 0, reason: /^1 extra row \(e\.g\. / },
  { name: "a missing row", gold: FIVE, answer: `SELECT airport_id, name FROM airports WHERE airport_id IN ${FIRST(4)}`, expected: 0, reason: /^1 row missing \(e\.g\. / },
  { name: "a missing column", gold: FIVE, answer: `SELECT airport_id FROM airports WHERE airport_id IN ${FIRST(5)}`, expected: 0, reason: /^column count differs: expected 2, got 1$/ },
  { name: "duplicate rows collapsed (bag counts)", gold: ACTIVE, answer: "SELECT DISTINCT active FROM airlines", expected: 0, reason: /rows missing/ },
  { name: "one duplicate too many", gold: ACTIVE, answer: "SELECT active FROM airlines UNION ALL SELECT 'Y'", expected: 0, reason: /^1 extra row \(e\.g\. \("Y"\)\)$/ },
  { name: "empty vs empty", gold: "SELECT name FROM airports WHERE airport_id < 0", answer: "SELECT city FROM airports WHERE 1 = 0", expected: 1, reason: /^both results are empty$/ },
  { name: "empty prediction", gold: FIVE, answer: "SELECT airport_id, name FROM airports WHERE airport_id < 0", expected: 0, reason: /^5 rows missing/ },
  { name: "wrong values in a column", gold: FIVE, answer: `SELECT airport_id, lower(name) || '!' FROM airports WHERE airport_id IN ${FIRST(5)}`, expected: 0 },
  { name: "many rows, shuffled", gold: "SELECT * FROM routes", answer: "SELECT * FROM routes ORDER BY random()", expected: 1 },
  {
    name: "decimals and dates",
    gold: `SELECT CAST(altitude AS DECIMAL(10,2)) / 3 AS a, DATE '2024-01-01' + CAST(airport_id AS INTEGER) AS d FROM airports WHERE airport_id IN ${FIRST(5)}`,
    answer: `SELECT DATE '2024-01-01' + CAST(airport_id AS INTEGER), CAST(altitude AS DOUBLE) / 3 FROM airports WHERE airport_id IN ${FIRST(5)}`,
    expected: 1,
  },
  { name: "syntax error", gold: FIVE, answer: "SELECT name FRM airports", expected: 0, reason: /Parser Error|syntax/i },
  { name: "misspelt SELECT", gold: FIVE, answer: "SELEC name FROM airports", expected: 0, reason: /Parser Error|syntax/i },
  { name: "unknown table", gold: FIVE, answer: "SELECT * FROM no_such_table", expected: 0, reason: /no_such_table/ },
  { name: "unknown column", gold: FIVE, answer: "SELECT no_such_column FROM airports", expected: 0, reason: /no_such_column/ },
  { name: "a write statement (refused)", gold: FIVE, answer: "```sql\nDELETE FROM airports\n```", expected: 0, reason: /DELETE/ },
  { name: "no SQL at all", gold: FIVE, answer: "I'm sorry, I can't answer that without more information.", expected: 0, reason: /^The answer holds no SQL: "I'm sorry/ },
  { name: "no SQL, secrets quoted redacted", gold: FIVE, answer: "I can't: my key sk-abcdefghijklmnop1234 (Bearer abcdefghijklmn) has no access.", expected: 0, reason: /\[redacted\] \(Bearer \[redacted\]\)/ },
  { name: "an empty answer", gold: FIVE, answer: "", expected: 0, reason: /^The answer holds no SQL: the answer was empty\.$/ },
  { name: "thinking that never ended", gold: FIVE, answer: "<think>The user wants SELECT name FROM airports", expected: 0, reason: /^The answer holds no SQL: "<think>/ },
];

describe("score() agrees with the studio", () => {
  const golds = new Map<string, ResultSet>();
  const goldOf = async (sql: string) => {
    if (!golds.has(sql)) golds.set(sql, await resultOf(sql));
    return golds.get(sql)!;
  };

  for (const name of ["default", "strict"] as const) {
    it(`gives each answer the studio's score and reason (${name} settings)`, async () => {
      const { settings } = packages[name];
      const expected: Verdict[] = [];
      const inputs = [];
      for (const c of CASES) {
        const gold = await goldOf(c.gold);
        expected.push(await studioVerdict(c.answer, gold, c.orderMatters ?? false, settings));
        inputs.push({ answer: c.answer, ground_truth: JSON.stringify(gold), order_matters: c.orderMatters ?? false });
      }
      const got = await pythonScores(name, inputs);
      for (let i = 0; i < CASES.length; i++) expect(got[i], CASES[i].name).toEqual(expected[i]);
      if (name === "default") {
        for (let i = 0; i < CASES.length; i++) {
          expect(got[i].score, CASES[i].name).toBe(CASES[i].expected);
          if (CASES[i].reason) expect(got[i].reason, CASES[i].name).toMatch(CASES[i].reason!);
        }
      } else {
        // Names and positions count, NULL is not NULL, no tolerance.
        const byName = (n: string) => got[CASES.findIndex((c) => c.name === n)];
        expect(byName("different aliases")).toMatchObject({ score: 0, reason: 'column 1 is named "id", expected "airport_id"' });
        expect(byName("columns permuted").score).toBe(0);
        expect(byName("NULLs").score).toBe(0);
        expect(byName("float within tolerance").score).toBe(0);
        expect(byName("exact match").score).toBe(1);
      }
    });
  }

  it("scores every exported RFT line's gold SQL 1.0, with the line's order_matters", async () => {
    const file = await buildExport(t.db, projectId, versionId, { format: "fireworks_rft", part: "train" }, userId);
    const lines = String(file.body).trimEnd().split("\n").map((l) => JSON.parse(l) as { ground_truth: string; order_matters: boolean; gold_sql: string; pair_id: string });
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: "train", excluded: false }, select: { pairId: true, topLevelOrderBy: true } });
    const ordered = new Map(items.map((i) => [i.pairId, i.topLevelOrderBy]));
    expect(lines.length).toBe(items.length);
    expect(lines.map((l) => l.order_matters)).toEqual(lines.map((l) => ordered.get(l.pair_id)));
    expect(lines.some((l) => l.order_matters)).toBe(true);
    expect(lines.some((l) => !l.order_matters)).toBe(true);
    const verdicts = await pythonScores(
      "default",
      lines.map((l) => ({ answer: `\`\`\`sql\n${l.gold_sql}\n\`\`\``, ground_truth: l.ground_truth, order_matters: l.order_matters })),
    );
    const failed = verdicts.map((v, i) => ({ ...v, gold: lines[i].gold_sql })).filter((v) => v.score !== 1);
    expect(failed).toEqual([]);
  });
});

describe("the studio's answers to the reward", () => {
  it("stops with a configuration error for a token the studio refuses, naming the version", async () => {
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import sandpiper_reward as r
try:
    r.score("SELECT 1", '{"columns": ["x"], "rows": [[1]]}')
except r.SandpiperConfigError as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
`;
    const out = JSON.parse(await python(script, [packages.default.dir], { SANDPIPER_TOKEN: `sbx_${"0".repeat(40)}` }));
    expect(out.error).toBe("SandpiperConfigError");
    expect(out.message).toMatch(/refused the sandbox token \(HTTP 401\): .*not valid/);
    expect(out.message).toContain(versionId);
    const wrongPath = JSON.parse(await python(script, [packages.default.dir], { SANDPIPER_URL: `${server.url}/elsewhere` }));
    expect(wrongPath.message).toMatch(/HTTP 404/);
  });

  it("marks the score unknown, not zero, when the studio cannot be reached", async () => {
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import sandpiper_reward as r
r.MAX_ATTEMPTS = 2
r.time.sleep = lambda seconds: None
try:
    r.score("SELECT 1", '{"columns": ["x"], "rows": [[1]]}')
except r.SandpiperUnavailable as error:
    print(json.dumps({"error": type(error).__name__, "message": str(error)}))
`;
    const out = JSON.parse(await python(script, [packages.default.dir], { SANDPIPER_URL: "http://127.0.0.1:9" }));
    expect(out).toMatchObject({ error: "SandpiperUnavailable", message: expect.stringMatching(/did not run the query after 2 attempts/) });
  });

  it("waits out the rate limit (429 with Retry-After) and then scores", async () => {
    const token = (await createAccessToken(t.db, projectId, versionId, { name: "rate limited" }, userId)).token;
    const gold = await resultOf("SELECT count(*) AS n FROM airports");
    process.env.SANDPIPER_SANDBOX_RATE = "1,1";
    try {
      const started = Date.now();
      const verdicts = await pythonScores(
        "default",
        Array.from({ length: 3 }, () => ({ answer: "SELECT count(*) FROM airports", ground_truth: JSON.stringify(gold), order_matters: false })),
        { SANDPIPER_TOKEN: token },
      );
      expect(verdicts.map((v) => v.score)).toEqual([1, 1, 1]);
      // Two of the three queries had to wait about a second each.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    } finally {
      process.env.SANDPIPER_SANDBOX_RATE = "1000,2000";
    }
  });
});

describe("the Python port matches the studio's code", () => {
  it("compare_results gives compareResults' verdict and reason on random small results", async () => {
    const cases = randomComparisons(20_251, 600);
    const file = path.join(work, "comparisons.json");
    await writeFile(file, JSON.stringify(cases));
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import sandpiper_reward as r
cases = json.load(open(sys.argv[2], encoding="utf-8"))
print(json.dumps([r.compare_results(c["gold"], c["pred"], c["settings"]) for c in cases]))
`;
    const got = JSON.parse(await python(script, [packages.default.dir, file])) as { match: boolean; reason: string }[];
    const expected = cases.map((c) => compareResults(c.gold, c.pred, c.settings));
    const differing = cases.flatMap((c, i) => (got[i].match === expected[i].match && got[i].reason === expected[i].reason ? [] : [{ c, ts: expected[i], py: got[i] }]));
    expect(differing.slice(0, 3)).toEqual([]);
    // The random cases reach the comparator's different outcomes, not just one.
    const kinds = new Set(expected.map((e) => e.reason.replace(/[\d"(].*$/, "")));
    expect(kinds.size).toBeGreaterThanOrEqual(8);
    expect(expected.filter((e) => e.match).length).toBeGreaterThan(100);
    expect(expected.filter((e) => !e.match).length).toBeGreaterThan(100);
  });

  it("extract_sql and holds_sql read the same SQL out of the same answers as extractSql and holdsSql", async () => {
    const answers = [
      "  SELECT 1;  \n",
      "Here you go:\n```sql\nSELECT name\nFROM airports;\n```\nThis lists names.",
      "```\nSELECT 2\n```",
      "Draft:\n```sql\nSELECT 1\n```\nExample data:\n```json\n{}\n```\nFinal:\n```sql\nSELECT 2\n```",
      "```sql\nSELECT * FROM t",
      "<think>Maybe SELECT * FROM wrong;\n```sql\nSELECT 0\n```</think>\n```sql\nSELECT count(*) FROM routes\n```",
      "thinking about joins...\n</think>\nSELECT 3;",
      "The question asks for a count.\nSQL: SELECT count(*) FROM airports;\nThis counts airports.",
      "Sure! Here is the query:\nWITH x AS (SELECT 1)\nSELECT * FROM x\n\nIt uses a CTE.",
      "SQL: SELECT 'a;b' AS s; -- done",
      "<sql>SELECT 5</sql>",
      "",
      "<think>still going",
      ...randomAnswers(7, 600),
    ];
    const file = path.join(work, "answers.json");
    await writeFile(file, JSON.stringify(answers));
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
import sandpiper_reward as r
answers = json.load(open(sys.argv[2], encoding="utf-8"))
out = []
for a in answers:
    sql = r.extract_sql(a)
    out.append([sql, r.holds_sql(a, sql)])
print(json.dumps(out))
`;
    const got = JSON.parse(await python(script, [packages.default.dir, file])) as [string, boolean][];
    const expected = answers.map((a) => [extractSql(a), holdsSql(a, extractSql(a))]);
    const differing = answers.flatMap((a, i) => (JSON.stringify(got[i]) === JSON.stringify(expected[i]) ? [] : [{ a, ts: expected[i], py: got[i] }]));
    expect(differing.slice(0, 3)).toEqual([]);
    expect(expected.filter((e) => e[1]).length).toBeGreaterThan(100);
    expect(expected.filter((e) => !e[1]).length).toBeGreaterThan(100);
  });
});

// ---------- random inputs ----------

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Small gold results and predictions made from them by the ways a prediction goes right or wrong. */
function randomComparisons(seed: number, count: number): { gold: ResultSet; pred: ResultSet; settings: CompareSettings }[] {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const ints = [0, 1, 2, 3, -1, 42];
  // Near the tolerances, exact ties of toFixed, -0, 1e21 (printed in exponent form), tiny values.
  const floats = [1.5, 1.5 + 5e-7, 1.5 + 2e-6, 1.5000015, 1e-7, 0, -0, 0.1 + 0.2, 0.3, 1e21, 123456.789, 2.5, 0.5, -2.5, 1e-12, 3.0000001];
  // Case, accents, astral characters (UTF-16 order), control characters, quotes, long text, a lone surrogate.
  const strings = ["a", "A", "b", "é", "😀", "ｚ", "x\u0000y", '"q"', "", "Long text ".repeat(8), "line\nbreak", "\ud83d"];
  const objects: JsonValue[] = [{ k: 1 }, { k: 1.0000001 }, [1, null], { b: 2, a: 1, "1": 0 }, [], { n: null }];
  const names = ["a", "b", "A", "id", "c", "Name", ""];
  const kinds = ["int", "float", "string", "mixed", "bool", "object"] as const;
  const valueOf = (kind: (typeof kinds)[number]): JsonValue => {
    if (chance(0.12)) return null;
    if (kind === "int") return pick(ints);
    if (kind === "float") return pick(floats);
    if (kind === "string") return pick(strings);
    if (kind === "bool") return chance(0.5);
    if (kind === "object") return pick(objects);
    return pick([...ints, ...floats.slice(0, 5), ...strings.slice(0, 4), true]);
  };
  const perturb = (v: JsonValue): JsonValue => {
    if (typeof v === "number") return pick([v + 5e-7, v + 2e-6, v * (1 + 5e-7), v + 1, -v, v]);
    if (v === null) return pick([0, "", null]);
    if (typeof v === "string") return pick([v.toUpperCase(), `${v} `, null, v]);
    return pick([null, v, 1]);
  };
  const shuffle = <T,>(xs: T[]): T[] => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  const settingsOf = (): CompareSettings => ({
    orderMatters: chance(0.3),
    ignoreColumnOrder: chance(0.8),
    ignoreColumnNames: chance(0.7),
    nullEqualsNull: chance(0.8),
    floatAbsTol: pick([1e-6, 1e-6, 0, 1e-3, 0.5, 1e-9]),
    floatRelTol: pick([1e-6, 1e-6, 0, 1e-2]),
  });
  /** Every column a shuffle of the same values: each pred column is a candidate for each gold column. */
  const ambiguous = () => {
    const width = 3 + Math.floor(r() * 5);
    const rowCount = 4 + Math.floor(r() * 30);
    const modulo = 2 + Math.floor(r() * 4);
    const cols = Array.from({ length: width }, () => shuffle(Array.from({ length: rowCount }, (_, i) => i % modulo)).map((v) => (chance(0.1) ? v + 5e-7 : v)));
    const rows = Array.from({ length: rowCount }, (_, i) => cols.map((c) => c[i]));
    const order = shuffle(Array.from({ length: width }, (_, i) => i));
    let pred = rows.map((row) => order.map((i) => row[i]));
    if (chance(0.5)) {
      const [a, b, c] = [Math.floor(r() * rowCount), Math.floor(r() * rowCount), Math.floor(r() * width)];
      [pred[a][c], pred[b][c]] = [pred[b][c], pred[a][c]];
    }
    if (chance(0.5)) pred = shuffle(pred);
    const names = cols.map((_, i) => `c${i}`);
    return { gold: { columns: names, rows }, pred: { columns: order.map((i) => names[i]), rows: pred }, settings: settingsOf() };
  };
  return Array.from({ length: count }, () => {
    if (chance(0.1)) return ambiguous();
    const width = 1 + Math.floor(r() * 4);
    const rowCount = chance(0.1) ? 20 + Math.floor(r() * 40) : Math.floor(r() * 7);
    const colKinds = Array.from({ length: width }, () => pick(kinds));
    let rows: JsonValue[][] = Array.from({ length: rowCount }, () => colKinds.map(valueOf));
    // A twin column makes the permutation search ambiguous.
    if (width > 1 && chance(0.2)) rows = rows.map((row) => [...row.slice(0, -1), row[0]]);
    if (chance(0.2) && rows.length > 0) rows.push([...rows[0]]);
    const goldNames = Array.from({ length: width }, () => pick(names));
    let predRows = rows.map((row) => [...row]);
    let predNames = [...goldNames];
    if (chance(0.5)) predRows = shuffle(predRows);
    if (chance(0.4)) {
      const order = shuffle(Array.from({ length: width }, (_, i) => i));
      predRows = predRows.map((row) => order.map((i) => row[i]));
      predNames = order.map((i) => predNames[i]);
    }
    if (chance(0.3) && predRows.length > 0) {
      for (let k = 0, n = 1 + Math.floor(r() * Math.min(3, predRows.length)); k < n; k++) {
        const row = Math.floor(r() * predRows.length);
        const col = Math.floor(r() * width);
        predRows[row][col] = perturb(predRows[row][col]);
      }
    }
    if (chance(0.1)) {
      const col = Math.floor(r() * width);
      predRows = predRows.map((row) => row.map((v, i) => (i === col ? perturb(v) : v)));
    }
    if (chance(0.15) && predRows.length > 0) predRows.splice(Math.floor(r() * predRows.length), 1);
    if (chance(0.15)) predRows.push(colKinds.map(valueOf));
    if (chance(0.1) && predRows.length > 0) predRows.push([...pick(predRows)]);
    if (chance(0.07) && width > 1) {
      const drop = Math.floor(r() * width);
      predRows = predRows.map((row) => row.filter((_, i) => i !== drop));
      predNames = predNames.filter((_, i) => i !== drop);
    }
    if (chance(0.07)) {
      predRows = predRows.map((row) => [...row, valueOf("int")]);
      predNames = [...predNames, "extra"];
    }
    if (chance(0.2)) predNames = predNames.map((name) => (chance(0.5) ? pick(names) : name.toUpperCase()));
    if (chance(0.05)) predRows = [];
    const noColumns = chance(0.05);
    return { gold: { columns: noColumns ? [] : goldNames, rows }, pred: { columns: noColumns ? [] : predNames, rows: predRows }, settings: settingsOf() };
  });
}

/** Answers assembled from the pieces models write: fences, tags, prefixes, prose, odd whitespace, secrets. */
function randomAnswers(seed: number, count: number): string[] {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const fragments = [
    "SELECT name FROM airports", "select count(*) from routes", "WITH x AS (SELECT 1) SELECT * FROM x", "(SELECT 1)", "VALUES (1)",
    "FROM airports SELECT name", "SELEC name FROM t", "SLECT 1", "DELETE FROM airports", "INSERT INTO t VALUES (1)", "EXPLAIN SELECT 1",
    "SELECT 'a;b' AS s;", 'SELECT "x;y" FROM t;', ";", ";;", " -- done", "/* c */ SELECT 2", "-- note\nSELECT 3",
    "```sql\n", "```SQL\n", "```duckdb\n", "```postgresql\n", "```\n", "```json\n{}\n", "```python\nprint(1)\n", "```", "``` sql extra\n",
    "<think>", "</think>", "<thinking>", "</thinking>", "<reasoning>", "</reasoning>", "<THINK>", "</Think>", "<sql>", "</sql>", "<SQL>",
    "SQL:", "SQL query:", "Query:", "Answer:", "**SQL:**", "**Answer**:", "sql :",
    "Here is the query:", "Sure!", "It uses a CTE.", "This counts airports.", "I cannot answer that.", "ORDER BY 1", "WHERE x = 1", "LIMIT 5", ") AS t",
    "and more prose", "Or this", "Selection", "fromage",
    // Whitespace JavaScript and Python disagree on, and letters that fold to ASCII only in Unicode mode.
    "\n", "\n\n", "\n \n", "\r\n", " ", "\t", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u001c", "\u200b", "\u0085",
    "é", "😀", "ſelect", "\u212Aeep",
  ];
  return Array.from({ length: count }, () => {
    let text = "";
    for (let k = 0, n = 1 + Math.floor(r() * 9); k < n; k++) text += pick(fragments) + (r() < 0.5 ? pick(["", " ", "\n", "\n\n"]) : "");
    return r() < 0.05 ? text.repeat(20) : text;
  });
}
