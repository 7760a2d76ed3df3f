import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OPENFLIGHTS_DDL, OPENFLIGHTS_ROWS } from "@/lib/demo/openflights";
import { parseDuckdbDdl } from "@/lib/schema/server/parse-ddl";
import { generateSandboxFile } from "@/lib/sandbox/server/generate";
import { generateTemplateQueries } from "@/lib/queries/templates";
import { analyzeSql } from "@/lib/queries/server/analyze";
import { sampleValues } from "@/lib/queries/server/service";
import { classifyShape } from "@/lib/queries/classify";
import { SHAPE_FAMILIES } from "@/lib/queries/shapes";

const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-classify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("classifyShape on real generated SQL", () => {
  it("puts template queries in the family they were generated for", async () => {
    const { model } = await parseDuckdbDdl(OPENFLIGHTS_DDL);
    const file = path.join(dir, "demo.duckdb");
    await generateSandboxFile(model, { targetPath: file, seed: 42, rowsPerTable: OPENFLIGHTS_ROWS });
    const drafts = generateTemplateQueries(model, await sampleValues(file, model), { seed: 7, max: 2_000 });
    let sameFamily = 0;
    let sameShape = 0;
    const misses = new Map<string, number>();
    for (const d of drafts) {
      const analysis = await analyzeSql(d.sql);
      if (!analysis.ok) throw new Error(analysis.error);
      const shape = classifyShape(analysis.features, d.sql);
      if (shape === d.shape) sameShape++;
      if (SHAPE_FAMILIES[shape].family === SHAPE_FAMILIES[d.shape].family) sameFamily++;
      else misses.set(`${d.shape}→${shape}`, (misses.get(`${d.shape}→${shape}`) ?? 0) + 1);
    }
    const family = sameFamily / drafts.length;
    expect(family, `family agreement ${family.toFixed(3)}, shape ${(sameShape / drafts.length).toFixed(3)}; misses ${JSON.stringify([...misses].slice(0, 12))}`).toBeGreaterThan(0.9);
  }, 60_000);
});
