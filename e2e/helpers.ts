import type { Page } from "@playwright/test";
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
