// The OpenFlights test fixture plus a self-referencing table (regions within regions), so that every
// query shape, the recursive one included, has something to build on.
import type { SchemaModel } from "@/lib/schema/model";
import { openFlightsModel, sampleFixtureValues } from "@/lib/queries/openflights.fixture";

export const hierarchyModel: SchemaModel = {
  ...openFlightsModel,
  tables: [
    ...openFlightsModel.tables,
    {
      name: "regions",
      primaryKey: ["region_id"],
      uniqueKeys: [],
      checks: [],
      foreignKeys: [{ columns: ["parent_id"], refTable: "regions", refColumns: ["region_id"] }],
      columns: [
        { name: "region_id", type: "INTEGER", nullable: false, primaryKey: true, unique: false, checks: [], semanticType: "id" },
        { name: "name", type: "VARCHAR", nullable: false, primaryKey: false, unique: false, checks: [], semanticType: "name" },
        { name: "parent_id", type: "INTEGER", nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "id" },
        { name: "kind", type: "VARCHAR", nullable: true, primaryKey: false, unique: false, checks: [], semanticType: "category" },
      ],
    },
  ],
};

/** Sampled values of the fixture, regions included. */
export function sampleHierarchyValues(): Record<string, (string | number | boolean | null)[]> {
  return {
    ...sampleFixtureValues(),
    "regions.region_id": [1, 2, 3, 4, 5],
    "regions.name": ["Europe", "Nordics", "Finland", "Lapland", "Asia"],
    "regions.parent_id": [1, 2, 3],
    "regions.kind": ["continent", "area", "country"],
  };
}
