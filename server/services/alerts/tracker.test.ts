import { describe, expect, it } from "vitest";
import { defaultRuleSettings } from "@/server/domain/alert-rules";
import type { TCondition } from "@/server/services/alerts/conditions";
import { silencedBy } from "@/server/services/alerts/silences";
import { AlertTracker, fingerprintOf } from "@/server/services/alerts/tracker";

const failing = (member: string): TCondition => ({
  rule: "member-failing",
  labels: { member, frontend: "a" },
  summary: `Member ${member} is failing on a`,
  description: "check it",
});

describe("alert lifecycle: pending → firing → resolved", () => {
  const settings = defaultRuleSettings(); // member-failing: 30 s

  it("fires once the condition held for the rule's delay, resolves when it clears", () => {
    const t = new AlertTracker();
    expect(t.step("lab", [failing("t2")], settings, 0, true)).toEqual({ fire: [], resolve: [] });
    expect(t.pending("lab")).toHaveLength(1);
    expect(t.step("lab", [failing("t2")], settings, 29_999, true).fire).toEqual([]);
    const { fire } = t.step("lab", [failing("t2")], settings, 30_000, true);
    expect(fire).toHaveLength(1);
    expect(fire[0]!.labels).toEqual({
      alertname: "ClusterDeckMemberFailing",
      cluster: "lab",
      severity: "critical",
      member: "t2",
      frontend: "a",
    });
    t.markFiring(fire[0]!, 41, 30_000);
    expect(t.step("lab", [failing("t2")], settings, 35_000, true).fire).toEqual([]);
    const { resolve } = t.step("lab", [], settings, 40_000, true);
    expect(resolve.map((a) => a.firing?.alertId)).toEqual([41]);
    expect(t.firing()).toEqual([]);
  });

  it("a pending alert whose condition clears is forgotten, and starts over if it comes back", () => {
    const t = new AlertTracker();
    t.step("lab", [failing("t2")], settings, 0, true);
    t.step("lab", [], settings, 10_000, true);
    expect(t.pending()).toEqual([]);
    t.step("lab", [failing("t2")], settings, 20_000, true);
    expect(t.step("lab", [failing("t2")], settings, 45_000, true).fire).toEqual([]);
    expect(t.step("lab", [failing("t2")], settings, 50_000, true).fire).toHaveLength(1);
  });

  it("until the cluster is ready (every frontend polled since start) an absent condition resolves nothing", () => {
    const t = new AlertTracker();
    const labels = AlertTracker.labelsOf("lab", failing("t2"));
    t.adopt({
      fingerprint: fingerprintOf(labels),
      rule: "member-failing",
      cluster: "lab",
      labels,
      summary: "s",
      description: "d",
      activeSince: 0,
      firing: { alertId: 5, startsAt: 0 },
    });
    expect(t.step("lab", [], settings, 1000, false).resolve).toEqual([]);
    expect(t.step("lab", [], settings, 2000, true).resolve).toHaveLength(1);
  });

  it("a delay of 0 fires on the first evaluation", () => {
    const t = new AlertTracker();
    const paused: TCondition = { rule: "rollout-paused", labels: { rollout: "3" }, summary: "s", description: "d" };
    expect(t.step("lab", [paused], settings, 0, true).fire).toHaveLength(1);
  });

  it("fingerprints are stable and depend on every label, not their order", () => {
    expect(fingerprintOf({ a: "1", b: "2" })).toBe(fingerprintOf({ b: "2", a: "1" }));
    expect(fingerprintOf({ a: "1", b: "2" })).not.toBe(fingerprintOf({ a: "1", b: "3" }));
    expect(fingerprintOf({ a: "1" })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("silences", () => {
  const labels = { alertname: "ClusterDeckDrift", cluster: "lab", member: "t2", frontend: "a" };
  it("cover alerts whose labels equal every matcher, until they end", () => {
    const s = [{ id: 1, matchers: { cluster: "lab", member: "t2" }, endsAt: 1000 }];
    expect(silencedBy(labels, s, 999)?.id).toBe(1);
    expect(silencedBy(labels, s, 1000)).toBeNull();
    expect(silencedBy({ ...labels, member: "t1" }, s, 0)).toBeNull();
    expect(silencedBy(labels, [{ id: 2, matchers: { cluster: "lab", frontend: "b" }, endsAt: 1000 }], 0)).toBeNull();
  });
});
