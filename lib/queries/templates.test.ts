import { describe, expect, it } from "vitest";
import { findNondeterministicFunctions } from "@/lib/queries/lint";
import { openFlightsModel, sampleFixtureValues } from "@/lib/queries/openflights.fixture";
import { QUERY_SHAPES } from "@/lib/queries/shapes";
import { generateTemplateQueries, quoteIdent, sqlLiteral } from "@/lib/queries/templates";

const samples = sampleFixtureValues();

describe("quoteIdent", () => {
  it("leaves plain snake-case names alone and quotes the rest", () => {
    expect(quoteIdent("source_airport_id")).toBe("source_airport_id");
    expect(quoteIdent("order")).toBe('"order"');
    expect(quoteIdent("Name")).toBe('"Name"');
    expect(quoteIdent("my col")).toBe('"my col"');
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteIdent("1st")).toBe('"1st"');
  });
});

describe("sqlLiteral", () => {
  it("doubles single quotes and writes numbers, booleans and NULL bare", () => {
    expect(sqlLiteral("Côte d'Ivoire")).toBe("'Côte d''Ivoire'");
    expect(sqlLiteral(12.5)).toBe("12.5");
    expect(sqlLiteral(true)).toBe("TRUE");
    expect(sqlLiteral(null)).toBe("NULL");
    expect(() => sqlLiteral(Number.NaN)).toThrow();
  });
});

describe("generateTemplateQueries", () => {
  const drafts = generateTemplateQueries(openFlightsModel, samples, { seed: 7 });

  it("covers every shape on a schema with foreign keys, categories, numbers and dates", () => {
    expect(new Set(drafts.map((d) => d.shape))).toEqual(new Set(QUERY_SHAPES));
  });

  it("is reproducible from the seed and varies with it", () => {
    expect(generateTemplateQueries(openFlightsModel, samples, { seed: 7 })).toEqual(drafts);
    const other = generateTemplateQueries(openFlightsModel, samples, { seed: 8 });
    expect(other.map((d) => d.sql)).not.toEqual(drafts.map((d) => d.sql));
  });

  it("never repeats a query", () => {
    expect(new Set(drafts.map((d) => d.sql)).size).toBe(drafts.length);
  });

  it("orders before every LIMIT and uses no nondeterministic function", () => {
    for (const d of drafts) {
      if (/\bLIMIT\b/.test(d.sql)) expect(d.sql, d.sql).toMatch(/\bORDER BY\b[^()]*\bLIMIT \d+$/);
      expect(findNondeterministicFunctions(d.sql), d.sql).toEqual([]);
    }
  });

  it("uses sampled values, escaped, as filter literals", () => {
    for (const d of drafts) {
      for (const literal of d.question.literals) {
        const asString = `'${literal.replace(/'/g, "''")}`;
        expect(d.sql.includes(literal) || d.sql.includes(asString), `${d.sql} should contain ${literal}`).toBe(true);
      }
    }
    const equals = drafts.filter((d) => d.shape === "filter_equals");
    expect(equals.length).toBeGreaterThan(0);
    for (const d of equals) {
      const [table, column] = [d.sql.match(/FROM (\w+)/)![1], d.sql.match(/WHERE (\w+) =/)![1]];
      expect(samples[`${table}.${column}`]).toContain(d.question.value);
    }
  });

  it("keeps a small max covering many shapes before repeating one", () => {
    const few = generateTemplateQueries(openFlightsModel, samples, { seed: 7, max: QUERY_SHAPES.length });
    expect(few).toHaveLength(QUERY_SHAPES.length);
    expect(new Set(few.map((d) => d.shape)).size).toBe(QUERY_SHAPES.length);
  });

  it("joins along every foreign key", () => {
    const joins = drafts.filter((d) => d.shape === "join_filter").map((d) => d.sql);
    expect(joins.some((s) => s.includes("r.airline_id = a.id"))).toBe(true);
    expect(joins.some((s) => s.includes("r.source_airport_id = sa.id"))).toBe(true);
    expect(joins.some((s) => s.includes("r.destination_airport_id = da.id"))).toBe(true);
  });

  it("quotes awkward table and column names", () => {
    const model = {
      dialect: "duckdb" as const,
      tables: [
        {
          name: "Order Lines",
          primaryKey: ["id"],
          uniqueKeys: [],
          foreignKeys: [],
          checks: [],
          columns: [
            { name: "id", type: "INTEGER", nullable: false, primaryKey: true, unique: false, checks: [], semanticType: "id" as const },
            { name: "group", type: "VARCHAR", nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "category" as const },
          ],
        },
      ],
    };
    const out = generateTemplateQueries(model, { "Order Lines.group": ["a'b", "c"] }, { seed: 1 });
    expect(out.length).toBeGreaterThan(0);
    for (const d of out) expect(d.sql).toContain('"Order Lines"');
    expect(out.some((d) => d.sql.includes(`"group" = 'a''b'`) || d.sql.includes(`"group" = 'c'`))).toBe(true);
  });
});
