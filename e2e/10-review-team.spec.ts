import { expect, test, type Page } from "@playwright/test";
import { signIn, signInNewContext, snap, stageLink } from "./helpers";

// A team review on "Flights analytics" (Dana the admin from 01, Ana the analyst from 02): Dana
// assigns 40 pending pairs to both of them with a blind second review; Ana reviews her share and
// judges Dana's blind; Dana judges Ana's; the progress page shows each reviewer and their agreement.

async function openReview(page: Page) {
  await page.getByRole("link", { name: /Flights analytics/ }).click();
  await stageLink(page, /^4 · Review/).click();
  await expect(page.getByLabel("Question")).not.toHaveValue("");
}

async function judge(page: Page, decisions: ("approve" | "reject")[]) {
  await page.getByRole("tab", { name: /My second reviews/ }).click();
  const panel = page.getByRole("region", { name: "Blind second review" });
  for (const [i, decision] of decisions.entries()) {
    await expect(panel).toContainText("the first reviewer's decision is hidden until you submit");
    // a approves, r rejects (with the reason chosen), as in the first review.
    if (i % 2) await page.keyboard.press(decision === "approve" ? "a" : "r");
    else await panel.getByRole("button", { name: decision === "approve" ? "Approve a" : "Reject r", exact: true }).click();
    await expect(panel.getByRole("status")).toContainText("Your second review is saved");
    if (i === 0) await snap(page, `10c-second-review-${decision}`);
    await page.keyboard.press("j");
  }
}

test("assign pairs with a blind second review, review both sides, and read progress and agreement", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await openReview(page);

  await page.getByRole("button", { name: "Assign…" }).click();
  const dialog = page.getByRole("dialog", { name: "Assign pairs to reviewers" });
  await dialog.getByRole("checkbox", { name: /Dana Lead/ }).first().check();
  await dialog.getByRole("checkbox", { name: /Ana Analyst/ }).first().check();
  await dialog.getByLabel("Add a blind second review").check();
  await dialog.getByRole("group", { name: "Second reviewers" }).getByRole("checkbox", { name: /Dana Lead/ }).check();
  await dialog.getByRole("group", { name: "Second reviewers" }).getByRole("checkbox", { name: /Ana Analyst/ }).check();
  await dialog.getByLabel("At most (optional)").fill("40");
  await expect(dialog).toContainText("the first 40 pairs will be assigned, about 20 each");
  await snap(page, "10a-assign");
  await dialog.getByRole("button", { name: "Assign 40 pairs" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Assigned 40 pairs");
  await expect(dialog).toHaveCount(0);

  // Ana: her share, then Dana's pairs blind.
  const { context, page: ana } = await signInNewContext(browser, "ana@example.com", "analyst password 1");
  try {
    await openReview(ana);
    await ana.getByRole("button", { name: "Filters" }).click();
    await ana.getByLabel("Assigned to").selectOption("me");
    await expect(ana.getByText("20 matching")).toBeVisible();
    await snap(ana, "10b-assigned-to-me");
    for (const key of ["a", "a", "a", "r"]) {
      await ana.keyboard.press(key);
      if (key === "r") await ana.keyboard.press("1");
      await expect(ana.getByRole("main").getByRole("status")).toContainText(key === "a" ? "Approved" : "Rejected");
    }
    await expect(ana.getByRole("tab", { name: "My second reviews · 20" })).toBeVisible();
    await judge(ana, ["approve", "approve", "reject"]);
  } finally {
    await context.close();
  }

  // Dana: her own share first, then Ana's pairs blind (Ana decided the first four of them).
  await page.reload();
  await page.getByRole("button", { name: "Filters" }).click();
  await page.getByLabel("Assigned to").selectOption("me");
  for (const key of ["a", "a", "a"]) {
    await page.keyboard.press(key);
    await expect(page.getByRole("main").getByRole("status")).toContainText("Approved");
  }
  await judge(page, ["approve", "approve", "reject", "reject"]);

  await page.goto(page.url().replace(/\/review.*$/, "/review/progress"));
  await expect(page.getByRole("table", { name: "Progress per reviewer" })).toContainText("Ana Analyst");
  const agreement = page.getByRole("table", { name: "Agreement per reviewer pair" });
  await expect(agreement).toContainText("Ana Analyst");
  await expect(agreement).toContainText("Dana Lead");
  await snap(page, "10d-progress");
  await page.getByRole("button", { name: "Measure SQL agreement" }).click();
  await expect(page.getByRole("list", { name: "SQL agreement per reviewer pair" })).toBeVisible({ timeout: 30_000 });
  await snap(page, "10e-progress-sql-agreement");
});
