import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { snap, stageLink } from "./helpers";

// The whole pipeline as a user walks it: create a project, paste DDL, generate a sandbox,
// queries and questions, review pairs, freeze, sign off, export, evaluate the baseline.
test("a user walks the pipeline from schema to scorecard", async ({ page }) => {
  // First run: the studio asks for its first (admin) account.
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel("Your name").fill("Dana Lead");
  await page.getByLabel("Email").fill("dana@example.com");
  await page.getByLabel(/Password/).fill("correct horse battery");
  await snap(page, "00-setup");
  await page.getByRole("button", { name: "Create admin account" }).click();
  await expect(page.getByText("No projects yet")).toBeVisible();
  await snap(page, "01-projects-empty");

  await page.getByLabel("Name").fill("Flights analytics");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/schema$/);

  // Bad DDL first: a clear error, nothing saved.
  await page.getByLabel("DDL").fill("CREATE TABLE broken (id INTEGER PRIMARY KEY,, name TEXT);");
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText(/line 1/i);
  await page.getByRole("button", { name: "Use the OpenFlights example" }).click();
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("preview-stats")).toContainText("5 tables");
  await page.getByRole("button", { name: "Import as schema v1" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Saved schema v1 with 5 tables");
  await expect(page.getByTestId("schema-table")).toHaveCount(5);
  await snap(page, "02-schema");

  await stageLink(page, /Sandbox/).click();
  await page.getByRole("button", { name: "Edit rows per table" }).click();
  for (const table of ["countries", "airlines", "airports", "planes", "routes"]) await page.getByLabel(`Rows for ${table}`).fill("150");
  await expect(page.getByTestId("sandbox-size")).toContainText("750 rows in 5 tables");
  await page.getByLabel("Test-suite variants").fill("2");
  await page.getByRole("button", { name: "Generate sandbox" }).click();
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByText("Rows per table").first()).toBeVisible();
  await expect(page.getByRole("heading", { name: "routes" })).toBeVisible();
  await snap(page, "03-sandbox");
  // The validation report proves every constraint by a query; the browser pages through rows.
  await page.getByRole("link", { name: "Validation report" }).click();
  await expect(page.getByTestId("report-summary")).toContainText(/(\d+) of \1 checks passed/);
  await expect(page.locator('[data-testid="report-check"][data-status="failed"]')).toHaveCount(0);
  await snap(page, "03b-sandbox-report");
  await page.goBack();
  await page.getByRole("link", { name: "Browse tables" }).click();
  await page.getByRole("combobox", { name: "Table" }).selectOption("airports");
  await expect(page.getByTestId("browse-count")).toContainText("of 150");
  await page.getByRole("button", { name: "name", exact: true }).click();
  await page.getByLabel("Filter").fill("International");
  await expect(page.getByTestId("browse-row").first()).toContainText("International");
  await snap(page, "03c-sandbox-browse");
  await page.goBack();
  await page.goBack();

  await stageLink(page, /Queries/).click();
  await page.getByRole("button", { name: "Generate queries" }).click();
  await expect(page.getByTestId("job-progress").first()).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
  await expect(page.getByTestId("query-row").first()).toBeVisible();
  await page.getByRole("button", { name: "Write questions" }).click();
  await expect(page.getByTestId("job-progress").nth(1)).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await page.reload();
  await snap(page, "04-queries");

  await stageLink(page, /Review/).click();
  await expect(page.getByLabel("Question")).not.toBeEmpty();
  await snap(page, "05-review");
  // Edit the SQL of the first pair: it is executed before it is saved.
  const sql = page.getByLabel("SQL", { exact: true });
  await sql.fill("SELECT count(*) AS country_count FROM countries");
  await page.getByRole("button", { name: "Run SQL" }).click();
  await expect(page.getByText(/^1 row in \d+ ms/)).toBeVisible();
  await page.getByRole("button", { name: "Save edit" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Saved: the new SQL ran on the sandbox");
  // Approve pairs with the keyboard: "a" approves and moves to the next one.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  for (let i = 0; i < 12; i++) {
    await expect(page.getByRole("button", { name: "Approve a", exact: true })).toBeEnabled();
    await page.keyboard.press("a");
    await expect(page.getByRole("main").getByRole("status")).toContainText("Approved");
  }
  await page.keyboard.press("r");
  await page.keyboard.press("1");
  await expect(page.getByRole("main").getByRole("status")).toContainText("Rejected (SQL is wrong)");
  await page.getByRole("tab", { name: /Approved/ }).click();
  await expect(page.getByRole("list", { name: "Pairs" }).getByRole("button")).toHaveCount(12);
  await snap(page, "06-review-approved");

  await stageLink(page, /Datasets/).click();
  await page.getByLabel(/Name/).fill("First batch");
  await page.getByRole("button", { name: "Freeze version" }).click();
  await expect(page.getByRole("heading", { name: /v1 · First batch/ })).toBeVisible();
  await page.getByRole("button", { name: "Sign off this version" }).click();
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download Fireworks RFT Train" }).click();
  const download = await downloadPromise;
  const lines = readFileSync(await download.path(), "utf8").trim().split("\n");
  const first = JSON.parse(lines[0]);
  expect(first.messages[1].role).toBe("user");
  expect(first.ground_truth).toBeTruthy();
  await snap(page, "07-dataset");

  await stageLink(page, /Evaluations/).click();
  await expect(page.getByLabel("Model endpoint", { exact: true })).toContainText("Retrieval baseline");
  await page.getByRole("button", { name: "Run evaluation" }).click();
  await expect(page).toHaveURL(/\/evaluations\/[^/]+$/, { timeout: 60_000 });
  await expect(page.getByText("Execution accuracy").first()).toBeVisible();
  await expect(page.getByTestId("eval-result").first()).toBeVisible();
  await snap(page, "08-evaluation");
});
