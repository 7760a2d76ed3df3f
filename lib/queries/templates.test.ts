import { describe, expect, it } from "vitest";
import { COMPLEXITIES } from "@/lib/queries/complexity";
import { findNondeterministicFunctions } from "@/lib/queries/lint";
import { openFlightsModel, sampleFixtureValues } from "@/lib/queries/openflights.fixture";
import { listShapesOfFamily, QUERY_SHAPES, SHAPE_FAMILIES, SHAPE_FAMILY_NAMES, type QueryShape } from "@/lib/queries/shapes";
import { hierarchyModel, sampleHierarchyValues } from "@/lib/queries/templates.fixture";
import { generateTemplateQueries, quoteIdent, sqlLiteral, type QueryDraft } from "@/lib/queries/templates";

const samples = sampleFixtureValues();
const hierarchySamples = sampleHierarchyValues();

function byShape(drafts: QueryDraft[], shape: QueryShape): QueryDraft[] {
  return drafts.filter((d) => d.shape === shape);
}

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

describe("SHAPE_FAMILIES", () => {
  it("puts every shape in exactly one known family, with a label, a description and a complexity level", () => {
    expect(Object.keys(SHAPE_FAMILIES).sort()).toEqual([...QUERY_SHAPES].sort());
    for (const shape of QUERY_SHAPES) {
      const info = SHAPE_FAMILIES[shape];
      expect(SHAPE_FAMILY_NAMES, shape).toContain(info.family);
      expect(COMPLEXITIES, shape).toContain(info.complexity);
      expect(info.label.length, shape).toBeGreaterThan(2);
      expect(info.description.length, shape).toBeGreaterThan(20);
    }
    expect(new Set(QUERY_SHAPES.map((s) => SHAPE_FAMILIES[s].label)).size).toBe(QUERY_SHAPES.length);
  });

  it("leaves no family empty and spans the four complexity levels", () => {
    for (const family of SHAPE_FAMILY_NAMES) expect(listShapesOfFamily(family).length, family).toBeGreaterThan(0);
    expect(new Set(QUERY_SHAPES.map((s) => SHAPE_FAMILIES[s].complexity))).toEqual(new Set(COMPLEXITIES));
    expect(SHAPE_FAMILY_NAMES.flatMap((f) => listShapesOfFamily(f)).sort()).toEqual([...QUERY_SHAPES].sort());
  });
});

describe("generateTemplateQueries", () => {
  const drafts = generateTemplateQueries(openFlightsModel, samples, { seed: 7 });
  const all = generateTemplateQueries(hierarchyModel, hierarchySamples, { seed: 7 });

  it("covers every shape on a schema with a self-reference, foreign keys, categories, numbers and dates", () => {
    expect(new Set(all.map((d) => d.shape))).toEqual(new Set(QUERY_SHAPES));
  });

  it("covers every shape but the recursive one when no table references itself", () => {
    expect(new Set(drafts.map((d) => d.shape))).toEqual(new Set(QUERY_SHAPES.filter((s) => s !== "recursive_cte")));
  });

  it("writes several queries per shape, varying columns, values, aggregates and k", () => {
    expect(drafts.length).toBeGreaterThan(300);
    const several = QUERY_SHAPES.filter((s) => byShape(all, s).length >= 2);
    expect(several.length).toBeGreaterThan(QUERY_SHAPES.length * 0.85);
    expect(new Set(byShape(drafts, "aggregate").map((d) => d.question.agg)).size).toBeGreaterThan(1);
    expect(new Set(byShape(drafts, "top_k").map((d) => d.question.k)).size).toBeGreaterThan(1);
    expect(new Set(byShape(drafts, "filter_equals").map((d) => d.question.value)).size).toBeGreaterThan(3);
  });

  it("tags each draft with its shape's complexity level", () => {
    for (const d of all) expect(d.complexity, d.sql).toBe(SHAPE_FAMILIES[d.shape].complexity);
  });

  it("is reproducible from the seed and varies with it", () => {
    expect(generateTemplateQueries(openFlightsModel, samples, { seed: 7 })).toEqual(drafts);
    const other = generateTemplateQueries(openFlightsModel, samples, { seed: 8 });
    expect(other.map((d) => d.sql)).not.toEqual(drafts.map((d) => d.sql));
  });

  it("never repeats a query", () => {
    expect(new Set(all.map((d) => d.sql)).size).toBe(all.length);
  });

  it("orders before every LIMIT, ending in a key or the group, and uses no nondeterministic function", () => {
    for (const d of all) {
      if (/\bLIMIT\b/.test(d.sql)) {
        expect(d.sql, d.sql).toMatch(/\bORDER BY\b[^()]*\bLIMIT \d+$/);
        const order = d.sql.match(/ORDER BY ([^()]*) LIMIT \d+$/)![1].split(", ").map((k) => k.replace(/ (ASC|DESC)$/, ""));
        const last = order[order.length - 1];
        const column = last.split(".").pop()!;
        // A primary key of a table in the query, or the GROUP BY key (one row per group).
        const isKey = hierarchyModel.tables.some((t) => t.primaryKey.length === 1 && t.primaryKey[0] === column && d.sql.includes(t.name));
        const isGroup = d.sql.includes(`GROUP BY ${last})`) || d.sql.includes(`GROUP BY ${last} `);
        expect(isKey || isGroup, d.sql).toBe(true);
      }
      expect(findNondeterministicFunctions(d.sql), d.sql).toEqual([]);
    }
  });

  it("uses sampled values, escaped, as filter literals, and lists every literal for the question", () => {
    for (const d of all) {
      for (const literal of d.question.literals) {
        const asString = `'${literal.replace(/'/g, "''")}`;
        expect(d.sql.includes(literal) || d.sql.includes(asString), `${d.sql} should contain ${literal}`).toBe(true);
      }
      // Every quoted string in the SQL is a literal the question states (CASE labels included).
      const quoted = [...d.sql.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'").replace(/^%|%$/g, ""));
      for (const q of quoted.filter((x) => !["month", "year"].includes(x))) expect(d.question.literals, d.sql).toContain(q);
    }
    const equals = byShape(drafts, "filter_equals");
    expect(equals.length).toBeGreaterThan(0);
    for (const d of equals) {
      const [table, column] = [d.sql.match(/FROM (\w+)/)![1], d.sql.match(/WHERE (\w+) =/)![1]];
      expect(samples[`${table}.${column}`]).toContain(d.question.value);
    }
  });

  it("keeps a small max covering every shape before repeating one", () => {
    const few = generateTemplateQueries(hierarchyModel, hierarchySamples, { seed: 7, max: QUERY_SHAPES.length });
    expect(few).toHaveLength(QUERY_SHAPES.length);
    expect(new Set(few.map((d) => d.shape)).size).toBe(QUERY_SHAPES.length);
  });

  it("visits every family before a family's second shape, so even a dozen drafts are varied", () => {
    const dozen = generateTemplateQueries(hierarchyModel, hierarchySamples, { seed: 7, max: SHAPE_FAMILY_NAMES.length });
    expect(new Set(dozen.map((d) => SHAPE_FAMILIES[d.shape].family))).toEqual(new Set(SHAPE_FAMILY_NAMES));
  });

  it("generates only the shapes asked for, as many as the full run has", () => {
    const more = generateTemplateQueries(openFlightsModel, samples, { seed: 7, shapes: ["top_k", "join_anti"] });
    expect(new Set(more.map((d) => d.shape))).toEqual(new Set(["top_k", "join_anti"]));
    expect(more.length).toBe(byShape(drafts, "top_k").length + byShape(drafts, "join_anti").length);
    expect(generateTemplateQueries(openFlightsModel, samples, { seed: 7, shapes: [] })).toEqual([]);
  });

  it("caps the drafts of each shape with perShape", () => {
    const capped = generateTemplateQueries(openFlightsModel, samples, { seed: 7, perShape: 2 });
    for (const shape of QUERY_SHAPES) {
      expect(byShape(capped, shape).length, shape).toBe(Math.min(2, byShape(drafts, shape).length));
    }
    expect(generateTemplateQueries(openFlightsModel, samples, { seed: 7, perShape: 1, max: 5 })).toHaveLength(5);
  });

  it("joins along every foreign key", () => {
    const joins = byShape(drafts, "join_filter").map((d) => d.sql);
    expect(joins.some((s) => s.includes("r.airline_id = a.id"))).toBe(true);
    expect(joins.some((s) => s.includes("r.source_airport_id = sa.id"))).toBe(true);
    expect(joins.some((s) => s.includes("r.destination_airport_id = da.id"))).toBe(true);
  });

  it("writes each selection predicate kind", () => {
    const one = (shape: QueryShape) => byShape(all, shape).map((d) => d.sql);
    expect(one("filter_not_equals").every((s) => / <> '/.test(s))).toBe(true);
    for (const d of byShape(all, "filter_in_list")) {
      expect(d.sql).toMatch(/ IN \('[^)]+'\)$/);
      expect(d.question.values!.length).toBeGreaterThanOrEqual(2);
      for (const value of d.question.values!) expect(d.sql).toContain(sqlLiteral(value));
    }
    expect(one("filter_like_contains").every((s) => / LIKE '%[^%]+%'$/.test(s))).toBe(true);
    expect(one("filter_is_null").every((s) => /IS NULL$/.test(s))).toBe(true);
    expect(one("filter_is_not_null").every((s) => /IS NOT NULL$/.test(s))).toBe(true);
    expect(one("filter_compound").every((s) => / (AND|OR) /.test(s))).toBe(true);
    expect(one("count_distinct").every((s) => s.startsWith("SELECT count(DISTINCT "))).toBe(true);
    expect(one("min_max").every((s) => /min\(.*max\(/.test(s))).toBe(true);
  });

  it("joins one, two and three hops, a table to itself, and anti-joins with LEFT JOIN", () => {
    const joins = (sql: string) => (sql.match(/ JOIN /g) ?? []).length;
    expect(byShape(all, "join_path").every((d) => joins(d.sql) === 2)).toBe(true);
    expect(byShape(all, "join_three").every((d) => joins(d.sql) === 3)).toBe(true);
    // routes → airlines → countries: the second hop leaves from the first joined table.
    expect(byShape(all, "join_path").some((d) => /JOIN airlines a ON r\.airline_id = a\.id JOIN countries c ON a\.country = c\.name/.test(d.sql))).toBe(true);
    const self = byShape(all, "join_self").map((d) => d.sql);
    expect(self.some((s) => /JOIN airports sa .* JOIN airports da /.test(s))).toBe(true);
    expect(self.some((s) => /FROM regions r JOIN regions p ON r\.parent_id = p\.region_id/.test(s))).toBe(true);
    for (const d of byShape(all, "join_anti")) expect(d.sql).toMatch(/LEFT JOIN .* WHERE \w+\.\w+ IS NULL$/);
  });

  it("nests subqueries: EXISTS, correlated, in the select list, derived tables and extremes", () => {
    expect(byShape(all, "exists_subquery").every((d) => /WHERE EXISTS \(SELECT 1 FROM \w+ \w+ WHERE \w+\.\w+ = \w+\.\w+ AND /.test(d.sql))).toBe(true);
    for (const d of byShape(all, "correlated_subquery")) {
      const [, outer] = d.sql.match(/FROM \w+ (\w+) WHERE/)!;
      expect(d.sql).toMatch(new RegExp(`\\(SELECT \\w+\\(\\w+\\.\\w+\\) FROM \\w+ \\w+ WHERE \\w+\\.\\w+ = ${outer}\\.\\w+\\)`));
    }
    expect(byShape(all, "scalar_subquery_select").every((d) => /^SELECT \w+\.\w+, \(SELECT count\(\*\) FROM/.test(d.sql))).toBe(true);
    expect(byShape(all, "derived_table").every((d) => /FROM \(SELECT .* GROUP BY .*\) AS per_(parent|group)$/.test(d.sql))).toBe(true);
    expect(byShape(all, "subquery_extreme").every((d) => /= \(SELECT (max|min)\(/.test(d.sql))).toBe(true);
  });

  it("walks a self-reference with a recursive CTE that stops on cycles", () => {
    const recursive = byShape(all, "recursive_cte");
    expect(recursive.length).toBeGreaterThan(0);
    for (const d of recursive) {
      expect(d.sql).toMatch(/^WITH RECURSIVE tree AS \(SELECT region_id AS node FROM regions WHERE name = '[^']+' UNION SELECT c\.region_id FROM regions c JOIN tree ON c\.parent_id = tree\.node\)/);
      expect(d.sql).not.toContain("UNION ALL");
    }
  });

  it("uses windows for ranks, running totals and shares of total, with a total final order", () => {
    for (const d of byShape(all, "window_running_total")) {
      const [, inWindow] = d.sql.match(/OVER \(ORDER BY ([^)]+)\)/)!;
      expect(d.sql.endsWith(`ORDER BY ${inWindow}`), d.sql).toBe(true);
      expect(inWindow).toMatch(/\bid$/);
    }
    expect(byShape(all, "window_share").every((d) => /100\.0 \* (count\(\*\)|sum\(\w+\)) \/ sum\((count\(\*\)|sum\(\w+\))\) OVER \(\)/.test(d.sql))).toBe(true);
    expect(byShape(all, "window_dense_rank").every((d) => /dense_rank\(\) OVER \(ORDER BY \w+ (ASC|DESC)\).* ORDER BY \w+ ASC, id ASC$/.test(d.sql))).toBe(true);
  });

  it("buckets dates by month within a sampled year, or by year, in date order", () => {
    const buckets = byShape(all, "date_bucket");
    expect(new Set(buckets.map((d) => d.question.unit))).toEqual(new Set(["month", "year"]));
    for (const d of buckets) {
      expect(d.sql).toMatch(new RegExp(`^SELECT date_trunc\\('${d.question.unit}', founded\\) AS founded_${d.question.unit}, .* ORDER BY founded_${d.question.unit}$`));
      if (d.question.unit === "month") expect(d.sql).toContain(`extract(year FROM founded) = ${d.question.year}`);
    }
    for (const d of byShape(all, "date_range")) expect(d.sql).toMatch(/BETWEEN DATE '\d{4}-\d{2}-\d{2}' AND DATE '\d{4}-\d{2}-\d{2}'$/);
  });

  it("labels and counts with CASE, and computes percentages", () => {
    expect(byShape(all, "case_label").every((d) => /CASE WHEN \w+ >= [\d.-]+ THEN 'high' ELSE 'low' END/.test(d.sql))).toBe(true);
    expect(byShape(all, "case_pivot").every((d) => /sum\(CASE WHEN .* THEN 1 ELSE 0 END\) AS \w+ FROM \w+ WHERE \w+ IS NOT NULL GROUP BY \w+$/.test(d.sql))).toBe(true);
    expect(byShape(all, "ratio_per_group").every((d) => /100\.0 \* sum\(CASE WHEN .* THEN 1 ELSE 0 END\) \/ count\(\*\) AS percentage .* GROUP BY/.test(d.sql))).toBe(true);
    expect(byShape(all, "ratio_of_sums").every((d) => /100\.0 \* sum\(CASE WHEN .* THEN (\w+) ELSE 0 END\) \/ sum\(\1\) AS percentage/.test(d.sql))).toBe(true);
  });

  it("combines the rows two predicates pick with set operations, within one table too", () => {
    for (const shape of ["set_union", "set_except", "set_intersect"] as const) {
      const within = byShape(all, shape).filter((d) => d.question.conditions);
      expect(within.length, shape).toBeGreaterThan(0);
      for (const d of within) expect(d.sql).toMatch(/^SELECT (\w+) FROM (\w+) WHERE .* (UNION|EXCEPT|INTERSECT) SELECT \1 FROM \2 WHERE /);
    }
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
