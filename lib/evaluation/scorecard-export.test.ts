import { describe, expect, it } from "vitest";
import { parseCsv } from "@/lib/datasets/export-generic";
import { SCORECARD_CSV_COLUMNS, scorecardCsv, scorecardJson, scorecardMarkdown, type ScorecardExportMeta } from "@/lib/evaluation/scorecard-export";
import type { Scorecard } from "@/lib/evaluation/scorecard-types";

const CARD: Scorecard = {
  total: 5,
  correct: 2,
  accuracy: 0.4,
  interval: { low: 0.1176, high: 0.7693 },
  suite: { variants: 2, correct: 1, accuracy: 0.2, interval: { low: 0.0362, high: 0.6245 } },
  exactMatchRate: 0.2,
  templateMatchRate: 0.4,
  meanSimilarity: 0.52,
  byComplexity: [
    { key: "simple", total: 2, correct: 1, accuracy: 0.5, interval: { low: 0.09453, high: 0.90547 } },
    { key: "complex", total: 3, correct: 1, accuracy: 1 / 3, interval: { low: 0.0615, high: 0.7923 } },
  ],
  byShape: [{ key: "lookup", total: 5, correct: 2, accuracy: 0.4, interval: { low: 0.1176, high: 0.7693 } }],
  byTable: [{ key: "flights, \"main\"", total: 5, correct: 2, accuracy: 0.4, interval: { low: 0.1176, high: 0.7693 } }],
  byStyle: [{ key: "=HYPERLINK(1)", total: 5, correct: 2, accuracy: 0.4, interval: { low: 0.1176, high: 0.7693 } }],
  bySource: [{ key: "scope", total: 5, correct: 2, accuracy: 0.4, interval: { low: 0.1176, high: 0.7693 } }],
  errors: [
    { errorClass: "unknown_column", label: "Unknown column (hallucinated)", count: 2, rate: 0.4 },
    { errorClass: "wrong_result", label: "Wrong result", count: 1, rate: 0.2 },
  ],
  executionErrorRate: 0.4,
  hallucinationRate: 0.4,
  noAnswerRate: 0,
  stability: { repeats: 3, items: 4, consistent: 3, rate: 0.75, flakyItemIds: ["i2"] },
  latency: { p50: 200, p95: 1000, mean: 400, max: 1000 },
  tokens: { prompt: 7200, completion: 370, meanPrompt: 825, meanCompletion: 45 },
  cost: { totalUsd: 0.0135, per1kUsd: 1.875, meanPerQuestionUsd: 0.001875, priced: true },
};

const META: ScorecardExportMeta = {
  runId: "run_123",
  label: "Baseline, week 3",
  endpointName: "gpt-small",
  model: "gpt-4o-mini",
  datasetVersion: 4,
  createdAt: "2025-03-01T10:00:00.000Z",
  compareSettings: { orderMatters: "auto", floatAbsTol: 1e-6, nullEqualsNull: true },
  projection: { questionsPerMonth: 22_000, costUsd: 41.25, promptTokens: 18_150_000, completionTokens: 990_000, expectedFailures: 13_200 },
};

/** Undo the formula guard the way a reader of the file would. */
function unguard(cell: string): string {
  return /^'[=+\-@\t\r']/.test(cell) ? cell.slice(1) : cell;
}

function readCsv(text: string): Map<string, string[]> {
  const [header, ...records] = parseCsv(text);
  expect(header).toEqual([...SCORECARD_CSV_COLUMNS]);
  const out = new Map<string, string[]>();
  for (const record of records) {
    expect(record).toHaveLength(SCORECARD_CSV_COLUMNS.length);
    const cells = record.map(unguard);
    out.set(`${cells[0]}/${cells[1]}`, cells.slice(2));
  }
  return out;
}

describe("scorecardCsv", () => {
  const text = scorecardCsv(META, CARD);
  const rows = readCsv(text);

  it("ends every record with CRLF", () => {
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.split("\r\n")[0]).toBe("section,key,total,correct,accuracy,ci_low,ci_high,value");
    expect(text.replace(/\r\n/g, "")).not.toMatch(/\n/);
  });

  it("round-trips the accuracy with its interval and the summary figures", () => {
    expect(rows.get("summary/accuracy")!.slice(0, 5).map(Number)).toEqual([5, 2, 0.4, 0.1176, 0.7693]);
    expect(rows.get("summary/test_suite_accuracy")!.slice(0, 5).map(Number)).toEqual([5, 1, 0.2, 0.0362, 0.6245]);
    expect(Number(rows.get("summary/test_suite_variants")![5])).toBe(2);
    expect(Number(rows.get("summary/mean_similarity")![5])).toBe(0.52);
    expect(Number(rows.get("summary/latency_p95_ms")![5])).toBe(1000);
    expect(Number(rows.get("summary/cost_per_1k_usd")![5])).toBe(1.875);
    expect(rows.get("summary/priced")![5]).toBe("true");
    expect(rows.get("summary/stability")!.slice(0, 3).map(Number)).toEqual([4, 3, 0.75]);
    expect(rows.get("summary/flaky_items")![5]).toBe("i2");
  });

  it("writes every group of every dimension, and error classes with their counts", () => {
    expect(rows.get("complexity/complex")!.slice(0, 5).map(Number)).toEqual([3, 1, 1 / 3, 0.0615, 0.7923]);
    expect(rows.get("error/unknown_column")).toEqual(["5", "", "", "", "", "2"]);
    expect(rows.get("source/scope")![0]).toBe("5");
  });

  it("quotes a cell with a comma or quote, and guards one that starts like a formula", () => {
    expect(rows.has('table/flights, "main"')).toBe(true);
    expect(text).toContain('"flights, ""main"""');
    expect(text).toContain("style,'=HYPERLINK(1),");
    expect(rows.has("style/=HYPERLINK(1)")).toBe(true);
  });

  it("carries the run, the projection and the comparator settings", () => {
    expect(rows.get("run/label")![5]).toBe("Baseline, week 3");
    expect(rows.get("run/dataset_version")![5]).toBe("4");
    expect(Number(rows.get("projection/cost_usd")![5])).toBe(41.25);
    expect(Number(rows.get("projection/expected_failures")![5])).toBe(13_200);
    expect(rows.get("setting/orderMatters")![5]).toBe("auto");
    expect(Number(rows.get("setting/floatAbsTol")![5])).toBe(1e-6);
  });

  it("leaves out what the card does not have", () => {
    const bare = readCsv(scorecardCsv({ ...META, projection: undefined }, { ...CARD, suite: null, stability: null }));
    expect(bare.has("summary/test_suite_accuracy")).toBe(false);
    expect(bare.has("summary/stability")).toBe(false);
    expect([...bare.keys()].some((k) => k.startsWith("projection/"))).toBe(false);
  });
});

describe("scorecardJson", () => {
  const text = scorecardJson(META, CARD);
  const doc = JSON.parse(text) as Record<string, unknown> & { scorecard: Scorecard; projection: unknown; run: Record<string, unknown>; compareSettings: Record<string, unknown> };

  it("parses back to the same scorecard, run, settings and projection", () => {
    expect(doc.scorecard).toEqual(CARD);
    expect(doc.run).toEqual({ runId: "run_123", label: "Baseline, week 3", endpointName: "gpt-small", model: "gpt-4o-mini", datasetVersion: 4, createdAt: "2025-03-01T10:00:00.000Z" });
    expect(doc.compareSettings).toEqual(META.compareSettings);
    expect(doc.projection).toEqual(META.projection);
    expect(doc.format).toBe("sandpiper-scorecard");
  });

  it("is pretty-printed with sorted nested keys, whatever order the input had", () => {
    expect(text).toContain('\n  "run": {\n    "createdAt"');
    expect(Object.keys(doc.compareSettings)).toEqual(["floatAbsTol", "nullEqualsNull", "orderMatters"]);
    expect(Object.keys(doc.scorecard).slice(0, 3)).toEqual(["accuracy", "byComplexity", "byShape"]);
    const reordered = scorecardJson({ ...META, compareSettings: { nullEqualsNull: true, orderMatters: "auto", floatAbsTol: 1e-6 } }, { ...CARD });
    expect(reordered).toBe(text);
  });

  it("leaves the projection out when none is given", () => {
    expect(JSON.parse(scorecardJson({ ...META, projection: undefined }, CARD))).not.toHaveProperty("projection");
  });
});

describe("scorecardMarkdown", () => {
  const md = scorecardMarkdown(META, CARD);

  it("has a title and the run's identity", () => {
    expect(md.startsWith("# Scorecard: Baseline, week 3\n")).toBe(true);
    expect(md).toContain("Endpoint **gpt-small** (model `gpt-4o-mini`) · dataset version 4 · run `run_123`");
  });

  it("summarises accuracy with its interval and the other headline figures", () => {
    expect(md).toContain("| Accuracy | 40.0% (95% CI 11.8%–76.9%), 2 of 5 |");
    expect(md).toContain("| Test-suite accuracy | 20.0% (95% CI 3.6%–62.5%), 1 of 5 on 2 variants |");
    expect(md).toContain("| Exact match | 20.0% |");
    expect(md).toContain("| Template match | 40.0% |");
    expect(md).toContain("| Mean token similarity | 0.52 |");
    expect(md).toContain("| Execution error rate | 40.0% |");
    expect(md).toContain("| Hallucination rate | 40.0% |");
    expect(md).toContain("| Stability | 75.0%: 3 of 4 items gave the same verdict over 3 asks (flaky: `i2`) |");
    expect(md).toContain("| Latency p50 / p95 | 200 ms / 1,000 ms |");
    expect(md).toContain("| Cost per 1,000 questions | $1.88 |");
    expect(md).toContain("| Cost of this run | $0.0135 |");
    expect(md).toContain("| Monthly projection | 22,000 questions: $41.25, 18,150,000 prompt and 990,000 completion tokens, 13,200 expected failures |");
  });

  it("has a table per dimension, the error classes and the settings", () => {
    expect(md).toContain("## By complexity\n\n| Group | Items | Correct | Accuracy | 95% CI |\n| --- | --- | --- | --- | --- |\n| simple | 2 | 1 | 50.0% | 9.5%–90.5% |\n| complex | 3 | 1 | 33.3% | 6.2%–79.2% |");
    expect(md).toContain("| Unknown column (hallucinated) | 2 | 40.0% |");
    expect(md).toContain("| floatAbsTol | `0.000001` |");
    expect(md).toContain("| orderMatters | `auto` |");
  });

  it("escapes pipes and keeps a cell on one line", () => {
    const odd = scorecardMarkdown(META, { ...CARD, byShape: [{ key: "a|b\nc", total: 1, correct: 1, accuracy: 1, interval: { low: 0.2066, high: 1 } }] });
    expect(odd).toContain("| a\\|b c | 1 | 1 | 100.0% | 20.7%–100.0% |");
  });

  it("says what was not measured instead of showing zeros", () => {
    const bare = scorecardMarkdown({ ...META, label: "", projection: undefined }, { ...CARD, suite: null, stability: null, cost: { totalUsd: 0, per1kUsd: 0, meanPerQuestionUsd: 0, priced: false } });
    expect(bare.startsWith("# Scorecard: gpt-small on dataset v4\n")).toBe(true);
    expect(bare).toContain("| Test-suite accuracy | not measured (no variant databases) |");
    expect(bare).toContain("| Stability | not measured (each item asked once) |");
    expect(bare).toContain("| Cost per 1,000 questions | not priced |");
    expect(bare).not.toContain("Monthly projection");
  });
});
