import { expect, test, type Page } from "@playwright/test";
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import mysql from "mysql2/promise";
import { DuckDBInstance } from "@duckdb/node-api";
import { signIn, snap, stageLink } from "./helpers";

// Each way a team brings its schema, in one new project: pasted PostgreSQL DDL, an uploaded
// SQLite file with rows, a live PostgreSQL connection, a DESCRIBE export; then the glossary and
// the drift page. Runs after 01-skeleton (which created the admin).

const PG_URL = process.env.SANDPIPER_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
const PG_SCHEMA = `sp_e2e_${Date.now().toString(36)}`;
const ROW_MARKER = "ROW-MARKER-e2e-91c2";

const POSTGRES_DDL = `
CREATE TYPE ticket_status AS ENUM ('open', 'closed');
CREATE TABLE customers (
  customer_id bigserial PRIMARY KEY,
  email varchar(200) NOT NULL UNIQUE,
  full_name text NOT NULL
);
COMMENT ON TABLE customers IS 'People who bought something';
CREATE TABLE tickets (
  ticket_id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(customer_id),
  status ticket_status NOT NULL DEFAULT 'open',
  opened_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_customer ON tickets (customer_id);
`;

async function importPreview(page: Page, version: number) {
  await expect(page.getByTestId("preview-stats")).toBeVisible({ timeout: 30_000 });
  await page.getByRole("button", { name: `Import as schema v${version}` }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText(`Saved schema v${version}`);
}

const MARIA = { host: "127.0.0.1", port: 3306, user: "root", password: "", database: "test" };
const MARIA_TABLE = `sp_e2e_orders_${Date.now().toString(36)}`;

test.beforeAll(async () => {
  const maria = await mysql.createConnection(MARIA);
  await maria.query(`CREATE TABLE ${MARIA_TABLE} (order_id INT PRIMARY KEY, status ENUM('new','paid') NOT NULL, note VARCHAR(40)) COMMENT 'Orders'`);
  await maria.query(`INSERT INTO ${MARIA_TABLE} VALUES (1, 'new', '${ROW_MARKER}')`);
  await maria.end();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${PG_SCHEMA}`);
  await client.query(`CREATE TABLE ${PG_SCHEMA}.vendors (vendor_id integer PRIMARY KEY, name text NOT NULL)`);
  await client.query(`CREATE TABLE ${PG_SCHEMA}.invoices (invoice_id integer PRIMARY KEY, vendor_id integer NOT NULL REFERENCES ${PG_SCHEMA}.vendors, amount numeric(12,2), memo text)`);
  await client.query(`INSERT INTO ${PG_SCHEMA}.vendors VALUES (1, '${ROW_MARKER}')`);
  await client.end();
});

test.afterAll(async () => {
  const maria = await mysql.createConnection(MARIA);
  await maria.query(`DROP TABLE IF EXISTS ${MARIA_TABLE}`);
  await maria.end();
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  await client.end();
});

test("a team brings its schema from each source, edits the glossary and sees drift", async ({ page }) => {
  await signIn(page);
  await page.getByLabel("Name").fill("Support desk");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/schema$/);

  // 1. PostgreSQL DDL, dialect detected.
  await page.getByLabel("DDL").fill(POSTGRES_DDL);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-stats")).toContainText("2 tables");
  await expect(page.getByRole("region", { name: "Preview" })).toContainText("postgres");
  await snap(page, "13-import-preview");
  await importPreview(page, 1);

  // 2. A SQLite file with rows: only its catalog is read.
  const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-e2e-"));
  const file = path.join(dir, "support.sqlite");
  const sqlite = new Database(file);
  sqlite.exec(`CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL, phone TEXT);
    CREATE TABLE tickets (ticket_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(customer_id), status TEXT NOT NULL CHECK (status IN ('open','closed')));
    INSERT INTO customers VALUES (1, '${ROW_MARKER}@example.com', '${ROW_MARKER}', NULL);`);
  sqlite.close();
  await page.getByRole("tab", { name: "Upload a file" }).click();
  await page.getByLabel("File", { exact: true }).setInputFiles(file);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-stats")).toContainText("2 tables");
  await expect(page.getByRole("region", { name: "Preview" })).toContainText(/Compared with v1: \d+ change/);
  await importPreview(page, 2);
  await expect(page.getByRole("main")).not.toContainText(ROW_MARKER);

  // 2b. A DuckDB file with rows: previewed (not imported), nothing of its rows shown.
  const duckFile = path.join(dir, "support.duckdb");
  const duck = await DuckDBInstance.create(duckFile);
  const conn = await duck.connect();
  await conn.run(`CREATE TABLE agents (agent_id BIGINT PRIMARY KEY, name VARCHAR NOT NULL); INSERT INTO agents VALUES (1, '${ROW_MARKER}'); CHECKPOINT;`);
  conn.closeSync();
  duck.closeSync();
  await page.getByLabel("File", { exact: true }).setInputFiles(duckFile);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-stats")).toContainText("1 table ·");
  await expect(page.getByRole("region", { name: "Preview" })).toContainText("duckdb");
  await expect(page.getByRole("main")).not.toContainText(ROW_MARKER);

  // 3. A live PostgreSQL connection (read-only introspection; rows never read).
  await page.getByRole("tab", { name: "Connect" }).click();
  const url = new URL(PG_URL);
  await page.getByLabel("Host").fill(url.hostname);
  await page.getByLabel("Port").fill(url.port || "5432");
  await page.getByLabel("Database name").fill(url.pathname.slice(1));
  await page.getByLabel("User").fill(url.username || "postgres");
  await page.getByLabel(/Schemas/).fill(PG_SCHEMA);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-stats")).toContainText("2 tables", { timeout: 30_000 });
  await expect(page.getByRole("region", { name: "Preview" })).toContainText("invoices");
  await expect(page.getByRole("region", { name: "Preview" })).not.toContainText(ROW_MARKER);

  // The same for MariaDB.
  await page.getByLabel("Database", { exact: true }).selectOption("mysql");
  await page.getByLabel("Port").fill("3306");
  await page.getByLabel("User").fill("root");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("region", { name: "Preview" })).toContainText(MARIA_TABLE, { timeout: 30_000 });
  await expect(page.getByRole("region", { name: "Preview" })).not.toContainText(ROW_MARKER);
  await page.getByLabel("Database", { exact: true }).selectOption("postgres");
  await page.getByLabel("Port").fill(url.port || "5432");
  await page.getByLabel("User").fill(url.username || "postgres");

  // A wrong port fails fast with a message, and nothing is stored.
  await page.getByLabel("Port").fill("1");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText(/reach|connect/i, { timeout: 15_000 });

  // 4. A DESCRIBE export, as in the Fireworks tutorial.
  await page.getByRole("tab", { name: "DESCRIBE export" }).click();
  await page.getByLabel("DESCRIBE export").fill(
    [
      "database,schema,name,column_names,column_types,temporary",
      'prod,main,airlines,"[airline_id, name, country]","[BIGINT, VARCHAR, VARCHAR]",false',
      'prod,main,routes,"[route_id, airline_id, stops]","[BIGINT, BIGINT, BIGINT]",false',
    ].join("\n"),
  );
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-stats")).toContainText("2 tables");
  await expect(page.getByTestId("preview-stats")).toContainText("1 suggested");

  // The glossary: describe a column and mark one sensitive.
  await page.getByRole("link", { name: "Glossary" }).click();
  const description = page.getByLabel("Description of customers.email");
  await description.fill("Where receipts are sent");
  await description.blur();
  await expect(page.getByText("Saved").first()).toBeVisible();
  await page.getByLabel("customers.phone is sensitive").check();
  await page.reload();
  await expect(page.getByLabel("Description of customers.email")).toHaveValue("Where receipts are sent");
  await expect(page.getByLabel("customers.phone is sensitive")).toBeChecked();
  await snap(page, "14-glossary");

  // The drift between v1 and v2 (phone added, types changed, a check added).
  await stageLink(page, /Schema/).click();
  await page.getByRole("link", { name: "Drift" }).click();
  await expect(page.getByTestId("drift-diff")).toContainText("phone");
  await snap(page, "15-drift");
});
