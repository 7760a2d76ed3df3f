import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { startTestWorker } from "@/test/helpers/pipeline";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { getSandboxFile, listSandboxes, requestSandboxAugmentation, requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { importQueryLog } from "@/lib/queries/server/import";
import { ValidationError } from "@/lib/errors";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

const EMPTY_LOG = [
  "SELECT name FROM airports WHERE country = 'Atlantis' ORDER BY airport_id",
  "SELECT name FROM airlines WHERE callsign = 'NO SUCH CALLSIGN' ORDER BY airline_id",
  "SELECT route_id FROM routes WHERE stops BETWEEN 7 AND 9 ORDER BY route_id",
].join(";\n");

describe("query-aware augmentation as a job", () => {
  it("brings the demo to at most 10% empty queries, re-executes every label, and keeps the old sandbox intact", async () => {
    const project = await createProject(t.db, { name: "Augment", description: "" });
    await ingestDdl(t.db, project.id, OPENFLIGHTS_DDL);
    const worker = startTestWorker(t.db);
    try {
      await requestSandboxGeneration(t.db, project.id, { seed: 42, tableRows: OPENFLIGHTS_ROWS, variants: 1 });
      await worker.drain();
      await requestQueryGeneration(t.db, project.id, {});
      await worker.drain();
      await importQueryLog(t.db, project.id, { fileName: "empty.sql", content: EMPTY_LOG });
      const before = (await listSandboxes(t.db, project.id)).find((s) => s.active)!;
      // The queries job rebuilt the variant around the new constants; the replaced one is not listed.
      expect(before.variants).toHaveLength(1);
      expect(before.variants[0]!.status).toBe("ready");
      const beforeFile = await getSandboxFile(t.db, before.id);
      const beforeHash = createHash("sha256").update(readFileSync(beforeFile.path)).digest("hex");
      const total = await t.db.query.count({ where: { projectId: project.id, result: { not: null } } });
      const emptyBefore = await t.db.query.count({ where: { projectId: project.id, resultRowCount: 0 } });
      expect(total).toBeGreaterThan(300);
      expect(emptyBefore).toBeGreaterThanOrEqual(3);
      const atlantisBefore = await t.db.query.findFirstOrThrow({ where: { projectId: project.id, sql: { contains: "Atlantis" } } });
      expect(atlantisBefore.resultRowCount).toBe(0);

      await requestSandboxAugmentation(t.db, project.id, {});
      await worker.drain();

      const after = (await listSandboxes(t.db, project.id)).find((s) => s.active)!;
      expect(after.id).not.toBe(before.id);
      expect(after.settings.augmentation!.fixed).toBeGreaterThan(0);
      expect(after.variants.filter((v) => v.status === "ready")).toHaveLength(1);
      // Every label now comes from the new sandbox; at most 10% are empty.
      expect(await t.db.query.count({ where: { projectId: project.id, NOT: { resultSandboxId: after.id } } })).toBe(0);
      const emptyAfter = await t.db.query.count({ where: { projectId: project.id, resultRowCount: 0 } });
      expect(emptyAfter / total).toBeLessThanOrEqual(0.1);
      const atlantis = await t.db.query.findFirstOrThrow({ where: { projectId: project.id, sql: { contains: "Atlantis" } } });
      expect(atlantis.resultRowCount).toBeGreaterThan(0);
      expect(JSON.parse(atlantis.lintFlags)).not.toContainEqual(expect.objectContaining({ code: "empty_result" }));
      // The previous file is untouched (dataset versions may still point at it).
      expect(createHash("sha256").update(readFileSync(beforeFile.path)).digest("hex")).toBe(beforeHash);
      const audit = await t.db.auditEvent.findFirstOrThrow({ where: { projectId: project.id, action: "sandbox.augment" } });
      expect(audit.summary).toMatch(/empty queries now return rows/);
    } finally {
      await worker.stop();
    }
  });

  it("refuses when no query is empty, and when there is no sandbox", async () => {
    const project = await createProject(t.db, { name: "Nothing empty", description: "" });
    await ingestDdl(t.db, project.id, OPENFLIGHTS_DDL);
    await expect(requestSandboxAugmentation(t.db, project.id, {})).rejects.toThrow(/no sandbox yet/);
    const worker = startTestWorker(t.db);
    try {
      await requestSandboxGeneration(t.db, project.id, { seed: 1, rowsPerTable: 50, variants: 0 });
      await worker.drain();
      await importQueryLog(t.db, project.id, { fileName: "full.sql", content: "SELECT count(*) AS n FROM airports" });
    } finally {
      await worker.stop();
    }
    await expect(requestSandboxAugmentation(t.db, project.id, {})).rejects.toBeInstanceOf(ValidationError);
    expect(await t.db.job.count({ where: { projectId: project.id, type: "sandbox.augment" } })).toBe(0);
  });
});
