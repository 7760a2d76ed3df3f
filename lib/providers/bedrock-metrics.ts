import type { MetricPoint } from "@/lib/finetune/types";

// The metrics a Bedrock customization job writes to its S3 output (reference §1, "Metrics"): a
// training CSV with one row per step, and a validation CSV after fine-tuning. Columns are found by
// name, not position, because AWS documents the names but not the order; a value that is empty or
// not a finite number ("nan" after a diverged step) is left out of the point rather than charted
// as zero. Pure: the S3 reads live in server/bedrock-control.ts.

export const TRAINING_METRICS_FILE = "step_wise_training_metrics.csv";
export const VALIDATION_METRICS_FILE = "validation_metrics.csv";
/** Where AWS documents the validation file, under the job's folder; a listing finds it elsewhere. */
export const VALIDATION_METRICS_PATH = `validation_artifacts/post_fine_tuning_validation/${VALIDATION_METRICS_FILE}`;
export const TRAINING_METRICS_PATH = `training_artifacts/${TRAINING_METRICS_FILE}`;

export interface TrainingMetricRow {
  step: number;
  epoch?: number;
  trainLoss?: number;
  perplexity?: number;
}

export interface ValidationMetricRow {
  step?: number;
  epoch?: number;
  validationLoss?: number;
  perplexity?: number;
}

/** The job id Bedrock names the output folder after: the last segment of the job ARN. */
export function bedrockJobId(jobArn: string): string {
  return jobArn.slice(jobArn.lastIndexOf("/") + 1);
}

/** The key prefix (ending in "/") of a job's folder under the output prefix given at creation. */
export function jobOutputPrefix(outputKeyPrefix: string, jobArn: string): string {
  const base = outputKeyPrefix.replace(/^\/+/, "");
  return `${base && !base.endsWith("/") ? `${base}/` : base}model-customization-job-${bedrockJobId(jobArn)}/`;
}

/** The training metrics file among the keys listed under a job's folder: the documented path first. */
export function findTrainingMetricsKey(keys: readonly string[], jobPrefix: string): string | undefined {
  return findMetricsKey(keys, jobPrefix, TRAINING_METRICS_PATH, "training_artifacts/");
}

/**
 * The validation metrics file among the keys listed under a job's folder: the documented path when
 * present, else one under validation_artifacts/ (the folder below it varies), else one anywhere in
 * the job's folder.
 */
export function findValidationMetricsKey(keys: readonly string[], jobPrefix: string): string | undefined {
  return findMetricsKey(keys, jobPrefix, VALIDATION_METRICS_PATH, "validation_artifacts/");
}

function findMetricsKey(keys: readonly string[], jobPrefix: string, documentedPath: string, folder: string): string | undefined {
  const documented = `${jobPrefix}${documentedPath}`;
  if (keys.includes(documented)) return documented;
  const file = documentedPath.slice(documentedPath.lastIndexOf("/") + 1);
  // The shallowest match wins, so a copy nested deeper (a checkpoint's) does not replace the job's own.
  const candidates = keys
    .filter((key) => key.startsWith(jobPrefix) && (key.endsWith(`/${file}`) || key === `${jobPrefix}${file}`))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  return candidates.find((key) => key.slice(jobPrefix.length).startsWith(folder)) ?? candidates[0];
}

/**
 * RFC 4180 CSV: fields may be quoted, quotes inside doubled, quoted fields may hold commas and
 * line breaks; CRLF or LF line ends; a leading byte-order mark is dropped; blank lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let sawField = false;
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0].trim() !== "" || sawField) rows.push(row);
    row = [];
    field = "";
    sawField = false;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"') {
      quoted = true;
      sawField = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") endRow();
    else if (c === "\r") {
      if (source[i + 1] !== "\n") endRow();
    } else field += c;
  }
  if (field !== "" || row.length > 0 || sawField) endRow();
  return rows;
}

/** A finite number, or undefined for empty, "nan", "inf" and anything unreadable. */
function toNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

function readTable(text: string): { column: (row: string[], name: string) => string | undefined; rows: string[][] } {
  const [header = [], ...rows] = parseCsv(text);
  const index = new Map(header.map((name, i) => [name.trim().toLowerCase(), i]));
  return {
    rows,
    column: (row, name) => {
      const i = index.get(name);
      return i === undefined ? undefined : row[i];
    },
  };
}

/** step_wise_training_metrics.csv: rows without a readable step_number are dropped. */
export function parseTrainingMetricsCsv(text: string): TrainingMetricRow[] {
  const { rows, column } = readTable(text);
  const out: TrainingMetricRow[] = [];
  for (const row of rows) {
    const step = toNumber(column(row, "step_number"));
    if (step === undefined) continue;
    const point: TrainingMetricRow = { step };
    const epoch = toNumber(column(row, "epoch_number"));
    const trainLoss = toNumber(column(row, "training_loss"));
    const perplexity = toNumber(column(row, "perplexity"));
    if (epoch !== undefined) point.epoch = epoch;
    if (trainLoss !== undefined) point.trainLoss = trainLoss;
    if (perplexity !== undefined) point.perplexity = perplexity;
    out.push(point);
  }
  return out;
}

/** validation_metrics.csv: step and epoch when the file has them; rows with nothing readable are dropped. */
export function parseValidationMetricsCsv(text: string): ValidationMetricRow[] {
  const { rows, column } = readTable(text);
  const out: ValidationMetricRow[] = [];
  for (const row of rows) {
    const point: ValidationMetricRow = {};
    const step = toNumber(column(row, "step_number"));
    const epoch = toNumber(column(row, "epoch_number"));
    const validationLoss = toNumber(column(row, "validation_loss"));
    const perplexity = toNumber(column(row, "perplexity"));
    if (step !== undefined) point.step = step;
    if (epoch !== undefined) point.epoch = epoch;
    if (validationLoss !== undefined) point.validationLoss = validationLoss;
    if (perplexity !== undefined) point.perplexity = perplexity;
    if (validationLoss !== undefined) out.push(point);
  }
  return out;
}

/**
 * One point per step, sorted. A validation row with a step joins that step's point; one with only
 * an epoch joins the last training step of that epoch; one with neither is the post-fine-tuning
 * measurement and joins the last training step (step 0 when there is no training row yet). When
 * several land on one point, the later row wins.
 */
export function mergeBedrockMetrics(training: readonly TrainingMetricRow[], validation: readonly ValidationMetricRow[]): MetricPoint[] {
  const points = new Map<number, MetricPoint>();
  const pointAt = (step: number) => {
    let point = points.get(step);
    if (!point) {
      point = { step };
      points.set(step, point);
    }
    return point;
  };
  for (const row of training) {
    const point = pointAt(row.step);
    if (row.epoch !== undefined) point.epoch = row.epoch;
    if (row.trainLoss !== undefined) point.trainLoss = row.trainLoss;
  }
  const lastStep = training.length ? Math.max(...training.map((row) => row.step)) : 0;
  const lastStepOfEpoch = (epoch: number) => {
    const steps = training.filter((row) => row.epoch === epoch).map((row) => row.step);
    return steps.length ? Math.max(...steps) : undefined;
  };
  for (const row of validation) {
    const step = row.step ?? (row.epoch !== undefined ? lastStepOfEpoch(row.epoch) : undefined) ?? lastStep;
    const point = pointAt(step);
    if (point.epoch === undefined && row.epoch !== undefined) point.epoch = row.epoch;
    point.validationLoss = row.validationLoss;
  }
  return [...points.values()].sort((a, b) => a.step - b.step);
}

/** Both files' text (undefined while absent) to the points a job page charts. */
export function parseBedrockMetrics(trainingCsv: string | undefined, validationCsv: string | undefined): MetricPoint[] {
  return mergeBedrockMetrics(trainingCsv ? parseTrainingMetricsCsv(trainingCsv) : [], validationCsv ? parseValidationMetricsCsv(validationCsv) : []);
}
