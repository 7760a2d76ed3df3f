import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";

export const SCREENSHOT_DIR = path.resolve("e2e/screenshots");

/** Save a full-page screenshot of a key screen (looked at by people, kept out of git). */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** A link in the project's stage navigation (the overview page also links each stage). */
export function stageLink(page: Page, name: RegExp | string) {
  return page.getByRole("navigation", { name: "Pipeline stages" }).getByRole("link", { name });
}

/** The admin created by 01-skeleton's first-run set-up; later journeys sign in as this person. */
export const ADMIN = { email: "dana@example.com", password: "correct horse battery" };

export async function signIn(page: Page, email = ADMIN.email, password = ADMIN.password): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
}

/** Sign in inside a fresh browser context (its own cookies), for journeys with several people. */
export async function signInNewContext(browser: Browser, email = ADMIN.email, password = ADMIN.password): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email, password);
  return { context, page };
}
