import { describe, expect, it } from "vitest";
import type { ColumnModel, TableModel } from "@/lib/schema/model";
import { inferSemanticType } from "@/lib/schema/semantic";
import { COUNTRY_NAMES, findCountry } from "@/lib/sandbox/places";
import { createRng } from "@/lib/sandbox/random";
import { createColumnGenerator, createRowState, parseColumnType, parseDefaultLiteral, toSqlText, uniqueFallback, type SqlValue } from "@/lib/sandbox/values";

function column(table: string, name: string, type: string, extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType: inferSemanticType(table, name, type), ...extra };
}

function tableOf(name: string, columns: ColumnModel[]): TableModel {
  return { name, columns, primaryKey: [], uniqueKeys: [], foreignKeys: [], checks: [] };
}

/** n values of one column, each in a fresh row. */
function sample(table: string, col: ColumnModel, n = 500, seed = 7): SqlValue[] {
  const gen = createColumnGenerator(tableOf(table, [col]), col);
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => gen.next(rng, createRowState(), i));
}

describe("random", () => {
  it("is reproducible from a seed and differs between seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it("keeps int() inside its bounds and shuffle() a permutation", () => {
    const rng = createRng(1);
    const ints = Array.from({ length: 2000 }, () => rng.int(3, 7));
    expect(Math.min(...ints)).toBe(3);
    expect(Math.max(...ints)).toBe(7);
    const items = Array.from({ length: 50 }, (_, i) => i);
    expect([...rng.shuffle(items)].sort((x, y) => x - y)).toEqual(items);
  });
  it("skews pickSkewed towards the head", () => {
    const rng = createRng(5);
    const items = Array.from({ length: 100 }, (_, i) => i);
    const picks = Array.from({ length: 5000 }, () => rng.pickSkewed(items));
    const head = picks.filter((x) => x < 10).length;
    const tail = picks.filter((x) => x >= 90).length;
    expect(head).toBeGreaterThan(tail * 5);
  });
  it("forks into independent, reproducible streams", () => {
    expect(createRng(9).fork("a").next()).toBe(createRng(9).fork("a").next());
    expect(createRng(9).fork("a").next()).not.toBe(createRng(9).fork("b").next());
  });
});

describe("parseColumnType", () => {
  it("reads ranges, lengths, precision and scale", () => {
    expect(parseColumnType("TINYINT")).toEqual({ kind: "integer", min: -128, max: 127 });
    expect(parseColumnType("VARCHAR(3)")).toEqual({ kind: "string", length: 3 });
    expect(parseColumnType("DECIMAL(5,2)")).toMatchObject({ kind: "decimal", precision: 5, scale: 2, max: 999.99 });
    expect(parseColumnType("TIMESTAMP WITH TIME ZONE").kind).toBe("timestamp");
    expect(parseColumnType("INTEGER[]").kind).toBe("unsupported");
  });
});

describe("column generators", () => {
  it("respects VARCHAR(n) lengths", () => {
    for (const v of sample("airports", column("airports", "iata", "VARCHAR(3)"))) expect(String(v)).toMatch(/^[A-Z]{3}$/);
    for (const v of sample("airlines", column("airlines", "iata", "VARCHAR(2)"))) expect(String(v).length).toBe(2);
    for (const v of sample("t", column("t", "notes", "VARCHAR(5)"))) expect(String(v).length).toBeLessThanOrEqual(5);
  });

  it("keeps integers, decimals and check bounds in range", () => {
    for (const v of sample("t", column("t", "level", "TINYINT", { semanticType: "number" }))) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v as number).toBeGreaterThanOrEqual(-128);
      expect(v as number).toBeLessThanOrEqual(127);
    }
    for (const v of sample("orders", column("orders", "price", "DECIMAL(5,2)"))) {
      expect(Math.abs(v as number)).toBeLessThanOrEqual(999.99);
      expect(toSqlText(v, parseColumnType("DECIMAL(5,2)"))).toMatch(/^-?\d{1,3}\.\d{2}$/);
    }
    const bounded = sample("t", column("t", "score", "INTEGER", { checks: ["((score > 10) AND (score <= 12))"] }));
    expect(new Set(bounded)).toEqual(new Set([11, 12]));
  });

  it("draws categories from allowed values, repeating them", () => {
    const values = sample("airlines", column("airlines", "active", "VARCHAR(1)", { allowedValues: ["Y", "N"], semanticType: "category" }));
    expect(new Set(values)).toEqual(new Set(["Y", "N"]));
    const status = sample("orders", column("orders", "status", "VARCHAR"));
    expect(new Set(status).size).toBeLessThanOrEqual(6);
  });

  it("keeps coordinates in range and near the row's city", () => {
    const table = tableOf("airports", [column("airports", "city", "VARCHAR"), column("airports", "country", "VARCHAR"), column("airports", "latitude", "DOUBLE"), column("airports", "longitude", "DOUBLE")]);
    const gens = table.columns.map((c) => createColumnGenerator(table, c));
    const rng = createRng(3);
    for (let i = 0; i < 300; i++) {
      const row = createRowState();
      const [city, country, lat, lon] = gens.map((g) => g.next(rng, row, i)) as [string, string, number, number];
      const place = findCountry(country)!;
      const c = place.cities.find((x) => x.name === city);
      expect(c, `${city} should be in ${country}`).toBeDefined();
      expect(Math.abs(lat - c!.lat)).toBeLessThan(0.5);
      expect(Math.abs(lon - c!.lon)).toBeLessThan(0.5);
      expect(lat).toBeGreaterThanOrEqual(-90);
      expect(lat).toBeLessThanOrEqual(90);
    }
  });

  it("repeats countries so literal filters find rows", () => {
    const values = sample("airports", column("airports", "country", "VARCHAR"), 1000);
    const counts = new Map<SqlValue, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect(values.every((v) => COUNTRY_NAMES.includes(String(v)))).toBe(true);
    expect(Math.max(...counts.values())).toBeGreaterThan(30);
  });

  it("makes valid emails, dates, timestamps and booleans", () => {
    for (const v of sample("customers", column("customers", "email", "VARCHAR"), 200)) expect(String(v)).toMatch(/^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/);
    for (const v of sample("orders", column("orders", "order_date", "DATE"), 200)) expect(String(v)).toMatch(/^20(19|2[0-5])-\d{2}-\d{2}$/);
    for (const v of sample("orders", column("orders", "created_at", "TIMESTAMP"), 200)) expect(String(v)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(new Set(sample("users", column("users", "is_active", "BOOLEAN"), 200))).toEqual(new Set([true, false]));
  });

  it("gives realistic names per table", () => {
    const airlines = sample("airlines", column("airlines", "name", "VARCHAR"), 50);
    expect(airlines.some((v) => /(Airways|Airlines|Air|Aviation|Express|Wings|Connect|Jet|Transport)$/.test(String(v)))).toBe(true);
    const people = sample("customers", column("customers", "name", "VARCHAR"), 50);
    for (const v of people) expect(String(v)).toMatch(/^[A-Z][A-Za-z'-]+ [A-Z][A-Za-z' -]+$/);
  });

  it("is deterministic for a seed", () => {
    const col = column("airports", "name", "VARCHAR");
    expect(sample("airports", col, 100, 11)).toEqual(sample("airports", col, 100, 11));
    expect(sample("airports", col, 100, 11)).not.toEqual(sample("airports", col, 100, 12));
  });
});

describe("uniqueFallback", () => {
  it("never repeats within the type's room and says when the room is gone", () => {
    const parsed = parseColumnType("VARCHAR(2)");
    const values = Array.from({ length: 676 }, (_, i) => uniqueFallback("x", parsed, i));
    expect(new Set(values).size).toBe(676);
    expect(values.every((v) => typeof v === "string" && v.length === 2)).toBe(true);
    expect(uniqueFallback("x", parsed, 676)).toBeNull();
  });
});

describe("DEFAULT literals", () => {
  it("reads plain literals and ignores expressions", () => {
    expect(parseDefaultLiteral("0")).toBe(0);
    expect(parseDefaultLiteral("-1.5")).toBe(-1.5);
    expect(parseDefaultLiteral("'active'")).toBe("active");
    expect(parseDefaultLiteral("'active'::character varying")).toBe("active");
    expect(parseDefaultLiteral("('it''s')")).toBe("it's");
    expect(parseDefaultLiteral("TRUE")).toBe(true);
    expect(parseDefaultLiteral("now()")).toBeUndefined();
    expect(parseDefaultLiteral("nextval('seq'::regclass)")).toBeUndefined();
    expect(parseDefaultLiteral("CURRENT_DATE")).toBeUndefined();
    expect(parseDefaultLiteral(null)).toBeUndefined();
  });

  it("gives about a third of the rows the column's DEFAULT", () => {
    const col = { ...column("routes", "stops", "INTEGER"), defaultValue: "0" };
    const values = sample("routes", col, 2000);
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.3);
    const status = { ...column("accounts", "status", "VARCHAR"), defaultValue: "'dormant'" };
    const share = sample("accounts", status, 2000).filter((v) => v === "dormant").length / 2000;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.42);
  });
});
