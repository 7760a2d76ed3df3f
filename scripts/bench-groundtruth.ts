// npm run bench:groundtruth — how fast the ground-truth step executes queries on a sandbox,
// against bare DuckDB execution of the same SQL on the same file, measured in the same run.
//
// Builds the demo (OpenFlights) sandbox in a temp dir, generates template queries over it (the
// list is repeated until it holds BENCH_QUERIES queries, 1,000 by default), then times:
//   1. the pipeline: `executeGroundTruth(sandbox, sql)` for each query, exactly as the queries
//      job does (safe-execution checks, read-only pooled reader, row cap, stored JSON form);
//   2. the reference: one DuckDB connection, opened with the same settings as the sandbox reader
//      (read-only, 2 threads, 256 MB), running each SQL and reading every row.
// Both run BENCH_ROUNDS times (5) alternately, reference first. Each round gives a ratio of two
// runs taken seconds apart, so machine-wide slowdowns cancel out; the verdict uses the median of
// those ratios (the best time of each side is printed too).
// Every distinct query is analysed first, as the queries job does when it stores a query (that
// parse is also the plain-query check safe execution relies on); analysis is timed separately
// and reported, not counted in the pipeline's execution time.
// Goal: pipeline time ≤ 1.3 × reference time. Prints PASS or FAIL; exit code 0 only on PASS.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { generateTemplateQueries } from "@/lib/queries/templates";
import { executeGroundTruth, sampleValues } from "@/lib/queries/server/service";
import { closeAllSandboxReaders } from "@/lib/sql/server/safe-exec";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { numberFromEnv } from "./bench-env";


const QUERIES = Math.round(numberFromEnv("BENCH_QUERIES", 1_000));
const ROUNDS = Math.round(numberFromEnv("BENCH_ROUNDS", 5));
const RATIO_GOAL = numberFromEnv("BENCH_RATIO_GOAL", 1.3);

async function main(): Promise<number> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-bench-groundtruth-"));
  try {
    const { model } = await parseDuckdbDdl(OPENFLIGHTS_DDL);
    const file = path.join(workDir, "sandbox.duckdb");
    await generateSandboxFile(model, { targetPath: file, seed: 42, rowsPerTable: OPENFLIGHTS_ROWS });
    const samples = await sampleValues(file, model);
    const drafts = generateTemplateQueries(model, samples, { seed: 7, max: 2_000 });
    const sqls = Array.from({ length: QUERIES }, (_, i) => drafts[i % drafts.length]!.sql);
    console.log(`Ground-truth benchmark: ${QUERIES.toLocaleString("en-US")} queries (${drafts.length} distinct) on the demo sandbox, ${ROUNDS} rounds`);
    console.log(`Node ${process.version}, ${os.cpus().length} CPUs\n`);

    const analysisStart = performance.now();
    for (const draft of drafts) await analyzeSql(draft.sql);
    const analysisSeconds = (performance.now() - analysisStart) / 1000;
    console.log(`Analysis of the ${drafts.length} distinct queries (when they are stored): ${analysisSeconds.toFixed(3)} s\n`);

    const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY", threads: "2", memory_limit: "256MB" });
    const connection = await instance.connect();
    const ratios: number[] = [];
    let referenceBest = Infinity;
    let pipelineBest = Infinity;
    let failed = 0;
    let rows = 0;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        let t0 = performance.now();
        for (const sql of sqls) {
          const reader = await connection.runAndReadAll(sql);
          reader.getRowsJson();
        }
        const reference = (performance.now() - t0) / 1000;
        t0 = performance.now();
        failed = 0;
        rows = 0;
        for (const sql of sqls) {
          const out = await executeGroundTruth(file, sql);
          if (out.ok) rows += out.rowCount;
          else failed++;
        }
        const pipeline = (performance.now() - t0) / 1000;
        ratios.push(pipeline / reference);
        referenceBest = Math.min(referenceBest, reference);
        pipelineBest = Math.min(pipelineBest, pipeline);
        console.log(`round ${round}: reference ${reference.toFixed(3)} s, pipeline ${pipeline.toFixed(3)} s, ratio ${(pipeline / reference).toFixed(2)}×`);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
      await closeAllSandboxReaders();
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    const ratio = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    console.log(`\nBest of ${ROUNDS}: reference ${referenceBest.toFixed(3)} s (${Math.round(QUERIES / referenceBest).toLocaleString("en-US")} queries/s), pipeline ${pipelineBest.toFixed(3)} s (${Math.round(QUERIES / pipelineBest).toLocaleString("en-US")} queries/s)`);
    console.log(`${rows.toLocaleString("en-US")} result rows stored; ${failed} queries refused as labels (too many rows or an error)`);
    console.log(`Ratio per round: ${ratios.map((r) => `${r.toFixed(2)}×`).join(", ")}; best times: ${(pipelineBest / referenceBest).toFixed(2)}×`);
    const summary = `median ratio ${ratio.toFixed(2)}× (goal ≤ ${RATIO_GOAL}×), ${Math.round(QUERIES / pipelineBest).toLocaleString("en-US")} queries/s`;
    console.log(ratio <= RATIO_GOAL ? `\nPASS — ${summary}` : `\nFAIL — ${summary}`);
    return ratio <= RATIO_GOAL ? 0 : 1;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
