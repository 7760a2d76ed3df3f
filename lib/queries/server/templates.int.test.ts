// Template queries on real sandboxes of three schemas: the demo (OpenFlights), a shop with a
// self-referencing category tree and a composite key, and a PostgreSQL university. Each sandbox is
// built with generateSandboxFile, sampled the way the queries job samples it, and every generated
// query is parsed, linted, phrased and executed on it. The work happens once, before the tests are
// collected, so the per-shape counts can be read in the test names.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import { getLintHints, lintQuery } from "@/lib/queries/lint";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { sampleValues } from "@/lib/queries/server/service";
import { QUERY_SHAPES, SHAPE_FAMILIES, type QueryShape } from "@/lib/queries/shapes";
import { generateTemplateQueries, type QueryDraft } from "@/lib/queries/templates";
import { TEMPLATE_STYLES, writeQuestion } from "@/lib/questions/templates";
import { toEffectiveSchema, type SchemaModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { parsePostgresDdl } from "@/lib/schema/server/parse-ddl-postgres";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { closeSandboxReader, executeReadOnly } from "@/lib/sql/server/safe-exec";
import { UNIVERSITY_DDL } from "@/test/helpers/schemas";

const SHOP_DDL = `
CREATE TABLE customers (
  customer_id   INTEGER PRIMARY KEY,
  full_name     VARCHAR NOT NULL,
  email         VARCHAR NOT NULL UNIQUE,
  city          VARCHAR,
  country       VARCHAR,
  segment       VARCHAR NOT NULL CHECK (segment IN ('consumer', 'business', 'education')),
  signed_up_on  DATE NOT NULL
);
CREATE TABLE categories (
  category_id  INTEGER PRIMARY KEY,
  name         VARCHAR NOT NULL,
  parent_id    INTEGER REFERENCES categories (category_id)
);
CREATE TABLE products (
  product_id   INTEGER PRIMARY KEY,
  name         VARCHAR NOT NULL,
  category_id  INTEGER NOT NULL REFERENCES categories (category_id),
  brand        VARCHAR,
  unit_price   DECIMAL(10,2) NOT NULL CHECK (unit_price > 0),
  in_stock     INTEGER NOT NULL DEFAULT 0 CHECK (in_stock >= 0),
  launched_on  DATE
);
CREATE TABLE orders (
  order_id          INTEGER PRIMARY KEY,
  customer_id       INTEGER NOT NULL REFERENCES customers (customer_id),
  ordered_at        TIMESTAMP NOT NULL,
  status            VARCHAR NOT NULL CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled')),
  shipping_country  VARCHAR,
  total_amount      DECIMAL(12,2) CHECK (total_amount >= 0)
);
CREATE TABLE order_items (
  order_id    INTEGER NOT NULL REFERENCES orders (order_id),
  product_id  INTEGER NOT NULL REFERENCES products (product_id),
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  unit_price  DECIMAL(10,2) NOT NULL CHECK (unit_price > 0),
  discount    DECIMAL(4,2) DEFAULT 0 CHECK (discount BETWEEN 0 AND 1),
  PRIMARY KEY (order_id, product_id)
);`;


const NO_DATES = "no DATE or TIMESTAMP column";
const NO_SELF_REFERENCE = "no table has a foreign key to itself";

interface SchemaSpec {
  name: string;
  parse: () => Promise<SchemaModel>;
  rows: Record<string, number>;
  /** Fewest distinct valid queries expected. */
  floor: number;
  /** Shapes the schema cannot have, and why. */
  impossible: Partial<Record<QueryShape, string>>;
}

const SPECS: SchemaSpec[] = [
  {
    name: "demo (OpenFlights)",
    parse: async () => (await parseDuckdbDdl(OPENFLIGHTS_DDL)).model,
    rows: OPENFLIGHTS_ROWS,
    floor: 300,
    impossible: {
      date_filter: NO_DATES,
      date_range: NO_DATES,
      date_year_filter: NO_DATES,
      date_year_group: NO_DATES,
      date_bucket: NO_DATES,
      recursive_cte: NO_SELF_REFERENCE,
    },
  },
  {
    name: "shop",
    parse: async () => (await parseDuckdbDdl(SHOP_DDL)).model,
    rows: { customers: 400, categories: 30, products: 300, orders: 2_000, order_items: 5_000 },
    floor: 150,
    impossible: {},
  },
  {
    name: "university",
    parse: async () => (await parsePostgresDdl(UNIVERSITY_DDL)).model,
    rows: { departments: 12, professors: 120, students: 1_500, courses: 200, sections: 600, enrollments: 5_000 },
    floor: 150,
    impossible: {},
  },
];

interface Outcome {
  draft: QueryDraft;
  parseError?: string;
  complexity?: string;
  templateHash?: string;
  lintCodes: string[];
  execError?: string;
  rowCount?: number;
  truncated?: boolean;
}

interface SchemaRun {
  spec: SchemaSpec;
  sandbox: string;
  outcomes: Outcome[];
  counts: Map<QueryShape, { total: number; empty: number }>;
}

const MAX_ROWS = 5_000;
const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-templates-"));

async function runSchema(spec: SchemaSpec, index: number): Promise<SchemaRun> {
  const model = toEffectiveSchema(await spec.parse());
  const sandbox = path.join(dir, `schema-${index}.duckdb`);
  await generateSandboxFile(model, { targetPath: sandbox, seed: 42, rowsPerTable: spec.rows });
  const samples = await sampleValues(sandbox, model);
  const drafts = generateTemplateQueries(model, samples, { seed: 7, max: 2_000 });
  const hints = getLintHints(model);
  const outcomes: Outcome[] = [];
  for (const draft of drafts) {
    const outcome: Outcome = { draft, lintCodes: [] };
    outcomes.push(outcome);
    const analysis = await analyzeSql(draft.sql);
    if (!analysis.ok) {
      outcome.parseError = analysis.error;
      continue;
    }
    outcome.complexity = analysis.complexity;
    outcome.templateHash = analysis.templateHash;
    outcome.lintCodes = lintQuery(draft.sql, analysis.features, { hints })
      .filter((f) => f.severity !== "info")
      .map((f) => f.code);
    try {
      const result = await executeReadOnly(sandbox, draft.sql, { timeoutMs: 10_000, maxRows: MAX_ROWS });
      outcome.rowCount = result.rowCount;
      outcome.truncated = result.truncated;
    } catch (error) {
      outcome.execError = error instanceof Error ? error.message : String(error);
    }
  }
  const counts = new Map<QueryShape, { total: number; empty: number }>();
  for (const o of outcomes) {
    const c = counts.get(o.draft.shape) ?? { total: 0, empty: 0 };
    c.total++;
    if (o.rowCount === 0) c.empty++;
    counts.set(o.draft.shape, c);
  }
  return { spec, sandbox, outcomes, counts };
}

const runs: SchemaRun[] = [];
for (const [i, spec] of SPECS.entries()) runs.push(await runSchema(spec, i));

afterAll(async () => {
  for (const run of runs) await closeSandboxReader(run.sandbox);
  rmSync(dir, { recursive: true, force: true });
});

const share = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;

for (const run of runs) {
  const { spec, outcomes, counts } = run;
  const empty = outcomes.filter((o) => o.rowCount === 0).length;
  const templates = new Set(outcomes.map((o) => o.templateHash).filter(Boolean)).size;

  describe(`template queries on the ${spec.name} sandbox: ${outcomes.length} queries, ${templates} templates, ${share(empty, outcomes.length)} empty`, () => {
    it(`writes at least ${spec.floor} distinct queries, with many structural templates`, () => {
      expect(outcomes.length).toBeGreaterThanOrEqual(spec.floor);
      expect(new Set(outcomes.map((o) => o.draft.sql)).size).toBe(outcomes.length);
      const templates = new Set(outcomes.map((o) => o.templateHash));
      expect(templates.size).toBeGreaterThanOrEqual(80);
    });

    it(`covers every shape but those the schema cannot have: ${Object.entries(spec.impossible).map(([s, why]) => `${s} (${why})`).join(", ") || "none"}`, () => {
      const missing = QUERY_SHAPES.filter((s) => !counts.has(s));
      expect(missing.sort()).toEqual(Object.keys(spec.impossible).sort());
    });

    for (const shape of QUERY_SHAPES.filter((s) => !(s in spec.impossible))) {
      const { total, empty: emptyOfShape } = counts.get(shape) ?? { total: 0, empty: 0 };
      it(`${shape}: ${total} queries, ${emptyOfShape} empty`, () => {
        expect(total, shape).toBeGreaterThanOrEqual(1);
        // A shape whose every query returns nothing gives no useful label.
        expect(emptyOfShape, shape).toBeLessThan(Math.max(2, total));
      });
    }

    it("parses every query, at its shape's complexity, with no lint warning (total order before LIMIT, nothing nondeterministic)", () => {
      for (const o of outcomes) {
        expect(o.parseError, o.draft.sql).toBeUndefined();
        expect(o.complexity, `${o.draft.shape}: ${o.draft.sql}`).toBe(SHAPE_FAMILIES[o.draft.shape].complexity);
        expect(o.complexity, o.draft.sql).toBe(o.draft.complexity);
        expect(o.lintCodes, o.draft.sql).toEqual([]);
      }
    });

    it(`executes every query on the sandbox within the time and ${MAX_ROWS.toLocaleString("en-US")}-row limits, few of them empty`, () => {
      for (const o of outcomes) {
        expect(o.execError, `${o.draft.shape}: ${o.draft.sql}`).toBeUndefined();
        expect(o.truncated, o.draft.sql).toBe(false);
      }
      expect(empty / outcomes.length).toBeLessThan(0.1);
    });

    it("phrases every query in every style, stating its literals", () => {
      for (const [i, o] of outcomes.entries()) {
        for (const style of TEMPLATE_STYLES) {
          const question = writeQuestion(o.draft.question, style, i);
          expect(question, o.draft.sql).not.toMatch(/undefined|NaN|\[object/);
          for (const literal of o.draft.question.literals) expect(question, `${o.draft.sql}\n${question}`).toContain(literal);
        }
      }
    });
  });
}
