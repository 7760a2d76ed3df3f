import { describe, expect, it } from "vitest";
import type { ColumnModel, TableModel } from "@/lib/schema/model";
import {
  buildRealismPrompt,
  MAX_LLM_VALUE_CHARS,
  pickContextColumns,
  pickLlmColumns,
  realismSchemaName,
  tableJsonSchema,
  validateLlmRows,
} from "@/lib/sandbox/llm-realism";

function column(name: string, type: string, semanticType: ColumnModel["semanticType"], extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType, ...extra };
}

const people: TableModel = {
  name: "people",
  description: "Customers of the shop",
  columns: [
    column("person_id", "INTEGER", "id", { primaryKey: true, nullable: false }),
    column("external_ref", "VARCHAR(20)", "code", { primaryKey: false }),
    column("full_name", "VARCHAR(12)", "name", { nullable: false, description: "First and last name" }),
    column("email", "VARCHAR", "email", { unique: true }),
    column("contact_email", "VARCHAR(80)", "email"),
    column("city", "VARCHAR", "city"),
    column("country", "VARCHAR", "country", { nullable: false }),
    column("status", "VARCHAR", "category", { allowedValues: ["active", "closed"] }),
    column("segment", "VARCHAR", "category"),
    column("tier", "ENUM('a','b')", "category", { enumValues: ["a", "b"] }),
    column("bio", "TEXT", "text"),
    column("ssn", "VARCHAR", "code", { sensitive: true }),
    column("team_id", "INTEGER", "id"),
    column("team_code", "VARCHAR", "code"),
    column("locale", "VARCHAR", "code"),
    column("shard", "VARCHAR", "code"),
    column("birth_date", "VARCHAR", "date"),
    column("settings", "VARCHAR", "other", { canonicalType: "json" }),
    column("avatar", "BLOB", "other"),
  ],
  primaryKey: ["person_id"],
  uniqueKeys: [["locale", "shard"]],
  foreignKeys: [{ columns: ["team_id", "team_code"], refTable: "teams", refColumns: ["team_id", "team_code"] }],
  checks: ["length(full_name) > 1 OR bio IS NOT NULL"],
};

const names = (cols: ColumnModel[]) => cols.map((c) => c.name);
const byName = (...wanted: string[]) => wanted.map((n) => people.columns.find((c) => c.name === n)!);

describe("pickLlmColumns", () => {
  it("keeps free-text columns and leaves keys, enums, sensitive and non-text columns to the rules", () => {
    expect(names(pickLlmColumns(people))).toEqual(["external_ref", "full_name", "contact_email", "city", "segment", "bio"]);
  });

  it("returns nothing for a table of keys and numbers", () => {
    const links: TableModel = {
      name: "links",
      columns: [column("a", "INTEGER", "id"), column("b", "VARCHAR", "code", { primaryKey: true })],
      primaryKey: ["b"],
      uniqueKeys: [],
      foreignKeys: [],
      checks: [],
    };
    expect(pickLlmColumns(links)).toEqual([]);
  });
});

describe("pickContextColumns", () => {
  it("shows keys first, never sensitive or rewritten columns", () => {
    const context = names(pickContextColumns(people, pickLlmColumns(people)));
    expect(context.slice(0, 3)).toEqual(["person_id", "team_id", "team_code"]);
    expect(context).toContain("country");
    expect(context).not.toContain("ssn");
    expect(context).not.toContain("full_name");
    expect(context).not.toContain("avatar");
    expect(context.length).toBeLessThanOrEqual(12);
  });
});

describe("tableJsonSchema", () => {
  it("asks for exactly n rows of every written column, strict-ready", () => {
    const schema = tableJsonSchema(people, byName("full_name", "city", "bio"), 5);
    expect(schema).toMatchObject({ type: "object", required: ["rows"], additionalProperties: false });
    const rows = (schema.properties as Record<string, Record<string, unknown>>).rows!;
    expect(rows).toMatchObject({ type: "array", minItems: 5, maxItems: 5 });
    expect(rows.items).toEqual({
      type: "object",
      properties: { full_name: { type: "string", maxLength: 12 }, city: { type: ["string", "null"] }, bio: { type: ["string", "null"] } },
      required: ["full_name", "city", "bio"],
      additionalProperties: false,
    });
  });

  it("names the schema within what endpoints accept", () => {
    expect(realismSchemaName({ ...people, name: "sales.order lines" })).toBe("sandbox_rows_sales_order_lines");
    expect(realismSchemaName({ ...people, name: "x".repeat(100) })).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe("buildRealismPrompt", () => {
  const columns = byName("full_name", "city", "bio");
  const messages = buildRealismPrompt(people, columns, [
    { person_id: "1", country: "France", full_name: "rule value" },
    { person_id: "2", country: "Japan", full_name: null },
  ]);
  const [system, user] = messages.map((m) => m.content);

  it("is a system and a user message", () => {
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("describes the table, its columns and the rules for each written column", () => {
    expect(user).toContain("Table: people");
    expect(user).toContain("Description: Customers of the shop");
    expect(user).toMatch(/full_name VARCHAR\(12\) \(not null\) — First and last name {2}<- write this/);
    expect(user).toContain("- full_name: never null; at most 12 characters; holds: name — First and last name");
    expect(user).toContain("- city: nullable; holds: city");
    expect(user).toContain("CHECK (length(full_name) > 1 OR bio IS NOT NULL)");
    expect(user).not.toContain("ssn");
  });

  it("gives each row's context in order and asks for exactly that many rows", () => {
    expect(user).toContain('1. {"person_id":"1","country":"France"}');
    expect(user).toContain('2. {"person_id":"2","country":"Japan"}');
    expect(user).not.toContain("rule value");
    expect(user).toContain('holding exactly 2 objects, row 1 first, each with the keys "full_name", "city", "bio"');
    expect(system).toMatch(/JSON only/);
    expect(system).toMatch(/city in the row's country/);
    expect(system).toMatch(/real personal data/);
  });
});

describe("validateLlmRows", () => {
  const columns = byName("full_name", "city", "contact_email", "bio");
  const answer = (rows: unknown) => JSON.stringify({ rows });

  it("accepts good values", () => {
    const out = validateLlmRows(
      answer([
        { full_name: "Ana Souza", city: "Lyon", contact_email: "ana@example.com", bio: "Likes\nhiking." },
        { full_name: "Kenji Sato", city: null, contact_email: null, bio: null },
      ]),
      people,
      columns,
      2,
    );
    expect(out.reason).toBeUndefined();
    expect(out.rows[0]).toEqual({
      values: { full_name: "Ana Souza", city: "Lyon", contact_email: "ana@example.com", bio: "Likes\nhiking." },
      repaired: [],
      rejected: [],
    });
    expect(out.rows[1]!.values).toEqual({ full_name: "Kenji Sato", city: null, contact_email: null, bio: null });
    expect(out).toMatchObject({ acceptedCells: 8, repairedCells: 0, rejectedCells: 0 });
  });

  it("reads an answer inside a ```json fence or after a think block", () => {
    const rows = [{ full_name: "Ana", city: "Lyon", contact_email: null, bio: null }];
    expect(validateLlmRows(`\`\`\`json\n${answer(rows)}\n\`\`\``, people, columns, 1).acceptedCells).toBe(4);
    expect(validateLlmRows(`<think>{"rows": []}</think>${answer(rows)}`, people, columns, 1).acceptedCells).toBe(4);
    expect(validateLlmRows(`Here you are: ${answer(rows)} Enjoy!`, people, columns, 1).acceptedCells).toBe(4);
  });

  it("truncates to the declared length, strips control characters and tidies whitespace, as repairs", () => {
    const out = validateLlmRows(
      answer([{ full_name: "Maximiliano  Fernández-Oyarzún", city: "Lyo\u0000n\u0007", contact_email: "a@example.com", bio: "Line one\r\nline two \u001b" }]),
      people,
      columns,
      1,
    );
    expect(out.rows[0]!.values).toEqual({ full_name: "Maximiliano", city: "Lyon", contact_email: "a@example.com", bio: "Line one\nline two" });
    expect(out.rows[0]!.repaired).toEqual(["full_name", "city", "bio"]);
    expect(out).toMatchObject({ acceptedCells: 4, repairedCells: 3, rejectedCells: 0 });
  });

  it("truncates by characters, not UTF-16 units", () => {
    const out = validateLlmRows(answer([{ full_name: "😀".repeat(20), city: null, contact_email: null, bio: null }]), people, columns, 1);
    expect(Array.from(out.rows[0]!.values!.full_name!)).toHaveLength(12);
  });

  it("rejects nulls in NOT NULL columns, non-strings, empty and over-long values and non-emails, keeping the rest of the row", () => {
    const out = validateLlmRows(
      answer([
        { full_name: null, city: 42, contact_email: "not an email", bio: "x".repeat(MAX_LLM_VALUE_CHARS + 1) },
        { full_name: "  \u0000 ", city: "Oslo", contact_email: "o@example.no", bio: "fine" },
      ]),
      people,
      columns,
      2,
    );
    expect(out.rows[0]).toEqual({ values: null, repaired: [], rejected: ["full_name", "city", "contact_email", "bio"] });
    expect(out.rows[1]).toEqual({ values: { city: "Oslo", contact_email: "o@example.no", bio: "fine" }, repaired: [], rejected: ["full_name"] });
    expect(out).toMatchObject({ acceptedCells: 3, rejectedCells: 5 });
    expect(out.problems[0]).toBe("row 1, full_name: null in a NOT NULL column");
    expect(out.problems).toContain("row 1, city: a number, not a string");
  });

  it("rejects a row that is not an object and a missing key", () => {
    const out = validateLlmRows(answer(["Ana", { full_name: "Ana", city: "Lyon", bio: null }]), people, columns, 2);
    expect(out.rows[0]!.values).toBeNull();
    expect(out.rows[0]!.rejected).toHaveLength(4);
    expect(out.rows[1]!.rejected).toEqual(["contact_email"]);
    expect(out.rejectedCells).toBe(5);
  });

  it("rejects every row of garbage, a missing rows array or a wrong row count, with a reason, never throwing", () => {
    for (const [raw, reason] of [
      ["I'm sorry, I can't help with that.", /not JSON/],
      ["", /not JSON/],
      ['{"data": []}', /no "rows" array/],
      [answer([{ full_name: "A", city: null, contact_email: null, bio: null }]), /expected 3 rows, got 1/],
      ["null", /no "rows" array/],
    ] as const) {
      const out = validateLlmRows(raw, people, columns, 3);
      expect(out.reason).toMatch(reason);
      expect(out.rows).toHaveLength(3);
      expect(out.rows.every((r) => r.values === null && r.rejected.length === 4)).toBe(true);
      expect(out).toMatchObject({ acceptedCells: 0, rejectedCells: 12 });
    }
  });

  it("does not count a value the row already holds as a change", () => {
    const out = validateLlmRows(
      answer([{ full_name: "Ana", city: "Lyon", contact_email: null, bio: null }]),
      people,
      columns,
      1,
      [{ full_name: "Ana", city: "Paris", contact_email: null, bio: "old" }],
    );
    expect(out.rows[0]!.values).toEqual({ city: "Lyon", bio: null });
    expect(out).toMatchObject({ acceptedCells: 2, unchangedCells: 2 });
  });
});
