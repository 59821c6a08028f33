import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONSOLE_NODE_OPTIONS, consoleNodeOptions } from "@/server/runtime/console-node-options";

const repo = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(repo, file), "utf8");

describe("the console's Node options", () => {
  it("npm start and the demo (shell) give them literally", () => {
    const start = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toContain(`NODE_OPTIONS="${CONSOLE_NODE_OPTIONS} $NODE_OPTIONS" next start`);
    expect(read("e2e/lab/demo.sh")).toContain(
      `NODE_OPTIONS="${CONSOLE_NODE_OPTIONS} \${NODE_OPTIONS:-}" node_modules/.bin/next start`,
    );
  });

  it("the e2e server, the large-cluster rig and the session-stores bench take them from this module", () => {
    for (const file of [
      "playwright.config.ts",
      "test-support/synthetic-frontend/console-rig.ts",
      "scripts/bench/run.ts",
    ])
      expect(read(file), file).toMatch(/consoleNodeOptions\(|CONSOLE_NODE_OPTIONS/);
  });

  it("keeps what the caller had after ours", () => {
    expect(consoleNodeOptions(undefined)).toBe(CONSOLE_NODE_OPTIONS);
    expect(consoleNodeOptions("--expose-gc")).toBe(`${CONSOLE_NODE_OPTIONS} --expose-gc`);
  });
});
