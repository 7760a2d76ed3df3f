import { describe, expect, it } from "vitest";
import type { ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { planFillOrder } from "@/lib/sandbox/plan";

function table(name: string, fks: ForeignKeyModel[] = []): TableModel {
  return { name, columns: [], primaryKey: [], uniqueKeys: [], foreignKeys: fks, checks: [] };
}
const fk = (refTable: string, column = `${refTable}_id`): ForeignKeyModel => ({ columns: [column], refTable, refColumns: ["id"] });

describe("planFillOrder", () => {
  it("puts parents before children and keeps declared order otherwise", () => {
    const model: SchemaModel = { dialect: "duckdb", tables: [table("routes", [fk("airlines"), fk("airports")]), table("airlines"), table("airports"), table("planes")] };
    const plan = planFillOrder(model);
    expect(plan.order.map((t) => t.name)).toEqual(["airlines", "airports", "routes", "planes"]);
    expect(plan.deferred).toEqual([]);
  });

  it("defers self-references and one edge of a cycle", () => {
    const model: SchemaModel = {
      dialect: "duckdb",
      tables: [table("employees", [fk("employees", "manager_id"), fk("departments")]), table("departments", [fk("employees", "head_id")])],
    };
    const plan = planFillOrder(model);
    expect(plan.order.map((t) => t.name)).toEqual(["employees", "departments"]);
    expect(plan.deferred.map((d) => `${d.table}.${d.foreignKey.columns[0]}`).sort()).toEqual(["employees.departments_id", "employees.manager_id"]);
  });

  it("reports keys to tables outside the model as dangling", () => {
    const plan = planFillOrder({ dialect: "duckdb", tables: [table("orders", [fk("customers")])] });
    expect(plan.dangling).toHaveLength(1);
    expect(plan.order.map((t) => t.name)).toEqual(["orders"]);
  });
});
