import { describe, expect, it } from "vitest";
import { changedElements, diffSchemas, groupDiff, isEmptyDiff, summarizeDiff } from "@/lib/schema/diff";
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";

function col(name: string, type = "BIGINT", extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "other", ...extra };
}
function table(name: string, columns: ColumnModel[], extra: Partial<TableModel> = {}): TableModel {
  return { name, columns, primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name), uniqueKeys: [], foreignKeys: [], checks: [], ...extra };
}
const pk = (name: string, type = "BIGINT") => col(name, type, { primaryKey: true, nullable: false });

const base: SchemaModel = {
  dialect: "duckdb",
  tables: [
    table("airlines", [pk("airline_id"), col("name", "VARCHAR", { nullable: false }), col("country", "VARCHAR")]),
    table("airports", [pk("airport_id"), col("name", "VARCHAR"), col("city", "VARCHAR"), col("altitude"), col("timezone", "DOUBLE")]),
    table("planes", [pk("plane_id"), col("name", "VARCHAR"), col("iata", "VARCHAR(3)")]),
    table("routes", [pk("route_id"), col("airline_id"), col("source_airport_id"), col("stops", "INTEGER")], {
      foreignKeys: [
        { columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"] },
        { columns: ["source_airport_id"], refTable: "airports", refColumns: ["airport_id"], origin: "inferred", status: "suggested", confidence: 0.8 },
      ],
    }),
  ],
};

function edit(fn: (m: SchemaModel) => void): SchemaModel {
  const m = structuredClone(base);
  fn(m);
  return m;
}
const t = (m: SchemaModel, name: string) => m.tables.find((x) => x.name === name)!;

describe("diffSchemas", () => {
  it("finds nothing between equal schemas", () => {
    const d = diffSchemas(base, structuredClone(base));
    expect(isEmptyDiff(d)).toBe(true);
    expect(summarizeDiff(d)).toEqual([]);
  });

  it("reports a dropped table and a column renamed in place", () => {
    const next = edit((m) => {
      m.tables = m.tables.filter((x) => x.name !== "planes");
      t(m, "airports").columns[3] = col("elevation");
    });
    const d = diffSchemas(base, next);
    expect(d.tablesRemoved).toEqual(["planes"]);
    expect(d.tables).toEqual([expect.objectContaining({ table: "airports", columnsRenamed: [{ from: "altitude", to: "elevation" }], columnsAdded: [], columnsRemoved: [] })]);
    expect(groupDiff(d)).toEqual({ added: [], removed: ["Table planes removed"], renamed: ["Column airports.altitude looks renamed to airports.elevation"], changed: [] });
    const changed = changedElements(d);
    expect([...changed.tables]).toEqual(["planes"]);
    expect([...changed.columns]).toEqual(["airports.altitude"]);
  });

  it("matches a moved column by a similar name, and does not pair columns of different types", () => {
    const next = edit((m) => {
      const a = t(m, "airports");
      a.columns = [a.columns[0], a.columns[1], a.columns[2], a.columns[4], col("altitude_ft"), col("iata", "VARCHAR(3)")];
      a.columns = a.columns.filter((c) => c.name !== "timezone");
      a.columns.push(col("tz", "VARCHAR"));
    });
    const d = diffSchemas(base, next);
    const a = d.tables.find((x) => x.table === "airports")!;
    expect(a.columnsRenamed).toEqual([{ from: "altitude", to: "altitude_ft" }]);
    expect(a.columnsRemoved).toEqual(["timezone"]);
    expect(a.columnsAdded.sort()).toEqual(["iata", "tz"]);
  });

  it("reports a renamed-looking table when most columns match", () => {
    const next = edit((m) => {
      t(m, "planes").name = "aircraft";
    });
    const d = diffSchemas(base, next);
    expect(d.tablesRenamed).toEqual([{ from: "planes", to: "aircraft" }]);
    expect(d.tablesAdded).toEqual([]);
    expect(d.tablesRemoved).toEqual([]);
    expect(changedElements(d).tables).toEqual(new Set(["planes"]));
  });

  it("treats a replaced table with different columns as removed and added", () => {
    const next = edit((m) => {
      m.tables = m.tables.filter((x) => x.name !== "planes");
      m.tables.push(table("aircraft", [pk("aircraft_code", "VARCHAR"), col("model", "VARCHAR"), col("seats", "INTEGER")]));
    });
    const d = diffSchemas(base, next);
    expect(d.tablesRenamed).toEqual([]);
    expect(d.tablesRemoved).toEqual(["planes"]);
    expect(d.tablesAdded).toEqual(["aircraft"]);
  });

  it("reports type, nullability and key changes", () => {
    const next = edit((m) => {
      t(m, "routes").columns[3] = col("stops", "BIGINT");
      t(m, "airlines").columns[1] = col("name", "VARCHAR", { nullable: true });
      t(m, "routes").foreignKeys = [];
      t(m, "planes").columns[2] = col("iata", "VARCHAR(3)", { unique: true });
    });
    const d = diffSchemas(base, next);
    expect(summarizeDiff(d).sort()).toEqual(
      [
        "Column airlines.name NOT NULL → nullable",
        "Column routes.stops type INTEGER → BIGINT",
        "Table planes: unique key (iata) added",
        "Table routes: foreign key (airline_id) → airlines(airline_id) removed",
      ].sort(),
    );
    expect(changedElements(d).columns).toEqual(new Set(["airlines.name", "routes.stops", "routes.airline_id", "planes.iata"]));
  });

  it("ignores suggested foreign keys and counts confirmed ones", () => {
    const confirmed = edit((m) => {
      t(m, "routes").foreignKeys[1].status = "confirmed";
    });
    expect(diffSchemas(base, edit(() => {})).tables).toEqual([]);
    expect(summarizeDiff(diffSchemas(base, confirmed))).toEqual(["Table routes: foreign key (source_airport_id) → airports(airport_id) added"]);
  });

  it("does not report a key change for a renamed key column", () => {
    const next = edit((m) => {
      const r = t(m, "routes");
      r.columns[1] = col("carrier_id");
      r.foreignKeys[0] = { columns: ["carrier_id"], refTable: "airlines", refColumns: ["airline_id"] };
    });
    const d = diffSchemas(base, next);
    expect(summarizeDiff(d)).toEqual(["Column routes.airline_id looks renamed to routes.carrier_id"]);
  });
});
