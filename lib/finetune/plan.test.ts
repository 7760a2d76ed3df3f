import { describe, expect, it } from "vitest";
import {
  bedrockKeysOf,
  bedrockNameOf,
  estimateCost,
  estimateTokens,
  explainFailure,
  fromBedrockStatus,
  fromFireworksState,
  mergeMetrics,
  modelSizeBillions,
  moneyToUsd,
  nextPollDelay,
  providerIdOf,
} from "@/lib/finetune/plan";
import { bedrockSettings, fireworksRftSettings, launchFineTuneInput } from "@/lib/finetune/types";

describe("provider ids", () => {
  it("derives Fireworks ids from the job id: lower case, dashes, within 63 characters", () => {
    const id = providerIdOf("cmABC123def456ghi789jkl0m", "train");
    expect(id).toBe("sp-cmabc123def456ghi789jkl0m-train");
    expect(id).toMatch(/^[a-z0-9-]{1,63}$/);
    expect(providerIdOf("cmABC123def456ghi789jkl0m")).toBe(providerIdOf("cmABC123def456ghi789jkl0m"));
  });
  it("names Bedrock resources and S3 keys under the connection's prefix", () => {
    expect(bedrockNameOf("cmx1", "job")).toBe("sandpiper-job-cmx1");
    expect(bedrockKeysOf("team/sp", "p1", "j1")).toEqual({ train: "team/sp/p1/j1/train.jsonl", validation: "team/sp/p1/j1/validation.jsonl", output: "team/sp/p1/j1/output/" });
    expect(bedrockKeysOf("", "p1", "j1").train).toBe("p1/j1/train.jsonl");
  });
});

describe("cost estimate", () => {
  it("prices SFT as tokens × epochs at the connection's price", () => {
    const e = estimateCost({ kind: "fireworks_sft", baseModel: "accounts/fireworks/models/qwen3-8b", trainTokens: 2_000_000, epochs: 3, pricePerMillion: 0.5 });
    expect(e.billedTokens).toBe(6_000_000);
    expect(e.usd).toBe(3);
    expect(e.basis).toContain("2,000,000 tokens × 3 epochs");
  });
  it("matches the reference's Bedrock figure: 2,000 × 800 tokens × 5 epochs at $0.001/1K = $8", () => {
    expect(estimateCost({ kind: "bedrock_sft", baseModel: "amazon.nova-micro-v1:0:128k", trainTokens: 1_600_000, epochs: 5, pricePerMillion: 1 }).usd).toBe(8);
  });
  it("prices RFT under 16B at zero and says why; larger models at the token price", () => {
    const small = estimateCost({ kind: "fireworks_rft", baseModel: "accounts/fireworks/models/qwen3-8b", trainTokens: 1000, epochs: 1, pricePerMillion: 0.5 });
    expect(small.usd).toBe(0);
    expect(small.basis).toMatch(/free/);
    const big = estimateCost({ kind: "fireworks_rft", baseModel: "accounts/fireworks/models/llama-v3p1-70b-instruct", trainTokens: 1_000_000, epochs: 2, pricePerMillion: 3 });
    expect(big.usd).toBe(6);
  });
  it("reads model sizes from names", () => {
    expect(modelSizeBillions("accounts/fireworks/models/qwen3-8b")).toBe(8);
    expect(modelSizeBillions("accounts/fireworks/models/llama-v3p1-70b-instruct")).toBe(70);
    expect(modelSizeBillions("accounts/fireworks/models/qwen2p5-1p5b-instruct")).toBe(1.5);
    expect(modelSizeBillions("accounts/fireworks/models/mystery")).toBeNull();
    expect(estimateTokens("abcdefgh")).toBe(2);
    expect(estimateTokens("abcdefghi")).toBe(3);
  });
});

describe("provider states", () => {
  it("maps Fireworks job states and keeps the current one for unknown words", () => {
    expect(fromFireworksState("JOB_STATE_RUNNING", "launching")).toBe("running");
    expect(fromFireworksState("JOB_STATE_WRITING_RESULTS", "running")).toBe("running");
    expect(fromFireworksState("JOB_STATE_COMPLETED", "running")).toBe("completed");
    expect(fromFireworksState("JOB_STATE_EARLY_STOPPED", "running")).toBe("completed");
    expect(fromFireworksState("JOB_STATE_FAILED", "running")).toBe("failed");
    expect(fromFireworksState("JOB_STATE_CANCELLED", "cancelling")).toBe("cancelled");
    expect(fromFireworksState("JOB_STATE_SOMETHING_NEW", "running")).toBe("running");
    expect(fromFireworksState(undefined, "launching")).toBe("launching");
  });
  it("maps Bedrock statuses", () => {
    expect(fromBedrockStatus("InProgress", "launching")).toBe("running");
    expect(fromBedrockStatus("Stopping", "running")).toBe("cancelling");
    expect(fromBedrockStatus("Stopped", "cancelling")).toBe("cancelled");
    expect(fromBedrockStatus("Completed", "running")).toBe("completed");
    expect(fromBedrockStatus("Failed", "running")).toBe("failed");
  });
});

describe("polling", () => {
  it("slows down while nothing changes and backs off on failures, within the cap", () => {
    expect(nextPollDelay({ baseMs: 1000, maxMs: 60_000, unchangedPolls: 0, failures: 0 })).toBe(1000);
    expect(nextPollDelay({ baseMs: 1000, maxMs: 60_000, unchangedPolls: 2, failures: 0 })).toBe(2250);
    expect(nextPollDelay({ baseMs: 1000, maxMs: 60_000, unchangedPolls: 0, failures: 3 })).toBe(8000);
    expect(nextPollDelay({ baseMs: 1000, maxMs: 60_000, unchangedPolls: 50, failures: 50 })).toBe(60_000);
  });
  it("merges metric points by step, later reads winning, undefined and NaN ignored", () => {
    const merged = mergeMetrics([{ step: 2, trainLoss: 1.2 }, { step: 1, trainLoss: 1.5 }], [{ step: 2, trainLoss: 1.1, reward: 0.4 }, { step: 3, trainLoss: Number.NaN, validationLoss: 1.3 }]);
    expect(merged).toEqual([{ step: 1, trainLoss: 1.5 }, { step: 2, trainLoss: 1.1, reward: 0.4 }, { step: 3, validationLoss: 1.3 }]);
  });
  it("reads Fireworks money as USD", () => {
    expect(moneyToUsd({ currencyCode: "USD", units: "12", nanos: 340_000_000 })).toBe(12.34);
    expect(moneyToUsd({ currencyCode: "EUR", units: "1" })).toBeNull();
    expect(moneyToUsd(undefined)).toBeNull();
  });
});

describe("failures explained", () => {
  it("quotes the provider and adds what to do", () => {
    const s3 = explainFailure("bedrock", undefined, "Could not validate GetObject permissions to access Amazon S3 bucket: b at key k");
    expect(s3).toContain('Bedrock says: "Could not validate GetObject permissions');
    expect(s3).toContain("s3:GetObject");
    expect(explainFailure("fireworks", "RESOURCE_EXHAUSTED", "no capacity")).toMatch(/capacity or the account's quota/);
    expect(explainFailure("fireworks", undefined, "")).toBe("Fireworks gave no reason.");
  });
});

describe("launch settings", () => {
  it("applies the documented defaults and ranges", () => {
    const rft = fireworksRftSettings.parse({ baseModel: "accounts/fireworks/models/qwen3-8b" });
    expect(rft).toMatchObject({ epochs: 1, learningRate: 1e-4, loraRank: 8, maxContextLength: 8192, maxOutputTokens: 2048, temperature: 0.7, topP: 1, topK: 40, responseCandidates: 4 });
    expect(fireworksRftSettings.safeParse({ baseModel: "accounts/fireworks/models/qwen3-8b", responseCandidates: 1 }).error?.issues[0].message).toMatch(/at least 2/);
    expect(fireworksRftSettings.safeParse({ baseModel: "accounts/fireworks/models/qwen3-8b", maxContextLength: 8200 }).error?.issues[0].message).toMatch(/multiple of 16/);
    expect(fireworksRftSettings.safeParse({ baseModel: "qwen3-8b" }).error?.issues[0].message).toMatch(/full model name/);
    expect(bedrockSettings.parse({ baseModel: "nova-micro" })).toMatchObject({ epochCount: 2, learningRate: 1e-5, learningRateWarmupSteps: 10 });
    expect(bedrockSettings.safeParse({ baseModel: "nova-micro", epochCount: 6 }).success).toBe(false);
    expect(bedrockSettings.safeParse({ baseModel: "nova-micro", learningRate: 2e-4 }).success).toBe(false);
    expect(bedrockSettings.safeParse({ baseModel: "nova-micro", learningRateWarmupSteps: 101 }).success).toBe(false);
    expect(bedrockSettings.safeParse({ baseModel: "nova-pro" }).success).toBe(false);
  });
  it("checks the evaluator address of an RFT launch", () => {
    const base = { kind: "fireworks_rft", name: "x", launchKey: "k-12345678", connectionId: "c", datasetVersionId: "v", settings: { baseModel: "accounts/fireworks/models/qwen3-8b" } };
    expect(launchFineTuneInput.parse({ ...base, evaluatorUrl: "https://studio.example.com/" })).toMatchObject({ evaluatorUrl: "https://studio.example.com" });
    expect(launchFineTuneInput.safeParse({ ...base, evaluatorUrl: "javascript:alert(1)" }).success).toBe(false);
    expect(launchFineTuneInput.safeParse({ ...base, evaluatorUrl: "https://user:pw@host" }).success).toBe(false);
  });
});
