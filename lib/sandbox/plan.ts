import type { ForeignKeyModel, SchemaModel, TableModel } from "@/lib/schema/model";

// The order tables are filled in: parents before children, so every foreign key can be drawn
// from rows that already exist. Self-references and cycles cannot be satisfied that way; those
// keys are "deferred" (left NULL on insert, filled by an update once both sides exist).

export interface DeferredForeignKey {
  table: string;
  foreignKey: ForeignKeyModel;
}

export interface FillPlan {
  /** Tables in fill order. */
  order: TableModel[];
  /** Keys filled after all tables exist (self-references, cycles). */
  deferred: DeferredForeignKey[];
  /** Keys whose parent table is not in the model: always NULL, not declared in the sandbox. */
  dangling: DeferredForeignKey[];
}

export function planFillOrder(model: SchemaModel): FillPlan {
  const byName = new Map(model.tables.map((t) => [t.name, t]));
  const deferred: DeferredForeignKey[] = [];
  const dangling: DeferredForeignKey[] = [];
  const pending = new Map<string, Set<string>>();
  for (const table of model.tables) {
    const parents = new Set<string>();
    for (const fk of table.foreignKeys) {
      if (!byName.has(fk.refTable)) dangling.push({ table: table.name, foreignKey: fk });
      else if (fk.refTable === table.name) deferred.push({ table: table.name, foreignKey: fk });
      else parents.add(fk.refTable);
    }
    pending.set(table.name, parents);
  }

  const order: TableModel[] = [];
  const done = new Set<string>();
  while (order.length < model.tables.length) {
    // Declared order among the tables whose parents are all filled keeps the plan stable.
    let next = model.tables.find((t) => !done.has(t.name) && [...(pending.get(t.name) ?? [])].every((p) => done.has(p)));
    if (!next) {
      // A cycle: fill the first remaining table now and defer its keys to unfilled tables.
      next = model.tables.find((t) => !done.has(t.name)) as TableModel;
      for (const fk of next.foreignKeys) {
        if (byName.has(fk.refTable) && fk.refTable !== next.name && !done.has(fk.refTable)) {
          deferred.push({ table: next.name, foreignKey: fk });
        }
      }
    }
    order.push(next);
    done.add(next.name);
  }
  return { order, deferred, dangling };
}

export function isSameForeignKey(a: ForeignKeyModel, b: ForeignKeyModel): boolean {
  return a.refTable === b.refTable && a.columns.join("\u0000") === b.columns.join("\u0000") && a.refColumns.join("\u0000") === b.refColumns.join("\u0000");
}
