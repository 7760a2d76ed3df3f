import { describe, expect, it } from "vitest";
import { buildQueryGenerationPrompt, parseGeneratedQueries, queryGenerationSchema } from "@/lib/queries/llm-prompt";
import { SHAPE_FAMILIES } from "@/lib/queries/shapes";

const SCHEMA = "CREATE TABLE airports (\n  airport_id INTEGER PRIMARY KEY,\n  name VARCHAR NOT NULL,\n  country VARCHAR\n);";
const info = SHAPE_FAMILIES.group_having;
const request = {
  schemaText: SCHEMA,
  shape: { id: "group_having", label: info.label, description: info.description, complexity: info.complexity },
  examples: ["SELECT country, count(*) AS n FROM airports GROUP BY country HAVING count(*) > 3 ORDER BY country"],
  samples: { "airports.country": ["Germany", "Côte d'Ivoire", null, 7], "airports.name": ["x".repeat(200), "Line\nbreak", "Tegel"] },
  count: 4,
};

describe("buildQueryGenerationPrompt", () => {
  const messages = buildQueryGenerationPrompt(request);
  const system = messages[0]!.content;
  const user = messages[1]!.content;

  it("is a system and a user message", () => {
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("asks for exactly the count, of the shape and its complexity, over the schema", () => {
    expect(user).toContain(SCHEMA);
    expect(user).toContain("Write exactly 4 new queries");
    expect(user).toContain(`"GROUP BY with HAVING" (group_having): ${info.description}`);
    expect(user).toMatch(/Complexity level: moderate:/);
    expect(buildQueryGenerationPrompt({ ...request, count: 1 })[1]!.content).toContain("Write exactly 1 new query ");
    expect(buildQueryGenerationPrompt({ ...request, shape: { ...request.shape, complexity: "highly_complex" } })[1]!.content).toMatch(
      /Complexity level: highly complex: two or more CTEs/,
    );
  });

  it("states the rules: SELECT only, deterministic order before LIMIT, real literals, questions that state them", () => {
    expect(system).toMatch(/One DuckDB SELECT statement/);
    expect(system).toMatch(/ORDER BY must end with a unique key .* before any LIMIT/);
    expect(system).toMatch(/Never use random\(\), uuid\(\), now\(\)/);
    expect(system).toMatch(/literal values copied exactly .* from the sample values/);
    expect(system).toMatch(/States every literal value the query uses/);
    expect(system).toContain('{"queries": [{"sql": "…", "question": "…"}, …]}');
  });

  it("lists sample values as SQL literals, leaving out NULLs and long or multi-line texts", () => {
    expect(user).toContain("airports.country: 'Germany', 'Côte d''Ivoire', 7");
    expect(user).toContain("airports.name: 'Tegel'");
    expect(user).not.toContain("xxxxxxxxxx");
    expect(user).not.toContain("Line\nbreak");
  });

  it("shows the examples as queries not to repeat, and leaves the section out without any", () => {
    expect(user).toContain(`1. ${request.examples[0]}`);
    expect(user).toMatch(/never these/);
    const bare = buildQueryGenerationPrompt({ ...request, examples: [], samples: {} })[1]!.content;
    expect(bare).not.toMatch(/already has/);
    expect(bare).not.toMatch(/Sample values/);
  });

  it("is deterministic", () => {
    expect(buildQueryGenerationPrompt(request)).toEqual(messages);
  });
});

describe("queryGenerationSchema", () => {
  it("is strict: every object closed and every property required", () => {
    const schema = queryGenerationSchema(3) as {
      type: string;
      required: string[];
      additionalProperties: boolean;
      properties: { queries: { type: string; description: string; items: { properties: Record<string, { type: string }>; required: string[]; additionalProperties: boolean } } };
    };
    expect(schema).toMatchObject({ type: "object", required: ["queries"], additionalProperties: false });
    const { items } = schema.properties.queries;
    expect(schema.properties.queries.type).toBe("array");
    expect(schema.properties.queries.description).toContain("Exactly 3");
    expect(items.additionalProperties).toBe(false);
    expect(items.required).toEqual(Object.keys(items.properties));
    expect(items.properties).toEqual({ sql: expect.objectContaining({ type: "string" }), question: expect.objectContaining({ type: "string" }) });
  });
});

describe("parseGeneratedQueries", () => {
  const answer = { queries: [{ sql: " SELECT 1 ", question: " One? " }, { sql: "SELECT 2", question: "Two?" }] };

  it("reads the structured answer, trimmed", () => {
    expect(parseGeneratedQueries(JSON.stringify(answer))).toEqual([
      { sql: "SELECT 1", question: "One?" },
      { sql: "SELECT 2", question: "Two?" },
    ]);
  });

  it("reads a ```json fence, text around it, a think block and a bare array", () => {
    const expected = [
      { sql: "SELECT 1", question: "One?" },
      { sql: "SELECT 2", question: "Two?" },
    ];
    expect(parseGeneratedQueries(`Here you go:\n\`\`\`json\n${JSON.stringify(answer, null, 2)}\n\`\`\`\nEnjoy.`)).toEqual(expected);
    expect(parseGeneratedQueries(`<think>{"queries": []}</think>${JSON.stringify(answer)}`)).toEqual(expected);
    expect(parseGeneratedQueries(`Sure. ${JSON.stringify(answer)} Done.`)).toEqual(expected);
    expect(parseGeneratedQueries(JSON.stringify(answer.queries))).toEqual(expected);
  });

  it("drops items without SQL and keeps a query whose question is missing with an empty one", () => {
    const text = JSON.stringify({ queries: [{ sql: "" }, { question: "No SQL?" }, "SELECT 3", null, [1], { sql: 4 }, { sql: "SELECT 5", question: 5 }] });
    expect(parseGeneratedQueries(text)).toEqual([{ sql: "SELECT 5", question: "" }]);
  });

  it("never throws: garbage gives nothing", () => {
    for (const garbage of ["", "no json here", "{\"queries\": [", "```json\n{oops}\n```", "null", "42", "{\"queries\": 7}", "[}", undefined as unknown as string]) {
      expect(parseGeneratedQueries(garbage)).toEqual([]);
    }
  });
});
