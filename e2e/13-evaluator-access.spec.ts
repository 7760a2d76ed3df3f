import { expect, test } from "@playwright/test";
import path from "node:path";
import { SCREENSHOT_DIR, signIn, stageLink } from "./helpers";

// The approved "Sandbox lab" version (11-datasets) opens its sandbox to a remote evaluator: a data
// lead creates a token (shown once), the evaluator's call runs read-only SQL with it, a write is
// refused, and once revoked the token is refused.
test("create an evaluator token, query the sandbox with it, revoke it", async ({ page, request }) => {
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();
  await stageLink(page, /Datasets/).click();
  await page.getByRole("link", { name: /Lab release/ }).first().click();
  const card = page.locator("#evaluator-access");
  await expect(card).toContainText("No evaluator tokens yet");

  await card.getByLabel("Token name").fill("RFT evaluator");
  await card.getByRole("button", { name: "Create token" }).click();
  const shown = card.getByRole("status");
  await expect(shown).toContainText("it will not be shown again");
  const token = (await shown.locator("code").first().innerText()).trim();
  expect(token).toMatch(/^sbx_[A-Za-z0-9]{40}$/);
  const url = (await card.locator("code").first().innerText()).trim();
  expect(url).toMatch(/\/api\/sandbox-access\/query$/);
  // The version page is long (every item): the card alone is what matters here.
  await card.screenshot({ path: path.join(SCREENSHOT_DIR, "13a-evaluator-token.png") });

  // The evaluator's side: read-only SQL answers, a write is refused.
  const route = new URL(url).pathname;
  const ok = await request.post(route, { headers: { authorization: `Bearer ${token}` }, data: { sql: "SELECT count(*) AS n FROM airports" } });
  expect(ok.status()).toBe(200);
  const body = (await ok.json()) as { columns: { name: string }[]; rows: unknown[][] };
  expect(body.columns[0]?.name).toBe("n");
  expect(Number(body.rows[0]?.[0])).toBeGreaterThan(0);
  const write = await request.post(route, { headers: { authorization: `Bearer ${token}` }, data: { sql: "DELETE FROM airports" } });
  expect(write.status()).toBe(400);

  await card.getByRole("button", { name: "I have copied it" }).click();
  await expect(card.getByRole("cell", { name: "RFT evaluator", exact: true })).toBeVisible();
  page.once("dialog", (d) => void d.accept());
  await card.getByRole("button", { name: "Revoke RFT evaluator" }).click();
  await expect(card).toContainText("Revoked");
  const refused = await request.post(route, { headers: { authorization: `Bearer ${token}` }, data: { sql: "SELECT 1" } });
  expect(refused.status()).toBe(401);
  await card.screenshot({ path: path.join(SCREENSHOT_DIR, "13b-evaluator-revoked.png") });
});
