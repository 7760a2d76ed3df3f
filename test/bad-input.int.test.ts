import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { createProject } from "@/lib/projects/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { requestSandboxGeneration } from "@/lib/sandbox/server/service";
import { freezeDatasetVersion } from "@/lib/datasets/server/service";
import { requestQueryGeneration } from "@/lib/queries/server/service";
import { createProjectInput } from "@/lib/projects/schemas";
import { ConflictError, ValidationError } from "@/lib/errors";
import { OPENFLIGHTS_DDL } from "@/lib/demo/openflights";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

describe("bad input gets a clear error and leaves no corrupt state", () => {
  it("imports the statements it understands, lists the others with their line, and refuses a schema with none", async () => {
    const p = await createProject(t.db, { name: "Bad DDL", description: "" });
    const broken = "CREATE TABLE b (id INTEGER PRIMARY KEY,, name TEXT);";
    const error = await ingestDdl(t.db, p.id, broken).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toMatch(/no tables/);
    expect(error.message).toMatch(/line 1/i);
    expect(await t.db.schemaVersion.count({ where: { projectId: p.id } })).toBe(0);

    const mixed = `CREATE TABLE a (id INTEGER PRIMARY KEY);\n\n${broken}`;
    const stored = await ingestDdl(t.db, p.id, mixed);
    expect(stored.model.tables.map((x) => x.name)).toEqual(["a"]);
    expect(stored.warnings.some((w) => w.line === 3)).toBe(true);
  });

  it("refuses an empty schema, and never runs statements that are not CREATE", async () => {
    const p = await createProject(t.db, { name: "Empty", description: "" });
    await expect(ingestDdl(t.db, p.id, "")).rejects.toBeInstanceOf(ValidationError);
    await expect(ingestDdl(t.db, p.id, "-- only a comment\n")).rejects.toThrow(/only comments|no tables|empty/i);
    await expect(ingestDdl(t.db, p.id, "ATTACH '/tmp/sandpiper-attach-test.db' AS x;", null, "duckdb")).rejects.toBeInstanceOf(ValidationError);
    expect(existsSync("/tmp/sandpiper-attach-test.db")).toBe(false);
    expect(await t.db.schemaVersion.count({ where: { projectId: p.id } })).toBe(0);
    const out = await ingestDdl(t.db, p.id, "CREATE TABLE a (id INT);\nCOPY a TO '/tmp/sandpiper-copy-test.csv';", null, "duckdb");
    expect(out.warnings.some((w) => w.line === 2)).toBe(true);
    expect(existsSync("/tmp/sandpiper-copy-test.csv")).toBe(false);
  });

  it("refuses a duplicate project name, even from two requests at once", async () => {
    await createProject(t.db, { name: "Twice", description: "" });
    await expect(createProject(t.db, { name: "Twice", description: "" })).rejects.toBeInstanceOf(ConflictError);
    const racing = await Promise.allSettled([createProject(t.db, { name: "Race", description: "" }), createProject(t.db, { name: "Race", description: "" })]);
    expect(racing.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = racing.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    expect(await t.db.project.count({ where: { name: "Race" } })).toBe(1);
  });

  it("validates project names", () => {
    expect(createProjectInput.safeParse({ name: "   " }).success).toBe(false);
    expect(createProjectInput.safeParse({ name: "x".repeat(81) }).success).toBe(false);
    expect(createProjectInput.safeParse({ name: "<script>" }).success).toBe(false);
    expect(createProjectInput.safeParse({ name: "Flights" }).success).toBe(true);
  });

  it("turns a double-clicked Generate into one job and one sandbox", async () => {
    const p = await createProject(t.db, { name: "Double click", description: "" });
    await ingestDdl(t.db, p.id, OPENFLIGHTS_DDL);
    const clicks = await Promise.all(Array.from({ length: 5 }, () => requestSandboxGeneration(t.db, p.id, { seed: 1 })));
    const jobIds = new Set(clicks.map((c) => c.job.id));
    expect(jobIds.size).toBe(1);
    expect(clicks.filter((c) => c.created)).toHaveLength(1);
    expect(await t.db.sandbox.count({ where: { projectId: p.id } })).toBe(1);
    expect(await t.db.job.count({ where: { projectId: p.id } })).toBe(1);
  });

  it("explains what is missing before a stage can run", async () => {
    const p = await createProject(t.db, { name: "Out of order", description: "" });
    await expect(requestSandboxGeneration(t.db, p.id, {})).rejects.toThrow(/no schema yet/i);
    await expect(requestQueryGeneration(t.db, p.id, {})).rejects.toThrow(/no sandbox yet/i);
    await expect(freezeDatasetVersion(t.db, p.id, { testFraction: 0.2, seed: 1 })).rejects.toThrow(/sandbox/i);
  });
});
