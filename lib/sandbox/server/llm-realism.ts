import "server-only";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ProviderError, ValidationError } from "@/lib/errors";
import type { ChatClient } from "@/lib/providers/chat";
import { redactSecrets } from "@/lib/redact";
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { quoteIdent, quoteTable } from "@/lib/sandbox/ddl";
import {
  buildRealismPrompt,
  MAX_LLM_VALUE_CHARS,
  pickContextColumns,
  pickLlmColumns,
  realismSchemaName,
  tableJsonSchema,
  validateLlmRows,
  type ContextRow,
  type ValidatedRow,
} from "@/lib/sandbox/llm-realism";
import { parseColumnType } from "@/lib/sandbox/values";

// Rewrites the free-text columns of a generated sandbox with a model's values, chunk by chunk.
// The rows stay where they are (same count, same keys): only the cells the model may write
// (see pickLlmColumns) change, through an UPDATE joined on rowid. DuckDB enforces the sandbox's
// constraints on that UPDATE, so values breaking a CHECK are caught there and the row keeps its
// rule-generated values.

export interface LlmRealismProgress {
  doneChunks: number;
  totalChunks: number;
  promptTokens: number;
  completionTokens: number;
  /** The table of the chunk just finished. */
  table: string;
}

export interface LlmRealismOptions {
  client: ChatClient;
  /** Rows (the first by rowid) of each table that get model-written values. Default 200. */
  maxRowsPerTable?: number;
  /** Rows per request. Default 20. */
  chunkSize?: number;
  /** Tables to rewrite. Default: every table with a column the model may write. */
  tables?: string[];
  onProgress?: (p: LlmRealismProgress) => void | Promise<void>;
  /** Checked before each chunk; when true the run stops with Error("Cancelled"). */
  isCancelled?: () => boolean | Promise<boolean>;
}

export interface LlmRealismResult {
  /** Requests sent to the model (one per chunk, whatever its outcome). */
  calls: number;
  promptTokens: number;
  completionTokens: number;
  /** Cells now holding a model-written value. */
  updatedCells: number;
  /** Of those, cells whose value was repaired first (truncated, control characters removed). */
  repairedCells: number;
  /** Cells that keep their rule-generated value because the model's value was unusable or broke a constraint. */
  rejectedCells: number;
  /** Chunks whose request failed (the provider's error, after its retries). */
  failedChunks: number;
  tables: Record<string, { rows: number; updatedCells: number }>;
}

const STAGE = "__sandpiper_llm_stage";
const STAGE_REF = `temp.main.${STAGE}`;
/** When this many first requests all fail, the endpoint is not working: stop rather than fail every chunk. */
const FIRST_REQUESTS_TO_PROVE_ENDPOINT = 3;
const TEMPERATURE = 0.8;
const MAX_TOKENS_CAP = 8192;

interface TablePlan {
  table: TableModel;
  columns: ColumnModel[];
  context: ColumnModel[];
  rows: number;
  chunks: number;
}

interface ChunkRow {
  rowid: string;
  context: ContextRow;
  current: Record<string, string | null>;
}

export async function applyLlmRealism(connection: DuckDBConnection, model: SchemaModel, opts: LlmRealismOptions): Promise<LlmRealismResult> {
  const maxRows = opts.maxRowsPerTable ?? 200;
  const chunkSize = opts.chunkSize ?? 20;
  if (!Number.isInteger(maxRows) || maxRows < 0) throw new ValidationError(`maxRowsPerTable must be a whole number of rows, 0 or more (got ${maxRows}).`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new ValidationError(`chunkSize must be a whole number of rows, 1 or more (got ${chunkSize}).`);

  const result: LlmRealismResult = {
    calls: 0,
    promptTokens: 0,
    completionTokens: 0,
    updatedCells: 0,
    repairedCells: 0,
    rejectedCells: 0,
    failedChunks: 0,
    tables: {},
  };

  const plans = await planTables(connection, model, opts.tables, maxRows, chunkSize);
  for (const plan of plans) result.tables[plan.table.name] = { rows: plan.rows, updatedCells: 0 };
  const totalChunks = plans.reduce((sum, p) => sum + p.chunks, 0);
  const mustSucceedWithin = Math.min(FIRST_REQUESTS_TO_PROVE_ENDPOINT, totalChunks);
  let doneChunks = 0;
  let succeeded = 0;

  for (const plan of plans) {
    const { table, columns } = plan;
    const schemaName = realismSchemaName(table);
    const maxTokens = estimateMaxTokens(columns, chunkSize);
    let afterRowid: string | null = null;
    let remaining = plan.rows;
    while (remaining > 0) {
      if (await opts.isCancelled?.()) throw new Error("Cancelled");
      const chunk = await readChunk(connection, plan, afterRowid, Math.min(chunkSize, remaining));
      if (chunk.length === 0) break;
      afterRowid = chunk.at(-1)!.rowid;
      remaining -= chunk.length;

      result.calls++;
      let text: string;
      try {
        const completion = await opts.client.complete(buildRealismPrompt(table, columns, chunk.map((r) => r.context)), {
          jsonSchema: { name: schemaName, schema: tableJsonSchema(table, columns, chunk.length) },
          temperature: TEMPERATURE,
          maxTokens,
        });
        result.promptTokens += completion.usage?.promptTokens ?? 0;
        result.completionTokens += completion.usage?.completionTokens ?? 0;
        text = completion.text;
        succeeded++;
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
        result.failedChunks++;
        if (succeeded === 0 && result.failedChunks >= mustSucceedWithin) throw endpointNotWorking(error, opts.client.model, result.failedChunks);
        doneChunks++;
        await opts.onProgress?.({ doneChunks, totalChunks, promptTokens: result.promptTokens, completionTokens: result.completionTokens, table: table.name });
        continue;
      }

      const validation = validateLlmRows(text, table, columns, chunk.length, chunk.map((r) => r.current));
      result.rejectedCells += validation.rejectedCells;
      const written = await writeChunk(connection, plan, chunk, validation.rows);
      result.updatedCells += written.updatedCells;
      result.repairedCells += written.repairedCells;
      result.rejectedCells += written.rejectedCells;
      result.tables[table.name]!.updatedCells += written.updatedCells;

      doneChunks++;
      await opts.onProgress?.({ doneChunks, totalChunks, promptTokens: result.promptTokens, completionTokens: result.completionTokens, table: table.name });
    }
  }
  return result;
}

async function planTables(
  connection: DuckDBConnection,
  model: SchemaModel,
  only: string[] | undefined,
  maxRows: number,
  chunkSize: number,
): Promise<TablePlan[]> {
  // A column another table's key points at is a key whatever its own flags say.
  const referenced = new Set(model.tables.flatMap((t) => t.foreignKeys.flatMap((fk) => fk.refColumns.map((c) => `${fk.refTable}\u0000${c}`))));
  const names = [...new Set(only ?? model.tables.map((t) => t.name))];
  const plans: TablePlan[] = [];
  for (const name of names) {
    const table = model.tables.find((t) => t.name === name);
    if (!table) throw new ValidationError(`The sandbox has no table "${name}". Choose tables from the schema.`);
    // Rows are matched by rowid; a column of that name would hide it.
    if (table.columns.some((c) => c.name.toLowerCase() === "rowid")) continue;
    const columns = pickLlmColumns(table).filter((c) => !referenced.has(`${table.name}\u0000${c.name}`));
    if (columns.length === 0) continue;
    const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${quoteTable(table.name)}`);
    const rows = Math.min(maxRows, Number(reader.getRows()[0]?.[0] ?? 0));
    plans.push({ table, columns, context: pickContextColumns(table, columns), rows, chunks: Math.ceil(rows / chunkSize) });
  }
  return plans;
}

/** The next rows by rowid, with their context values and the current values of the written columns, as text. */
async function readChunk(connection: DuckDBConnection, plan: TablePlan, afterRowid: string | null, limit: number): Promise<ChunkRow[]> {
  const select = [
    "rowid",
    ...plan.context.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR)`),
    ...plan.columns.map((c) => `CAST(${quoteIdent(c.name)} AS VARCHAR)`),
  ].join(", ");
  // rowid values come from DuckDB itself (digits only), never from input.
  const where = afterRowid === null ? "" : `WHERE rowid > ${BigInt(afterRowid).toString()}`;
  const reader = await connection.runAndReadAll(`SELECT ${select} FROM ${quoteTable(plan.table.name)} ${where} ORDER BY rowid LIMIT ${limit}`);
  return (reader.getRowsJson() as (string | number | null)[][]).map((row) => {
    const context: Record<string, string | null> = {};
    const current: Record<string, string | null> = {};
    plan.context.forEach((c, i) => (context[c.name] = asText(row[1 + i])));
    plan.columns.forEach((c, i) => (current[c.name] = asText(row[1 + plan.context.length + i])));
    return { rowid: String(row[0]), context, current };
  });
}

function asText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * Writes the accepted values of a chunk through a temporary staging table and one UPDATE joined
 * on rowid; a flag per cell says whether to take the staged value or keep the current one. When
 * the UPDATE breaks a constraint (a CHECK the model's value fails), rows are written one by one
 * and the ones that fail keep their rule-generated values.
 */
async function writeChunk(
  connection: DuckDBConnection,
  plan: TablePlan,
  chunk: ChunkRow[],
  validated: ValidatedRow[],
): Promise<{ updatedCells: number; repairedCells: number; rejectedCells: number }> {
  const staged = chunk.map((row, i) => ({ rowid: row.rowid, ...validated[i]! })).filter((r) => r.values !== null);
  if (staged.length === 0) return { updatedCells: 0, repairedCells: 0, rejectedCells: 0 };
  const { columns, table } = plan;

  await connection.run(`CREATE OR REPLACE TEMP TABLE ${STAGE} (rid BIGINT, ${columns.map((_, i) => `v${i} VARCHAR, m${i} BOOLEAN`).join(", ")})`);
  try {
    const appender = await connection.createAppender(STAGE, "main", "temp");
    try {
      for (const row of staged) {
        appender.appendBigInt(BigInt(row.rowid));
        for (const column of columns) {
          const has = Object.hasOwn(row.values!, column.name);
          const value = has ? row.values![column.name] : null;
          if (value === null || value === undefined) appender.appendNull();
          else appender.appendVarchar(value);
          appender.appendBoolean(has);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }

    const sets = columns
      .map((c, i) => `${quoteIdent(c.name)} = CASE WHEN s.m${i} THEN CAST(s.v${i} AS ${c.type}) ELSE t.${quoteIdent(c.name)} END`)
      .join(", ");
    const update = `UPDATE ${quoteTable(table.name)} AS t SET ${sets} FROM ${STAGE_REF} AS s WHERE t.rowid = s.rid`;
    const cells = (r: (typeof staged)[number]) => Object.keys(r.values!).length;
    try {
      await connection.run(update);
      return {
        updatedCells: staged.reduce((sum, r) => sum + cells(r), 0),
        repairedCells: staged.reduce((sum, r) => sum + r.repaired.length, 0),
        rejectedCells: 0,
      };
    } catch (error) {
      if (!isConstraintError(error)) throw error;
    }
    const out = { updatedCells: 0, repairedCells: 0, rejectedCells: 0 };
    for (const row of staged) {
      try {
        await connection.run(`${update} AND s.rid = ${BigInt(row.rowid).toString()}`);
        out.updatedCells += cells(row);
        out.repairedCells += row.repaired.length;
      } catch (error) {
        if (!isConstraintError(error)) throw error;
        out.rejectedCells += cells(row);
      }
    }
    return out;
  } finally {
    await connection.run(`DROP TABLE IF EXISTS ${STAGE_REF}`);
  }
}

function isConstraintError(error: unknown): boolean {
  return error instanceof Error && /constraint/i.test(error.message);
}

/** Room for a chunk's answer: about 3 characters a token, the declared length or a sentence per cell, plus the JSON around it. */
function estimateMaxTokens(columns: readonly ColumnModel[], rows: number): number {
  const perRow = columns.reduce((sum, c) => sum + Math.ceil(Math.min(parseColumnType(c.type).length ?? 240, MAX_LLM_VALUE_CHARS) / 3) + 8, 4);
  return Math.min(MAX_TOKENS_CAP, Math.max(512, perRow * rows + 64));
}

function endpointNotWorking(error: ProviderError, model: string, failed: number): ProviderError {
  const message = redactSecrets(
    `The LLM realism pass stopped: the first ${failed} request${failed === 1 ? "" : "s"} to the model "${model}" failed, so the sandbox keeps its rule-generated values. ` +
      `Check the endpoint's base URL, API key and model name, and that the model supports structured output (response_format json_schema). Last error: ${error.message}`,
  );
  return new ProviderError(message, { model, failedChunks: failed, status: error.details?.status });
}
