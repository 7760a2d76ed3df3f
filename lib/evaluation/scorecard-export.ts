// A run's scorecard as a file to keep or share (pure): CSV for spreadsheets, JSON for tools,
// Markdown for a report or a pull request. All three carry the run's identity and the comparator
// settings, since a scorecard means little without knowing what counted as a match.
import { neutralizeCsvCell, quoteCsvField } from "@/lib/datasets/export-generic";
import { ERROR_CLASS_LABELS } from "@/lib/evaluation/error-class";
import type { GroupScore, MonthlyProjection, Scorecard } from "@/lib/evaluation/scorecard-types";

export interface ScorecardExportMeta {
  runId: string;
  label: string;
  endpointName: string;
  model: string;
  datasetVersion: number;
  createdAt: string;
  compareSettings: Record<string, unknown>;
  projection?: MonthlyProjection;
}

export const SCORECARD_CSV_COLUMNS = ["section", "key", "total", "correct", "accuracy", "ci_low", "ci_high", "value"] as const;

const GROUP_SECTIONS = [
  ["complexity", "byComplexity", "By complexity"],
  ["shape", "byShape", "By query shape"],
  ["table", "byTable", "By table"],
  ["style", "byStyle", "By question style"],
  ["source", "bySource", "By source"],
] as const;

// ---------- CSV ----------

type CsvCell = string | number | boolean | null | undefined;

/**
 * One record per figure: section,key,total,correct,accuracy,ci_low,ci_high,value. Rates and
 * group scores fill total…ci_high; single figures (rates, latency, cost, settings) fill value.
 * RFC 4180 with CRLF line ends; cells that a spreadsheet would read as a formula are guarded with a
 * leading apostrophe (neutralizeCsvCell).
 */
export function scorecardCsv(meta: ScorecardExportMeta, card: Scorecard): string {
  const records: CsvCell[][] = [[...SCORECARD_CSV_COLUMNS]];
  const value = (section: string, key: string, v: CsvCell) => records.push([section, key, null, null, null, null, null, v]);
  const score = (section: string, key: string, total: number, correct: number, accuracy: number, low: number | null, high: number | null, v: CsvCell = null) =>
    records.push([section, key, total, correct, accuracy, low, high, v]);

  value("run", "run_id", meta.runId);
  value("run", "label", meta.label);
  value("run", "endpoint", meta.endpointName);
  value("run", "model", meta.model);
  value("run", "dataset_version", meta.datasetVersion);
  value("run", "created_at", meta.createdAt);

  score("summary", "accuracy", card.total, card.correct, card.accuracy, card.interval.low, card.interval.high);
  if (card.suite) {
    score("summary", "test_suite_accuracy", card.total, card.suite.correct, card.suite.accuracy, card.suite.interval.low, card.suite.interval.high);
    value("summary", "test_suite_variants", card.suite.variants);
  }
  value("summary", "exact_match_rate", card.exactMatchRate);
  value("summary", "template_match_rate", card.templateMatchRate);
  value("summary", "mean_similarity", card.meanSimilarity);
  value("summary", "execution_error_rate", card.executionErrorRate);
  value("summary", "hallucination_rate", card.hallucinationRate);
  value("summary", "no_answer_rate", card.noAnswerRate);
  if (card.stability) {
    score("summary", "stability", card.stability.items, card.stability.consistent, card.stability.rate, null, null);
    value("summary", "stability_repeats", card.stability.repeats);
    value("summary", "flaky_items", card.stability.flakyItemIds.join(" "));
  }
  value("summary", "latency_p50_ms", card.latency.p50);
  value("summary", "latency_p95_ms", card.latency.p95);
  value("summary", "latency_mean_ms", card.latency.mean);
  value("summary", "latency_max_ms", card.latency.max);
  value("summary", "prompt_tokens", card.tokens.prompt);
  value("summary", "completion_tokens", card.tokens.completion);
  value("summary", "mean_prompt_tokens", card.tokens.meanPrompt);
  value("summary", "mean_completion_tokens", card.tokens.meanCompletion);
  value("summary", "cost_total_usd", card.cost.totalUsd);
  value("summary", "cost_per_1k_usd", card.cost.per1kUsd);
  value("summary", "cost_mean_per_question_usd", card.cost.meanPerQuestionUsd);
  value("summary", "priced", card.cost.priced);

  for (const [section, field] of GROUP_SECTIONS) {
    for (const g of card[field]) score(section, g.key, g.total, g.correct, g.accuracy, g.interval.low, g.interval.high);
  }
  // An error class: total = items scored, value = items in the class.
  for (const e of card.errors) records.push(["error", e.errorClass, card.total, null, null, null, null, e.count]);
  if (meta.projection) {
    const p = meta.projection;
    value("projection", "questions_per_month", p.questionsPerMonth);
    value("projection", "cost_usd", p.costUsd);
    value("projection", "prompt_tokens", p.promptTokens);
    value("projection", "completion_tokens", p.completionTokens);
    value("projection", "expected_failures", p.expectedFailures);
  }
  for (const key of Object.keys(meta.compareSettings).sort()) value("setting", key, settingText(meta.compareSettings[key]));

  return records.map((cells) => cells.map((c) => quoteCsvField(neutralizeCsvCell(csvText(c)))).join(",")).join("\r\n") + "\r\n";
}

function csvText(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  return String(cell);
}

function settingText(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
}

// ---------- JSON ----------

/**
 * Pretty JSON: the run, the comparator settings, the scorecard and the projection when given.
 * Keys of nested objects are sorted, so two exports of the same run are byte-for-byte equal.
 */
export function scorecardJson(meta: ScorecardExportMeta, card: Scorecard): string {
  const document: Record<string, unknown> = {
    format: "sandpiper-scorecard",
    version: 1,
    run: sortKeys({
      runId: meta.runId,
      label: meta.label,
      endpointName: meta.endpointName,
      model: meta.model,
      datasetVersion: meta.datasetVersion,
      createdAt: meta.createdAt,
    }),
    compareSettings: sortKeys(meta.compareSettings),
    scorecard: sortKeys(card),
  };
  if (meta.projection) document.projection = sortKeys(meta.projection);
  return JSON.stringify(document, null, 2) + "\n";
}

/** A JSON-ready copy with every object's keys in sorted order (arrays keep theirs). */
function sortKeys(value: unknown): unknown {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return sortKeys((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

// ---------- Markdown ----------

/** A readable report: summary, accuracy per group, error classes and comparator settings. */
export function scorecardMarkdown(meta: ScorecardExportMeta, card: Scorecard): string {
  const lines: string[] = [];
  const title = meta.label.trim() || `${meta.endpointName} on dataset v${meta.datasetVersion}`;
  lines.push(`# Scorecard: ${inline(title)}`, "");
  lines.push(
    `Endpoint **${inline(meta.endpointName)}**${meta.model ? ` (model \`${inline(meta.model)}\`)` : ""} · dataset version ${meta.datasetVersion} · run \`${inline(meta.runId)}\` · ${inline(meta.createdAt)}`,
    "",
  );

  lines.push("## Summary", "");
  const summary: [string, string][] = [
    ["Accuracy", `${withInterval(card.accuracy, card.interval.low, card.interval.high)}, ${count(card.correct)} of ${count(card.total)}`],
    [
      "Test-suite accuracy",
      card.suite
        ? `${withInterval(card.suite.accuracy, card.suite.interval.low, card.suite.interval.high)}, ${count(card.suite.correct)} of ${count(card.total)} on ${count(card.suite.variants)} ${card.suite.variants === 1 ? "variant" : "variants"}`
        : "not measured (no variant databases)",
    ],
    ["Exact match", percent(card.exactMatchRate)],
    ["Template match", percent(card.templateMatchRate)],
    ["Mean token similarity", card.meanSimilarity.toFixed(2)],
    ["Execution error rate", percent(card.executionErrorRate)],
    ["Hallucination rate", percent(card.hallucinationRate)],
    ["No answer", percent(card.noAnswerRate)],
    [
      "Stability",
      card.stability
        ? `${percent(card.stability.rate)}: ${count(card.stability.consistent)} of ${count(card.stability.items)} items gave the same verdict over ${card.stability.repeats} asks` +
          (card.stability.flakyItemIds.length > 0 ? ` (flaky: ${card.stability.flakyItemIds.map((id) => `\`${inline(id)}\``).join(", ")})` : "")
        : "not measured (each item asked once)",
    ],
    ["Latency p50 / p95", `${count(Math.round(card.latency.p50))} ms / ${count(Math.round(card.latency.p95))} ms`],
    ["Cost per 1,000 questions", card.cost.priced ? usd(card.cost.per1kUsd) : "not priced"],
    ["Cost of this run", card.cost.priced ? usd(card.cost.totalUsd) : "not priced"],
  ];
  if (meta.projection) {
    const p = meta.projection;
    summary.push([
      "Monthly projection",
      `${count(p.questionsPerMonth)} questions: ${card.cost.priced ? `${usd(p.costUsd)}, ` : ""}${count(p.promptTokens)} prompt and ${count(p.completionTokens)} completion tokens, ${count(p.expectedFailures)} expected failures`,
    ]);
  }
  lines.push(...table(["Metric", "Value"], summary), "");

  for (const [, field, heading] of GROUP_SECTIONS) {
    const groups = card[field];
    if (groups.length === 0) continue;
    lines.push(`## ${heading}`, "", ...table(["Group", "Items", "Correct", "Accuracy", "95% CI"], groups.map(groupRow)), "");
  }

  lines.push("## Error classes", "");
  if (card.errors.length === 0) lines.push("No errors.", "");
  else {
    lines.push(...table(["Class", "Items", "Share"], card.errors.map((e) => [ERROR_CLASS_LABELS[e.errorClass] ?? e.errorClass, count(e.count), percent(e.rate)])), "");
  }

  lines.push("## Comparator settings", "");
  const settings = Object.keys(meta.compareSettings).sort();
  if (settings.length === 0) lines.push("Defaults.", "");
  else lines.push(...table(["Setting", "Value"], settings.map((key) => [key, `\`${settingText(meta.compareSettings[key])}\``])), "");

  return lines.join("\n");
}

function groupRow(g: GroupScore): string[] {
  return [g.key, count(g.total), count(g.correct), percent(g.accuracy), `${percent(g.interval.low)}–${percent(g.interval.high)}`];
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(line)];
}

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return inline(text).replace(/\|/g, "\\|");
}

function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function withInterval(x: number, low: number, high: number): string {
  return `${percent(x)} (95% CI ${percent(low)}–${percent(high)})`;
}

function count(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

function usd(n: number): string {
  if (n >= 1 || n === 0) return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `$${n.toLocaleString("en-US", { maximumSignificantDigits: 3 })}`;
}
