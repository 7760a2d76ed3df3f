import { describe, expect, it } from "vitest";
import type { ColumnModel, SchemaModel } from "@/lib/schema/model";
import { renderSchemaPrompt } from "@/lib/schema/prompt";

function col(name: string, type: string, extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "other", ...extra };
}

const model: SchemaModel = {
  dialect: "duckdb",
  tables: [
    {
      name: "airlines",
      description: "Airlines,\ncurrent and defunct",
      primaryKey: ["airline_id"],
      uniqueKeys: [],
      foreignKeys: [],
      checks: [],
      columns: [
        col("airline_id", "BIGINT", { primaryKey: true, nullable: false }),
        col("name", "VARCHAR", { nullable: false }),
        col("active", "VARCHAR(1)", { checks: ["(active IN ('Y', 'N'))"], description: "Y if operating" }),
        col("secret_note", "VARCHAR"),
      ],
    },
    {
      name: "routes",
      primaryKey: ["airline_id", "seq"],
      uniqueKeys: [["src", "dst"]],
      foreignKeys: [{ columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"] }],
      checks: ["(src <> dst)"],
      columns: [
        col("airline_id", "BIGINT", { primaryKey: true, nullable: false }),
        col("seq", "INTEGER", { primaryKey: true, nullable: false }),
        col("src", "BIGINT"),
        col("dst", "BIGINT"),
        col("order", "INTEGER", { unique: true }),
      ],
    },
  ],
};

describe("renderSchemaPrompt", () => {
  it("renders compact CREATE TABLE statements with keys and comments", () => {
    expect(renderSchemaPrompt(model)).toBe(
      [
        "-- Airlines, current and defunct",
        "CREATE TABLE airlines (",
        "  airline_id BIGINT PRIMARY KEY,",
        "  name VARCHAR NOT NULL,",
        "  active VARCHAR(1) CHECK (active IN ('Y', 'N')), -- Y if operating",
        "  secret_note VARCHAR",
        ");",
        "",
        "CREATE TABLE routes (",
        "  airline_id BIGINT NOT NULL REFERENCES airlines(airline_id),",
        "  seq INTEGER NOT NULL,",
        "  src BIGINT,",
        "  dst BIGINT,",
        '  "order" INTEGER UNIQUE,',
        "  PRIMARY KEY (airline_id, seq),",
        "  UNIQUE (src, dst),",
        "  CHECK (src <> dst)",
        ");",
      ].join("\n"),
    );
  });

  it("leaves out excluded columns and every constraint that names them", () => {
    const text = renderSchemaPrompt(model, { excludeColumns: new Set(["airlines.secret_note", "routes.dst", "routes.seq"]) });
    expect(text).not.toContain("secret_note");
    expect(text).not.toMatch(/\bdst\b/);
    expect(text).not.toContain("PRIMARY KEY (airline_id, seq)");
    expect(text).not.toContain("UNIQUE (src");
    expect(text).toContain("  name VARCHAR NOT NULL,\n  active VARCHAR(1)");
    expect(text).toContain('  "order" INTEGER UNIQUE\n);');
  });

  it("is deterministic", () => {
    expect(renderSchemaPrompt(model)).toBe(renderSchemaPrompt(structuredClone(model)));
  });
});
