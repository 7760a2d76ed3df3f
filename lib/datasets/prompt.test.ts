import { describe, expect, it } from "vitest";
import {
  buildSystemPrompt,
  promptFor,
  relevantTables,
  renderCompactSchema,
  renderSchemaText,
  schemaSubset,
  userTemplateProblem,
} from "@/lib/datasets/prompt";
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";

function col(name: string, type: string, extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "other" as ColumnModel["semanticType"], ...extra };
}

function table(name: string, columns: ColumnModel[], pk: string[], fks: TableModel["foreignKeys"] = []): TableModel {
  return { name, columns, primaryKey: pk, uniqueKeys: [], foreignKeys: fks, checks: [] };
}

// countries ← airports ← routes → airlines → countries; planes stands alone.
const model: SchemaModel = {
  dialect: "duckdb",
  tables: [
    table("countries", [col("country_id", "INTEGER", { primaryKey: true }), col("name", "VARCHAR")], ["country_id"]),
    table("airports", [col("airport_id", "INTEGER", { primaryKey: true }), col("name", "VARCHAR"), col("country_id", "INTEGER")], ["airport_id"], [
      { columns: ["country_id"], refTable: "countries", refColumns: ["country_id"] },
    ]),
    table("airlines", [col("airline_id", "INTEGER", { primaryKey: true }), col("name", "VARCHAR"), col("ceo_email", "VARCHAR", { sensitive: true })], ["airline_id"]),
    table("routes", [col("route_id", "INTEGER", { primaryKey: true }), col("airline_id", "INTEGER"), col("src_airport_id", "INTEGER")], ["route_id"], [
      { columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"] },
      { columns: ["src_airport_id"], refTable: "airports", refColumns: ["airport_id"] },
    ]),
    table("planes", [col("code", "VARCHAR", { primaryKey: true })], ["code"]),
  ],
};

describe("prompt formats", () => {
  it("compact: one line per table with PK and FK hints, sensitive columns left out", () => {
    const text = renderCompactSchema(model, { excludeColumns: new Set(["airlines.ceo_email"]) });
    const lines = text.split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe("airports(airport_id INTEGER PK, name VARCHAR, country_id INTEGER → countries.country_id)");
    expect(text).not.toContain("ceo_email");
    expect(renderSchemaText("compact", model)).toContain("ceo_email");
  });

  it("full: the CREATE TABLE text, sensitive columns left out", () => {
    const text = renderSchemaText("full", model, { excludeColumns: new Set(["airlines.ceo_email"]) });
    expect(text).toContain("CREATE TABLE routes (");
    expect(text).not.toContain("ceo_email");
  });

  it("relevant: the tables a query reads plus those its joins pass through", () => {
    expect(relevantTables(model, ["airports"])).toEqual(["airports"]);
    // routes → airports → countries: airports is on the way.
    expect(relevantTables(model, ["ROUTES", "countries"])).toEqual(["countries", "airports", "routes"]);
    expect(relevantTables(model, ["main.planes", "unknown"])).toEqual(["planes"]);
    const subset = schemaSubset(model, ["airports", "routes"]);
    expect(subset.tables.map((t) => t.name)).toEqual(["airports", "routes"]);
    expect(subset.tables[0].foreignKeys).toEqual([]);
    expect(subset.tables[1].foreignKeys.map((f) => f.refTable)).toEqual(["airports"]);
  });

  it("user template: must hold {question}; the question (redacted when it was) is put in", () => {
    expect(userTemplateProblem("")).toBeNull();
    expect(userTemplateProblem("Question: {question}")).toBeNull();
    expect(userTemplateProblem("Answer this")).toMatch(/\{question\}/);
    const version = { systemPrompt: buildSystemPrompt("S", "I"), userTemplate: "Q: {question}\nSQL:" };
    expect(promptFor(version, { question: "How many?" })).toEqual({ system: "I\n\nS", user: "Q: How many?\nSQL:" });
    expect(promptFor(version, { question: "Mail a@b.c", redactedQuestion: "Mail [email]", systemPrompt: "own" })).toEqual({ system: "own", user: "Q: Mail [email]\nSQL:" });
    expect(promptFor({ ...version, userTemplate: "" }, { question: "Hi" }).user).toBe("Hi");
  });
});
