import { expect, test } from "@playwright/test";
import { signIn, snap, stageLink } from "./helpers";

// The sandbox as a data lead uses it: sizes and their mistakes, a big run watched and cancelled
// (the previous sandbox stays), a run with test-suite variants, the validation report and the
// table browser.
test("generate a sandbox, watch and cancel a big run, read the report, browse a table", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page.getByLabel("Name").fill("Sandbox lab");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/schema$/);
  await page.getByRole("button", { name: "Use the OpenFlights example" }).click();
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Import as schema v1" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Saved schema v1 with 5 tables");

  await stageLink(page, /Sandbox/).click();
  await expect(page.getByText("No sandbox yet")).toBeVisible();
  // Defaults by table role: lookups 200, facts 5,000, the rest 1,000.
  await expect(page.getByTestId("sandbox-size")).toContainText("8,200 rows in 5 tables");

  // Bad sizes are explained before anything is sent, and Generate stays off.
  const generate = page.getByRole("button", { name: "Generate sandbox" });
  await page.getByRole("button", { name: "Edit rows per table" }).click();
  await page.getByLabel("Rows for routes").fill("0");
  await expect(page.getByTestId("sandbox-form-errors")).toContainText("Rows for routes must be at least 1");
  await expect(generate).toBeDisabled();
  await page.getByLabel("Rows for routes").fill("-20");
  await expect(page.getByTestId("sandbox-form-errors")).toContainText("at least 1");
  await page.getByLabel("Rows for routes").fill("1000000000000");
  await expect(page.getByTestId("sandbox-form-errors")).toContainText("at most 5,000,000");
  await page.getByLabel("Rows for routes").fill("4000000");
  await page.getByLabel("Scale factor").fill("10");
  await expect(page.getByTestId("sandbox-form-errors")).toContainText("routes would get 40,000,000 rows at this scale");
  await snap(page, "06a-sandbox-bad-sizes");
  await page.getByRole("button", { name: "×1", exact: true }).click();
  await page.getByLabel("Rows for routes").fill("300");
  await page.getByLabel("Test-suite variants").fill("0");
  await expect(page.getByTestId("sandbox-form-errors")).toHaveCount(0);

  // A small first sandbox.
  await page.getByLabel("Seed").fill("7");
  await generate.click();
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-status", "succeeded", { timeout: 60_000 });
  await expect(page.getByText("Rows per table").first()).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Seed");
  const firstTotal = await page.getByText(/^[\d,]+$/).first().textContent();

  // A big run: watch the bar move, then cancel; the first sandbox stays in use.
  await page.getByLabel("Rows for routes").fill("4000000");
  await page.getByLabel("Seed").fill("8");
  await generate.click();
  const progress = page.getByTestId("job-progress");
  await expect(progress).toHaveAttribute("data-status", "running", { timeout: 30_000 });
  await expect(progress).toContainText(/Filled|Creating|Starting/, { timeout: 30_000 });
  await snap(page, "06b-sandbox-progress");
  await progress.getByRole("button", { name: "Cancel" }).click();
  await expect(progress).toHaveAttribute("data-status", "cancelled", { timeout: 60_000 });
  await page.reload();
  await expect(page.getByRole("main")).toContainText(firstTotal ?? "");
  await expect(page.getByRole("table").filter({ hasText: "cancelled" }).or(page.getByText("failed")).first()).toBeVisible();

  // Another seed with a NULL rate and test-suite variants.
  await page.getByRole("button", { name: "Edit rows per table" }).click();
  await page.getByLabel("Rows for routes").fill("3000");
  await page.getByRole("button", { name: "New seed" }).click();
  await page.getByLabel("Fixed").check();
  await page.getByLabel("NULL rate in percent").fill("10");
  await page.getByLabel("Test-suite variants").fill("2");
  await generate.click();
  await expect(page.getByTestId("job-progress")).toHaveAttribute("data-status", "succeeded", { timeout: 90_000 });
  await page.reload();
  const variants = page.getByRole("list", { name: "Test-suite variants" });
  await expect(variants.getByRole("listitem")).toHaveCount(2);
  await expect(variants).toContainText("ready");
  await snap(page, "06c-sandbox-ready");

  // The report proves every constraint; the browser pages, sorts and filters.
  await page.getByRole("link", { name: "Validation report" }).click();
  await expect(page.getByTestId("report-summary")).toContainText(/(\d+) of \1 checks passed/);
  await expect(page.locator('[data-testid="report-check"][data-status="failed"]')).toHaveCount(0);
  await snap(page, "06d-sandbox-report");
  await page.goBack();
  await page.getByRole("link", { name: "Browse tables" }).click();
  await page.getByRole("combobox", { name: "Table" }).selectOption("routes");
  await expect(page.getByTestId("browse-count")).toContainText("of 3,000");
  await page.getByRole("button", { name: "stops", exact: true }).click();
  await expect(page.getByTestId("browse-row").first()).toBeVisible();
  await page.getByRole("combobox", { name: "Table" }).selectOption("airports");
  await page.getByLabel("Filter").fill("International");
  await expect(page.getByTestId("browse-row").first()).toContainText("International");
  await snap(page, "06e-sandbox-browse");
});
