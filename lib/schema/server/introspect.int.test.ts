import { randomBytes } from "node:crypto";
import net from "node:net";
import pg from "pg";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { introspectMysql, introspectPostgres, normalizePgCheck } from "@/lib/schema/server/introspect";
import { ROW_MARKER, compactModel } from "@/test/helpers/schema-sources";

const PG = { host: "127.0.0.1", port: 5432, database: "test", user: "postgres" };
const MY = { host: "127.0.0.1", port: 3306, database: "test", user: "root", password: "" };
const suffix = randomBytes(4).toString("hex");

async function rejection(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

/** A loopback port nothing listens on: bind an ephemeral port, then release it. */
async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("introspectPostgres", () => {
  const schema = `sp_introspect_${suffix}`;
  const emptySchema = `sp_introspect_empty_${suffix}`;
  let admin: pg.Client;

  beforeAll(async () => {
    admin = new pg.Client({ ...PG });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}; CREATE SCHEMA ${emptySchema}; SET search_path TO ${schema}`);
    await admin.query(`
      CREATE TYPE cabin AS ENUM ('economy', 'premium economy', 'business');
      CREATE DOMAIN iata_code AS character(3);
      CREATE TABLE countries (
        code character(2) PRIMARY KEY,
        name character varying(64) NOT NULL UNIQUE
      );
      COMMENT ON TABLE countries IS 'Countries by ISO 3166 code';
      COMMENT ON COLUMN countries.name IS 'English short name';
      CREATE TABLE airports (
        airport_id serial PRIMARY KEY,
        iata iata_code UNIQUE,
        name text NOT NULL,
        country_code character(2) REFERENCES countries (code),
        latitude double precision CHECK (latitude BETWEEN -90 AND 90),
        elevation_ft integer DEFAULT 0
      );
      CREATE TABLE flights (
        carrier character varying(3) NOT NULL,
        flight_no integer NOT NULL,
        dep_date date NOT NULL,
        origin_id integer NOT NULL REFERENCES airports (airport_id),
        dest_id integer NOT NULL REFERENCES airports (airport_id),
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'departed', 'cancelled')),
        PRIMARY KEY (carrier, flight_no, dep_date),
        CHECK (origin_id <> dest_id)
      );
      CREATE TABLE bookings (
        booking_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        carrier character varying(3) NOT NULL,
        flight_no integer NOT NULL,
        dep_date date NOT NULL,
        seat character varying(4),
        cabin cabin NOT NULL DEFAULT 'economy',
        price numeric(10,2) CHECK (price >= 0),
        booked_at timestamp with time zone DEFAULT now(),
        FOREIGN KEY (carrier, flight_no, dep_date) REFERENCES flights (carrier, flight_no, dep_date),
        UNIQUE (carrier, flight_no, dep_date, seat)
      );
      CREATE TABLE employees (
        employee_id integer PRIMARY KEY,
        manager_id integer REFERENCES employees (employee_id),
        email text NOT NULL,
        profile jsonb,
        hired_on date
      );
      CREATE UNIQUE INDEX employees_email_key ON employees (email);
      COMMENT ON COLUMN employees.manager_id IS 'Reports to';
      CREATE TABLE crew_assignments (
        carrier character varying(3) NOT NULL,
        flight_no integer NOT NULL,
        dep_date date NOT NULL,
        employee_id integer NOT NULL REFERENCES employees,
        role text,
        PRIMARY KEY (carrier, flight_no, dep_date, employee_id),
        FOREIGN KEY (carrier, flight_no, dep_date) REFERENCES flights
      );
      CREATE VIEW busy_airports AS SELECT origin_id, count(*) FROM flights GROUP BY origin_id;
    `);
    await admin.query(`
      INSERT INTO countries VALUES ('ZZ', '${ROW_MARKER} land');
      INSERT INTO airports (iata, name, country_code, latitude) VALUES ('ZZA', '${ROW_MARKER} airport', 'ZZ', 1), ('ZZB', 'b', 'ZZ', 2);
      INSERT INTO flights VALUES ('ZZ', 1, '2024-01-01', 1, 2, 'scheduled');
      INSERT INTO bookings (carrier, flight_no, dep_date, seat, price) VALUES ('ZZ', 1, '2024-01-01', '1A', 10);
      INSERT INTO employees VALUES (1, NULL, '${ROW_MARKER}@example.com', '{"note": "${ROW_MARKER}"}', '2020-01-01');
      INSERT INTO crew_assignments VALUES ('ZZ', 1, '2024-01-01', 1, '${ROW_MARKER}');
    `);
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${emptySchema} CASCADE`);
    await admin.end();
  });

  it("reads tables, columns, keys, checks, enums and comments from the catalog, and no row", async () => {
    const result = await introspectPostgres({ ...PG, schemas: [schema] });
    expect(result.model.dialect).toBe("postgres");
    expect(compactModel(result.model)).toEqual([
      {
        name: "countries",
        description: "Countries by ISO 3166 code",
        primaryKey: ["code"],
        uniqueKeys: [],
        foreignKeys: [],
        checks: [],
        columns: ["code VARCHAR(2) orig=character(2) text not null pk code", "name VARCHAR(64) orig=character varying(64) text not null unique desc=English short name country"],
      },
      {
        name: "airports",
        description: null,
        primaryKey: ["airport_id"],
        uniqueKeys: [],
        foreignKeys: ["(country_code) -> countries(code) declared/confirmed"],
        checks: [],
        columns: [
          `airport_id INTEGER orig=integer integer not null pk default=nextval('${schema}.airports_airport_id_seq'::regclass) id`,
          `iata VARCHAR(3) orig=${schema}.iata_code text null unique code`,
          "name VARCHAR orig=text text not null name",
          "country_code VARCHAR(2) orig=character(2) text null code",
          "latitude DOUBLE orig=double precision float null checks=((latitude >= ('-90'::integer)::double precision) AND (latitude <= (90)::double precision)) latitude",
          "elevation_ft INTEGER orig=integer integer null default=0 number",
        ],
      },
      {
        name: "flights",
        description: null,
        primaryKey: ["carrier", "flight_no", "dep_date"],
        uniqueKeys: [],
        foreignKeys: ["(origin_id) -> airports(airport_id) declared/confirmed", "(dest_id) -> airports(airport_id) declared/confirmed"],
        checks: ["(origin_id <> dest_id)"],
        columns: [
          "carrier VARCHAR(3) orig=character varying(3) text not null pk code",
          "flight_no INTEGER orig=integer integer not null pk id",
          "dep_date DATE orig=date date not null pk date",
          "origin_id INTEGER orig=integer integer not null id",
          "dest_id INTEGER orig=integer integer not null id",
          "status VARCHAR orig=text text not null default='scheduled'::text checks=(status IN ('scheduled', 'departed', 'cancelled')) allowed=scheduled,departed,cancelled category",
        ],
      },
      {
        name: "bookings",
        description: null,
        primaryKey: ["booking_id"],
        uniqueKeys: [["carrier", "flight_no", "dep_date", "seat"]],
        foreignKeys: ["(carrier, flight_no, dep_date) -> flights(carrier, flight_no, dep_date) declared/confirmed"],
        checks: [],
        columns: [
          "booking_id BIGINT orig=bigint integer not null pk id",
          "carrier VARCHAR(3) orig=character varying(3) text not null code",
          "flight_no INTEGER orig=integer integer not null id",
          "dep_date DATE orig=date date not null date",
          "seat VARCHAR(4) orig=character varying(4) text null category",
          `cabin VARCHAR orig=${schema}.cabin enum not null default='economy'::${schema}.cabin allowed=economy,premium economy,business category`,
          "price DECIMAL(10,2) orig=numeric(10,2) decimal null checks=(price >= (0)::numeric) money",
          "booked_at TIMESTAMPTZ orig=timestamp with time zone timestamp null default=now() timestamp",
        ],
      },
      {
        name: "employees",
        description: null,
        primaryKey: ["employee_id"],
        uniqueKeys: [],
        foreignKeys: ["(manager_id) -> employees(employee_id) declared/confirmed"],
        checks: [],
        columns: [
          "employee_id INTEGER orig=integer integer not null pk id",
          "manager_id INTEGER orig=integer integer null desc=Reports to id",
          "email VARCHAR orig=text text not null unique email",
          "profile VARCHAR orig=jsonb json null text",
          "hired_on DATE orig=date date null date",
        ],
      },
      {
        name: "crew_assignments",
        description: null,
        primaryKey: ["carrier", "flight_no", "dep_date", "employee_id"],
        uniqueKeys: [],
        foreignKeys: ["(employee_id) -> employees(employee_id) declared/confirmed", "(carrier, flight_no, dep_date) -> flights(carrier, flight_no, dep_date) declared/confirmed"],
        checks: [],
        columns: [
          "carrier VARCHAR(3) orig=character varying(3) text not null pk code",
          "flight_no INTEGER orig=integer integer not null pk id",
          "dep_date DATE orig=date date not null pk date",
          "employee_id INTEGER orig=integer integer not null pk id",
          "role VARCHAR orig=text text null category",
        ],
      },
    ]);
    const cabin = result.model.tables[3]!.columns[5]!;
    expect(cabin.enumValues).toEqual(["economy", "premium economy", "business"]);
    expect(result.model.tables[3]!.foreignKeys[0]).toEqual({
      columns: ["carrier", "flight_no", "dep_date"],
      refTable: "flights",
      refColumns: ["carrier", "flight_no", "dep_date"],
      origin: "declared",
      status: "confirmed",
    });
    expect(result.warnings).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(ROW_MARKER);
  });

  it("qualifies tables outside public when several schemas are read", async () => {
    const result = await introspectPostgres({ ...PG, schemas: [schema, emptySchema] });
    expect(result.model.tables.map((t) => t.name)).toEqual([
      `${schema}.countries`,
      `${schema}.airports`,
      `${schema}.flights`,
      `${schema}.bookings`,
      `${schema}.employees`,
      `${schema}.crew_assignments`,
    ]);
    expect(result.model.tables[1]!.foreignKeys[0]!.refTable).toBe(`${schema}.countries`);
  });

  it("runs in a read-only transaction", async () => {
    // The catalog queries are the only statements; a write in the same session would fail.
    const client = new pg.Client({ ...PG });
    await client.connect();
    await client.query("BEGIN READ ONLY");
    await expect(client.query(`INSERT INTO ${schema}.countries VALUES ('YY', 'x')`)).rejects.toThrow(/read-only transaction/);
    await client.query("ROLLBACK");
    await client.end();
  });

  it("refuses a schema with zero tables", async () => {
    expect((await rejection(introspectPostgres({ ...PG, schemas: [emptySchema] }))).message).toBe(
      `The database "test" has no tables in schema ${emptySchema}. Check the database and schema names (tables in other schemas are read only when you list those schemas).`,
    );
  });

  it("refuses an unknown user without echoing the password", async () => {
    // The local server trusts loopback connections, so a refused login is an unknown role.
    const password = `pw-${suffix}-secret`;
    const error = await rejection(introspectPostgres({ ...PG, user: `sp_nobody_${suffix}`, password, schemas: [schema] }));
    expect(error.message).toMatch(/^The database refused the user name or password\./);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(password);
  });

  it("refuses an unknown database", async () => {
    expect((await rejection(introspectPostgres({ ...PG, database: `sp_missing_${suffix}` }))).message).toBe(
      `The database "sp_missing_${suffix}" does not exist on 127.0.0.1:5432. Check the database name.`,
    );
  });

  it("fails fast on a closed port", async () => {
    const port = await closedLoopbackPort();
    const started = Date.now();
    const error = await rejection(introspectPostgres({ ...PG, port }));
    expect(Date.now() - started).toBeLessThan(5500);
    expect(error.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} within 5 s\\.`));
  });

  it("gives up after the connect timeout when the server never answers", async () => {
    // A loopback listener that accepts and stays silent stands in for a server that hangs.
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const error = await rejection(introspectPostgres({ ...PG, port }, { connectTimeoutMs: 1000 }));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(3000);
      expect(error.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} within 1 s\\.`));
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("normalizePgCheck", () => {
  it("turns = ANY (ARRAY[...]) into an IN list and leaves other checks alone", () => {
    expect(normalizePgCheck("((status = ANY (ARRAY['a'::text, 'b, c'::text])))")).toBe("(status IN ('a', 'b, c'))");
    expect(normalizePgCheck("(price >= (0)::numeric)")).toBe("(price >= (0)::numeric)");
  });
});

describe("introspectMysql", () => {
  const p = `sp${suffix}_`;
  const otherUser = `sp_user_${suffix}`;
  let admin: mysql.Connection;

  beforeAll(async () => {
    admin = await mysql.createConnection({ ...MY, multipleStatements: true });
    await admin.query(`
      CREATE TABLE ${p}countries (
        code CHAR(2) PRIMARY KEY,
        name VARCHAR(64) NOT NULL UNIQUE COMMENT 'English short name'
      ) COMMENT = 'Countries by ISO 3166 code';
      CREATE TABLE ${p}airports (
        airport_id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(120) NOT NULL,
        country_code CHAR(2),
        latitude DOUBLE CHECK (latitude BETWEEN -90 AND 90),
        elevation_ft INT DEFAULT 0,
        active TINYINT(1) NOT NULL DEFAULT 1,
        FOREIGN KEY (country_code) REFERENCES ${p}countries (code)
      );
      CREATE TABLE ${p}flights (
        carrier VARCHAR(3) NOT NULL,
        flight_no INT NOT NULL,
        dep_date DATE NOT NULL,
        origin_id INT UNSIGNED NOT NULL,
        dest_id INT UNSIGNED NOT NULL,
        status ENUM('scheduled', 'departed', 'it''s cancelled') NOT NULL DEFAULT 'scheduled',
        PRIMARY KEY (carrier, flight_no, dep_date),
        CONSTRAINT ${p}distinct_ends CHECK (origin_id <> dest_id),
        FOREIGN KEY (origin_id) REFERENCES ${p}airports (airport_id),
        FOREIGN KEY (dest_id) REFERENCES ${p}airports (airport_id)
      );
      CREATE TABLE ${p}bookings (
        booking_id BIGINT AUTO_INCREMENT PRIMARY KEY,
        carrier VARCHAR(3) NOT NULL,
        flight_no INT NOT NULL,
        dep_date DATE NOT NULL,
        seat VARCHAR(4),
        price DECIMAL(10,2) CHECK (price >= 0),
        booked_at DATETIME DEFAULT CURRENT_TIMESTAMP,
        FOREIGN KEY (carrier, flight_no, dep_date) REFERENCES ${p}flights (carrier, flight_no, dep_date),
        UNIQUE KEY (carrier, flight_no, dep_date, seat)
      );
      CREATE TABLE ${p}employees (
        employee_id INT PRIMARY KEY,
        manager_id INT COMMENT 'Reports to',
        email VARCHAR(200) NOT NULL UNIQUE,
        profile JSON,
        FOREIGN KEY (manager_id) REFERENCES ${p}employees (employee_id)
      );
      CREATE TABLE ${p}notes (
        note_id INT PRIMARY KEY,
        body TEXT,
        created_at TIMESTAMP NULL
      );
    `);
    await admin.query(`
      INSERT INTO ${p}countries VALUES ('ZZ', '${ROW_MARKER} land');
      INSERT INTO ${p}airports (name, country_code, latitude) VALUES ('${ROW_MARKER} a', 'ZZ', 1), ('b', 'ZZ', 2);
      INSERT INTO ${p}flights VALUES ('ZZ', 1, '2024-01-01', 1, 2, 'scheduled');
      INSERT INTO ${p}bookings (carrier, flight_no, dep_date, seat, price) VALUES ('ZZ', 1, '2024-01-01', '1A', 10);
      INSERT INTO ${p}employees VALUES (1, NULL, '${ROW_MARKER}@example.com', '{"note": "${ROW_MARKER}"}');
      INSERT INTO ${p}notes VALUES (1, '${ROW_MARKER}', NULL);
    `);
    await admin.query(`CREATE USER '${otherUser}'@'%' IDENTIFIED BY 'right-password-${suffix}'`);
  });

  afterAll(async () => {
    await admin.query(`SET FOREIGN_KEY_CHECKS = 0`);
    await admin.query(`DROP TABLE IF EXISTS ${["notes", "employees", "bookings", "flights", "airports", "countries"].map((t) => p + t).join(", ")}`);
    await admin.query(`SET FOREIGN_KEY_CHECKS = 1`);
    await admin.query(`DROP USER IF EXISTS '${otherUser}'@'%'`);
    await admin.end();
  });

  it("reads tables, columns, keys, checks, enums and comments from information_schema, and no row", async () => {
    const result = await introspectMysql(MY);
    const mine = { ...result.model, tables: result.model.tables.filter((t) => t.name.startsWith(p)) };
    expect(result.model.dialect).toBe("mysql");
    expect(compactModel(mine)).toEqual([
      {
        name: `${p}airports`,
        description: null,
        primaryKey: ["airport_id"],
        uniqueKeys: [],
        foreignKeys: [`(country_code) -> ${p}countries(code) declared/confirmed`],
        checks: [],
        columns: [
          "airport_id UINTEGER orig=int(10) unsigned integer not null pk id",
          "name VARCHAR(120) orig=varchar(120) text not null name",
          "country_code VARCHAR(2) orig=char(2) text null code",
          'latitude DOUBLE orig=double float null checks="latitude" between -90 and 90 latitude',
          "elevation_ft INTEGER orig=int(11) integer null default=0 number",
          "active BOOLEAN orig=tinyint(1) boolean not null default=1 boolean",
        ],
      },
      {
        name: `${p}bookings`,
        description: null,
        primaryKey: ["booking_id"],
        uniqueKeys: [["carrier", "flight_no", "dep_date", "seat"]],
        foreignKeys: [`(carrier, flight_no, dep_date) -> ${p}flights(carrier, flight_no, dep_date) declared/confirmed`],
        checks: [],
        columns: [
          "booking_id BIGINT orig=bigint(20) integer not null pk id",
          "carrier VARCHAR(3) orig=varchar(3) text not null code",
          "flight_no INTEGER orig=int(11) integer not null id",
          "dep_date DATE orig=date date not null date",
          "seat VARCHAR(4) orig=varchar(4) text null category",
          'price DECIMAL(10,2) orig=decimal(10,2) decimal null checks="price" >= 0 money',
          "booked_at TIMESTAMP orig=datetime timestamp null default=current_timestamp() timestamp",
        ],
      },
      {
        name: `${p}countries`,
        description: "Countries by ISO 3166 code",
        primaryKey: ["code"],
        uniqueKeys: [],
        foreignKeys: [],
        checks: [],
        columns: ["code VARCHAR(2) orig=char(2) text not null pk code", "name VARCHAR(64) orig=varchar(64) text not null unique desc=English short name name"],
      },
      {
        name: `${p}employees`,
        description: null,
        primaryKey: ["employee_id"],
        uniqueKeys: [],
        foreignKeys: [`(manager_id) -> ${p}employees(employee_id) declared/confirmed`],
        checks: [],
        columns: [
          "employee_id INTEGER orig=int(11) integer not null pk id",
          "manager_id INTEGER orig=int(11) integer null desc=Reports to id",
          "email VARCHAR(200) orig=varchar(200) text not null unique email",
          "profile VARCHAR orig=json json null text",
        ],
      },
      {
        name: `${p}flights`,
        description: null,
        primaryKey: ["carrier", "flight_no", "dep_date"],
        uniqueKeys: [],
        foreignKeys: [`(origin_id) -> ${p}airports(airport_id) declared/confirmed`, `(dest_id) -> ${p}airports(airport_id) declared/confirmed`],
        checks: ['"origin_id" <> "dest_id"'],
        columns: [
          "carrier VARCHAR(3) orig=varchar(3) text not null pk code",
          "flight_no INTEGER orig=int(11) integer not null pk id",
          "dep_date DATE orig=date date not null pk date",
          "origin_id UINTEGER orig=int(10) unsigned integer not null id",
          "dest_id UINTEGER orig=int(10) unsigned integer not null id",
          "status VARCHAR orig=enum('scheduled','departed','it''s cancelled') enum not null default='scheduled' allowed=scheduled,departed,it's cancelled category",
        ],
      },
      {
        name: `${p}notes`,
        description: null,
        primaryKey: ["note_id"],
        uniqueKeys: [],
        foreignKeys: [],
        checks: [],
        columns: ["note_id INTEGER orig=int(11) integer not null pk id", "body VARCHAR orig=text text null text", "created_at TIMESTAMP orig=timestamp timestamp null timestamp"],
      },
    ]);
    expect(JSON.stringify(result)).not.toContain(ROW_MARKER);
  });

  it("refuses a wrong password without echoing it", async () => {
    const password = `wrong-${suffix}-pw`;
    const error = await rejection(introspectMysql({ ...MY, user: otherUser, password }));
    expect(error.message).toMatch(/^The database refused the user name or password\./);
    expect(error.message).not.toContain(password);
  });

  it("refuses an unknown database", async () => {
    expect((await rejection(introspectMysql({ ...MY, database: `sp_missing_${suffix}` }))).message).toBe(
      `The database "sp_missing_${suffix}" does not exist on 127.0.0.1:3306. Check the database name.`,
    );
  });

  it("refuses a database with zero tables", async () => {
    const db = `sp_empty_${suffix}`;
    await admin.query(`CREATE DATABASE ${db}`);
    try {
      expect((await rejection(introspectMysql({ ...MY, database: db }))).message).toBe(`The database "${db}" has no tables. Check the database name (views are not read).`);
    } finally {
      await admin.query(`DROP DATABASE ${db}`);
    }
  });

  it("fails fast on a closed port", async () => {
    const port = await closedLoopbackPort();
    const started = Date.now();
    const error = await rejection(introspectMysql({ ...MY, port }));
    expect(Date.now() - started).toBeLessThan(5500);
    expect(error.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} within 5 s\\.`));
  });

  it("gives up after the connect timeout when the server never answers", async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      const error = await rejection(introspectMysql({ ...MY, port }, { connectTimeoutMs: 1000 }));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(error.message).toMatch(new RegExp(`^Could not reach 127\\.0\\.0\\.1:${port} within 1 s\\.`));
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
