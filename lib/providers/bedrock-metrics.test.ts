import { describe, expect, it } from "vitest";
import {
  bedrockJobId,
  findTrainingMetricsKey,
  findValidationMetricsKey,
  jobOutputPrefix,
  mergeBedrockMetrics,
  parseBedrockMetrics,
  parseCsv,
  parseTrainingMetricsCsv,
  parseValidationMetricsCsv,
} from "./bedrock-metrics";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, CRLF and a byte-order mark", () => {
    const text = '\uFEFFa,b,c\r\n"1,5","say ""hi""","two\nlines"\r\n3,,x\n';
    expect(parseCsv(text)).toEqual([
      ["a", "b", "c"],
      ["1,5", 'say "hi"', "two\nlines"],
      ["3", "", "x"],
    ]);
  });

  it("skips blank and whitespace-only lines but keeps a quoted empty field", () => {
    expect(parseCsv("a,b\n\n1,2\n   \n\r\n\"\"\n3,4")).toEqual([["a", "b"], ["1", "2"], [""], ["3", "4"]]);
  });

  it("reads a last line without a line end, and nothing from an empty file", () => {
    expect(parseCsv("x\n1")).toEqual([["x"], ["1"]]);
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("\n\n")).toEqual([]);
  });
});

describe("parseTrainingMetricsCsv", () => {
  it("reads the documented columns in any order and case", () => {
    const csv = "Perplexity,training_loss,EPOCH_NUMBER,step_number\n3.1,1.13,0,0\n2.5,0.92,0,1\n";
    expect(parseTrainingMetricsCsv(csv)).toEqual([
      { step: 0, epoch: 0, trainLoss: 1.13, perplexity: 3.1 },
      { step: 1, epoch: 0, trainLoss: 0.92, perplexity: 2.5 },
    ]);
  });

  it("leaves out NaN, infinite and empty values and drops rows without a step", () => {
    const csv = ["step_number,epoch_number,training_loss,perplexity", "0,0,nan,NaN", "1,0,inf,", ",0,0.5,1.6", "two,0,0.5,1.6", "2,1,0.4,1.49"].join("\n");
    expect(parseTrainingMetricsCsv(csv)).toEqual([{ step: 0, epoch: 0 }, { step: 1, epoch: 0 }, { step: 2, epoch: 1, trainLoss: 0.4, perplexity: 1.49 }]);
  });

  it("reads quoted numbers and returns nothing for a header alone or a file without the columns", () => {
    expect(parseTrainingMetricsCsv('step_number,training_loss\n"3"," 0.25 "\n')).toEqual([{ step: 3, trainLoss: 0.25 }]);
    expect(parseTrainingMetricsCsv("step_number,epoch_number,training_loss,perplexity\n")).toEqual([]);
    expect(parseTrainingMetricsCsv("loss\n0.5\n")).toEqual([]);
  });
});

describe("parseValidationMetricsCsv", () => {
  it("reads a single post-fine-tuning row and keeps step and epoch when the file has them", () => {
    expect(parseValidationMetricsCsv("validation_loss,perplexity\n0.61,1.84\n")).toEqual([{ validationLoss: 0.61, perplexity: 1.84 }]);
    expect(parseValidationMetricsCsv("epoch_number,step_number,validation_loss\n0,9,0.7\n1,19,NaN\n")).toEqual([{ step: 9, epoch: 0, validationLoss: 0.7 }]);
  });
});

describe("mergeBedrockMetrics", () => {
  const training = parseTrainingMetricsCsv("step_number,epoch_number,training_loss\n0,0,1.2\n1,0,1.0\n2,1,0.8\n3,1,0.7\n");

  it("puts a validation loss without step or epoch on the last training step", () => {
    expect(mergeBedrockMetrics(training, [{ validationLoss: 0.65 }])).toEqual([
      { step: 0, epoch: 0, trainLoss: 1.2 },
      { step: 1, epoch: 0, trainLoss: 1.0 },
      { step: 2, epoch: 1, trainLoss: 0.8 },
      { step: 3, epoch: 1, trainLoss: 0.7, validationLoss: 0.65 },
    ]);
  });

  it("joins a validation row by step, or by the last step of its epoch, and adds steps training has not reached", () => {
    const merged = mergeBedrockMetrics(training, [
      { step: 1, validationLoss: 0.9 },
      { epoch: 1, validationLoss: 0.75 },
      { step: 10, epoch: 4, validationLoss: 0.5 },
    ]);
    expect(merged.map((p) => [p.step, p.validationLoss])).toEqual([
      [0, undefined],
      [1, 0.9],
      [2, undefined],
      [3, 0.75],
      [10, 0.5],
    ]);
    expect(merged.at(-1)).toEqual({ step: 10, epoch: 4, validationLoss: 0.5 });
  });

  it("sorts by step whatever the file order, and is empty while neither file exists", () => {
    expect(parseBedrockMetrics("step_number,training_loss\n2,0.5\n0,0.9\n1,0.7\n", undefined).map((p) => p.step)).toEqual([0, 1, 2]);
    expect(parseBedrockMetrics(undefined, undefined)).toEqual([]);
    expect(parseBedrockMetrics(undefined, "validation_loss\n0.4\n")).toEqual([{ step: 0, validationLoss: 0.4 }]);
  });
});

describe("job output paths", () => {
  const arn = "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/amazon.nova-micro-v1:0:128k/a1b2c3d4e5f6";

  it("names the job folder after the last ARN segment, under the output prefix", () => {
    expect(bedrockJobId(arn)).toBe("a1b2c3d4e5f6");
    expect(jobOutputPrefix("runs/output/", arn)).toBe("runs/output/model-customization-job-a1b2c3d4e5f6/");
    expect(jobOutputPrefix("runs/output", arn)).toBe("runs/output/model-customization-job-a1b2c3d4e5f6/");
    expect(jobOutputPrefix("", arn)).toBe("model-customization-job-a1b2c3d4e5f6/");
  });

  it("finds the validation file at the documented path first, then in another folder", () => {
    const prefix = "out/model-customization-job-x/";
    const documented = `${prefix}validation_artifacts/post_fine_tuning_validation/validation_metrics.csv`;
    const other = `${prefix}validation_artifacts/post_fine_tuning_validation/validation/validation_metrics.csv`;
    expect(findValidationMetricsKey([other, documented], prefix)).toBe(documented);
    expect(findValidationMetricsKey([`${prefix}training_artifacts/step_wise_training_metrics.csv`, other], prefix)).toBe(other);
    expect(findValidationMetricsKey([`out/model-customization-job-y/${VALIDATION}`], prefix)).toBeUndefined();
    expect(findValidationMetricsKey([], prefix)).toBeUndefined();
  });
});

const VALIDATION = "validation_artifacts/post_fine_tuning_validation/validation_metrics.csv";

describe("findTrainingMetricsKey", () => {
  it("prefers the documented path and otherwise takes the shallowest training file in the job's folder", () => {
    const prefix = "out/model-customization-job-x/";
    const documented = `${prefix}training_artifacts/step_wise_training_metrics.csv`;
    const nested = `${prefix}training_artifacts/checkpoints/1/step_wise_training_metrics.csv`;
    expect(findTrainingMetricsKey([nested, documented], prefix)).toBe(documented);
    expect(findTrainingMetricsKey([nested, `${prefix}step_wise_training_metrics.csv`], prefix)).toBe(nested);
    expect(findTrainingMetricsKey([`${prefix}other.csv`], prefix)).toBeUndefined();
  });
});
