import type { MetricPoint } from "@/lib/finetune/types";

// Reads the metrics file of a Fireworks fine-tuning job into the points a job page charts.
// The file's format is not documented (the reference only says loss and reward curves come from
// "the metrics file or W&B"), so this parser assumes rather than knows it: JSON Lines of objects,
// a JSON array of objects, or CSV with a header row, keyed by names like step / epoch / loss /
// train_loss / eval_loss / validation_loss / reward / mean_reward. Unknown keys and unreadable
// lines are skipped rather than failing the whole file: a curve with a gap beats no curve.

type Field = Exclude<keyof MetricPoint, "step">;

/** Normalised key (lower case, separators as "_") → the point's field. */
const FIELD_BY_KEY: Record<string, Field | "step"> = {
  step: "step",
  global_step: "step",
  train_step: "step",
  iteration: "step",
  epoch: "epoch",
  loss: "trainLoss",
  train_loss: "trainLoss",
  training_loss: "trainLoss",
  train_loss_mean: "trainLoss",
  eval_loss: "validationLoss",
  evaluation_loss: "validationLoss",
  validation_loss: "validationLoss",
  val_loss: "validationLoss",
  reward: "reward",
  mean_reward: "reward",
  avg_reward: "reward",
  reward_mean: "reward",
  train_reward: "reward",
};

function normaliseKey(key: string): string {
  return key
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * One record → a partial point. Keys like "train/loss" normalise to "train_loss"; one level of
 * nesting ({"step": 3, "metrics": {"loss": 0.4}}) is looked into because loggers often group values.
 */
function readRecord(record: Record<string, unknown>): { step?: number; values: Partial<Record<Field, number>> } {
  const values: Partial<Record<Field, number>> = {};
  let step: number | undefined;
  const visit = (object: Record<string, unknown>, depth: number) => {
    for (const [key, raw] of Object.entries(object)) {
      if (raw && typeof raw === "object" && !Array.isArray(raw)) {
        if (depth === 0) visit(raw as Record<string, unknown>, 1);
        continue;
      }
      const field = FIELD_BY_KEY[normaliseKey(key)];
      const n = toNumber(raw);
      if (!field || n === undefined) continue;
      if (field === "step") step ??= n;
      else values[field] ??= n;
    }
  };
  visit(record, 0);
  return { step, values };
}

function jsonRecords(text: string): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.filter(isObject);
    } catch {
      // Not one JSON array after all: fall back to reading line by line.
    }
  }
  const records: Record<string, unknown>[] = [];
  for (const line of trimmed.split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isObject(parsed)) records.push(parsed);
    } catch {
      // A torn or partial line (the file may be read while the job still writes it).
    }
  }
  return records;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function csvRecords(text: string): Record<string, unknown>[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length < 2) return [];
  const split = (line: string) => line.split(",").map((cell) => cell.trim().replace(/^"(.*)"$/, "$1"));
  const header = split(lines[0]);
  return lines.slice(1).map((line) => {
    const cells = split(line);
    return Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""]));
  });
}

/**
 * The points in a metrics file, sorted by step; records of the same step are merged (evaluation
 * values are often logged on their own line). A record without a step takes its position among the
 * records that carry values. Records with no known value are dropped. An empty or unreadable file gives [].
 */
export function parseFireworksMetrics(text: string): MetricPoint[] {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (!trimmed) return [];
  const records = trimmed.startsWith("{") || trimmed.startsWith("[") ? jsonRecords(trimmed) : csvRecords(trimmed);
  const byStep = new Map<number, MetricPoint>();
  let kept = 0;
  for (const record of records) {
    const { step, values } = readRecord(record);
    if (Object.keys(values).length === 0) continue;
    kept++;
    const key = step ?? kept;
    const point = byStep.get(key) ?? { step: key };
    for (const [field, value] of Object.entries(values) as [Field, number][]) point[field] ??= value;
    byStep.set(key, point);
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
