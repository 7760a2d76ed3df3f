import { expect, test } from "@playwright/test";
import { OPENFLIGHTS_DDL } from "../lib/demo/openflights";
import { signIn, snap, stageLink } from "./helpers";

// Re-importing the OpenFlights schema of "Flights analytics" (built by 01-skeleton) with a
// renamed column and a dropped table: the drift page lists the change and the queries and pairs
// it touches. Runs last, because it changes that project's schema.

function withDrift(ddl: string): string {
  const withoutPlanes = ddl
    .replace(/CREATE TABLE planes \([\s\S]*?\);\n/, "")
    .split("\n")
    .filter((line) => !/COMMENT ON (TABLE|COLUMN) planes/.test(line))
    .join("\n");
  return withoutPlanes.replace(/\blatitude\b/g, "lat");
}

test("a renamed column and a dropped table are flagged where they are used", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: /Flights analytics/ }).click();
  await stageLink(page, /Schema/).click();

  await page.getByLabel("Dialect").selectOption("duckdb");
  await page.getByLabel("DDL").fill(withDrift(OPENFLIGHTS_DDL));
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByRole("region", { name: "Preview" });
  await expect(preview).toContainText("4 tables");
  await expect(preview).toContainText(/planes/);
  await expect(preview).toContainText(/latitude/);
  await page.getByRole("button", { name: "Import as schema v2" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Saved schema v2");

  await page.getByRole("link", { name: "Drift" }).click();
  await expect(page.getByTestId("drift-diff")).toContainText("planes");
  await expect(page.getByTestId("drift-diff")).toContainText("latitude");
  const queries = page.getByTestId("drift-queries");
  await expect(queries).toContainText(/latitude|planes/);
  await expect(page.getByTestId("drift-pairs")).toBeVisible();
  await snap(page, "16-drift-demo");

  // The flagged queries carry a schema drift flag on the Queries page.
  await stageLink(page, /Queries/).click();
  await page.getByLabel("Lint flag").selectOption("schema_drift");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("query-row").first()).toBeVisible();
  await expect(page.getByTestId("query-row").first().getByText("schema drift")).toBeVisible();
});
