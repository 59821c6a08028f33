import { defineConfig } from "@playwright/test";
import path from "node:path";
import { consoleEnvForLab } from "./test-support/lab/console-env.mjs";

// E2E against the real lab (bash e2e/lab/lab.sh up) and a production build (npm run build).
// Browsers cannot be downloaded here: Debian's Chromium with the flags from docs/reference/toolchain.md.
const PORT = Number(process.env.E2E_PORT ?? 3210);
const labDir = process.env.LAB_DIR ?? path.resolve(import.meta.dirname, ".lab");
const dbFile = path.join(labDir, "e2e", "clusterdeck-e2e.db");
// The lab's settings a console needs (the nginx include directory), from lab.env. The specs read the
// balancers through the console's own adapters too (waitUntilHealthy, readBalancer), so the test workers
// (forked from this process) get them as well as the console.
const labConsoleEnv = consoleEnvForLab();
Object.assign(process.env, labConsoleEnv);

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  forbidOnly: Boolean(process.env.CI),
  workers: 1, // one lab, shared: specs run one after another
  retries: 0,
  timeout: 240_000,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-report.json" }]],
  outputDir: "test-results/e2e",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    // A fresh, empty database each run: the lab cluster must appear from the inventory file alone.
    command: `rm -f "${dbFile}" && mkdir -p "${path.dirname(dbFile)}" && node prisma/cli.mjs migrate deploy && exec node_modules/.bin/next start -H 127.0.0.1 -p ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    env: {
      DATABASE_URL: `file:${dbFile}`,
      CLUSTERDECK_INVENTORY: path.join(labDir, "clusterdeck.yaml"),
      NEXT_TELEMETRY_DISABLED: "1",
      CLUSTERDECK_ADMIN_PASSWORD: "e2e-admin-password",
      LOG_LEVEL: "warn",
      ...labConsoleEnv,
    },
  },
});
