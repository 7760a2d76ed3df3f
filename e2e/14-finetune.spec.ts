import { expect, test, type Page } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { signIn, snap, stageLink } from "./helpers";
import { readTar, startFireworksStandIn, type FireworksStandIn, type StandInJob } from "../test/stand-ins/fireworks-server";
import { startBedrockControlStandIn, type BedrockControlStandIn } from "../test/stand-ins/bedrock-control-server";
import { createBucket, MOTO_CREDENTIALS, MOTO_REGION, startMoto, type Moto } from "../test/helpers/moto";

// Fine-tuning "Sandbox lab"'s approved version (11-datasets) on a local Fireworks stand-in: an admin
// adds and tests the connection, launches an RFT job (a double click makes one job), watches it
// train to completion with its curves, deploys the model and finds it among the evaluation
// endpoints. When the stand-in receives the job, it runs the reward evaluator the studio uploaded
// (plain Python, the machine's python3) against the studio's read-only endpoint, as Fireworks
// would. Then a job with a model Fireworks does not know fails with the reason, and a running job
// is cancelled.

const KEY = "fw-e2e-key-0123456789";
let fireworks: FireworksStandIn;
let moto: Moto;
let bedrock: BedrockControlStandIn;
const BUCKET = "sandpiper-e2e-training";

/** What the uploaded evaluator scored: the gold answer and a wrong one, for a few training rows. */
const evaluatorScores: { gold: number; wrong: number; reason: string }[] = [];

function runUploadedEvaluator(job: StandInJob): void {
  const evaluatorId = String(job.resource.evaluator).split("/").pop()!;
  const datasetId = String(job.resource.dataset).split("/").pop()!;
  const archive = fireworks.state.evaluators.get(evaluatorId)?.build?.archive;
  const text = fireworks.state.datasets.get(datasetId)?.file?.text;
  if (!archive || !text) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), "sandpiper-e2e-evaluator-"));
  try {
    for (const entry of readTar(gunzipSync(archive))) {
      if (entry.type !== "0") continue;
      const target = path.join(dir, entry.name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, entry.data);
    }
    const rows = text.split("\n").filter(Boolean).slice(0, 6).map((line) => JSON.parse(line));
    const script = [
      "import json, sys, glob, os",
      "sys.path.insert(0, os.path.dirname(glob.glob('**/sandpiper_reward.py', recursive=True)[0]) or '.')",
      "import sandpiper_reward as r",
      "out = []",
      "for row in json.load(sys.stdin):",
      "    g = r.score('```sql\\n' + row['gold_sql'] + '\\n```', row['ground_truth'], row.get('order_matters', False))",
      "    w = r.score('SELECT 42 AS nope', row['ground_truth'], row.get('order_matters', False))",
      "    out.append({'gold': g['score'], 'wrong': w['score'], 'reason': w['reason']})",
      "print(json.dumps(out))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", script], { cwd: dir, input: JSON.stringify(rows), encoding: "utf8", timeout: 60_000 });
    if (run.status !== 0) throw new Error(`the evaluator failed: ${run.stderr}`);
    evaluatorScores.push(...JSON.parse(run.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.beforeAll(async () => {
  fireworks = await startFireworksStandIn({
    apiKey: KEY,
    accountId: "e2e-team",
    runningPolls: 6,
    stepsPerPoll: 4,
    jobOutcome: (job) => {
      if (job.kind === "rft") runUploadedEvaluator(job);
      return "complete";
    },
  });
});

test.afterAll(async () => {
  await fireworks?.close();
  await bedrock?.close();
  await moto?.close();
});

async function launchForm(page: Page) {
  return page.getByRole("form", { name: "Launch a fine-tune" });
}

test("connect Fireworks, launch an RFT job, watch it train, deploy it, evaluate the endpoint", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();

  // The connection: a malformed account id is refused next to the field, then the real one works.
  await page.getByRole("navigation", { name: "Pipeline stages" }).getByRole("link", { name: "Connections" }).click();
  await expect(page.getByRole("heading", { name: "Connections", level: 1 })).toBeVisible();
  const add = page.getByRole("form", { name: "Add a connection" });
  await add.getByRole("radio", { name: "Fireworks" }).check();
  await add.getByLabel("Name").fill("Fireworks (stand-in)");
  await add.getByLabel("API key", { exact: true }).fill(KEY);
  await add.getByLabel("Account id").fill("E2E Team!");
  await add.getByText("Advanced").click();
  await add.getByLabel("API address").fill(fireworks.apiBaseUrl);
  await add.getByLabel("Inference address").fill(fireworks.inferenceBaseUrl);
  await add.getByRole("button", { name: "Add connection" }).click();
  await expect(add.getByText(/^The account id is the lower-case id/)).toBeVisible();
  await add.getByLabel("Account id").fill("e2e-team");
  await add.getByRole("button", { name: "Add connection" }).click();
  const card = page.getByRole("article", { name: "Fireworks (stand-in)" });
  await expect(card).toBeVisible();
  await expect(card.getByText(KEY)).toHaveCount(0);
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(card.getByRole("list", { name: "Checks" })).toBeVisible();
  await expect(card.getByRole("list", { name: "Checks" }).getByText("✗")).toHaveCount(0);
  await snap(page, "14a-connections");

  // Launch an RFT job from the approved version; a double click makes one job.
  await stageLink(page, /Fine-tuning/).click();
  await expect(page.getByRole("heading", { name: "Fine-tuning", level: 1 })).toBeVisible();
  const form = await launchForm(page);
  await form.getByRole("radio", { name: "Fireworks RFT" }).check();
  await form.getByLabel("Name").fill("Reward tuning v1");
  await form.getByLabel("Base model").fill("accounts/fireworks/models/qwen3-8b");
  await form.getByLabel("Epochs").fill("2");
  await form.getByLabel("Studio address the evaluator calls").fill(new URL(page.url()).origin);
  await expect(page.getByTestId("finetune-estimate")).toContainText("× 2 epochs");
  await snap(page, "14b-launch");
  await form.getByRole("button", { name: "Launch fine-tune" }).dblclick();
  await expect(page.getByRole("heading", { name: "Reward tuning v1", level: 1 })).toBeVisible();
  const jobUrl = page.url();

  // It prepares, trains (progress and curves), and completes.
  const status = page.getByTestId("finetune-status");
  await expect(status.getByTestId("finetune-state")).toHaveAttribute("data-state", "running", { timeout: 60_000 });
  await expect(page.getByRole("progressbar", { name: "Training progress" })).toBeVisible();
  await snap(page, "14c-training");
  await expect(status.getByTestId("finetune-state")).toHaveAttribute("data-state", "completed", { timeout: 90_000 });
  await expect(page.getByRole("heading", { name: "Training curves" })).toBeVisible();
  await expect(page.getByText("Curves appear once the provider reports them")).toHaveCount(0);
  await snap(page, "14d-completed");

  // The evaluator the studio uploaded really scores through the studio: gold 1, wrong 0.
  expect(evaluatorScores.length).toBeGreaterThan(0);
  expect(evaluatorScores.every((s) => s.gold === 1)).toBe(true);
  expect(evaluatorScores.filter((s) => s.wrong === 0).length).toBeGreaterThan(evaluatorScores.length / 2);

  // Only one job was made by the double click.
  await page.getByRole("link", { name: "All fine-tunes" }).click();
  await expect(page.getByRole("link", { name: "Reward tuning v1" })).toHaveCount(1);
  await page.goto(jobUrl);

  // Deploy: once the deployment answers, the model is an evaluation endpoint.
  await page.getByRole("button", { name: "Deploy model" }).click();
  const lineage = page.getByRole("region", { name: "Lineage" }).or(page.locator("section", { has: page.getByRole("heading", { name: "Lineage" }) }));
  await expect(page.getByRole("link", { name: /Reward tuning v1 \(fine-tuned\)/ })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole("link", { name: "Run an evaluation of this endpoint" })).toBeVisible();
  await expect(lineage.first()).toBeVisible();
  await snap(page, "14e-deployed");
  await page.getByRole("link", { name: "Run an evaluation of this endpoint" }).click();
  await expect(page.getByRole("list", { name: "Model endpoints" }).getByText("Reward tuning v1 (fine-tuned)")).toBeVisible();
  // The link preselects the fine-tuned endpoint in the run form.
  await expect(page.getByLabel("Model endpoint", { exact: true }).locator("option:checked")).toHaveText(/Reward tuning v1 \(fine-tuned\)/);
  await snap(page, "14f-endpoint");
});

test("a job with an unknown base model fails with the reason; a running job is cancelled", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();
  await stageLink(page, /Fine-tuning/).click();

  const form = await launchForm(page);
  await form.getByRole("radio", { name: "Fireworks SFT" }).check();
  await form.getByLabel("Name").fill("Unknown model");
  await form.getByLabel("Base model").fill("accounts/fireworks/models/no-such-model-7b");
  await form.getByRole("button", { name: "Launch fine-tune" }).click();
  await expect(page.getByRole("heading", { name: "Unknown model", level: 1 })).toBeVisible();
  await expect(page.getByTestId("finetune-status").getByTestId("finetune-state")).toHaveAttribute("data-state", "failed", { timeout: 60_000 });
  await expect(page.getByRole("heading", { name: "This fine-tune failed" })).toBeVisible();
  await expect(page.getByText(/404/).first()).toBeVisible();
  await snap(page, "14g-failed");

  await page.getByRole("link", { name: "All fine-tunes" }).click();
  const again = await launchForm(page);
  await again.getByRole("radio", { name: "Fireworks SFT" }).check();
  await again.getByLabel("Name").fill("Stopped early");
  await again.getByLabel("Base model").fill("accounts/fireworks/models/qwen3-8b");
  await again.getByRole("button", { name: "Launch fine-tune" }).click();
  await expect(page.getByRole("heading", { name: "Stopped early", level: 1 })).toBeVisible();
  const state = page.getByTestId("finetune-status").getByTestId("finetune-state");
  await expect(state).toHaveAttribute("data-state", "running", { timeout: 60_000 });
  await page.getByRole("button", { name: "Cancel job" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel the job" }).click();
  await expect(state).toHaveAttribute("data-state", "cancelled", { timeout: 60_000 });
  await expect(page.getByText(/cancelled at the provider/i).first()).toBeVisible();
  await snap(page, "14h-cancelled");
});

test("connect AWS, fine-tune Nova Micro on Bedrock through S3, read the loss, deploy it as an endpoint", async ({ page }) => {
  test.setTimeout(240_000);
  moto = await startMoto();
  await createBucket(moto.endpoint, BUCKET);
  bedrock = await startBedrockControlStandIn({
    s3: { endpoint: moto.endpoint, region: MOTO_REGION, credentials: MOTO_CREDENTIALS },
    accessKeyId: MOTO_CREDENTIALS.accessKeyId,
    secretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
    completeAfterPolls: 5,
  });
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();
  await page.getByRole("navigation", { name: "Pipeline stages" }).getByRole("link", { name: "Connections" }).click();
  const add = page.getByRole("form", { name: "Add a connection" });
  await add.getByRole("radio", { name: "AWS" }).check();
  await add.getByLabel("Name").fill("AWS (stand-in)");
  await add.getByLabel("Region").fill("us-east-1");
  await add.getByRole("radio", { name: "Access keys" }).check();
  await add.getByLabel("Access key id").fill(MOTO_CREDENTIALS.accessKeyId);
  await add.getByLabel("Secret access key").fill(MOTO_CREDENTIALS.secretAccessKey);
  await add.getByLabel("S3 bucket").fill(BUCKET);
  await add.getByLabel("Prefix").fill("studio/e2e");
  await add.getByLabel("IAM role ARN").fill("arn:aws:iam::123456789012:role/BedrockNovaCustomModelRole");
  await add.getByText("Advanced").click();
  await add.getByLabel("Bedrock address").fill(bedrock.url);
  await add.getByLabel("S3 address").fill(moto.endpoint);
  await add.getByRole("button", { name: "Add connection" }).click();
  const card = page.getByRole("article", { name: "AWS (stand-in)" });
  await expect(card).toBeVisible();
  await expect(card.getByText(MOTO_CREDENTIALS.secretAccessKey)).toHaveCount(0);
  await card.getByRole("button", { name: "Test connection" }).click();
  await expect(card.getByRole("list", { name: "Checks" })).toBeVisible();
  await expect(card.getByRole("list", { name: "Checks" }).getByText("✗")).toHaveCount(0);
  await snap(page, "14i-aws-connection");

  await stageLink(page, /Fine-tuning/).click();
  const form = await launchForm(page);
  await form.getByRole("radio", { name: "Bedrock Nova" }).check();
  await form.getByLabel("Connection").selectOption({ label: "AWS (stand-in)" });
  await form.getByLabel("Name").fill("Nova Micro v1");
  await form.getByLabel("Base model").selectOption({ label: "Amazon Nova Micro" });
  await form.getByLabel("Epochs").fill("1");
  await expect(page.getByTestId("finetune-estimate")).toContainText("× 1 epoch");
  await form.getByRole("button", { name: "Launch fine-tune" }).click();
  await expect(page.getByRole("heading", { name: "Nova Micro v1", level: 1 })).toBeVisible();
  const state = page.getByTestId("finetune-status").getByTestId("finetune-state");
  await expect(state).toHaveAttribute("data-state", "completed", { timeout: 90_000 });
  await expect(page.getByText("Curves appear once the provider reports them")).toHaveCount(0);
  await expect(page.getByText(/s3:\/\/sandpiper-e2e-training\/studio\/e2e\//).first()).toBeVisible();
  await page.getByRole("button", { name: "Deploy model" }).click();
  await expect(page.getByRole("link", { name: /Nova Micro v1 \(fine-tuned\)/ })).toBeVisible({ timeout: 60_000 });
  await snap(page, "14j-bedrock-deployed");

  // Deleting the deployment stops the billing; the endpoint stays and the model can be deployed again.
  await page.getByRole("button", { name: "Delete deployment" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete the deployment" }).click();
  await expect(page.getByTestId("finetune-status").getByText("Deleted", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Deploy model" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Nova Micro v1 \(fine-tuned\)/ })).toBeVisible();
});
