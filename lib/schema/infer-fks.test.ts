import { describe, expect, it } from "vitest";
import { applyInferredForeignKeys, inferForeignKeys } from "@/lib/schema/infer-fks";
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";

function col(name: string, type = "BIGINT", extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "other", ...extra };
}
function table(name: string, columns: ColumnModel[], foreignKeys: ForeignKeyModel[] = []): TableModel {
  return { name, columns, primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name), uniqueKeys: [], foreignKeys, checks: [] };
}
const pk = (name: string, type = "BIGINT") => col(name, type, { primaryKey: true, nullable: false });

/** OpenFlights without a single declared foreign key. */
const openflights: SchemaModel = {
  dialect: "duckdb",
  tables: [
    table("countries", [pk("name", "VARCHAR"), col("iso_code", "VARCHAR(2)", { unique: true }), col("dafif_code", "VARCHAR(2)")]),
    table("airlines", [pk("airline_id"), col("name", "VARCHAR"), col("iata", "VARCHAR(2)"), col("country", "VARCHAR"), col("active", "VARCHAR(1)")]),
    table("airports", [pk("airport_id"), col("name", "VARCHAR"), col("city", "VARCHAR"), col("country", "VARCHAR"), col("iata", "VARCHAR(3)"), col("latitude", "DOUBLE"), col("altitude")]),
    table("planes", [pk("plane_id"), col("name", "VARCHAR"), col("iata", "VARCHAR(3)"), col("icao", "VARCHAR(4)")]),
    table("routes", [pk("route_id"), col("airline_id"), col("source_airport_id"), col("destination_airport_id"), col("codeshare", "VARCHAR(1)"), col("stops", "INTEGER"), col("equipment", "VARCHAR")]),
  ],
};

const sig = (t: string, fk: ForeignKeyModel) => `${t}.${fk.columns.join(",")}→${fk.refTable}.${fk.refColumns.join(",")}`;

function suggestions(model: SchemaModel): string[] {
  return applyInferredForeignKeys(model).tables.flatMap((t) => t.foreignKeys.filter((f) => f.origin === "inferred").map((f) => sig(t.name, f))).sort();
}

describe("inferForeignKeys", () => {
  it("suggests the OpenFlights keys from naming alone, and nothing else", () => {
    expect(suggestions(openflights)).toEqual([
      "routes.airline_id→airlines.airline_id",
      "routes.destination_airport_id→airports.airport_id",
      "routes.source_airport_id→airports.airport_id",
    ]);
  });

  it("marks suggestions as inferred, suggested, with a confidence; exact names score above role prefixes", () => {
    const fks = inferForeignKeys(openflights);
    for (const fk of fks) {
      expect(fk.origin).toBe("inferred");
      expect(fk.status).toBe("suggested");
      expect(fk.confidence).toBeGreaterThan(0);
      expect(fk.confidence).toBeLessThanOrEqual(1);
    }
    const airline = fks.find((f) => f.columns[0] === "airline_id")!;
    const source = fks.find((f) => f.columns[0] === "source_airport_id")!;
    expect(airline.confidence!).toBeGreaterThan(source.confidence!);
  });

  it("skips columns a declared key already covers", () => {
    const model = structuredClone(openflights);
    model.tables[4].foreignKeys.push({ columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"] });
    expect(suggestions(model)).not.toContain("routes.airline_id→airlines.airline_id");
    expect(inferForeignKeys(model).map((f) => f.columns[0]).sort()).toEqual(["destination_airport_id", "source_airport_id"]);
  });

  it("is idempotent", () => {
    const once = applyInferredForeignKeys(openflights);
    expect(applyInferredForeignKeys(once)).toEqual(once);
  });

  it("needs a compatible type", () => {
    const model = structuredClone(openflights);
    model.tables[4].columns[1] = col("airline_id", "VARCHAR");
    expect(suggestions(model)).not.toContain("routes.airline_id→airlines.airline_id");
  });

  it("matches singular tables, id primary keys and camelCase names", () => {
    const model: SchemaModel = {
      dialect: "postgres",
      tables: [
        table("customer", [pk("id"), col("email", "VARCHAR")]),
        table("categories", [pk("category_id", "INTEGER")]),
        table("orders", [pk("id"), col("customerId"), col("category_id", "INTEGER"), col("iso_code", "VARCHAR(2)")]),
      ],
    };
    expect(suggestions(model)).toEqual(["orders.category_id→categories.category_id", "orders.customerId→customer.id"]);
  });

  it("suggests self references only for hierarchy names", () => {
    const model: SchemaModel = {
      dialect: "duckdb",
      tables: [table("employees", [pk("employee_id"), col("manager_id"), col("employee_id_copy"), col("name", "VARCHAR")]), table("categories", [pk("id"), col("parent_id")])],
    };
    expect(suggestions(model)).toEqual(["categories.parent_id→categories.id", "employees.manager_id→employees.employee_id"]);
  });

  it("points a column at another table's same-name primary key", () => {
    const model: SchemaModel = {
      dialect: "duckdb",
      tables: [table("stations", [pk("station_code", "VARCHAR")]), table("trips", [pk("trip_id"), col("station_code", "VARCHAR"), col("name", "VARCHAR")])],
    };
    expect(suggestions(model)).toEqual(["trips.station_code→stations.station_code"]);
  });
});

describe("schemas without declared keys (DESCRIBE exports)", () => {
  it("takes a table's leading <table>_id column as its key", () => {
    const model: SchemaModel = {
      dialect: "duckdb",
      tables: [
        { name: "airlines", columns: [col("airline_id"), col("name", "VARCHAR")], primaryKey: [], uniqueKeys: [], foreignKeys: [], checks: [] },
        { name: "routes", columns: [col("route_id"), col("airline_id"), col("stops")], primaryKey: [], uniqueKeys: [], foreignKeys: [], checks: [] },
      ],
    };
    const fks = inferForeignKeys(model);
    expect(fks.map((f) => `${f.columns.join()}->${f.refTable}.${f.refColumns.join()}`)).toContain("airline_id->airlines.airline_id");
    expect(fks.every((f) => f.origin === "inferred" && f.status === "suggested")).toBe(true);
  });
});
