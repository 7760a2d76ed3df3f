import { describe, expect, it } from "vitest";
import { collectComparedConstants, collectTableAliases, MAX_CONSTANTS_PER_COLUMN, resolveConstants, type ComparedConstant } from "@/lib/queries/constants";
import { openFlightsModel } from "@/lib/queries/openflights.fixture";
import type { SchemaModel } from "@/lib/schema/model";

// Walking real parse trees is covered in server/constants.int.test.ts; these cover resolution.

const c = (qualifier: string | null, column: string, value: ComparedConstant["value"]): ComparedConstant => ({ qualifier, column, value });

const salesModel: SchemaModel = {
  dialect: "duckdb",
  tables: ["sales.orders", "archive.orders"].map((name) => ({
    name,
    columns: [
      { name: "Status", type: "VARCHAR", canonicalType: "text" as const, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "category" as const },
      { name: "total", type: "DECIMAL(10,2)", canonicalType: "decimal" as const, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "money" as const },
    ],
    primaryKey: [],
    uniqueKeys: [],
    foreignKeys: [],
    checks: [],
  })),
};

describe("resolveConstants", () => {
  it("resolves a qualifier through the query's aliases", () => {
    const resolved = resolveConstants(
      [{ constants: [c("a", "country", "France"), c("C", "iso_code", "FR")], tables: ["airlines", "countries"], aliases: { a: "airlines", c: "countries" } }],
      openFlightsModel,
    );
    expect(resolved).toEqual({ "airlines.country": ["France"], "countries.iso_code": ["FR"] });
  });

  it("takes a qualifier that is no alias as a table name, case-insensitively", () => {
    expect(resolveConstants([{ constants: [c("AIRPORTS", "City", "Paris")], tables: ["airports"] }], openFlightsModel)).toEqual({ "airports.city": ["Paris"] });
  });

  it("gives an unqualified column to the only table of the query that has it, and drops ambiguous ones", () => {
    const resolved = resolveConstants(
      [{ constants: [c(null, "altitude", 100), c(null, "name", "Orly"), c(null, "iso_code", "FR")], tables: ["airports", "countries"] }],
      openFlightsModel,
    );
    expect(resolved).toEqual({ "airports.altitude": [100], "countries.iso_code": ["FR"] });
  });

  it("falls back to the unqualified rule when a qualifier names a CTE or subquery", () => {
    expect(resolveConstants([{ constants: [c("fr", "altitude", 50)], tables: ["airports"], aliases: {} }], openFlightsModel)).toEqual({
      "airports.altitude": [50],
    });
  });

  it("drops a column the qualified table does not have, and tables or columns the model does not know", () => {
    const resolved = resolveConstants(
      [{ constants: [c("a", "altitude", 1), c(null, "colour", "red"), c("x", "name", "y")], tables: ["airlines", "ghosts"], aliases: { a: "airlines", x: "ghosts" } }],
      openFlightsModel,
    );
    expect(resolved).toEqual({});
  });

  it("merges queries, dedupes by type and value, and keeps first-seen order", () => {
    const resolved = resolveConstants(
      [
        { constants: [c(null, "active", "Y"), c(null, "active", "N")], tables: ["airlines"] },
        { constants: [c(null, "active", "Y"), c(null, "active", true)], tables: ["airlines"] },
      ],
      openFlightsModel,
    );
    expect(resolved).toEqual({ "airlines.active": ["Y", "N", true] });
  });

  it("gives numeric columns numbers and drops what cannot be one", () => {
    const resolved = resolveConstants(
      [{ constants: [c(null, "altitude", "1000"), c(null, "altitude", 1000), c(null, "altitude", "high"), c(null, "altitude", true), c(null, "latitude", "-12.5")], tables: ["airports"] }],
      openFlightsModel,
    );
    expect(resolved).toEqual({ "airports.altitude": [1000], "airports.latitude": [-12.5] });
  });

  it(`caps each column at ${MAX_CONSTANTS_PER_COLUMN} values`, () => {
    const many = Array.from({ length: 80 }, (_, i) => c(null, "stops", i));
    const resolved = resolveConstants([{ constants: many, tables: ["routes"] }], openFlightsModel);
    expect(resolved["routes.stops"]).toHaveLength(MAX_CONSTANTS_PER_COLUMN);
    expect(resolved["routes.stops"].slice(0, 3)).toEqual([0, 1, 2]);
  });

  it("matches schema-qualified model tables by full name, or by bare name when only one table has it", () => {
    const resolved = resolveConstants(
      [
        { constants: [c("o", "status", "open")], tables: ["orders"], aliases: { o: "sales.orders" } },
        { constants: [c("archive.orders", "total", "9.5")], tables: ["orders"] },
        // Two schemas hold an "orders": a bare name is ambiguous.
        { constants: [c(null, "status", "lost")], tables: ["orders"] },
      ],
      salesModel,
    );
    expect(resolved).toEqual({ "sales.orders.Status": ["open"], "archive.orders.total": [9.5] });
  });
});

describe("tree walkers on what is not a parse tree", () => {
  it("return nothing", () => {
    for (const junk of [null, undefined, 42, "SELECT 1", [], {}]) {
      expect(collectComparedConstants(junk)).toEqual([]);
      expect(collectTableAliases(junk)).toEqual({});
    }
  });
});
