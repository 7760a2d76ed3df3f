// Glossary entries and foreign key decisions overlay every later read of the schema, by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test/helpers/db";
import { createProject } from "@/lib/projects/server/service";
import { getLatestSchema } from "@/lib/schema/server/service";
import { ingestDdl } from "@/lib/schema/server/ingest";
import { decideForeignKey, updateGlossaryEntry } from "@/lib/schema/server/glossary";
import { toEffectiveSchema } from "@/lib/schema/model";
import { NotFoundError, ValidationError } from "@/lib/errors";

const DDL = `
CREATE TABLE airlines (airline_id BIGINT PRIMARY KEY, name VARCHAR NOT NULL, contact_email VARCHAR);
CREATE TABLE airports (airport_id BIGINT PRIMARY KEY, name VARCHAR, altitude BIGINT);
CREATE TABLE routes (route_id BIGINT PRIMARY KEY, airline_id BIGINT, source_airport_id BIGINT, destination_airport_id BIGINT);
`;

let t: TestDb;
let projectId: string;

beforeAll(async () => {
  t = await createTestDb();
  projectId = (await createProject(t.db, { name: "Glossary", description: "" })).id;
  await ingestDdl(t.db, projectId, DDL);
}, 60_000);
afterAll(async () => t?.cleanup());

describe("glossary", () => {
  it("shows suggested keys that stay out of the effective schema until confirmed", async () => {
    const schema = (await getLatestSchema(t.db, projectId))!;
    const routes = schema.model.tables.find((x) => x.name === "routes")!;
    expect(routes.foreignKeys.map((f) => `${f.columns[0]}:${f.status}`).sort()).toEqual(["airline_id:suggested", "destination_airport_id:suggested", "source_airport_id:suggested"]);
    expect(toEffectiveSchema(schema.model).tables.find((x) => x.name === "routes")!.foreignKeys).toEqual([]);

    await decideForeignKey(t.db, projectId, { table: "routes", columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"], status: "confirmed" });
    await decideForeignKey(t.db, projectId, { table: "routes", columns: ["source_airport_id"], refTable: "airports", refColumns: ["airport_id"], status: "dropped" });
    const after = (await getLatestSchema(t.db, projectId))!;
    const effective = toEffectiveSchema(after.model).tables.find((x) => x.name === "routes")!.foreignKeys;
    expect(effective.map((f) => f.columns[0])).toEqual(["airline_id"]);
    expect(await t.db.auditEvent.count({ where: { projectId, action: "foreign_key.decide" } })).toBe(2);

    await expect(decideForeignKey(t.db, projectId, { table: "routes", columns: ["route_id"], refTable: "airlines", refColumns: ["airline_id"], status: "confirmed" })).rejects.toThrow(NotFoundError);
  });

  it("overlays descriptions, semantic types and the sensitive flag, and they carry over to a new version", async () => {
    await updateGlossaryEntry(t.db, projectId, { table: "airlines", description: "Carriers" }, null);
    await updateGlossaryEntry(t.db, projectId, { table: "airlines", column: "contact_email", description: "Who to write to", sensitive: true }, null);
    await updateGlossaryEntry(t.db, projectId, { table: "airports", column: "altitude", semanticType: "number", description: "Feet" }, null);
    await ingestDdl(t.db, projectId, DDL + "CREATE TABLE planes (plane_id BIGINT PRIMARY KEY, name VARCHAR);");
    const schema = (await getLatestSchema(t.db, projectId))!;
    expect(schema.version).toBe(2);
    const airlines = schema.model.tables.find((x) => x.name === "airlines")!;
    expect(airlines.description).toBe("Carriers");
    expect(airlines.columns.find((c) => c.name === "contact_email")).toMatchObject({ description: "Who to write to", sensitive: true });
    expect(airlines.columns.find((c) => c.name === "name")?.sensitive).toBeFalsy();
    expect(schema.model.tables.find((x) => x.name === "airports")!.columns.find((c) => c.name === "altitude")).toMatchObject({ semanticType: "number", semanticTypeSource: "user", description: "Feet" });
    // The key decision carried over too.
    expect(toEffectiveSchema(schema.model).tables.find((x) => x.name === "routes")!.foreignKeys.map((f) => f.columns[0])).toEqual(["airline_id"]);

    // Partial updates keep the other fields; null goes back to the inferred type.
    await updateGlossaryEntry(t.db, projectId, { table: "airports", column: "altitude", semanticType: null }, null);
    const altitude = (await getLatestSchema(t.db, projectId))!.model.tables.find((x) => x.name === "airports")!.columns.find((c) => c.name === "altitude")!;
    expect(altitude.semanticTypeSource ?? "inferred").toBe("inferred");
    expect(altitude.description).toBe("Feet");
    expect(await t.db.auditEvent.count({ where: { projectId, action: "glossary.update" } })).toBe(4);
  });

  it("refuses elements the latest schema does not have", async () => {
    await expect(updateGlossaryEntry(t.db, projectId, { table: "nope", description: "x" }, null)).rejects.toThrow(NotFoundError);
    await expect(updateGlossaryEntry(t.db, projectId, { table: "airlines", column: "nope", description: "x" }, null)).rejects.toThrow(NotFoundError);
    await expect(updateGlossaryEntry(t.db, projectId, { table: "airlines", sensitive: true }, null)).rejects.toThrow(ValidationError);
  });
});
