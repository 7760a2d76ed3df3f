import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import { NotFoundError, ValidationError } from "@/lib/errors";
import type { SchemaModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { quoteTable } from "@/lib/sandbox/ddl";
import { augmentSandbox, type AugmentTarget } from "@/lib/sandbox/server/augment";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { contentHash, count, expectIntegrity, withReadOnly } from "@/test/helpers/sandbox-files";

const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-augment-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

async function rowCounts(file: string, model: SchemaModel): Promise<Record<string, number>> {
  return withReadOnly(file, async (run) => {
    const out: Record<string, number> = {};
    for (const t of model.tables) out[t.name] = await count(run, `SELECT count(*) FROM ${quoteTable(t.name)}`);
    return out;
  });
}

describe("augmentSandbox", () => {
  const source = path.join(dir, "openflights.duckdb");
  const target = path.join(dir, "openflights-augmented.duckdb");
  let model: SchemaModel;
  let sourceSha: string;
  let targets: AugmentTarget[];
  let result: Awaited<ReturnType<typeof augmentSandbox>>;
  const progress: [number, number, string][] = [];

  beforeAll(async () => {
    model = (await parseDuckdbDdl(OPENFLIGHTS_DDL)).model;
    await generateSandboxFile(model, { targetPath: source, seed: 42, rowsPerTable: OPENFLIGHTS_ROWS });
    sourceSha = sha256(source);
    // Two filters that each find rows but never together: a country whose airlines fly no route with two stops.
    const country = await withReadOnly(source, async (run) => {
      const rows = await run(`SELECT al.country FROM routes r JOIN airlines al ON al.airline_id = r.airline_id
        WHERE al.country IS NOT NULL GROUP BY 1 HAVING count(*) FILTER (WHERE r.stops = 2) = 0 ORDER BY count(*) DESC, 1 LIMIT 1`);
      expect(await count(run, `SELECT count(*) FROM routes WHERE stops = 2`)).toBeGreaterThan(0);
      return String(rows[0]![0]).replace(/'/g, "''");
    });
    targets = [
      { id: "anti-join", sql: "SELECT c.name FROM countries c WHERE NOT EXISTS (SELECT 1 FROM airports a WHERE a.country = c.name)" },
      { id: "left-anti-join", sql: "SELECT al.name FROM airlines al LEFT JOIN routes r ON r.airline_id = al.airline_id WHERE r.route_id IS NULL" },
      { id: "equality", sql: "SELECT name, city FROM airports WHERE country = 'Atlantis' ORDER BY name" },
      { id: "range", sql: "SELECT name, altitude FROM airports WHERE altitude > 20000" },
      { id: "join", sql: `SELECT r.route_id, al.name FROM routes r JOIN airlines al ON al.airline_id = r.airline_id WHERE al.country = '${country}' AND r.stops = 2;` },
      { id: "in-list", sql: "SELECT name FROM planes WHERE iata IN ('ZZ1', 'ZZ2')" },
      { id: "between", sql: "SELECT route_id, stops FROM routes WHERE stops BETWEEN 5 AND 7 -- more than two stops" },
      { id: "like", sql: "SELECT name FROM airlines WHERE name LIKE 'Zq%Air'" },
      { id: "except", sql: "SELECT country FROM airlines WHERE country IS NOT NULL EXCEPT SELECT country FROM airports WHERE country IS NOT NULL" },
      { id: "intersect", sql: "SELECT name FROM airports WHERE country = 'Atlantis' INTERSECT SELECT name FROM airports WHERE altitude = 12345" },
      { id: "group-size", sql: "SELECT dafif_code, count(*) AS n FROM countries WHERE dafif_code IS NOT NULL GROUP BY dafif_code HAVING count(*) >= 3" },
      { id: "like-too-long", sql: "SELECT name FROM airlines WHERE iata LIKE 'ABC%'" },
      { id: "check", sql: "SELECT name FROM airlines WHERE active = 'X'" },
      { id: "expression", sql: "SELECT name FROM airports WHERE lower(name) = 'nowhere international'" },
      { id: "having", sql: "SELECT country FROM airports GROUP BY country HAVING count(*) > 100000" },
      { id: "delete", sql: "DELETE FROM airports" },
      { id: "two-statements", sql: "SELECT 1 FROM planes WHERE plane_id < 0; DROP TABLE planes" },
      { id: "not-empty", sql: "SELECT name FROM countries" },
    ];
    result = await augmentSandbox(source, target, model, targets, {
      totalQueries: 40,
      maxEmptyShare: 0,
      seed: 7,
      onProgress: (done, total, message) => void progress.push([done, total, message]),
    });
  });

  const fixable = ["anti-join", "left-anti-join", "equality", "range", "join", "in-list", "between", "like", "except", "intersect", "group-size"];

  it("makes the queries it fixes return rows on the new file, which returned none on the source", async () => {
    expect([...result.fixed].sort()).toEqual([...fixable].sort());
    expect(result.alreadyNonEmpty).toEqual(["not-empty"]);
    expect(result.emptyBefore).toBe(targets.length - 1);
    expect(result.emptyAfter).toBe(result.emptyBefore - fixable.length);
    const sqlOf = (id: string) => targets.find((t) => t.id === id)!.sql.replace(/;\s*$/, "");
    await withReadOnly(source, async (run) => {
      for (const id of fixable) expect(await count(run, `SELECT count(*) FROM (\n${sqlOf(id)}\n)`), `${id} on the source`).toBe(0);
    });
    await withReadOnly(target, async (run) => {
      for (const id of fixable) expect(await count(run, `SELECT count(*) FROM (\n${sqlOf(id)}\n)`), `${id} on the new file`).toBeGreaterThan(0);
      for (const id of ["like-too-long", "check", "expression", "having"]) {
        expect(await count(run, `SELECT count(*) FROM (\n${sqlOf(id)}\n)`), `${id} stays empty`).toBe(0);
      }
      // The new airport's country is a new countries row, so airports.country → countries.name holds.
      expect(await count(run, `SELECT count(*) FROM airports a JOIN countries c ON c.name = a.country WHERE c.name = 'Atlantis'`)).toBeGreaterThan(0);
    });
    expect(progress.at(-1)).toEqual([targets.length, targets.length, "Sandbox augmented"]);
  });

  it("says why each query it could not fix stays empty", () => {
    const reasons = Object.fromEntries(result.stillEmpty.map((s) => [s.id, s.reason]));
    expect(Object.keys(reasons).sort()).toEqual(["check", "delete", "expression", "having", "like-too-long", "two-statements"]);
    expect(reasons["like-too-long"]).toMatch(/LIKE pattern \(LIKE 'ABC%'\).*VARCHAR\(2\)/);
    expect(reasons.check).toMatch(/^constraint: CHECK .*active IN \('Y', 'N'\)/);
    expect(reasons.expression).toMatch(/expression \(lower\)/);
    expect(reasons.having).toMatch(/HAVING/);
    expect(reasons.delete).toMatch(/^refused: .*DELETE/);
    expect(reasons["two-statements"]).toMatch(/^refused: /);
  });

  it("never touches the source file and returns the size and hash of the one it wrote", () => {
    expect(sha256(source)).toBe(sourceSha);
    expect(result.sha256).toBe(sha256(target));
    expect(result.bytes).toBe(readFileSync(target).length);
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
  });

  it("keeps every key, NOT NULL, CHECK, declared length and foreign key", async () => {
    await expectIntegrity(target, model);
  });

  it("reports exactly the rows it added, a few per query", async () => {
    const before = await rowCounts(source, model);
    const after = await rowCounts(target, model);
    const diff = Object.fromEntries(model.tables.map((t) => [t.name, after[t.name]! - before[t.name]!]).filter(([, n]) => n !== 0));
    expect(result.rowsAdded).toEqual(diff);
    const total = Object.values(result.rowsAdded).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(fixable.length);
    expect(total).toBeLessThanOrEqual(fixable.length * 3);
  });

  it("gives the same rows for the same seed", async () => {
    const again = path.join(dir, "again.duckdb");
    const second = await augmentSandbox(source, again, model, targets, { totalQueries: 40, maxEmptyShare: 0, seed: 7 });
    expect(second.fixed).toEqual(result.fixed);
    expect(await contentHash(again, model)).toBe(await contentHash(target, model));
  });

  it("stops once the empty share is within maxEmptyShare, or the row budget is spent", async () => {
    const five = ["equality", "range", "in-list", "between", "like"].map((id) => targets.find((t) => t.id === id)!);
    const shareTarget = path.join(dir, "share.duckdb");
    // 5 of 10 empty; at most 30% allowed: two fixes are enough.
    const share = await augmentSandbox(source, shareTarget, model, five, { totalQueries: 10, maxEmptyShare: 0.3, seed: 7 });
    expect(share.fixed).toEqual(["equality", "range"]);
    expect(share.emptyAfter).toBe(3);
    expect(share.stillEmpty.map((s) => s.id)).toEqual(["in-list", "between", "like"]);
    for (const s of share.stillEmpty) expect(s.reason).toMatch(/^not tried: 3 of 10 queries empty is within the 30% allowed/);
    expect(await rowCounts(shareTarget, model)).toEqual(
      Object.fromEntries(Object.entries(await rowCounts(source, model)).map(([t, n]) => [t, n + (share.rowsAdded[t] ?? 0)])),
    );

    // Already within the share: nothing is tried, and the copy equals the source.
    const none = await augmentSandbox(source, path.join(dir, "none.duckdb"), model, five, { totalQueries: 100, seed: 7 });
    expect(none.fixed).toEqual([]);
    expect(none.rowsAdded).toEqual({});
    expect(none.emptyAfter).toBe(5);

    // The Atlantis airport needs two rows (a country and the airport); a budget of 2 stops after it.
    const budget = await augmentSandbox(source, path.join(dir, "budget.duckdb"), model, five, { totalQueries: 10, maxEmptyShare: 0, maxRowsTotal: 2, seed: 7 });
    expect(budget.fixed).toEqual(["equality"]);
    expect(budget.rowsAdded).toEqual({ countries: 1, airports: 1 });
    expect(budget.stillEmpty[0]!.reason).toMatch(/budget of 2 new rows is spent/);
  });

  it("leaves nothing at targetPath when cancelled", async () => {
    const cancelled = path.join(dir, "cancelled.duckdb");
    let checks = 0;
    await expect(
      augmentSandbox(source, cancelled, model, targets, { totalQueries: 40, maxEmptyShare: 0, seed: 7, isCancelled: () => ++checks > targets.length + 3 }),
    ).rejects.toThrow("Cancelled");
    expect(checks).toBeGreaterThan(targets.length + 3);
    expect(readdirSync(dir).filter((f) => f.startsWith("cancelled"))).toEqual([]);
    expect(existsSync(cancelled)).toBe(false);
    expect(sha256(source)).toBe(sourceSha);
  });

  it("refuses to write over its source, a missing source, or a share of more queries than there are", async () => {
    await expect(augmentSandbox(source, source, model, targets, { totalQueries: 40, seed: 1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(augmentSandbox(source, path.join(dir, "x.duckdb"), model, targets, { totalQueries: 3, seed: 1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(augmentSandbox(path.join(dir, "missing.duckdb"), path.join(dir, "y.duckdb"), model, targets, { totalQueries: 40, seed: 1 })).rejects.toBeInstanceOf(NotFoundError);
    expect(existsSync(path.join(dir, "x.duckdb"))).toBe(false);
  });

  it("keeps composite keys, self-references, one-to-one keys, enums and table CHECKs on another schema", async () => {
    const { model: shop } = await parseDuckdbDdl(`
      CREATE TYPE tier AS ENUM ('bronze', 'silver', 'gold');
      CREATE SCHEMA hr;
      CREATE TABLE hr.employees (employee_id INTEGER PRIMARY KEY, full_name VARCHAR NOT NULL, email VARCHAR UNIQUE NOT NULL,
        manager_id INTEGER REFERENCES hr.employees (employee_id), salary DECIMAL(9,2) CHECK (salary > 0), hired_on DATE NOT NULL);
      CREATE TABLE customers (customer_code VARCHAR(4) PRIMARY KEY, name VARCHAR NOT NULL, level tier NOT NULL, country VARCHAR NOT NULL, is_active BOOLEAN);
      CREATE TABLE orders (order_id BIGINT PRIMARY KEY, customer_code VARCHAR(4) NOT NULL REFERENCES customers (customer_code),
        status VARCHAR NOT NULL CHECK (status IN ('new', 'shipped', 'returned')), ordered_at TIMESTAMP NOT NULL,
        quantity SMALLINT NOT NULL CHECK (quantity BETWEEN 1 AND 9), discount DOUBLE, total DECIMAL(10,2) NOT NULL,
        CHECK (discount IS NULL OR discount < total));
      CREATE TABLE order_tags (order_id BIGINT REFERENCES orders (order_id), tag VARCHAR(12) NOT NULL, PRIMARY KEY (order_id, tag));
      CREATE TABLE customer_profiles (customer_code VARCHAR(4) PRIMARY KEY REFERENCES customers (customer_code), bio VARCHAR);
    `);
    const shopSource = path.join(dir, "shop.duckdb");
    await generateSandboxFile(shop, {
      targetPath: shopSource,
      seed: 3,
      rowsPerTable: { "hr.employees": 50, customers: 300, orders: 1000, order_tags: 400, customer_profiles: 1000 },
    });
    const shopTargets: AugmentTarget[] = [
      { id: "join-enum-timestamp", sql: "SELECT o.order_id FROM orders o JOIN customers c ON c.customer_code = o.customer_code WHERE c.level = 'gold' AND o.status = 'returned' AND o.quantity = 9 AND o.ordered_at >= TIMESTAMP '2030-01-01'" },
      { id: "composite-key", sql: "SELECT * FROM order_tags WHERE tag = 'urgent-xyz'" },
      { id: "self-join", sql: "SELECT e.full_name FROM hr.employees e JOIN hr.employees m ON e.manager_id = m.employee_id WHERE m.salary > 1000000" },
      { id: "one-to-one", sql: "SELECT * FROM customer_profiles p WHERE p.bio = 'zzz'" },
      { id: "date", sql: "SELECT * FROM hr.employees WHERE hired_on = DATE '1990-02-03'" },
      { id: "check-interval", sql: "SELECT * FROM hr.employees WHERE salary < 0.5" },
      { id: "boolean", sql: "SELECT * FROM customers WHERE is_active AND country = 'Atlantis'" },
      { id: "using", sql: "SELECT t.tag FROM order_tags t JOIN orders o USING (order_id) WHERE o.total BETWEEN 99999 AND 100000" },
      { id: "two-columns", sql: "SELECT * FROM orders WHERE discount > total" },
      { id: "check-range", sql: "SELECT status FROM orders WHERE quantity > 20" },
    ];
    const shopTarget = path.join(dir, "shop-augmented.duckdb");
    const out = await augmentSandbox(shopSource, shopTarget, shop, shopTargets, { totalQueries: 50, maxEmptyShare: 0, seed: 11 });
    expect(out.fixed).toEqual(shopTargets.slice(0, 8).map((t) => t.id));
    expect(Object.fromEntries(out.stillEmpty.map((s) => [s.id, s.reason]))).toEqual({
      "two-columns": "the query needs a comparison between two columns (discount > total)",
      "check-range": "constraint: CHECK (quantity BETWEEN 1 AND 9) rules out the values the query needs in orders.quantity (21)",
    });
    await expectIntegrity(shopTarget, shop);
    await withReadOnly(shopTarget, async (run) => {
      for (const t of shopTargets.slice(0, 8)) expect(await count(run, `SELECT count(*) FROM (${t.sql})`), t.id).toBeGreaterThan(0);
      // The new salary sits inside both the query's bound and the CHECK.
      expect(await count(run, `SELECT count(*) FROM hr.employees WHERE salary > 0 AND salary < 0.5`)).toBe(1);
    });
    const before = await rowCounts(shopSource, shop);
    const after = await rowCounts(shopTarget, shop);
    expect(out.rowsAdded).toEqual(Object.fromEntries(shop.tables.map((t) => [t.name, after[t.name]! - before[t.name]!]).filter(([, n]) => n !== 0)));
  });
});
