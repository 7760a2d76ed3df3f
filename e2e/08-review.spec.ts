import { expect, test } from "@playwright/test";
import { signIn, signInNewContext, snap, stageLink } from "./helpers";

// Review on "Sandbox lab" (queries from 07-queries): three questions per query are written, 20 pairs
// are decided with the keyboard alone, then every pending pair matching a search (500+) is approved
// in bulk, with the count confirmed first, and the bulk decision is undone.
test("review pairs with the keyboard, bulk-approve a filtered set and undo it, then meet a conflicting edit", async ({ page, browser }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();
  await stageLink(page, /Queries/).click();
  // Three questions per query, each in another style: about 1,200 pairs to review.
  await page.getByLabel("Questions per query").fill("3");
  await page.getByRole("button", { name: "Write questions" }).click();
  await expect(page.getByTestId("job-progress").first()).toHaveAttribute("data-status", "succeeded", { timeout: 120_000 });

  await stageLink(page, /Review/).click();
  const pendingTab = page.getByRole("tab", { name: /Pending/ });
  await expect(pendingTab).toBeVisible();
  const pendingBefore = Number((await pendingTab.textContent())!.replace(/\D/g, ""));
  expect(pendingBefore).toBeGreaterThan(100);

  // The cheat sheet.
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await snap(page, "08a-review-shortcuts");
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toHaveCount(0);

  // 20 decisions with the keyboard only: 12 approvals, 8 rejections (r, then a digit for the reason).
  for (let i = 0; i < 20; i++) {
    if (i % 5 < 3) await page.keyboard.press("a");
    else {
      await page.keyboard.press("r");
      await expect(page.getByRole("menu", { name: "Reject because…" })).toBeVisible();
      if (i === 3) await snap(page, "08a2-review-reject-reasons");
      await page.keyboard.press(i % 2 ? "1" : "3");
    }
    await expect(page.getByRole("main").getByRole("status")).toContainText(i % 5 < 3 ? "Approved" : "Rejected");
  }
  await expect(page.getByRole("tab", { name: /Approved/ })).toContainText("12");
  await expect(page.getByRole("tab", { name: /Rejected/ })).toContainText("8");
  await expect(pendingTab).toContainText(String(pendingBefore - 20));
  await snap(page, "08b-review-keyboard");
  // Decided pairs stay in the list with their new state until it is refreshed.
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.getByText(`${(pendingBefore - 20).toLocaleString("en-US")} matching`)).toBeVisible();

  // Bulk: every pending pair whose question or SQL mentions airports.
  await page.getByLabel("Search pairs").fill("airports");
  await expect(page.getByRole("list", { name: "Pairs" }).getByRole("listitem").first()).toBeVisible();
  await page.getByRole("button", { name: "Approve all…" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Confirm bulk decision" });
  await expect(confirm).toContainText(/Approve \d+ pairs? matching state pending, “airports”/);
  const count = Number(/Approve (\d+)/.exec((await confirm.textContent())!)![1]);
  expect(count).toBeGreaterThanOrEqual(500);
  await snap(page, "08c-review-bulk-confirm");
  await confirm.getByRole("button", { name: /^Approve \d+ pairs?$/ }).click();
  const status = page.getByRole("main").getByRole("status");
  await expect(status).toContainText(`Approved ${count} pair`);
  await page.getByLabel("Search pairs").fill("");
  await expect(page.getByRole("tab", { name: /Approved/ })).toContainText(String(12 + count));
  await snap(page, "08d-review-bulk-done");

  await status.getByRole("button", { name: "Undo" }).click();
  await expect(status).toContainText(`Undone: ${count} pair`);
  await expect(page.getByRole("tab", { name: /Approved/ })).toContainText("12");
  await expect(pendingTab).toContainText(String(pendingBefore - 20));

  // Two reviewers edit the same pair: the one who saves second sees both versions and chooses.
  const review = page.url();
  const { context: otherContext, page: other } = await signInNewContext(browser);
  try {
    await other.goto(review);
    for (const p of [page, other]) {
      await p.getByRole("tab", { name: /Rejected/ }).click();
      await expect(p.getByLabel("Question")).not.toHaveValue("");
    }
    const original = await page.getByLabel("Question").inputValue();
    await expect(other.getByLabel("Question")).toHaveValue(original);
    await page.getByLabel("Question").fill(`${original} (mine)`);
    await other.getByLabel("Question").fill(`${original} (theirs)`);
    await other.getByRole("button", { name: "Save edit" }).click();
    await expect(other.getByRole("main").getByRole("status")).toContainText("Saved the question.");
    await page.getByRole("button", { name: "Save edit" }).click();
    const conflict = page.getByRole("alertdialog", { name: "Conflicting edit" });
    await expect(conflict).toContainText("Someone else saved this pair");
    await expect(conflict).toContainText("(theirs)");
    await expect(conflict).toContainText("(mine)");
    await snap(page, "08e-review-conflict");
    await conflict.getByRole("button", { name: "Save mine over theirs" }).click();
    await expect(page.getByRole("main").getByRole("status")).toContainText("Saved the question.");
    await expect(conflict).toHaveCount(0);
  } finally {
    await otherContext.close();
  }
});
