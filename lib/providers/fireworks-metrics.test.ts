import { describe, expect, it } from "vitest";
import { parseFireworksMetrics } from "@/lib/providers/fireworks-metrics";

describe("parseFireworksMetrics", () => {
  it("reads JSON Lines with step, epoch, loss and reward", () => {
    const text = ['{"step":1,"epoch":1,"loss":1.9,"reward":0.2}', '{"step":2,"epoch":1,"loss":1.4,"reward":0.35}'].join("\n");
    expect(parseFireworksMetrics(text)).toEqual([
      { step: 1, epoch: 1, trainLoss: 1.9, reward: 0.2 },
      { step: 2, epoch: 1, trainLoss: 1.4, reward: 0.35 },
    ]);
  });

  it("accepts the alternative key names and merges records of one step", () => {
    const text = [
      '{"global_step":5,"train_loss":0.8}',
      '{"step":5,"eval_loss":0.9}',
      '{"step":6,"validation_loss":"0.85","mean_reward":0.5}',
      '{"step":7,"train/loss":0.7,"valLoss":0.82}',
    ].join("\n");
    expect(parseFireworksMetrics(text)).toEqual([
      { step: 5, trainLoss: 0.8, validationLoss: 0.9 },
      { step: 6, validationLoss: 0.85, reward: 0.5 },
      { step: 7, trainLoss: 0.7, validationLoss: 0.82 },
    ]);
  });

  it("reads CSV with a header row, in any column order", () => {
    const text = "epoch,step,train_loss,eval_loss\n1,10,1.2,\n2,20,0.9,1.0\n";
    expect(parseFireworksMetrics(text)).toEqual([
      { step: 10, epoch: 1, trainLoss: 1.2 },
      { step: 20, epoch: 2, trainLoss: 0.9, validationLoss: 1 },
    ]);
  });

  it("reads a JSON array and looks one level into nested objects", () => {
    const text = JSON.stringify([{ step: 2, metrics: { loss: 0.5 } }, { step: 1, metrics: { loss: 0.6 } }]);
    expect(parseFireworksMetrics(text)).toEqual([
      { step: 1, trainLoss: 0.6 },
      { step: 2, trainLoss: 0.5 },
    ]);
  });

  it("skips torn lines and records without a known value, and numbers steps it is not given", () => {
    const text = ['{"loss":1.0}', "{not json", '{"step":9,"lr":0.0001}', '{"loss":0.9}', '{"step":3,"loss":"NaN"}', '{"loss":0.8'].join("\n");
    expect(parseFireworksMetrics(text)).toEqual([
      { step: 1, trainLoss: 1 },
      { step: 2, trainLoss: 0.9 },
    ]);
  });

  it("gives [] for an empty file or a header alone", () => {
    expect(parseFireworksMetrics("")).toEqual([]);
    expect(parseFireworksMetrics("\n  \n")).toEqual([]);
    expect(parseFireworksMetrics("step,loss\n")).toEqual([]);
  });
});
