import { defineConfig } from "@playwright/test";
import path from "node:path";

// Drives the production build (npm run build first) in Debian's Chromium against a fresh,
// throwaway studio database under tmp/e2e.
const PORT = Number(process.env.E2E_PORT ?? 3100);
const dataDir = path.resolve("tmp/e2e");

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: {
    command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && npx next start -p ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      DATABASE_URL: `file:${path.join(dataDir, "studio.db")}`,
      SANDPIPER_DATA_DIR: dataDir,
      SANDPIPER_SECRET_KEY: "e2e-secret-key-0123456789abcdef0123456789",
      NEXT_TELEMETRY_DISABLED: "1",
      SANDPIPER_LOG: "silent",
      // Fine-tune jobs at the local stand-in are asked about often, so a journey takes seconds.
      SANDPIPER_FINETUNE_POLL_MS: "700",
    },
  },
});
