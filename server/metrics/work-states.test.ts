import { describe, expect, it } from "vitest";
import { WorkStates } from "@/server/metrics/work-states";

describe("WorkStates", () => {
  it("moves a rollout from state to state and keeps finished ones counted", () => {
    const w = new WorkStates();
    w.changed("rollout", 1, "shop", "running");
    expect(w.entries("rollout")).toEqual([["shop", "running", 1]]);
    w.changed("rollout", 1, "shop", "paused");
    w.changed("rollout", 1, "shop", "paused"); // the same state announced twice counts once
    expect(w.entries("rollout")).toEqual([
      ["shop", "running", 0],
      ["shop", "paused", 1],
    ]);
    w.changed("rollout", 1, "shop", "done");
    w.changed("rollout", 2, "shop", "running");
    expect(w.entries("rollout")).toEqual([
      ["shop", "running", 1],
      ["shop", "paused", 0],
      ["shop", "done", 1],
    ]);
    expect(w.entries("operation")).toEqual([]);
  });

  it("keeps clusters and kinds apart", () => {
    const w = new WorkStates();
    w.changed("operation", 1, "a", "failed");
    w.changed("operation", 2, "b", "running");
    w.changed("rollout", 1, "a", "running");
    expect(w.entries("operation")).toEqual([
      ["a", "failed", 1],
      ["b", "running", 1],
    ]);
    expect(w.entries("rollout")).toEqual([["a", "running", 1]]);
  });
});
