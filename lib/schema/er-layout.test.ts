import { describe, expect, it } from "vitest";
import type { ColumnModel, ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";
import {
  buildErGraph,
  columnPairsLabel,
  findTables,
  gridLayout,
  layoutErGraph,
  MAX_VISIBLE_COLUMNS,
  nodeHeight,
  nodeIdFor,
  NODE_WIDTH,
  relationshipsOf,
  resolveTableName,
  SELF_SOURCE_HANDLE,
  SELF_TARGET_HANDLE,
  splitQualifiedName,
  toElkGraph,
  type ErPositions,
} from "@/lib/schema/er-layout";

function col(name: string, extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type: "BIGINT", nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "other", ...extra };
}

function table(name: string, columns: ColumnModel[], foreignKeys: ForeignKeyModel[] = [], extra: Partial<TableModel> = {}): TableModel {
  return { name, columns, primaryKey: columns.filter((c) => c.primaryKey).map((c) => c.name), uniqueKeys: [], foreignKeys, checks: [], ...extra };
}

const pk = (name: string) => col(name, { primaryKey: true, nullable: false });

function flights(): SchemaModel {
  return {
    dialect: "duckdb",
    tables: [
      table("countries", [col("name", { primaryKey: true, type: "VARCHAR" }), col("iso_code", { unique: true })]),
      table("airlines", [pk("airline_id"), col("country", { type: "VARCHAR" })], [{ columns: ["country"], refTable: "countries", refColumns: ["name"] }]),
      table("airports", [pk("airport_id"), col("country", { type: "VARCHAR" })], [{ columns: ["country"], refTable: "countries", refColumns: ["name"] }]),
      table("planes", [pk("plane_id")]),
      table(
        "routes",
        [pk("route_id"), col("airline_id"), col("source_airport_id"), col("destination_airport_id"), col("equipment", { type: "VARCHAR" })],
        [
          { columns: ["airline_id"], refTable: "airlines", refColumns: ["airline_id"] },
          { columns: ["source_airport_id"], refTable: "airports", refColumns: ["airport_id"] },
          { columns: ["destination_airport_id"], refTable: "airports", refColumns: ["airport_id"] },
          { columns: ["equipment"], refTable: "planes", refColumns: ["iata"], origin: "inferred", status: "suggested", confidence: 0.62 },
        ],
      ),
    ],
  };
}

function generated(count: number): SchemaModel {
  const tables: TableModel[] = [];
  for (let i = 0; i < count; i++) {
    const columns = [pk("id"), ...Array.from({ length: i % 20 }, (_, j) => col(`c${j}`, { type: "VARCHAR" }))];
    const fks: ForeignKeyModel[] = [];
    if (i > 0) {
      columns.push(col("parent_id"));
      fks.push({ columns: ["parent_id"], refTable: `s${(i - 1) % 3}.t${Math.floor((i - 1) / 2)}`, refColumns: ["id"] });
    }
    if (i % 7 === 0) {
      columns.push(col("next_id"));
      fks.push({ columns: ["next_id"], refTable: `s${i % 3}.t${i}`, refColumns: ["id"] }); // self-reference
    }
    tables.push(table(`s${i % 3}.t${i}`, columns, fks));
  }
  return { dialect: "postgres", tables };
}

describe("buildErGraph", () => {
  it("makes one node per table and one edge per drawn foreign key", () => {
    const g = buildErGraph(flights());
    expect(g.nodes.map((n) => n.id)).toEqual(["countries", "airlines", "airports", "planes", "routes"].map(nodeIdFor));
    expect(g.edges).toHaveLength(6);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(6);
    const routes = g.nodes.find((n) => n.data.tableName === "routes")!;
    expect(routes.data.columns.map((c) => [c.name, c.primaryKey, c.foreignKey])).toEqual([
      ["route_id", true, false],
      ["airline_id", false, true],
      ["source_airport_id", false, true],
      ["destination_airport_id", false, true],
      ["equipment", false, true],
    ]);
    expect(routes.width).toBe(NODE_WIDTH);
    expect(routes.height).toBe(nodeHeight(5));
  });

  it("keeps both keys between the same two tables, each labelled with its column", () => {
    const g = buildErGraph(flights());
    const toAirports = g.edges.filter((e) => e.sourceTable === "routes" && e.targetTable === "airports");
    expect(toAirports.map((e) => e.label)).toEqual(["source_airport_id → airport_id", "destination_airport_id → airport_id"]);
    expect(toAirports.every((e) => e.kind === "declared" && !e.dashed)).toBe(true);
  });

  it("draws suggested keys dashed with their confidence, confirmed ones solid, dropped ones not at all", () => {
    const model = flights();
    const routes = model.tables.find((t) => t.name === "routes")!;
    routes.foreignKeys.push({ columns: ["route_id"], refTable: "planes", refColumns: ["plane_id"], origin: "inferred", status: "dropped", confidence: 0.3 });
    model.tables.find((t) => t.name === "airports")!.foreignKeys[0] = { columns: ["country"], refTable: "countries", refColumns: ["name"], origin: "inferred", status: "confirmed", confidence: 0.9 };
    const g = buildErGraph(model);
    const suggested = g.edges.find((e) => e.kind === "suggested")!;
    expect(suggested).toMatchObject({ dashed: true, confidence: 0.62, label: "equipment → iata · 62% suggested", targetTable: "planes" });
    const confirmed = g.edges.find((e) => e.sourceTable === "airports")!;
    expect(confirmed).toMatchObject({ kind: "confirmed", dashed: false, label: "country → name · inferred" });
    expect(g.edges.some((e) => e.label.startsWith("route_id"))).toBe(false);
    expect(g.droppedCount).toBe(1);
    // A dropped key does not mark its column as a foreign key.
    expect(g.nodes.find((n) => n.data.tableName === "routes")!.data.columns[0].foreignKey).toBe(false);
  });

  it("hides a declared key someone dropped", () => {
    const model = flights();
    model.tables.find((t) => t.name === "airlines")!.foreignKeys[0].status = "dropped";
    const g = buildErGraph(model);
    expect(g.edges.some((e) => e.sourceTable === "airlines")).toBe(false);
    expect(g.droppedCount).toBe(1);
  });

  it("draws a composite key as one edge labelled with its column pairs", () => {
    const model: SchemaModel = {
      dialect: "duckdb",
      tables: [
        table("flights", [pk("carrier"), pk("number"), pk("day")]),
        table("legs", [pk("leg_id"), col("carrier"), col("flight_number"), col("day")], [{ columns: ["carrier", "flight_number", "day"], refTable: "flights", refColumns: ["carrier", "number", "day"] }]),
      ],
    };
    const g = buildErGraph(model);
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]).toMatchObject({ columns: ["carrier", "flight_number", "day"], refColumns: ["carrier", "number", "day"], label: "carrier, flight_number → number, day" });
    expect(g.nodes[0].data.columns.every((c) => c.primaryKey)).toBe(true);
  });

  it("loops a self-reference through the dedicated handles and keeps it out of the layout", () => {
    const model: SchemaModel = {
      dialect: "duckdb",
      tables: [table("employees", [pk("id"), col("manager_id")], [{ columns: ["manager_id"], refTable: "employees", refColumns: ["id"] }])],
    };
    const g = buildErGraph(model);
    expect(g.edges[0]).toMatchObject({ selfReference: true, source: nodeIdFor("employees"), target: nodeIdFor("employees"), sourceHandle: SELF_SOURCE_HANDLE, targetHandle: SELF_TARGET_HANDLE });
    expect(toElkGraph(g).edges).toEqual([]);
    const rel = relationshipsOf(g, "employees");
    expect(rel.outgoing).toHaveLength(1);
    expect(rel.outgoing[0]).toMatchObject({ otherTable: "employees", selfReference: true });
    expect(rel.incoming).toEqual([]);
  });

  it("resolves schema-qualified names both ways and lists keys to missing tables", () => {
    const model: SchemaModel = {
      dialect: "postgres",
      tables: [
        table("sales.orders", [pk("id"), col("customer_id"), col("region_id"), col("rep_id")], [
          { columns: ["customer_id"], refTable: "customers", refColumns: ["id"] },
          { columns: ["region_id"], refTable: "geo.regions", refColumns: ["id"] },
          { columns: ["rep_id"], refTable: "hr.reps", refColumns: ["id"] },
        ]),
        table("sales.customers", [pk("id")]),
        table("Regions", [pk("id")]),
      ],
    };
    const g = buildErGraph(model);
    expect(g.nodes[0].data).toMatchObject({ tableName: "sales.orders", schemaName: "sales", shortName: "orders" });
    expect(g.nodes[2].data).toMatchObject({ schemaName: null, shortName: "Regions" });
    expect(g.edges.map((e) => e.targetTable)).toEqual(["sales.customers", "Regions"]);
    expect(g.unresolved).toEqual([{ sourceTable: "sales.orders", refTable: "hr.reps", columns: ["rep_id"], refColumns: ["id"], label: "rep_id → id", kind: "declared" }]);
    const rel = relationshipsOf(g, "sales.orders");
    expect(rel.outgoing.map((r) => [r.otherTable, r.otherResolved])).toEqual([
      ["sales.customers", true],
      ["Regions", true],
      ["hr.reps", false],
    ]);
  });

  it("shows the first columns and counts the rest", () => {
    const columns = Array.from({ length: MAX_VISIBLE_COLUMNS + 5 }, (_, i) => col(`c${i}`));
    const g = buildErGraph({ dialect: "duckdb", tables: [table("wide", columns), table("empty", [])] });
    expect(g.nodes[0].data.columns).toHaveLength(MAX_VISIBLE_COLUMNS);
    expect(g.nodes[0].data.hiddenColumnCount).toBe(5);
    expect(g.nodes[0].data.columnCount).toBe(MAX_VISIBLE_COLUMNS + 5);
    expect(g.nodes[0].height).toBeGreaterThan(nodeHeight(MAX_VISIBLE_COLUMNS));
    expect(g.nodes[1].height).toBe(nodeHeight(1));
  });

  it("builds an empty graph for an empty schema", async () => {
    const g = buildErGraph({ dialect: "duckdb", tables: [] });
    expect(g).toEqual({ nodes: [], edges: [], unresolved: [], droppedCount: 0 });
    expect(await layoutErGraph(g)).toEqual({});
  });
});

describe("helpers", () => {
  it("splits qualified names on the last dot", () => {
    expect(splitQualifiedName("public.users")).toEqual({ schemaName: "public", shortName: "users" });
    expect(splitQualifiedName("db.public.users")).toEqual({ schemaName: "db.public", shortName: "users" });
    expect(splitQualifiedName("users")).toEqual({ schemaName: null, shortName: "users" });
    expect(splitQualifiedName(".x")).toEqual({ schemaName: null, shortName: ".x" });
  });
  it("resolves exact, case-insensitive and unique unqualified matches only", () => {
    const names = ["a.users", "b.users", "orders", "Items"];
    expect(resolveTableName(names, "orders")).toBe("orders");
    expect(resolveTableName(names, "ORDERS")).toBe("orders");
    expect(resolveTableName(names, "items")).toBe("Items");
    expect(resolveTableName(names, "x.orders")).toBe("orders");
    expect(resolveTableName(names, "users")).toBeNull(); // ambiguous
    expect(resolveTableName(names, "nope")).toBeNull();
  });
  it("labels column pairs, shortening pairs with the same name", () => {
    expect(columnPairsLabel(["a"], ["a"])).toBe("a");
    expect(columnPairsLabel(["a", "b"], ["x", "b"])).toBe("a → x, b");
  });
});

describe("relationshipsOf and findTables", () => {
  it("lists outgoing and incoming keys", () => {
    const g = buildErGraph(flights());
    const routes = relationshipsOf(g, "routes");
    expect(routes.outgoing.map((r) => r.otherTable)).toEqual(["airlines", "airports", "airports", "planes"]);
    expect(routes.incoming).toEqual([]);
    const airports = relationshipsOf(g, "airports");
    expect(airports.outgoing.map((r) => r.otherTable)).toEqual(["countries"]);
    expect(airports.incoming.map((r) => [r.otherTable, r.label])).toEqual([
      ["routes", "source_airport_id → airport_id"],
      ["routes", "destination_airport_id → airport_id"],
    ]);
  });
  it("ranks exact, then prefix, then substring matches", () => {
    const g = buildErGraph(flights());
    expect(findTables(g, "airports")).toEqual(["airports"]);
    expect(findTables(g, " AIR")).toEqual(["airlines", "airports"]);
    expect(findTables(g, "s")).toEqual(["airlines", "airports", "countries", "planes", "routes"]);
    expect(findTables(g, "t")).toEqual(["airports", "countries", "routes"]);
    expect(findTables(g, "zzz")).toEqual([]);
    expect(findTables(g, "  ")).toEqual([]);
  });
  it("matches unqualified names of schema-qualified tables", () => {
    const g = buildErGraph(generated(30));
    expect(findTables(g, "t1")[0]).toBe("s1.t1");
    expect(findTables(g, "s1.t1")[0]).toBe("s1.t1");
    expect(findTables(g, "s2.t2")).toEqual(["s2.t2", "s2.t20", "s2.t23", "s2.t26", "s2.t29"]);
  });
});

function overlaps(positions: ErPositions, g: ReturnType<typeof buildErGraph>): number {
  let count = 0;
  for (let i = 0; i < g.nodes.length; i++) {
    for (let j = i + 1; j < g.nodes.length; j++) {
      const a = g.nodes[i];
      const b = g.nodes[j];
      const pa = positions[a.id];
      const pb = positions[b.id];
      if (pa.x < pb.x + b.width && pb.x < pa.x + a.width && pa.y < pb.y + b.height && pb.y < pa.y + a.height) count++;
    }
  }
  return count;
}

describe("layout", () => {
  it("places referencing tables left of the tables they reference", async () => {
    const g = buildErGraph(flights());
    const p = await layoutErGraph(g);
    expect(Object.keys(p).sort()).toEqual(g.nodes.map((n) => n.id).sort());
    expect(p[nodeIdFor("routes")].x).toBeLessThan(p[nodeIdFor("airlines")].x);
    expect(p[nodeIdFor("airports")].x).toBeLessThan(p[nodeIdFor("countries")].x);
    expect(overlaps(p, g)).toBe(0);
  });

  it("handles a generated 100-table model: unique ids, every key drawn, no overlapping boxes", async () => {
    const model = generated(100);
    const g = buildErGraph(model);
    expect(g.nodes).toHaveLength(100);
    expect(new Set(g.nodes.map((n) => n.id)).size).toBe(100);
    const fkCount = model.tables.reduce((n, t) => n + t.foreignKeys.length, 0);
    expect(g.edges).toHaveLength(fkCount);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(fkCount);
    expect(g.unresolved).toEqual([]);
    expect(g.edges.filter((e) => e.selfReference)).toHaveLength(15);
    for (const e of g.edges) {
      expect(g.nodes.some((n) => n.id === e.source)).toBe(true);
      expect(g.nodes.some((n) => n.id === e.target)).toBe(true);
    }
    const elk = toElkGraph(g);
    expect(elk.children).toHaveLength(100);
    expect(elk.edges).toHaveLength(fkCount - 15);

    const started = performance.now();
    const p = await layoutErGraph(g);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(Object.keys(p)).toHaveLength(100);
    expect(overlaps(p, g)).toBe(0);
  });

  it("falls back to a non-overlapping grid", () => {
    const g = buildErGraph(generated(10));
    const p = gridLayout(g);
    expect(Object.keys(p)).toHaveLength(10);
    expect(overlaps(p, g)).toBe(0);
  });
});
