// npm run bench:sandbox — how fast the sandbox generator fills a large sandbox, against DuckDB's
// own bulk generation of tables of the same shape, measured in the same run.
//
// The demo (OpenFlights) schema is parsed and its demo row counts are scaled so that the tables
// hold BENCH_TOTAL_ROWS rows in all (1,000,000 by default). Lookup tables stay bounded by what the
// generator can draw as distinct values: countries keep at most one row per known country. Then:
//
//   1. generateSandboxFile() builds the sandbox in a temp dir (timed, peak memory sampled);
//   2. the reference: a fresh DuckDB file where each table is `CREATE TABLE … AS SELECT … FROM
//      range(n)` with columns of the same types (sequential keys, `'name_' || i` strings, random
//      doubles, hash-picked foreign keys into the parent's key range), checkpointed and closed.
//
// Goal: generator time ≤ 4 × reference time, and peak memory (RSS) < 1 GB. Prints PASS or FAIL;
// the exit code is 0 only on PASS.
//
// Options (environment): BENCH_TOTAL_ROWS (1000000), BENCH_SEED (42), BENCH_RATIO_GOAL (4),
// BENCH_MEMORY_GOAL_MB (1024), BENCH_REF_THREADS (1, the generator's own setting),
// BENCH_KEEP=1 keeps the temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import type { ColumnModel, SchemaModel, TableModel } from "@/lib/schema/model";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { quoteIdent, quoteTable } from "@/lib/sandbox/ddl";
import { COUNTRY_NAMES } from "@/lib/sandbox/places";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { numberFromEnv as readNumber } from "./bench-env";

const numberFromEnv = (name: string, fallback: number, integer = true) => readNumber(name, fallback, { integer });


const TOTAL_ROWS = numberFromEnv("BENCH_TOTAL_ROWS", 1_000_000);
const SEED = numberFromEnv("BENCH_SEED", 42);
const RATIO_GOAL = numberFromEnv("BENCH_RATIO_GOAL", 4, false);
const MEMORY_GOAL_MB = numberFromEnv("BENCH_MEMORY_GOAL_MB", 1024);
const REF_THREADS = numberFromEnv("BENCH_REF_THREADS", 1);
const KEEP = process.env.BENCH_KEEP === "1";

/** Largest row count a lookup table can take while every row stays a distinct, realistic value. */
const LOOKUP_CAPS: Record<string, number> = { countries: COUNTRY_NAMES.length };

/**
 * Scales the demo counts so they add up to `total`: capped tables keep their cap, the rest share
 * what is left in the demo's proportions (largest remainders get the leftover rows).
 */
function scaleRows(base: Record<string, number>, total: number): Record<string, number> {
  const names = Object.keys(base);
  const baseTotal = names.reduce((s, n) => s + base[n]!, 0);
  const out: Record<string, number> = {};
  let free = names;
  let left = total;
  // Cap lookup tables first; capping one frees rows for the others, so repeat until stable.
  for (;;) {
    const freeBase = free.reduce((s, n) => s + base[n]!, 0);
    const capped = free.filter((n) => LOOKUP_CAPS[n] !== undefined && (base[n]! * left) / freeBase > LOOKUP_CAPS[n]!);
    if (capped.length === 0) break;
    for (const n of capped) {
      out[n] = LOOKUP_CAPS[n]!;
      left -= LOOKUP_CAPS[n]!;
    }
    free = free.filter((n) => !capped.includes(n));
  }
  const freeBase = free.reduce((s, n) => s + base[n]!, 0) || baseTotal;
  const exact = free.map((n) => ({ n, v: (base[n]! * left) / freeBase }));
  for (const { n, v } of exact) out[n] = Math.floor(v);
  let rest = left - exact.reduce((s, { n }) => s + out[n]!, 0);
  for (const { n } of [...exact].sort((a, b) => (b.v % 1) - (a.v % 1))) {
    if (rest <= 0) break;
    out[n]!++;
    rest--;
  }
  return out;
}

/** Polls RSS every 50 ms; the peak also takes the kernel's max RSS for the process into account. */
function startMemorySampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop(): number {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Kernel max RSS so far (resourceUsage reports kilobytes). */
const maxRssBytes = () => process.resourceUsage().maxRSS * 1024;

// ---------- the reference: DuckDB-native generation of the same shape ----------

/** How row i's key is written, so foreign keys can pick into the parent's key range. */
function keyExpression(column: ColumnModel, i: string): string {
  const kind = column.canonicalType ?? "other";
  if (kind === "integer" || kind === "decimal" || kind === "float") return `CAST(${i} + 1 AS ${column.type})`;
  return `CAST('${column.name}_' || (${i} + 1) AS ${column.type})`;
}

function valueExpression(column: ColumnModel, salt: number): string {
  const h = `hash(i, ${salt})`;
  const length = /\((\d+)\)/.exec(column.type)?.[1];
  switch (column.canonicalType) {
    case "integer":
      return `CAST(${h} % 1000 AS ${column.type})`;
    case "decimal":
    case "float":
      return `CAST(random() * 100 AS ${column.type})`;
    case "boolean":
      return `(${h} % 2 = 0)`;
    case "date":
      return `DATE '2000-01-01' + CAST(${h} % 9000 AS INTEGER)`;
    case "timestamp":
      return `TIMESTAMP '2000-01-01' + to_seconds(CAST(${h} % 700000000 AS BIGINT))`;
    case "uuid":
      return "uuid()";
    default:
      if (column.allowedValues && column.allowedValues.length > 0) {
        const list = column.allowedValues.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ");
        return `[${list}][1 + CAST(${h} % ${column.allowedValues.length} AS INTEGER)]`;
      }
      if (length) return `CAST(left('${column.name}_' || i, ${length}) AS ${column.type})`;
      return `CAST('${column.name}_' || i AS ${column.type})`;
  }
}

function referenceSelect(table: TableModel, rows: number, rowCounts: Record<string, number>, model: SchemaModel): string {
  const fkOf = new Map<string, { refTable: TableModel; refColumn: string }>();
  for (const fk of table.foreignKeys) {
    const refTable = model.tables.find((t) => t.name === fk.refTable);
    if (!refTable || fk.columns.length !== 1) continue;
    fkOf.set(fk.columns[0]!, { refTable, refColumn: fk.refColumns[0]! });
  }
  const pk = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const select = table.columns.map((column, index) => {
    const fk = fkOf.get(column.name);
    let expr: string;
    if (fk) {
      const parentRows = Math.max(1, rowCounts[fk.refTable.name] ?? 1);
      const parentKey = fk.refTable.columns.find((c) => c.name === fk.refColumn)!;
      expr = keyExpression(parentKey, `(hash(i, ${index + 1000}) % ${parentRows})`);
      expr = `CAST(${expr} AS ${column.type})`;
    } else if (column.name === pk || column.unique) {
      expr = keyExpression(column, "i");
      const length = /\((\d+)\)/.exec(column.type)?.[1];
      if (length && column.canonicalType !== "integer") expr = `CAST(left(CAST(i AS VARCHAR), ${length}) AS ${column.type})`;
    } else {
      expr = valueExpression(column, index);
    }
    return `${expr} AS ${quoteIdent(column.name)}`;
  });
  return `CREATE TABLE ${quoteTable(table.name)} AS SELECT ${select.join(", ")} FROM range(${rows}) AS r(i)`;
}

async function buildReference(model: SchemaModel, rowCounts: Record<string, number>, file: string) {
  const perTable: Record<string, number> = {};
  const started = performance.now();
  const instance = await DuckDBInstance.create(file, { threads: String(REF_THREADS) });
  const connection = await instance.connect();
  try {
    for (const table of model.tables) {
      const t0 = performance.now();
      await connection.run(referenceSelect(table, rowCounts[table.name] ?? 0, rowCounts, model));
      perTable[table.name] = performance.now() - t0;
    }
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return { seconds: (performance.now() - started) / 1000, perTable };
}

// ---------- the run ----------

const fmt = (n: number) => n.toLocaleString("en-US");
const mb = (bytes: number) => bytes / (1024 * 1024);

async function main(): Promise<number> {
  const { model } = await parseDuckdbDdl(OPENFLIGHTS_DDL);
  const demoRows = Object.fromEntries(model.tables.map((t) => [t.name, OPENFLIGHTS_ROWS[t.name] ?? 200]));
  const rowsPerTable = scaleRows(demoRows, TOTAL_ROWS);
  const workDir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-bench-sandbox-"));

  try {
    console.log(`Sandbox generation benchmark: ${fmt(TOTAL_ROWS)} rows over the demo schema (seed ${SEED})`);
    console.log(`Node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()} ${os.arch()}\n`);

    // 1. The generator.
    // Per-table time: from the previous progress report to the table's "Filled …" report.
    const tableTimes: Record<string, number> = {};
    const sampler = startMemorySampler();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    let last = t0;
    const result = await generateSandboxFile(model, {
      targetPath: path.join(workDir, "generated.duckdb"),
      seed: SEED,
      rowsPerTable,
      onProgress: (_pct, message) => {
        const now = performance.now();
        const filled = /^Filled (\S+) /.exec(message)?.[1];
        if (filled) tableTimes[filled] = now - last;
        last = now;
      },
    });
    const genSeconds = (performance.now() - t0) / 1000;
    const genPeak = Math.max(sampler.stop(), maxRssBytes());

    const generated = Object.values(result.rowCounts).reduce((a, b) => a + b, 0);

    // 2. The DuckDB-native reference, same process, after the generator (so its memory is measured separately).
    const refSampler = startMemorySampler();
    const ref = await buildReference(model, result.rowCounts, path.join(workDir, "reference.duckdb"));
    const refPeak = refSampler.stop();

    // ---------- report ----------
    const rows: string[][] = [["table", "asked", "generated", "generator s", "rows/s", "reference s", "ratio"]];
    for (const table of model.tables) {
      const g = (tableTimes[table.name] ?? 0) / 1000;
      const r = (ref.perTable[table.name] ?? 0) / 1000;
      const n = result.rowCounts[table.name] ?? 0;
      rows.push([
        table.name,
        fmt(rowsPerTable[table.name] ?? 0),
        fmt(n),
        g.toFixed(2),
        g > 0 ? fmt(Math.round(n / g)) : "-",
        r.toFixed(3),
        r > 0 ? `${(g / r).toFixed(1)}×` : "-",
      ]);
    }
    const ratio = genSeconds / ref.seconds;
    rows.push([
      "total (incl. file write)",
      fmt(Object.values(rowsPerTable).reduce((a, b) => a + b, 0)),
      fmt(generated),
      genSeconds.toFixed(2),
      fmt(Math.round(generated / genSeconds)),
      ref.seconds.toFixed(3),
      `${ratio.toFixed(2)}×`,
    ]);
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    rows.forEach((r, k) => {
      console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
      if (k === 0 || k === rows.length - 2) console.log(widths.map((w) => "-".repeat(w)).join("  "));
    });

    console.log(`\nSandbox file: ${fmt(result.bytes)} bytes`);
    console.log(`Peak memory (RSS): generator ${mb(genPeak).toFixed(0)} MB (process at start ${mb(rssBefore).toFixed(0)} MB); reference ${mb(refPeak).toFixed(0)} MB`);
    console.log(`Reference: DuckDB CREATE TABLE … AS SELECT … FROM range(n), threads=${REF_THREADS} (the generator runs DuckDB with threads=1)`);

    const reasons: string[] = [];
    if (generated !== Object.values(rowsPerTable).reduce((a, b) => a + b, 0)) reasons.push(`generated ${fmt(generated)} rows, asked for ${fmt(TOTAL_ROWS)}`);
    if (ratio > RATIO_GOAL) reasons.push(`ratio ${ratio.toFixed(2)}× > ${RATIO_GOAL}×`);
    if (mb(genPeak) >= MEMORY_GOAL_MB) reasons.push(`peak memory ${mb(genPeak).toFixed(0)} MB ≥ ${MEMORY_GOAL_MB} MB`);
    const summary = `ratio ${ratio.toFixed(2)}× (goal ≤ ${RATIO_GOAL}×), peak ${mb(genPeak).toFixed(0)} MB (goal < ${MEMORY_GOAL_MB} MB), ${fmt(Math.round(generated / genSeconds))} rows/s`;
    console.log(reasons.length === 0 ? `\nPASS — ${summary}` : `\nFAIL — ${reasons.join("; ")} — ${summary}`);
    return reasons.length === 0 ? 0 : 1;
  } finally {
    if (KEEP) console.log(`Kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
