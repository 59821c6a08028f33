/**
 * docs/prometheus-rules.yml: valid for the lab's promtool (Debian's prometheus package), and every metric
 * name its expressions use is one the console declares (that each is in a live scrape with the lab
 * cluster, store nodes included, is checked by metrics.int.test.ts).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { ConsoleMetrics } from "@/server/metrics/console-metrics";
import { SNAPSHOT_FAMILIES } from "@/server/metrics/snapshot-metrics";
import { STORE_NODE_FAMILIES } from "@/server/metrics/store-node-metrics";

const RULES = path.resolve(import.meta.dirname, "../../docs/prometheus-rules.yml");
const RULE_TESTS = path.resolve(import.meta.dirname, "../../docs/prometheus-rules.test.yml");

describe("docs/prometheus-rules.yml", () => {
  it("passes promtool check rules", async () => {
    const { stdout } = await promisify(execFile)(labValue(loadLabEnv(), "LAB_PROMTOOL"), ["check", "rules", RULES]);
    expect(stdout).toContain("SUCCESS: 11 rules found");
  });

  it("fires the store alerts on the series the console exports, after their delay (promtool test rules)", async () => {
    const { stdout } = await promisify(execFile)(
      labValue(loadLabEnv(), "LAB_PROMTOOL"),
      ["test", "rules", RULE_TESTS],
      {
        cwd: path.dirname(RULE_TESTS),
      },
    );
    expect(stdout).toContain("SUCCESS");
  });

  it("uses only metric names the console declares", async () => {
    const exposed = new Set([...SNAPSHOT_FAMILIES, ...STORE_NODE_FAMILIES].map((f) => f.name));
    for (const m of new ConsoleMetrics({
      views: () => [],
      sessions: () => null,
      storeNodes: () => [],
      storeNodeSessions: () => null,
    }).registry.getMetricsAsArray())
      exposed.add(m.name);
    const used = new Set(fs.readFileSync(RULES, "utf8").match(/\bclusterdeck_[a-z_]+/g));
    expect(used.size).toBeGreaterThan(5);
    for (const name of used) expect(exposed, name).toContain(name);
  });
});
