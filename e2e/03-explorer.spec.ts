import { expect, test } from "@playwright/test";
import { snap, signInNewContext } from "./helpers";

// Runs after 01-skeleton and 02-roles (same studio database): the OpenFlights schema of
// "Flights analytics" drawn as an ER diagram.

test("the schema explorer draws the tables, opens a table's details and finds a table", async ({ browser }) => {
  const { context, page } = await signInNewContext(browser);
  await page.getByRole("link", { name: /Flights analytics/ }).click();
  await expect(page).toHaveURL(/\/projects\/[^/]+/);
  const projectUrl = page.url().match(/^.*\/projects\/[^/?#]+/)![0];

  await page.goto(`${projectUrl}/schema/explorer`);
  await expect(page.getByRole("heading", { name: "Schema explorer" })).toBeVisible();
  const nodes = page.getByTestId("er-node");
  await expect(nodes).toHaveCount(5);
  for (const name of ["airlines", "airports", "countries", "planes", "routes"]) {
    await expect(page.locator(`[data-testid="er-node"][data-table="${name}"]`)).toBeVisible();
  }
  // Foreign keys are drawn as edges: routes.airline_id → airlines is the first key of routes.
  await expect(page.getByTestId("rf__edge-fk:routes:0")).toHaveCount(1);
  await expect(page.getByTestId("rf__edge-fk:routes:0")).toContainText("airline_id");

  // Clicking a table opens its columns and relationships.
  await page.locator('[data-testid="er-node"][data-table="routes"]').click();
  const panel = page.getByTestId("er-panel");
  await expect(panel.getByRole("heading", { name: "routes" })).toBeVisible();
  await expect(panel.getByTestId("er-column")).toHaveCount(7);
  await expect(panel.getByTestId("er-column").filter({ hasText: "airline_id" })).toBeVisible();
  await expect(panel.getByTestId("er-relationship").filter({ hasText: "airlines" })).toBeVisible();
  await expect(panel.getByTestId("er-relationship").filter({ hasText: "source_airport_id" })).toContainText("airports");

  // Escape closes the panel.
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);

  // "/" focuses the search box; Enter goes to the first match and opens it.
  await page.keyboard.press("/");
  const search = page.getByLabel("Find a table");
  await expect(search).toBeFocused();
  await search.fill("airports");
  await expect(page.locator('[data-testid="er-node"][data-table="airports"]')).toHaveAttribute("data-matched", "true");
  await search.press("Enter");
  await expect(page.locator('[data-testid="er-node"][data-table="airports"]')).toHaveAttribute("data-focused", "true");
  await expect(panel.getByRole("heading", { name: "airports" })).toBeVisible();
  await expect(panel.getByTestId("er-relationship").filter({ hasText: "destination_airport_id" })).toContainText("routes");
  await snap(page, "12-explorer");
  await context.close();
});
