import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError, ValidationError } from "@/lib/errors";
import { createChatClient } from "@/lib/providers/server/openai-compatible";
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { pickLlmColumns, realismSchemaName, tableJsonSchema } from "@/lib/sandbox/llm-realism";
import { applyLlmRealism, type LlmRealismProgress } from "@/lib/sandbox/server/llm-realism";
import { startOpenAiStandIn, type OpenAiStandIn, type StandInMessage } from "@/test/stand-ins/openai-server";

const KEY = "sk-realism-secret-0123456789abcdef";
const MODEL = "realism-model";
const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-llm-realism-"));
let standIn: OpenAiStandIn;

beforeAll(async () => {
  standIn = await startOpenAiStandIn({ apiKey: KEY, models: [MODEL] });
});
afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

function column(name: string, type: string, semanticType: ColumnModel["semanticType"], extra: Partial<ColumnModel> = {}): ColumnModel {
  return { name, type, nullable: true, primaryKey: false, unique: false, checks: [], semanticType, ...extra };
}

const countries: TableModel = {
  name: "countries",
  columns: [column("code", "VARCHAR(2)", "code", { primaryKey: true, nullable: false }), column("name", "VARCHAR", "country", { nullable: false })],
  primaryKey: ["code"],
  uniqueKeys: [],
  foreignKeys: [],
  checks: [],
};
const customers: TableModel = {
  name: "customers",
  description: "People who buy from the shop",
  columns: [
    column("customer_id", "INTEGER", "id", { primaryKey: true, nullable: false }),
    column("country_code", "VARCHAR(2)", "code", { nullable: false }),
    column("full_name", "VARCHAR(20)", "name", { nullable: false, checks: ["full_name <> 'Forbidden Name'"] }),
    column("city", "VARCHAR", "city"),
    column("country", "VARCHAR", "country", { nullable: false }),
    column("email", "VARCHAR", "email", { unique: true }),
    column("notes", "VARCHAR", "text"),
  ],
  primaryKey: ["customer_id"],
  uniqueKeys: [],
  foreignKeys: [{ columns: ["country_code"], refTable: "countries", refColumns: ["code"] }],
  checks: [],
};
const orders: TableModel = {
  name: "orders",
  columns: [
    column("order_id", "INTEGER", "id", { primaryKey: true, nullable: false }),
    column("customer_id", "INTEGER", "id", { nullable: false }),
    column("status", "VARCHAR", "category", { nullable: false, allowedValues: ["open", "shipped"], checks: ["status IN ('open', 'shipped')"] }),
    column("comment", "VARCHAR", "text"),
  ],
  primaryKey: ["order_id"],
  uniqueKeys: [],
  foreignKeys: [{ columns: ["customer_id"], refTable: "customers", refColumns: ["customer_id"] }],
  checks: [],
};
const model: SchemaModel = { dialect: "duckdb", tables: [countries, customers, orders] };

const DDL = [
  `CREATE TABLE countries (code VARCHAR(2) PRIMARY KEY, name VARCHAR NOT NULL)`,
  `CREATE TABLE customers (
     customer_id INTEGER PRIMARY KEY,
     country_code VARCHAR(2) NOT NULL,
     full_name VARCHAR(20) NOT NULL CHECK (full_name <> 'Forbidden Name'),
     city VARCHAR,
     country VARCHAR NOT NULL,
     email VARCHAR UNIQUE,
     notes VARCHAR,
     FOREIGN KEY (country_code) REFERENCES countries (code))`,
  `CREATE TABLE orders (
     order_id INTEGER PRIMARY KEY,
     customer_id INTEGER NOT NULL,
     status VARCHAR NOT NULL CHECK (status IN ('open', 'shipped')),
     comment VARCHAR,
     FOREIGN KEY (customer_id) REFERENCES customers (customer_id))`,
  `INSERT INTO countries VALUES ('FR', 'France'), ('JP', 'Japan'), ('BR', 'Brazil')`,
  `INSERT INTO customers
     SELECT i, ['FR', 'JP', 'BR'][1 + i % 3], 'Customer ' || i, 'Rule City ' || i, ['France', 'Japan', 'Brazil'][1 + i % 3],
            'c' || i || '@example.com', 'rule note ' || i
     FROM range(1, 31) t(i)`,
  `INSERT INTO orders SELECT i, 1 + i % 30, CASE WHEN i % 2 = 0 THEN 'open' ELSE 'shipped' END, 'rule comment ' || i FROM range(1, 11) t(i)`,
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;
let fileCounter = 0;

beforeEach(async () => {
  instance = await DuckDBInstance.create(path.join(dir, `sandbox-${++fileCounter}.duckdb`));
  connection = await instance.connect();
  for (const sql of DDL) await connection.run(sql);
  standIn.requests.length = 0;
  standIn.configure({ failFirst: 0, delayMs: 0, answer: (messages, body) => answerWith(messages, body) });
});
afterEach(() => {
  connection.closeSync();
  instance.closeSync();
});

const client = (overrides: Partial<Parameters<typeof createChatClient>[0]> = {}) =>
  createChatClient({ baseUrl: standIn.url, apiKey: KEY, model: MODEL, retryBaseMs: 5, maxRetries: 0, ...overrides });

type Context = Record<string, string | null>;

/** The rows and columns a request asks for, read from its response_format, and each row's context from the prompt. */
function requested(messages: StandInMessage[], body: Record<string, unknown>): { columns: string[]; rows: number; context: Context[] } {
  const format = body.response_format as { json_schema: { schema: { properties: { rows: { minItems: number; items: { properties: Record<string, unknown> } } } } } };
  const rows = format.json_schema.schema.properties.rows;
  const context = [...messages.at(-1)!.content.matchAll(/^\d+\. (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as Context);
  return { columns: Object.keys(rows.items.properties), rows: rows.minItems, context };
}

/** A JSON answer with a value per requested cell; by default "<column> #<row's own id>". */
function answerWith(
  messages: StandInMessage[],
  body: Record<string, unknown>,
  value: (column: string, context: Context) => unknown = (c, ctx) => `${c} #${ctx.order_id ?? ctx.customer_id}`,
): string {
  const { columns, rows, context } = requested(messages, body);
  return JSON.stringify({ rows: Array.from({ length: rows }, (_, i) => Object.fromEntries(columns.map((c) => [c, value(c, context[i]!)]))) });
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

const snapshot = async () => ({
  countries: await rows("SELECT * FROM countries ORDER BY rowid"),
  customers: await rows("SELECT * FROM customers ORDER BY rowid"),
  orders: await rows("SELECT * FROM orders ORDER BY rowid"),
});

const keysOf = async () => ({
  customers: await rows("SELECT rowid, customer_id, country_code, country, email FROM customers ORDER BY rowid"),
  orders: await rows("SELECT rowid, order_id, customer_id, status FROM orders ORDER BY rowid"),
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("applyLlmRealism", () => {
  it("writes the model's values into the free-text columns of the first rows, keeping keys and row counts", async () => {
    const keysBefore = await keysOf();
    const progress: LlmRealismProgress[] = [];
    const result = await applyLlmRealism(connection, model, {
      client: client(),
      maxRowsPerTable: 25,
      chunkSize: 10,
      onProgress: (p) => void progress.push(p),
    });

    expect(result).toMatchObject({ calls: 4, updatedCells: 25 * 3 + 10, repairedCells: 0, rejectedCells: 0, failedChunks: 0 });
    expect(result.tables).toEqual({ customers: { rows: 25, updatedCells: 75 }, orders: { rows: 10, updatedCells: 10 } });
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeGreaterThan(0);
    expect(progress.map((p) => [p.doneChunks, p.totalChunks, p.table])).toEqual([
      [1, 4, "customers"],
      [2, 4, "customers"],
      [3, 4, "customers"],
      [4, 4, "orders"],
    ]);
    expect(progress.at(-1)).toMatchObject({ promptTokens: result.promptTokens, completionTokens: result.completionTokens });

    expect(await keysOf()).toEqual(keysBefore);
    expect(await rows("SELECT full_name, city, notes FROM customers WHERE customer_id = 7")).toEqual([["full_name #7", "city #7", "notes #7"]]);
    expect(await rows("SELECT count(*) FROM customers WHERE full_name LIKE 'full_name #%'")).toEqual([["25"]]);
    // Rows past maxRowsPerTable keep their rule values.
    expect(await rows("SELECT full_name, city FROM customers WHERE customer_id = 26")).toEqual([["Customer 26", "Rule City 26"]]);
    expect(await rows("SELECT comment FROM orders WHERE order_id = 3")).toEqual([["comment #3"]]);
    expect(await rows("SELECT name FROM countries ORDER BY code")).toEqual([["Brazil"], ["France"], ["Japan"]]);
  });

  it("sends the derived schema as strict structured output and the rows' context in the prompt", async () => {
    await applyLlmRealism(connection, model, { client: client(), maxRowsPerTable: 4, chunkSize: 4, tables: ["customers"] });
    expect(standIn.requests).toHaveLength(1);
    const body = standIn.requests[0]!.body as { response_format: unknown; messages: StandInMessage[]; temperature: number; max_tokens: number };
    expect(body.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: realismSchemaName(customers), schema: tableJsonSchema(customers, pickLlmColumns(customers), 4), strict: true },
    });
    expect(Object.keys((body.response_format as { json_schema: { schema: { properties: { rows: { items: { properties: object } } } } } }).json_schema.schema.properties.rows.items.properties)).toEqual([
      "full_name",
      "city",
      "notes",
    ]);
    const user = body.messages.at(-1)!.content;
    expect(user).toContain('1. {"customer_id":"1","country_code":"JP","country":"Japan","email":"c1@example.com"}');
    expect(user).not.toContain("Rule City");
    expect(body.max_tokens).toBeGreaterThan(0);
  });

  it("truncates over-long values to the declared length and counts them as repaired", async () => {
    standIn.configure({ answer: (messages, body) => answerWith(messages, body, (c, ctx) => (c === "full_name" ? `Bartholomew Maximilian Featherstonehaugh ${ctx.customer_id}` : `${c} ok`)) });
    const result = await applyLlmRealism(connection, model, { client: client(), maxRowsPerTable: 5, chunkSize: 5, tables: ["customers"] });
    expect(result).toMatchObject({ updatedCells: 15, repairedCells: 5, rejectedCells: 0 });
    expect(await rows("SELECT full_name FROM customers WHERE customer_id = 2")).toEqual([["Bartholomew Maximili"]]);
    expect(await rows("SELECT max(length(full_name)) FROM customers")).toEqual([["20"]]);
  });

  it("keeps the rule values of cells the model nulled in a NOT NULL column, and of every row of a garbage answer", async () => {
    let call = 0;
    standIn.configure({
      answer: (messages, body) =>
        ++call === 1 ? answerWith(messages, body, (c, ctx) => (c === "full_name" ? null : `${c} #${ctx.customer_id}`)) : "Sorry, I cannot produce that table.",
    });
    const before = await snapshot();
    const result = await applyLlmRealism(connection, model, { client: client(), maxRowsPerTable: 10, chunkSize: 5, tables: ["customers"] });
    expect(result).toMatchObject({ calls: 2, updatedCells: 10, rejectedCells: 5 + 15, failedChunks: 0 });
    expect(await rows("SELECT full_name, city, notes FROM customers WHERE customer_id = 1")).toEqual([["Customer 1", "city #1", "notes #1"]]);
    const after = await snapshot();
    expect(after.customers.slice(5)).toEqual(before.customers.slice(5));
  });

  it("keeps the rule values of a row whose new values break a CHECK, and writes the others", async () => {
    standIn.configure({ answer: (messages, body) => answerWith(messages, body, (c, ctx) => (c === "full_name" && ctx.customer_id === "3" ? "Forbidden Name" : `${c} #${ctx.customer_id}`)) });
    const result = await applyLlmRealism(connection, model, { client: client(), maxRowsPerTable: 5, chunkSize: 5, tables: ["customers"] });
    expect(result).toMatchObject({ updatedCells: 12, rejectedCells: 3 });
    expect(await rows("SELECT full_name, city, notes FROM customers WHERE customer_id = 3")).toEqual([["Customer 3", "Rule City 3", "rule note 3"]]);
    expect(await rows("SELECT full_name FROM customers WHERE customer_id IN (1, 2, 4, 5) ORDER BY customer_id")).toEqual([
      ["full_name #1"],
      ["full_name #2"],
      ["full_name #4"],
      ["full_name #5"],
    ]);
  });

  it("goes on past a failed chunk and counts it", async () => {
    standIn.configure({ failFirst: 1, failStatus: 503 });
    const result = await applyLlmRealism(connection, model, { client: client(), maxRowsPerTable: 15, chunkSize: 5, tables: ["customers"] });
    expect(result).toMatchObject({ calls: 3, failedChunks: 1, updatedCells: 30 });
    expect(await rows("SELECT full_name FROM customers WHERE customer_id = 1")).toEqual([["Customer 1"]]);
    expect(await rows("SELECT full_name FROM customers WHERE customer_id = 6")).toEqual([["full_name #6"]]);
  });

  it("stops with a provider error after the first 3 chunks fail, leaving the data unchanged", async () => {
    standIn.configure({ failFirst: 1000, failStatus: 503 });
    const before = await snapshot();
    const error = await failure(applyLlmRealism(connection, model, { client: client({ maxRetries: 1 }), chunkSize: 5 }));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toMatch(/first 3 requests to the model "realism-model" failed/);
    expect(error.message).toMatch(/Check the endpoint's base URL, API key and model name/);
    expect(error.message).toMatch(/failed with 503 after 2 attempts/);
    expect(error.message).not.toContain(KEY);
    expect(standIn.requests).toHaveLength(6);
    expect(await snapshot()).toEqual(before);
  });

  it("never puts the API key in its error, even when the endpoint refuses it", async () => {
    const wrongKey = "sk-wrong-realism-key-abcdefghijklmnop";
    const error = await failure(applyLlmRealism(connection, model, { client: client({ apiKey: wrongKey }), chunkSize: 50 }));
    expect(error).toBeInstanceOf(ProviderError);
    // Two chunks in all (one per table): both failing is enough to stop.
    expect(error.message).toMatch(/first 2 requests .* refused the API key \(401\)/);
    for (const key of [wrongKey, KEY]) {
      expect(error.message).not.toContain(key);
      expect(JSON.stringify((error as ProviderError).details)).not.toContain(key);
    }
  });

  it("stops between chunks when cancelled, keeping what was written", async () => {
    let done = 0;
    const error = await failure(
      applyLlmRealism(connection, model, {
        client: client(),
        maxRowsPerTable: 20,
        chunkSize: 5,
        onProgress: (p) => void (done = p.doneChunks),
        isCancelled: async () => done >= 2,
      }),
    );
    expect(error.message).toBe("Cancelled");
    expect(standIn.requests).toHaveLength(2);
    expect(await rows("SELECT count(*) FROM customers WHERE full_name LIKE 'full_name #%'")).toEqual([["10"]]);
    expect(await rows("SELECT count(*) FROM orders WHERE comment LIKE 'comment #%'")).toEqual([["0"]]);
  });

  it("rewrites only the tables asked for, and refuses an unknown one", async () => {
    const result = await applyLlmRealism(connection, model, { client: client(), tables: ["orders", "countries"] });
    expect(result.tables).toEqual({ orders: { rows: 10, updatedCells: 10 } });
    expect(await rows("SELECT count(*) FROM customers WHERE full_name LIKE 'full_name #%'")).toEqual([["0"]]);
    await expect(applyLlmRealism(connection, model, { client: client(), tables: ["nope"] })).rejects.toBeInstanceOf(ValidationError);
  });
});
