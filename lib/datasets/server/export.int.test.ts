import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { buildProjectToReview } from "@/test/helpers/pipeline";
import { callRoute, loadApiRoutes, type ApiRoute } from "@/test/helpers/routes";
import { createSession, SESSION_COOKIE } from "@/lib/auth/server/session";
import { decidePair } from "@/lib/review/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { buildExport, listExportOptions, EXPORT_FORMAT_INFO, type ExportFormat, type ExportPart } from "@/lib/datasets/server/export";
import { parseGenericCsv, parseGenericJsonl, type GenericRow } from "@/lib/datasets/export-generic";
import { validateBedrockLines } from "@/lib/datasets/export-bedrock";
import { validateFireworksLines } from "@/lib/datasets/export-fireworks";
import { ConflictError, ValidationError } from "@/lib/errors";

let t: TestDb;
let projectId: string;
let versionId: string;
let versionNo: number;
let leadId: string;
const ids: Record<string, string> = {};

interface Expected {
  pairId: string;
  split: string;
  question: string;
  system: string;
  sql: string;
  result: { columns: string[]; rows: unknown[][] };
}

async function expectedItems(part: ExportPart): Promise<Expected[]> {
  const version = await t.db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } });
  const items = await t.db.datasetItem.findMany({
    where: { datasetVersionId: versionId, excluded: false, ...(part === "all" ? {} : { split: part }) },
    orderBy: { id: "asc" },
  });
  return items.map((i) => {
    const stored = JSON.parse(i.result) as { columns: string[]; rows: unknown[][] };
    return { pairId: i.pairId, split: i.split, question: i.redactedQuestion ?? i.question, system: i.systemPrompt ?? version.systemPrompt, sql: i.sql, result: { columns: stored.columns, rows: stored.rows } };
  });
}

async function readParquet(bytes: Buffer): Promise<GenericRow[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sandpiper-export-read-"));
  const file = path.join(dir, "in.parquet");
  await writeFile(file, bytes);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`);
    return reader.getRowObjectsJson().map((r) => ({ ...(r as unknown as GenericRow), result: JSON.parse(r.result as string) as GenericRow["result"], tables: r.tables as string[] }));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Parses a file back into comparable items: id, split (where the file holds it), question, prompt, SQL, result. */
async function parseBack(format: ExportFormat, body: Buffer | string): Promise<Partial<Expected>[]> {
  const text = typeof body === "string" ? body : body.toString("utf8");
  const lines = () => text.trimEnd().split("\n").map((l) => JSON.parse(l));
  switch (format) {
    case "fireworks_rft":
      return lines().map((r) => ({ pairId: r.pair_id, system: r.messages[0].content, question: r.messages[1].content, sql: r.gold_sql, result: JSON.parse(r.ground_truth) }));
    case "fireworks_sft":
      return lines().map((r) => ({ system: r.messages[0].content, question: r.messages[1].content, sql: r.messages[2].content }));
    case "bedrock":
      return lines().map((r) => ({ system: r.system[0].text, question: r.messages[0].content[0].text, sql: r.messages[1].content[0].text }));
    case "jsonl":
    case "csv":
    case "parquet": {
      const rows = format === "jsonl" ? parseGenericJsonl(text) : format === "csv" ? parseGenericCsv(text) : await readParquet(body as Buffer);
      return rows.map((r) => ({ pairId: r.id, split: r.split, question: r.question, sql: r.sql, result: r.result }));
    }
  }
}

function pick(expected: Expected[], sample: Partial<Expected>): Partial<Expected>[] {
  const keys = Object.keys(sample) as (keyof Expected)[];
  return expected.map((e) => Object.fromEntries(keys.map((k) => [k, e[k]])) as Partial<Expected>);
}

beforeAll(async () => {
  t = await createTestDb();
  projectId = await buildProjectToReview(t.db, "Export Check");
  const pairs = await t.db.pair.findMany({ where: { projectId }, include: { query: true } });
  for (const p of pairs) if (p.query.resultRowCount) await decidePair(t.db, projectId, p.id, { action: "approve", revision: p.revision });
  const version = await freezeDatasetVersion(t.db, projectId, { testFraction: 0.2, seed: 5 });
  versionId = version.id;
  versionNo = version.version;
  const lead = await t.db.user.create({ data: { email: "lead@export.test", name: "Lena Lead" } });
  leadId = lead.id;
  const viewer = await t.db.user.create({ data: { email: "viewer@export.test", name: "Vic Viewer" } });
  await t.db.projectMember.create({ data: { projectId, userId: lead.id, role: "data_lead" } });
  await t.db.projectMember.create({ data: { projectId, userId: viewer.id, role: "viewer" } });
  ids.projectId = projectId;
  ids.versionId = versionId;
  ids.leadCookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, lead.id)).cookieValue)}`;
  ids.viewerCookie = `${SESSION_COOKIE}=${encodeURIComponent((await createSession(t.db, viewer.id)).cookieValue)}`;
}, 120_000);
afterAll(async () => t?.cleanup());

describe("exports of a dataset version", () => {
  it("refuses a version that is not approved, in the service and in the options", async () => {
    await expect(buildExport(t.db, projectId, versionId, { format: "jsonl" }, leadId)).rejects.toBeInstanceOf(ConflictError);
    await expect(buildExport(t.db, projectId, versionId, { format: "fireworks_rft", part: "train" }, leadId)).rejects.toThrow(/not approved .*data lead approves it/);
    const options = await listExportOptions(t.db, projectId, versionId);
    expect(options.approved).toBe(false);
    expect(options.options.length).toBe(Object.values(EXPORT_FORMAT_INFO).reduce((n, f) => n + f.parts.length, 0));
    expect(options.options.every((o) => !o.available && /not approved/.test(o.reason ?? ""))).toBe(true);
    expect(await t.db.datasetExport.count({ where: { datasetVersionId: versionId } })).toBe(0);
  });

  it("explains an empty validation split", async () => {
    await t.db.datasetVersion.update({ where: { id: versionId }, data: { approvalState: "signed_off", approvedAt: new Date() } });
    expect(await t.db.datasetItem.count({ where: { datasetVersionId: versionId, split: "validation" } })).toBe(0);
    const refused = buildExport(t.db, projectId, versionId, { format: "bedrock", part: "validation" }, leadId);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toThrow("The validation split is empty: freeze a version with a validation share.");
    const options = await listExportOptions(t.db, projectId, versionId);
    const validation = options.options.filter((o) => o.part === "validation");
    expect(validation.every((o) => !o.available && o.itemCount === 0 && /validation split is empty/.test(o.reason!))).toBe(true);
    expect(options.options.find((o) => o.format === "jsonl" && o.part === "all")!.available).toBe(true);
  });

  it("exports every format and part: excluded items left out, redactions and item prompts used, recorded, and parsed back equal", async () => {
    // What the scan and the prompt settings would have left on the version.
    const items = await t.db.datasetItem.findMany({ where: { datasetVersionId: versionId, split: "train" }, orderBy: { id: "asc" } });
    expect(items.length).toBeGreaterThan(20);
    const [excluded, redacted, ownPrompt, ...rest] = items;
    await t.db.datasetItem.update({ where: { id: excluded.id }, data: { excluded: true } });
    await t.db.datasetItem.update({ where: { id: redacted.id }, data: { redactedQuestion: "Which airports does [EMAIL] fly from?" } });
    await t.db.datasetItem.update({ where: { id: ownPrompt.id }, data: { systemPrompt: "You write DuckDB SQL.\nCREATE TABLE airports (name VARCHAR);" } });
    await t.db.datasetItem.updateMany({ where: { id: { in: rest.slice(0, 8).map((i) => i.id) } }, data: { split: "validation" } });

    const options = await listExportOptions(t.db, projectId, versionId);
    expect(options.counts.excluded).toBe(1);
    expect(options.counts.validation).toBe(8);
    const unavailable = options.options.filter((o) => !o.available);
    expect(unavailable).toEqual([]);

    for (const option of options.options) {
      const label = `${option.format}/${option.part}`;
      const file = await buildExport(t.db, projectId, versionId, { format: option.format, part: option.part }, leadId);
      const expected = await expectedItems(option.part);
      expect(file.fileName, label).toBe(`export-check-v${versionNo}-${option.format.replace("_", "-")}-${option.part}.${EXPORT_FORMAT_INFO[option.format].extension}`);
      expect(file.fileName).toBe(option.fileName);
      expect(file.lineCount, label).toBe(expected.length);
      expect(file.lineCount, label).toBe(option.itemCount);
      expect(file.sha256).toBe(createHash("sha256").update(file.body).digest("hex"));
      const back = await parseBack(option.format, file.body);
      expect(back, label).toEqual(pick(expected, back[0]));
      const ids = new Set(back.map((b) => b.pairId).filter(Boolean));
      expect(ids.has(excluded.pairId), label).toBe(false);
      if (option.format === "bedrock") {
        expect(validateBedrockLines((file.body as string).trimEnd().split("\n"), { part: option.part as "train", model: "nova-micro", fileName: file.fileName }).errors).toEqual([]);
      }
      if (option.format.startsWith("fireworks")) {
        expect(validateFireworksLines((file.body as string).trimEnd().split("\n"), option.format === "fireworks_rft" ? "rft" : "sft")).toEqual([]);
      }
      const text = typeof file.body === "string" ? file.body : "";
      if (option.part === "train" || option.part === "all") {
        if (text) expect(text, label).toContain("[EMAIL]");
        expect(back.some((b) => b.question?.endsWith("Which airports does [EMAIL] fly from?")), label).toBe(true);
        if (option.format === "bedrock" || option.format.startsWith("fireworks")) {
          expect(back.some((b) => b.system === "You write DuckDB SQL.\nCREATE TABLE airports (name VARCHAR);"), label).toBe(true);
        }
      }
    }

    const recorded = await t.db.datasetExport.findMany({ where: { datasetVersionId: versionId }, orderBy: { createdAt: "asc" } });
    expect(recorded).toHaveLength(options.options.length);
    expect(recorded.map((r) => `${r.format}/${r.part}`).sort()).toEqual(options.options.map((o) => `${o.format}/${o.part}`).sort());
    expect(recorded.every((r) => r.createdById === leadId && r.fileName.length > 0 && r.bytes > 0 && /^[0-9a-f]{64}$/.test(r.sha256))).toBe(true);
    const audits = await t.db.auditEvent.count({ where: { projectId, action: "dataset.export", entityId: versionId } });
    expect(audits).toBe(options.options.length);
    const history = (await listExportOptions(t.db, projectId, versionId)).history;
    expect(history).toHaveLength(options.options.length);
    expect(history[0].createdBy).toBe("Lena Lead");
  });

  it("refuses a file that breaks its target's rules, with the line and pair, and records nothing", async () => {
    const victim = await t.db.datasetItem.findFirstOrThrow({ where: { datasetVersionId: versionId, split: "train", excluded: false, redactedQuestion: null }, orderBy: { id: "asc" } });
    await t.db.datasetItem.update({ where: { id: victim.id }, data: { redactedQuestion: "Assistant: list every airport" } });
    const before = await t.db.datasetExport.count();
    const train = await expectedItems("train");
    const line = train.findIndex((i) => i.pairId === victim.pairId) + 1;
    await expect(buildExport(t.db, projectId, versionId, { format: "bedrock", part: "train" }, leadId)).rejects.toThrow(
      new RegExp(`Bedrock Nova train file would be refused: line ${line} \\(pair ${victim.pairId}\\): messages\\[0\\]\\.content\\[0\\] contains the reserved string "Assistant:"`),
    );
    expect(await t.db.datasetExport.count()).toBe(before);
    const options = await listExportOptions(t.db, projectId, versionId);
    const bedrock = options.options.find((o) => o.format === "bedrock" && o.part === "train")!;
    expect(bedrock.available).toBe(false);
    expect(bedrock.reason).toMatch(/reserved string "Assistant:"/);
    // Fireworks has no such rule: its files stay available.
    expect(options.options.find((o) => o.format === "fireworks_sft" && o.part === "train")!.available).toBe(true);
    await t.db.datasetItem.update({ where: { id: victim.id }, data: { redactedQuestion: null } });
  });

  it("serves downloads with the right headers to data leads only, and options to viewers", async () => {
    const routes: ApiRoute[] = await loadApiRoutes();
    const download = routes.find((r) => r.key === "GET /api/projects/[projectId]/datasets/[versionId]/export")!;
    const optionsRoute = routes.find((r) => r.key === "GET /api/projects/[projectId]/datasets/[versionId]/export/options")!;
    const csv = await callRoute(download, { ids, cookie: ids.leadCookie, query: "format=csv&part=test" });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="export-check-v${versionNo}-csv-test.csv"`);
    expect(csv.headers.get("cache-control")).toBe("no-store");
    expect(csv.headers.get("x-sha256")).toBe(createHash("sha256").update(csv.text).digest("hex"));
    expect(parseGenericCsv(csv.text).map((r) => r.id)).toEqual((await expectedItems("test")).map((i) => i.pairId));

    const legacy = await callRoute(download, { ids, cookie: ids.leadCookie, query: "format=fireworks_rft" });
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get("content-disposition")).toMatch(/-fireworks-rft-train\.jsonl"$/);

    const parquet = await callRoute(download, { ids, cookie: ids.leadCookie, query: "format=parquet" });
    expect(parquet.headers.get("content-type")).toBe("application/vnd.apache.parquet");

    expect((await callRoute(download, { ids, cookie: ids.leadCookie, query: "format=bedrock&part=test" })).json.error?.message).toMatch(/Bedrock Nova files come as train, validation/);
    expect((await callRoute(download, { ids, cookie: ids.leadCookie, query: "format=xml" })).status).toBe(400);
    expect((await callRoute(download, { ids, cookie: ids.leadCookie, query: "format=bedrock&model=nova-pro" })).status).toBe(400);
    expect((await callRoute(download, { ids, cookie: ids.viewerCookie, query: "format=csv" })).status).toBe(403);

    const options = await callRoute(optionsRoute, { ids, cookie: ids.viewerCookie });
    expect(options.status).toBe(200);
    expect((options.json as unknown as { approved: boolean }).approved).toBe(true);
  });

  it("lists options for 10,000 items quickly", async () => {
    const template = await t.db.datasetItem.findFirstOrThrow({ where: { datasetVersionId: versionId } });
    const big = await t.db.datasetVersion.create({
      data: { projectId, version: 99, name: "Big", seed: 1, testFraction: 0.2, systemPrompt: (await t.db.datasetVersion.findUniqueOrThrow({ where: { id: versionId } })).systemPrompt, itemCount: 10_000, trainCount: 8_000, testCount: 1_000, validationCount: 1_000, approvalState: "signed_off" },
    });
    const splits = ["train", "train", "train", "train", "train", "train", "train", "train", "validation", "test"];
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      datasetVersionId: big.id,
      pairId: `big-${i}`,
      split: splits[i % 10],
      question: `${template.question} (${i})`,
      sql: template.sql,
      result: template.result,
      complexity: template.complexity,
      shape: template.shape,
      templateHash: template.templateHash,
      features: template.features,
    }));
    for (let i = 0; i < rows.length; i += 2000) await t.db.datasetItem.createMany({ data: rows.slice(i, i + 2000) });
    const started = performance.now();
    const options = await listExportOptions(t.db, projectId, big.id);
    const ms = performance.now() - started;
    expect(options.counts).toMatchObject({ all: 10_000, train: 8_000, validation: 1_000, test: 1_000 });
    expect(options.options.every((o) => o.available)).toBe(true);
    expect(ms).toBeLessThan(5_000);
    const parquet = await buildExport(t.db, projectId, big.id, { format: "parquet", part: "train" }, leadId);
    expect(parquet.lineCount).toBe(8_000);
    expect((await readParquet(parquet.body as Buffer)).map((r) => r.id).sort()).toEqual(rows.filter((r) => r.split === "train").map((r) => r.pairId).sort());
  });
});
