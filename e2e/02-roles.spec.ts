import { expect, test } from "@playwright/test";
import { snap, stageLink, signInNewContext } from "./helpers";

// Runs after 01-skeleton (same studio database): the admin created there invites people, and
// each sees only what their role allows.

async function invite(page: import("@playwright/test").Page, email: string, role: string): Promise<string> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Role", { exact: true }).last().selectOption({ label: role });
  await page.getByRole("button", { name: "Create invitation link" }).click();
  return (await page.getByTestId("invitation-link").textContent())!.trim();
}

test("an admin invites an analyst and a viewer; each sees what their role allows", async ({ browser }) => {
  const admin = await signInNewContext(browser);
  await admin.page.getByRole("link", { name: /Flights analytics/ }).click();
  await stageLink(admin.page, "Members").click();
  const analystLink = await invite(admin.page, "ana@example.com", "Analyst");
  const viewerLink = await invite(admin.page, "vic@example.com", "Viewer");
  await expect(admin.page.getByText(/^ana@example.com as Analyst/)).toBeVisible();
  await expect(admin.page.getByText(/^vic@example.com as Viewer/)).toBeVisible();
  await snap(admin.page, "09-members");

  // The analyst accepts, reviews, but cannot sign off.
  const analystContext = await browser.newContext();
  const analyst = await analystContext.newPage();
  await analyst.goto(analystLink);
  await expect(analyst.getByText(/invited as Analyst/)).toBeVisible();
  await analyst.getByLabel("Your name").fill("Ana Analyst");
  await analyst.getByLabel(/Password/).fill("analyst password 1");
  await analyst.getByRole("button", { name: "Join the project" }).click();
  await expect(analyst.getByRole("heading", { name: "Flights analytics" })).toBeVisible();
  await stageLink(analyst, /Review/).click();
  await expect(analyst.getByRole("button", { name: "Approve a", exact: true })).toBeVisible();
  await stageLink(analyst, /Datasets/).click();
  await expect(analyst.getByText("Only a data lead or an admin can freeze versions.")).toBeVisible();
  await expect(stageLink(analyst, "Audit trail")).toHaveCount(0);
  // The link is single-use.
  const again = await browser.newContext();
  const reuse = await again.newPage();
  await reuse.goto(analystLink);
  await expect(reuse.getByText("This invitation has already been used")).toBeVisible();

  // The viewer reads but cannot decide; the API refuses too.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await viewer.goto(viewerLink);
  await viewer.getByLabel("Your name").fill("Vic Viewer");
  await viewer.getByLabel(/Password/).fill("viewer password 1");
  await viewer.getByRole("button", { name: "Join the project" }).click();
  await stageLink(viewer, /Review/).click();
  await expect(viewer.getByText("Your role can read pairs but not decide on them.")).toBeVisible();
  await expect(viewer.getByRole("button", { name: /Approve/ })).toHaveCount(0);
  await snap(viewer, "10-review-as-viewer");
  const projectId = viewer.url().split("/projects/")[1].split("/")[0];
  const pairs = await viewer.request.get(`/api/projects/${projectId}/pairs?state=pending`);
  expect(pairs.status(), await pairs.text()).toBe(200);
  const pairId = (await pairs.json()).pairs[0].id;
  const refused = await viewer.request.post(`/api/projects/${projectId}/pairs/${pairId}/decision`, { data: { action: "approve", revision: 1 } });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.message).toContain("Your role (Viewer) cannot review pairs");

  // The admin sees every change in the audit trail, with who made it.
  await stageLink(admin.page, "Audit trail").click();
  await expect(admin.page.getByTestId("audit-event").first()).toBeVisible();
  await expect(admin.page.getByText("ana@example.com joined as analyst")).toBeVisible();
  await snap(admin.page, "11-audit");

  // Signing out ends the session on the server.
  await viewer.getByRole("button", { name: "Sign out" }).click();
  await expect(viewer).toHaveURL(/\/login/);
  const after = await viewer.request.get(`/api/projects/${projectId}/pairs`);
  expect(after.status()).toBe(401);
  for (const c of [admin.context, analystContext, again, viewerContext]) await c.close();
});
