import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { withReadOnly } from "@/test/helpers/sandbox-files";
import { startTestWorker } from "@/test/helpers/pipeline";
import { spawnWorker, waitFor } from "@/test/helpers/processes";
import { childEnv, stopChild, waitForJobEnd } from "@/test/helpers/crash";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestCancel } from "@/lib/jobs/server/queue";
import {
  defaultRowsFor, estimateSandboxBytes, generateSandboxInput, getSandboxFile, listSandboxes, planRowCounts, requestSandboxGeneration,
  VARIANT_MAX_ROWS,
} from "@/lib/sandbox/server/service";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";
import { ValidationError } from "@/lib/errors";
import { createOpenAiEndpoint } from "@/lib/evaluation/server/endpoints";
import { startOpenAiStandIn } from "@/test/stand-ins/openai-server";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

async function flightsProject(name: string) {
  const project = await createProject(t.db, { name, description: "" });
  await ingestDdl(t.db, project.id, OPENFLIGHTS_DDL);
  return project.id;
}

describe("sandbox generation input", () => {
  const message = (input: unknown) => {
    const out = generateSandboxInput.safeParse(input);
    return out.success ? null : out.error.issues.map((i) => i.message).join(" ");
  };

  it("refuses 0, negative, fractional, absurd and non-numeric row counts with a clear message", () => {
    expect(message({ rowsPerTable: 0 })).toMatch(/at least 1 row/);
    expect(message({ rowsPerTable: -5 })).toMatch(/at least 1 row/);
    expect(message({ rowsPerTable: 1e12 })).toMatch(/At most 5,000,000 rows per table/);
    expect(message({ rowsPerTable: 2.5 })).toMatch(/whole numbers/);
    expect(message({ rowsPerTable: "lots" })).toMatch(/must be numbers/);
    expect(message({ tableRows: { routes: 0 } })).toMatch(/at least 1 row/);
    expect(message({ tableRows: { routes: 1e12 } })).toMatch(/At most 5,000,000/);
    expect(message({ scale: 0 })).toMatch(/above 0/);
    expect(message({ scale: -1 })).toMatch(/above 0/);
    expect(message({ scale: 1e6 })).toMatch(/at most 1000/);
    expect(message({ nullRate: 2 })).toMatch(/90%/);
    expect(message({ variants: 9 })).toMatch(/At most 8/);
    expect(message({ variants: -1 })).toMatch(/negative/);
    expect(message({ seed: -1 })).toMatch(/negative/);
    expect(message({ rowsPerTable: 500, scale: 2.5, nullRate: 0.2, variants: 2 })).toBeNull();
  });

  it("plans rows from table roles and the scale factor, and refuses what a table or a sandbox cannot hold", async () => {
    const { model } = await parseDuckdbDdl(OPENFLIGHTS_DDL);
    const byName = (n: string) => model.tables.find((x) => x.name === n)!;
    expect(defaultRowsFor(model, byName("countries"))).toBe(200); // only pointed at
    expect(defaultRowsFor(model, byName("routes"))).toBe(5_000); // only points at others
    expect(defaultRowsFor(model, byName("airlines"))).toBe(1_000); // both
    expect(planRowCounts(model, { scale: 0.5 })).toMatchObject({ countries: 100, routes: 2_500, airlines: 500 });
    expect(planRowCounts(model, { rowsPerTable: 3, scale: 0.1 })).toMatchObject({ routes: 1 }); // never 0
    expect(() => planRowCounts(model, { tableRows: { routes: 4_000_000 }, scale: 2 })).toThrow(/routes would get 8,000,000 rows at scale 2/);
    expect(() => planRowCounts(model, { rowsPerTable: 4_999_999, scale: 1 })).toThrow(/at most 20,000,000/);
    expect(() => planRowCounts(model, { tableRows: { nope: 5 } })).toThrow(ValidationError);
    expect(estimateSandboxBytes({ a: 1_000_000 }, 4)).toBeGreaterThan(estimateSandboxBytes({ a: 1_000_000 }, 0));
  });

  it("refuses bad sizes before any sandbox row or job exists", async () => {
    const projectId = await flightsProject("Sizes");
    await expect(requestSandboxGeneration(t.db, projectId, { tableRows: { routes: 3_000_000 }, scale: 2 })).rejects.toThrow(/routes would get 6,000,000 rows/);
    await expect(requestSandboxGeneration(t.db, projectId, { tableRows: { flights: 10 } })).rejects.toThrow(/No table named flights/);
    await expect(requestSandboxGeneration(t.db, projectId, { llm: { endpointId: "missing", maxRowsPerTable: 10 } })).rejects.toThrow(/does not exist/);
    expect(await t.db.sandbox.count({ where: { projectId } })).toBe(0);
    expect(await t.db.job.count({ where: { projectId } })).toBe(0);
  });
});

describe("sandbox jobs", () => {
  it("builds the sandbox at the asked scale and NULL rate, then test-suite variants with fuzzed query constants", async () => {
    const projectId = await flightsProject("Variants");
    const worker = startTestWorker(t.db);
    try {
      // Queries whose constants the variants should carry.
      const schema = await t.db.schemaVersion.findFirstOrThrow({ where: { projectId } });
      for (const sql of [
        "SELECT count(*) FROM airports WHERE altitude > 4321",
        "SELECT name FROM airlines WHERE callsign = 'ZEBRA CONSTANT'",
      ]) {
        await t.db.query.create({ data: { projectId, schemaVersionId: schema.id, sql, origin: "imported" } });
      }
      await requestSandboxGeneration(t.db, projectId, {
        seed: 11,
        tableRows: { countries: 40, airlines: 200, airports: 400, planes: 30, routes: 30_000 },
        scale: 1.5,
        nullRate: 0.3,
        variants: 2,
      });
      await worker.drain();
    } finally {
      await worker.stop();
    }
    const [primary] = await listSandboxes(t.db, projectId);
    expect(primary!.status).toBe("ready");
    expect(primary!.rowCounts).toEqual({ countries: 60, airlines: 300, airports: 600, planes: 45, routes: 45_000 });
    expect(primary!.settings.scale).toBe(1.5);
    const file = await getSandboxFile(t.db, primary!.id);
    await withReadOnly(file.path, async (q) => {
      // Nullable, non-key columns get about the asked share of NULLs.
      const [share] = (await q(`SELECT count(*) FILTER (WHERE altitude IS NULL) / count(*) FROM airports`))[0] as number[];
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(0.4);
      // A nullable foreign key too.
      const [fkShare] = (await q(`SELECT count(*) FILTER (WHERE airline_id IS NULL) / count(*) FROM routes`))[0] as number[];
      expect(fkShare).toBeGreaterThan(0.25);
      expect(fkShare).toBeLessThan(0.35);
    });

    expect(primary!.variants).toHaveLength(2);
    expect(primary!.variants.every((v) => v.status === "ready")).toBe(true);
    const seeds = primary!.variants.map((v) => v.seed);
    expect(new Set([...seeds, primary!.seed]).size).toBe(3);
    for (const v of primary!.variants) {
      const variantFile = await getSandboxFile(t.db, v.id);
      await withReadOnly(variantFile.path, async (q) => {
        // Variants are capped for speed and hold values at and around the queries' constants.
        expect(Number((await q("SELECT count(*) FROM routes"))[0]![0])).toBe(Math.min(45_000, VARIANT_MAX_ROWS));
        expect(Number((await q("SELECT count(*) FROM airports WHERE altitude IN (4320, 4321, 4322)"))[0]![0])).toBeGreaterThan(10);
        expect(Number((await q("SELECT count(*) FROM airlines WHERE callsign = 'ZEBRA CONSTANT'"))[0]![0])).toBeGreaterThan(5);
        expect(Number((await q("SELECT count(*) - count(DISTINCT route_id) FROM routes"))[0]![0])).toBe(0);
        expect(Number((await q("SELECT count(*) FROM routes r WHERE NOT EXISTS (SELECT 1 FROM airports a WHERE a.airport_id = r.source_airport_id)"))[0]![0])).toBe(0);
      });
    }
    // The primary itself carries no fuzzed constants.
    await withReadOnly(file.path, async (q) => {
      expect(Number((await q("SELECT count(*) FROM airlines WHERE callsign = 'ZEBRA CONSTANT'"))[0]![0])).toBe(0);
    });
  });

  it("has a configured endpoint write free text through structured output, keys untouched, tokens recorded", async () => {
    const standIn = await startOpenAiStandIn({ apiKey: "sk-sandbox-llm-0001", models: ["writer"] });
    try {
      standIn.configure({
        answer: (_messages, body) => {
          const format = body.response_format as { json_schema: { schema: { properties: { rows: { minItems: number; items: { properties: Record<string, unknown> } } } } } };
          const rows = format.json_schema.schema.properties.rows;
          const keys = Object.keys(rows.items.properties);
          return JSON.stringify({ rows: Array.from({ length: rows.minItems }, (_, i) => Object.fromEntries(keys.map((k) => [k, `LLM ${k} ${i}`]))) });
        },
      });
      const projectId = await flightsProject("LLM text");
      const endpoint = await createOpenAiEndpoint(t.db, projectId, { name: "Writer", baseUrl: standIn.url, model: "writer", apiKey: "sk-sandbox-llm-0001" });
      const worker = startTestWorker(t.db);
      try {
        await requestSandboxGeneration(t.db, projectId, { seed: 9, rowsPerTable: 60, variants: 1, llm: { endpointId: endpoint.id, maxRowsPerTable: 25 } });
        await worker.drain();
      } finally {
        await worker.stop();
      }
      const [primary] = await listSandboxes(t.db, projectId);
      expect(primary!.status).toBe("ready");
      const result = primary!.settings.llm!.result!;
      expect(result.updatedCells).toBeGreaterThan(0);
      expect(result.promptTokens + result.completionTokens).toBeGreaterThan(0);
      expect(result.calls).toBeGreaterThan(0);
      const requests = standIn.requests.filter((r) => r.path.endsWith("/chat/completions"));
      expect(requests.every((r) => (r.body as { response_format?: { type: string } }).response_format?.type === "json_schema")).toBe(true);
      const file = await getSandboxFile(t.db, primary!.id);
      await withReadOnly(file.path, async (q) => {
        // The first 25 airline names come from the model; the rest, and every key, from the rules.
        expect(Number((await q("SELECT count(*) FROM airlines WHERE name LIKE 'LLM name %'"))[0]![0])).toBe(25);
        expect(Number((await q("SELECT count(*) FROM airlines"))[0]![0])).toBe(60);
        expect(Number((await q("SELECT count(DISTINCT airline_id) FROM airlines"))[0]![0])).toBe(60);
        expect(Number((await q("SELECT count(*) FROM countries WHERE name LIKE 'LLM%'"))[0]![0])).toBe(0);
      });
      // Variants stay rule-based and reproducible.
      const variant = await getSandboxFile(t.db, primary!.variants[0]!.id);
      await withReadOnly(variant.path, async (q) => expect(Number((await q("SELECT count(*) FROM airlines WHERE name LIKE 'LLM%'"))[0]![0])).toBe(0));
      const audit = await t.db.auditEvent.findFirstOrThrow({ where: { projectId, action: "sandbox.ready" } });
      expect(audit.summary).toMatch(/cells written by the LLM/);
      expect(JSON.stringify(await listSandboxes(t.db, projectId))).not.toContain("sk-sandbox-llm-0001");
    } finally {
      await standIn.close();
    }
  });

  it("keeps the previous sandbox active and readable when a run is cancelled mid-way", async () => {
    const projectId = await flightsProject("Cancel");
    const worker = startTestWorker(t.db);
    try {
      await requestSandboxGeneration(t.db, projectId, { seed: 1, rowsPerTable: 50, variants: 0 });
      await worker.drain();
      const before = await t.db.project.findUniqueOrThrow({ where: { id: projectId } });
      const beforeFile = await getSandboxFile(t.db, before.activeSandboxId!);
      const beforeHash = createHash("sha256").update(readFileSync(beforeFile.path)).digest("hex");

      const { job } = await requestSandboxGeneration(t.db, projectId, { seed: 2, tableRows: { routes: 2_000_000 }, variants: 3 });
      await waitFor("generation under way", async () => (await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).progress >= 2);
      await requestCancel(t.db, job.id);
      await worker.drain();
      const ended = await t.db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(ended.status).toBe("cancelled");
      const after = await t.db.project.findUniqueOrThrow({ where: { id: projectId } });
      expect(after.activeSandboxId).toBe(before.activeSandboxId);
      expect(createHash("sha256").update(readFileSync(beforeFile.path)).digest("hex")).toBe(beforeHash);
      await withReadOnly(beforeFile.path, async (q) => expect(Number((await q("SELECT count(*) FROM routes"))[0]![0])).toBe(50));
      const dir = path.dirname(beforeFile.path);
      expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it("reports a full disk (a file-size limit) in plain words and keeps the previous sandbox", async () => {
    const projectId = await flightsProject("Disk full");
    const env = childEnv(t);
    const small = await requestSandboxGeneration(t.db, projectId, { seed: 3, rowsPerTable: 40, variants: 0 });
    let worker = spawnWorker(env);
    try {
      expect((await waitForJobEnd(t, small.job.id)).status).toBe("succeeded");
    } finally {
      await stopChild(worker);
    }
    const before = await t.db.project.findUniqueOrThrow({ where: { id: projectId } });

    // About 12 MB of sandbox against a 4 MB limit on every file the worker writes.
    const { job } = await requestSandboxGeneration(t.db, projectId, { seed: 4, tableRows: { routes: 500_000 }, variants: 0 });
    worker = spawnWorker(env, { fileSizeLimitKb: 4096 });
    try {
      const ended = await waitForJobEnd(t, job.id, 120_000);
      expect(ended.status).toBe("failed");
      expect(ended.error).toMatch(/disk holding the data folder is full/);
      expect(ended.error).toMatch(/previous sandbox is still in use/);
    } finally {
      await stopChild(worker);
    }
    const payload = JSON.parse((await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).payload) as { sandboxId: string };
    const failed = await t.db.sandbox.findUniqueOrThrow({ where: { id: payload.sandboxId } });
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/full/);
    expect((await t.db.project.findUniqueOrThrow({ where: { id: projectId } })).activeSandboxId).toBe(before.activeSandboxId);
    const dir = path.join(t.dataDir, "sandboxes", projectId);
    expect(existsSync(path.join(dir, `${failed.id}.duckdb`))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
    const previous = await getSandboxFile(t.db, before.activeSandboxId!);
    await withReadOnly(previous.path, async (q) => expect(Number((await q("SELECT count(*) FROM routes"))[0]![0])).toBe(40));
  });
});
