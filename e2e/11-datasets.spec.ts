import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { signIn, snap, stageLink } from "./helpers";

// A dataset version on "Sandbox lab" (after the review journeys): a question with an email in it is
// approved, ~500 pairs are bulk-approved, a version is frozen with a validation share; the scan
// finds the email, the finding is resolved by redaction, the version is submitted and approved,
// and every export downloads; the redacted question is what the files hold.
test("freeze, resolve a scan finding, submit, approve, download each export", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  await page.getByRole("link", { name: /Sandbox lab/ }).click();
  await stageLink(page, /^4 · Review/).click();
  await expect(page.getByLabel("Question")).not.toHaveValue("");

  // A question that leaks an address, approved.
  const question = page.getByLabel("Question");
  const asked = `${await question.inputValue()} Send it to jane.doe@example.com`;
  await question.fill(asked);
  await page.getByRole("button", { name: "Save edit" }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText("Saved the question.");
  await expect(page.getByRole("button", { name: "Approve a", exact: true })).toBeEnabled();
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("a");
  await expect(page.getByRole("main").getByRole("status")).toContainText("Approved");

  // Plenty of pairs for every target's size rules.
  await page.getByLabel("Search pairs").fill("airports");
  await page.getByRole("button", { name: "Approve all…" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Confirm bulk decision" });
  await confirm.getByRole("button", { name: /^Approve [\d,]+ pairs?$/ }).click();
  await expect(page.getByRole("main").getByRole("status")).toContainText(/Approved [\d,]+ pairs/);

  await stageLink(page, /Datasets/).click();
  await page.getByLabel(/Name/).fill("Lab release");
  await page.getByLabel("Validation share (%)").fill("10");
  await page.getByRole("button", { name: "Freeze version" }).click();
  await expect(page.getByRole("heading", { name: /· Lab release/ })).toBeVisible({ timeout: 60_000 });

  // The scan found the email: blocking until resolved.
  const scans = page.locator("#scans");
  await expect(scans).toContainText("jane.doe@example.com");
  await expect(page.getByRole("button", { name: "Submit for sign-off" })).toBeDisabled();
  await snap(page, "11a-dataset-scan-finding");
  await scans.getByRole("button", { name: "Redact in question" }).first().click();
  await expect(scans).toContainText(/redacted/i);

  await page.getByRole("button", { name: "Submit for sign-off" }).click();
  await expect(page.getByRole("list", { name: "Sign-off history" })).toContainText(/submitted/i);
  await page.getByLabel(/Comment/).fill("Checked the scan; redacted the address.");
  await page.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.getByRole("list", { name: "Sign-off history" })).toContainText(/approved/i);
  await snap(page, "11b-dataset-approved");

  const exports = page.locator("#exports");
  const files: Record<string, string> = {};
  for (const name of ["Fireworks RFT Train", "Fireworks SFT Train", "Bedrock Nova Train", "Bedrock Nova Validation", "JSONL All splits", "CSV All splits", "Parquet All splits"]) {
    const downloading = page.waitForEvent("download");
    await exports.getByRole("button", { name: `Download ${name}` }).click();
    const file = await downloading;
    files[name] = readFileSync(await file.path(), name.startsWith("Parquet") ? "latin1" : "utf8");
    expect(files[name].length, name).toBeGreaterThan(0);
  }
  const bedrock = JSON.parse(files["Bedrock Nova Train"].trim().split("\n")[0]);
  expect(bedrock.messages.map((m: { role: string }) => m.role)).toEqual(["user", "assistant"]);
  expect(files["Parquet All splits"].startsWith("PAR1")).toBe(true);
  // The address never reaches a file; its redaction does.
  for (const [name, body] of Object.entries(files)) expect(body, name).not.toContain("jane.doe@example.com");
  expect(files["JSONL All splits"]).toContain("[EMAIL]");
  await snap(page, "11c-dataset-exports");
});
