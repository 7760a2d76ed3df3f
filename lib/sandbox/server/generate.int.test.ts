import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import { ValidationError } from "@/lib/errors";
import type { SchemaModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { parsePostgresDdl } from "@/lib/schema/server/parse-ddl-postgres";
import { COUNTRY_NAMES, findCountry } from "@/lib/sandbox/places";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { contentHash, count, expectIntegrity, withReadOnly } from "@/test/helpers/sandbox-files";
import { UNIVERSITY_DDL } from "@/test/helpers/schemas";

const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-sandbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("generateSandboxFile", () => {
  const first = path.join(dir, "openflights-42.duckdb");
  const progress: [number, string][] = [];
  let model: SchemaModel;
  let result: Awaited<ReturnType<typeof generateSandboxFile>>;

  beforeAll(async () => {
    model = (await parseDuckdbDdl(OPENFLIGHTS_DDL)).model;
    result = await generateSandboxFile(model, {
      targetPath: first,
      seed: 42,
      rowsPerTable: OPENFLIGHTS_ROWS,
      onProgress: (pct, message) => void progress.push([pct, message]),
    });
  });

  it("fills every table with the requested number of rows and reports progress", async () => {
    expect(result.rowCounts).toEqual(OPENFLIGHTS_ROWS);
    await withReadOnly(first, async (run) => {
      for (const [table, n] of Object.entries(OPENFLIGHTS_ROWS)) expect(await count(run, `SELECT count(*) FROM ${table}`)).toBe(n);
    });
    expect(progress.at(-1)).toEqual([100, "Sandbox ready"]);
    expect(progress.map(([p]) => p)).toEqual([...progress.map(([p]) => p)].sort((a, b) => a - b));
    for (const table of Object.keys(OPENFLIGHTS_ROWS)) expect(progress.some(([, m]) => m.includes(table))).toBe(true);
  });

  it("returns the size and sha256 of the file it wrote, and leaves no temporary files", () => {
    const bytes = readFileSync(first);
    expect(result.bytes).toBe(statSync(first).size);
    expect(result.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
  });

  it("keeps every key, NOT NULL, CHECK and foreign key", async () => {
    await expectIntegrity(first, model);
    await withReadOnly(first, async (run) => {
      // The sandbox declares keys and checks, so DuckDB enforces them too; foreign keys are proven by query instead.
      expect(await count(run, `SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'`)).toBe(5);
      expect(await count(run, `SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'`)).toBe(0);
      expect(await count(run, `SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'CHECK'`)).toBe(6);
    });
  });

  it("makes values that repeat and skewed foreign keys, so literal filters and group-bys find rows", async () => {
    await withReadOnly(first, async (run) => {
      const topCountry = await count(run, `SELECT max(n) FROM (SELECT count(*) AS n FROM airports GROUP BY country)`);
      expect(topCountry).toBeGreaterThan(20);
      const [avg, max] = ((await run(`SELECT avg(n), max(n) FROM (SELECT count(*) AS n FROM routes GROUP BY source_airport_id)`))[0] as unknown[]).map(Number) as [number, number];
      expect(max).toBeGreaterThan(avg * 5);
      expect(await count(run, `SELECT count(*) FROM routes WHERE source_airport_id = destination_airport_id`)).toBeLessThan(25);
      expect(await count(run, `SELECT count(*) FROM airlines WHERE active = 'Y'`)).toBeGreaterThan(50);
      expect(await count(run, `SELECT count(*) FROM airports WHERE length(iata) <> 3 OR length(icao) <> 4`)).toBe(0);
      // equipment names planes by their IATA code
      expect(await count(run, `SELECT count(*) FROM routes r JOIN planes p ON list_contains(string_split(r.equipment, ' '), p.iata)`)).toBeGreaterThan(1000);
    });
  });

  it("keeps related columns consistent: a city lies in its row's country, a country's codes are its own", async () => {
    await withReadOnly(first, async (run) => {
      const airports = (await run(`SELECT city, country, tz_db FROM airports WHERE city IS NOT NULL AND country IS NOT NULL`)) as string[][];
      expect(airports.length).toBeGreaterThan(500);
      const wrong = airports.filter(([city, country, tz]) => {
        const c = findCountry(country!);
        return !c || !c.cities.some((x) => x.name === city) || (tz !== null && tz !== c.tzdb);
      });
      expect(wrong).toEqual([]);
      const countries = (await run(`SELECT name, iso_code FROM countries WHERE iso_code IS NOT NULL`)) as string[][];
      expect(countries.filter(([name, iso]) => findCountry(name!)?.iso2 !== iso)).toEqual([]);
      // Text drawn from the built-in lists never gets a numeric suffix at demo sizes.
      expect(await count(run, `SELECT count(*) FROM countries WHERE regexp_matches(name, ' [0-9]+$')`)).toBe(0);
      expect(await count(run, `SELECT count(DISTINCT name) FROM airlines`)).toBeGreaterThan(100);
    });
  });

  it("stops a table of real countries at the gazetteer's size instead of inventing names, and says so", async () => {
    const file = path.join(dir, "countries-cap.duckdb");
    const out = await generateSandboxFile(model, {
      targetPath: file,
      seed: 5,
      rowsPerTable: { countries: 500, airlines: 50, airports: 300, planes: 10, routes: 200 },
    });
    expect(out.rowCounts.countries).toBe(COUNTRY_NAMES.length);
    expect(out.notes).toEqual([`countries: ${COUNTRY_NAMES.length} of 500 rows, one row per country the built-in gazetteer knows.`]);
    await withReadOnly(file, async (run) => {
      expect(await count(run, `SELECT count(*) FROM countries WHERE regexp_matches(name, '[0-9]')`)).toBe(0);
      const airports = (await run(`SELECT city, country FROM airports WHERE city IS NOT NULL AND country IS NOT NULL`)) as string[][];
      expect(airports.filter(([city, country]) => !findCountry(country!)?.cities.some((c) => c.name === city))).toEqual([]);
    });
    await expectIntegrity(file, model);
  });

  it("gives the same rows for the same seed and different rows for another seed", async () => {
    const again = path.join(dir, "openflights-42-again.duckdb");
    const other = path.join(dir, "openflights-43.duckdb");
    await generateSandboxFile(model, { targetPath: again, seed: 42, rowsPerTable: OPENFLIGHTS_ROWS });
    await generateSandboxFile(model, { targetPath: other, seed: 43, rowsPerTable: OPENFLIGHTS_ROWS });
    const base = await contentHash(first, model);
    expect(await contentHash(again, model)).toBe(base);
    expect(await contentHash(other, model)).not.toBe(base);
  });

  it("leaves nothing at targetPath when cancelled, and keeps an existing sandbox untouched", async () => {
    const target = path.join(dir, "cancelled.duckdb");
    let checks = 0;
    await expect(
      generateSandboxFile(model, { targetPath: target, seed: 1, rowsPerTable: OPENFLIGHTS_ROWS, isCancelled: () => ++checks > 2 }),
    ).rejects.toThrow("Cancelled");
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith("cancelled"))).toEqual([]);

    const before = readFileSync(first);
    await expect(generateSandboxFile(model, { targetPath: first, seed: 7, isCancelled: async () => true })).rejects.toThrow("Cancelled");
    expect(readFileSync(first).equals(before)).toBe(true);
  });

  it("removes temporary files left by a crashed run and replaces the old sandbox", async () => {
    const target = path.join(dir, "crashed.duckdb");
    writeFileSync(`${target}.partial`, "half-written");
    writeFileSync(`${target}.partial.wal`, "half-written");
    writeFileSync(target, "old");
    const out = await generateSandboxFile(model, { targetPath: target, seed: 5, defaultRows: 30 });
    expect(out.rowCounts).toEqual({ countries: 30, airlines: 30, airports: 30, planes: 30, routes: 30 });
    expect(readdirSync(dir).filter((f) => f.startsWith("crashed"))).toEqual(["crashed.duckdb"]);
    await expectIntegrity(target, model);
  });

  it("fills self-references, composite keys, table checks, enums and other schemas", async () => {
    const { model: shop } = await parseDuckdbDdl(`
      CREATE TYPE tier AS ENUM ('bronze', 'silver', 'gold');
      CREATE SCHEMA hr;
      CREATE TABLE hr.employees (
        employee_id INTEGER PRIMARY KEY,
        full_name VARCHAR NOT NULL,
        email VARCHAR UNIQUE NOT NULL,
        manager_id INTEGER REFERENCES hr.employees (employee_id),
        salary DECIMAL(9,2) CHECK (salary > 0),
        hired_on DATE NOT NULL
      );
      CREATE TABLE hr.teams (
        team_id INTEGER PRIMARY KEY,
        lead_id INTEGER NOT NULL REFERENCES hr.employees (employee_id),
        name VARCHAR
      );
      CREATE TABLE customers (
        customer_code VARCHAR(4) PRIMARY KEY,
        name VARCHAR NOT NULL,
        level tier NOT NULL,
        country VARCHAR NOT NULL,
        is_active BOOLEAN
      );
      CREATE TABLE orders (
        order_id BIGINT PRIMARY KEY,
        customer_code VARCHAR(4) NOT NULL REFERENCES customers (customer_code),
        sales_rep INTEGER,
        status VARCHAR NOT NULL CHECK (status IN ('new', 'shipped', 'returned')),
        ordered_at TIMESTAMP NOT NULL,
        quantity SMALLINT NOT NULL CHECK (quantity BETWEEN 1 AND 9),
        discount DOUBLE,
        total DECIMAL(10,2) NOT NULL,
        CHECK (discount IS NULL OR discount < total)
      );
      CREATE TABLE order_tags (
        order_id BIGINT REFERENCES orders (order_id),
        tag VARCHAR(12) NOT NULL,
        PRIMARY KEY (order_id, tag)
      );
      CREATE TABLE customer_profiles (
        customer_code VARCHAR(4) PRIMARY KEY REFERENCES customers (customer_code),
        bio VARCHAR
      );
    `);
    const target = path.join(dir, "shop.duckdb");
    const rows = { "hr.employees": 50, "hr.teams": 8, customers: 800, orders: 1000, order_tags: 400, customer_profiles: 1000 };
    const out = await generateSandboxFile(shop, { targetPath: target, seed: 3, rowsPerTable: rows });
    expect(out.rowCounts).toMatchObject({ "hr.employees": 50, "hr.teams": 8, customers: 800, orders: 1000, order_tags: 400 });
    // one profile per customer at most: a 1:1 key cannot have more rows than its parent
    expect(out.rowCounts.customer_profiles).toBe(800);
    await expectIntegrity(target, shop);
    await withReadOnly(target, async (run) => {
      expect(await count(run, `SELECT count(*) FROM hr.employees WHERE manager_id IS NOT NULL`)).toBeGreaterThan(20);
      expect(await count(run, `SELECT count(*) FROM hr.employees WHERE manager_id >= employee_id`)).toBe(0);
      expect(await count(run, `SELECT count(DISTINCT level) FROM customers`)).toBe(3);
    });
  });

  it("fills a PostgreSQL university schema past the template rows: a cycle, composite keys, a junction table, defaults, variants", async () => {
    const { model: uni } = await parsePostgresDdl(UNIVERSITY_DDL);
    const rows = { departments: 12, professors: 300, students: 20_000, courses: 400, sections: 2_000, enrollments: 60_000 };
    const target = path.join(dir, "university.duckdb");
    const out = await generateSandboxFile(uni, { targetPath: target, seed: 17, rowsPerTable: rows });
    expect(out.rowCounts).toMatchObject({ professors: 300, students: 20_000, courses: 400, enrollments: 60_000 });
    expect(out.rowCounts.sections).toBeGreaterThan(1_900);
    await expectIntegrity(target, uni);
    await withReadOnly(target, async (run) => {
      // Past the 8,192 template rows, unique emails stay unique and still look like emails.
      expect(await count(run, `SELECT count(*) FROM students WHERE email NOT LIKE '%_@_%._%'`)).toBe(0);
      // The literal DEFAULT is the most common value; the cycle's nullable side is filled.
      expect(await count(run, `SELECT count(*) FROM students WHERE status = 'active'`)).toBeGreaterThan(20_000 * 0.3);
      expect(await count(run, `SELECT count(*) FROM courses WHERE credits = 3`)).toBeGreaterThan(400 * 0.3);
      expect(await count(run, `SELECT count(*) FROM departments WHERE head_id IS NOT NULL`)).toBeGreaterThan(5);
      expect(await count(run, `SELECT count(*) FROM students WHERE mentor_id IS NOT NULL`)).toBeGreaterThan(10_000);
      // Students take several sections; popular sections fill up.
      expect(await count(run, `SELECT max(n) FROM (SELECT count(*) AS n FROM enrollments GROUP BY student_id)`)).toBeGreaterThan(3);
    });

    // A variant with fuzzed constants keeps every constraint too, and carries the constants.
    const variant = path.join(dir, "university-variant.duckdb");
    await generateSandboxFile(uni, {
      targetPath: variant,
      seed: 18,
      rowsPerTable: rows,
      constants: { "students.gpa": [3.5], "courses.course_no": [101], "students.status": ["suspended"] },
    });
    await expectIntegrity(variant, uni);
    await withReadOnly(variant, async (run) => {
      expect(await count(run, `SELECT count(*) FROM students WHERE gpa IN (3.46, 3.5, 3.54)`)).toBeGreaterThan(500);
    });
  });

  it("refuses a NOT NULL cycle it cannot fill", async () => {
    const broken: SchemaModel = {
      dialect: "duckdb",
      tables: [
        {
          name: "nodes",
          primaryKey: ["id"],
          uniqueKeys: [],
          checks: [],
          foreignKeys: [{ columns: ["parent_id"], refTable: "nodes", refColumns: ["id"] }],
          columns: [
            { name: "id", type: "INTEGER", nullable: false, primaryKey: true, unique: false, checks: [], semanticType: "id" },
            { name: "parent_id", type: "INTEGER", nullable: false, primaryKey: false, unique: false, checks: [], semanticType: "id" },
          ],
        },
      ],
    };
    const target = path.join(dir, "nodes.duckdb");
    await expect(generateSandboxFile(broken, { targetPath: target, seed: 1 })).rejects.toBeInstanceOf(ValidationError);
    expect(existsSync(target)).toBe(false);
  });
});
