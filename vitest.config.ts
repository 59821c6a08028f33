import { defineConfig } from "vitest/config";
import path from "node:path";
import { consoleEnvForLab } from "./test-support/lab/console-env.mjs";

// Two of the three test layers (docs/conventions.md §11): unit tests beside the code (no network), and
// integration tests under server/**/*.int.test.ts against the running lab. E2e is Playwright's.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // Unit tests' nginx include files (never read or written) lie in this directory.
          env: { CLUSTERDECK_NGINX_INCLUDE_DIR: "/etc/nginx/clusterdeck" },
          include: [
            "server/**/*.test.ts",
            "components/**/*.test.ts",
            "e2e/lab/**/*.test.ts",
            "test-support/**/*.test.ts",
            "scripts/**/*.test.ts",
          ],
          exclude: ["**/*.int.test.ts", "node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          // The console's settings for the lab, as lab.sh up wrote them (the nginx include directory).
          env: consoleEnvForLab(),
          include: ["server/**/*.int.test.ts", "test-support/**/*.int.test.ts"],
          // Tests share one lab: run files one after another so one test's action never races another's reading.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
