import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { signIn, snap, stageLink } from "./helpers";
import { startOpenAiStandIn, type OpenAiStandIn, type StandInMessage } from "../test/stand-ins/openai-server";

// Evaluations on "Sandbox lab"'s approved version (11-datasets): the retrieval baseline and a
// few-shot prompt of a local OpenAI-compatible stand-in model are run on the test split, the
// few-shot run's scorecard is read and exported, the two runs are compared (few-shot first: what
// going back to the baseline would break), a broken item's diff is opened and the broken items go
// to the regression set.

let model: OpenAiStandIn;

/** Every dataset item's question and gold SQL, read from the studio's database (test-only oracle). */
function goldByQuestion(): Map<string, string> {
  const db = new Database(path.resolve("tmp/e2e/studio.db"), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT question, redactedQuestion, sql FROM "DatasetItem"').all() as { question: string; redactedQuestion: string | null; sql: string }[];
    return new Map(rows.map((r) => [r.redactedQuestion ?? r.question, r.sql]));
  } finally {
    db.close();
  }
}

const asked = new Map<string, number>();
let gold_: Map<string, string> | undefined;

/**
 * A stand-in "model" that knows the gold SQL and answers like an imperfect one: by a hash of the
 * question it is right (fenced or in prose), invents a column, answers without SQL, writes a
 * syntax error, returns a wrong result, or — for some questions — changes its answer between
 * repeats.
 */
function answer(messages: StandInMessage[]): string {
  const prompt = messages[messages.length - 1]?.content ?? "";
  let gold = "";
  let question = "";
  gold_ ??= goldByQuestion();
  for (const [q, sql] of gold_) if (prompt.includes(q) && q.length > question.length) [question, gold] = [q, sql];
  if (!gold) return "I do not know.";
  const n = (asked.get(question) ?? 0) + 1;
  asked.set(question, n);
  const h = [...question].reduce((acc, c) => (acc * 31 + c.charCodeAt(0)) >>> 0, 7) % 10;
  if (h <= 3) return "```sql\n" + gold + "\n```";
  if (h === 4) return `The query is:\n${gold}\nIt reads the tables the question names.`;
  if (h === 5) return n % 2 === 1 ? "```sql\n" + gold + "\n```" : "SELECT 42 AS answer";
  if (h === 6) return "SELECT invented_column FROM (" + gold + ") AS t";
  if (h === 7) return "I cannot answer that from this schema.";
  if (h === 8) return "SELEC * FRM nowhere";
  return "SELECT 1 AS one";
}

test.beforeAll(async () => {
  model = await startOpenAiStandIn({ apiKey: "e2e-model-key", models: ["stand-in-7b"], answer });
});

test.afterAll(async () => {
  await model?.close();
});

test("baseline and few-shot runs, scorecard, export, compare, a broken item's diff, regression set", async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();
  await stageLink(page, /Evaluations/).click();

  // A model endpoint (the local stand-in), then few-shot prompting of it.
  await page.getByText("Add a model endpoint").click();
  const form = page.getByRole("form", { name: "Add a model endpoint" });
  await form.getByLabel("Name").fill("Stand-in 7B");
  await form.getByLabel("Base URL").fill(model.url);
  await form.getByLabel("Model", { exact: true }).fill("stand-in-7b");
  await form.getByLabel("API key").fill("e2e-model-key");
  await form.getByText("Generation and prices").click();
  await form.getByLabel("$ per 1M input tokens").fill("0.2");
  await form.getByLabel("$ per 1M output tokens").fill("0.6");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  const endpoints = page.getByRole("list", { name: "Model endpoints" });
  await expect(endpoints).toContainText("Stand-in 7B");
  await expect(endpoints).not.toContainText("e2e-model-key");
  await page.getByRole("button", { name: "Test Stand-in 7B" }).click();
  await expect(endpoints).toContainText(/Answered in \d+ ms/);

  await form.getByLabel("Kind").selectOption("few_shot");
  await form.getByLabel("Name").fill("Stand-in 7B, 3-shot");
  await form.getByLabel("Model to prompt").selectOption({ label: "Stand-in 7B" });
  await form.getByLabel("Examples").fill("3");
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(endpoints).toContainText("Stand-in 7B, 3-shot");

  // A bad setting is refused with a message, and nothing starts.
  const runForm = page.getByRole("form", { name: "Run an evaluation" });
  await runForm.getByText("Calls, repeats and comparison").click();
  await runForm.getByLabel("Calls at once").fill("500");
  await runForm.getByRole("button", { name: "Run evaluation" }).click();
  await expect(runForm.getByRole("alert")).toContainText("Concurrency must be a whole number from 1 to 64");
  await runForm.getByLabel("Calls at once").fill("8");

  // The baseline run.
  await runForm.getByLabel("Model endpoint").selectOption({ label: "Retrieval baseline (no LLM)" });
  await runForm.getByLabel("Label").fill("baseline");
  // Only the simple and moderate questions: the comparison below then leaves the others out.
  await runForm.getByRole("checkbox", { name: "simple" }).check();
  await runForm.getByRole("checkbox", { name: "moderate" }).check();
  await runForm.getByRole("button", { name: "Run evaluation" }).click();
  await expect(page).toHaveURL(/\/evaluations\/[^/]+$/);
  await expect(page.getByText("Execution accuracy").first()).toBeVisible();
  await expect(page.getByTestId("eval-result").first()).toBeVisible({ timeout: 90_000 });
  await expect(page.getByText("succeeded").first()).toBeVisible({ timeout: 90_000 });

  // The few-shot run, asking each question twice for rerun stability.
  await page.getByRole("link", { name: "All runs" }).first().click();
  await runForm.getByLabel("Model endpoint").selectOption({ label: "Stand-in 7B, 3-shot (few-shot)" });
  await runForm.getByLabel("Label").fill("3-shot");
  await runForm.getByText("Calls, repeats and comparison").click();
  await runForm.getByLabel("Repeats").fill("2");
  await runForm.getByRole("button", { name: "Run evaluation" }).click();
  await expect(page).toHaveURL(/\/evaluations\/[^/]+$/);
  await expect(page.getByText("succeeded").first()).toBeVisible({ timeout: 120_000 });
  expect(model.requests.filter((r) => r.status === 200).length).toBeGreaterThan(10);

  // The scorecard: headline numbers, the projection, the breakdowns.
  await expect(page.getByText("Execution accuracy").first()).toBeVisible();
  await expect(page.getByText(/consistent/i).first()).toBeVisible();
  await page.getByLabel("Questions per month").fill("22000");
  await snap(page, "12a-scorecard");

  // An item's detail: the gold and the model's SQL and results.
  await page.getByTestId("eval-result").first().click();
  await expect(page.getByRole("region", { name: "Item detail" })).toBeVisible();
  await snap(page, "12b-scorecard-item");

  // Export the scorecard as CSV and Markdown.
  for (const [name, check] of [
    ["CSV", (text: string) => expect(text).toMatch(/^section,key,total,correct,accuracy,ci_low,ci_high,value/)],
    ["Markdown", (text: string) => expect(text).toContain("| ")],
  ] as const) {
    await page.getByRole("button", { name: /Export/ }).click();
    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: `Export as ${name}` }).click();
    const file = await downloading;
    check(readFileSync(await file.path(), "utf8"));
  }

  // Compare the two runs: the table, then what the few-shot run broke.
  await page.getByRole("link", { name: "All runs" }).first().click();
  await page.getByRole("checkbox", { name: /Compare 3-shot/ }).check();
  await page.getByRole("checkbox", { name: /Compare baseline/ }).check();
  await page.getByRole("link", { name: "Compare 2 runs" }).click();
  await expect(page.getByTestId("compare-row")).toHaveCount(2);
  await expect(page.getByRole("table", { name: "Scorecards side by side" })).toContainText("baseline");
  // The version's questions as the model saw them: the address 11-datasets redacted stays hidden.
  await expect(page.getByRole("main")).not.toContainText("jane.doe@example.com");
  await snap(page, "12c-compare");

  const changes = page.getByRole("region", { name: "Fixed and broken items" });
  await expect(changes).toBeVisible();
  await expect(changes).toContainText(/\d+ items answered by only one run are left out/);
  const broken = changes.getByRole("tab", { name: /Broken/ });
  await broken.click();
  expect(Number((await broken.innerText()).replace(/\D+/g, ""))).toBeGreaterThan(0);
  await changes.getByTestId("changed-item").first().getByRole("button").click();
  await expect(changes.getByRole("region", { name: "Change detail" })).toContainText("Gold SQL");
  await snap(page, "12d-broken-item");
  await changes.getByRole("button", { name: /to the regression set/ }).click();
  await expect(changes.getByRole("status")).toContainText("regression set");
  await page.getByRole("link", { name: "All runs" }).first().click();
  await page.getByRole("link", { name: /Regression set \(\d+\)/ }).click();
  await expect(page.getByTestId("regression-item").first()).toBeVisible();
  await snap(page, "12e-regression-set");
});
