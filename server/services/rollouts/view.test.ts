import { describe, expect, it } from "vitest";
import { memberProgress, toRolloutView } from "@/server/services/rollouts/view";
import { ZRolloutView } from "@/server/services/rollouts/schema";
import { redactForViewer } from "@/server/domain/redact";

describe("memberProgress", () => {
  it("is a sixth per phase, 1 when done, 0 before it starts", () => {
    expect(memberProgress("pending", [])).toBe(0);
    expect(memberProgress("drain", [])).toBe(0);
    expect(memberProgress("stop", [])).toBeCloseTo(2 / 6);
    expect(memberProgress("ramp", [])).toBeCloseTo(5 / 6);
    expect(memberProgress("done", [])).toBe(1);
  });
  it("moves within the wait as the remaining sessions fall", () => {
    expect(
      memberProgress("wait", [
        [0, 10],
        [1000, 5],
      ]),
    ).toBeCloseTo((1 + 0.5) / 6);
    expect(
      memberProgress("wait", [
        [0, 10],
        [1000, 12],
      ]),
    ).toBeCloseTo(1 / 6); // more than at the start: no progress, never negative
  });
});

describe("toRolloutView: typed settings and step results", () => {
  const at = new Date("2026-12-05T10:00:00Z");
  const rollout = (settings: string, result: unknown): Parameters<typeof toRolloutView>[0] => ({
    id: 7,
    cluster: "lab",
    state: "running",
    message: null,
    request: null,
    settings,
    startedBy: "admin",
    createdAt: at,
    finishedAt: null,
    activeCluster: "lab",
    updatedAt: at,
    members: [
      {
        id: 1,
        rolloutId: 7,
        member: "tomcat1",
        position: 0,
        phase: "ramp",
        state: "running",
        message: null,
        originalWeights: null,
        originalIntendedWeight: null,
        updatedAt: at,
      },
    ],
    steps: [
      {
        id: 3,
        rolloutId: 7,
        member: "tomcat1",
        phase: "drain",
        state: "done",
        message: "draining on every frontend",
        result: JSON.stringify(result),
        samples: null,
        output: null,
        startedAt: at,
        finishedAt: at,
      },
    ],
  });

  it("sums up a step's per-frontend results and audit ids, and answers the settings with their defaults", () => {
    const stored = JSON.stringify({ deploy: { kind: "webhook", url: "https://deploy.example/hook?token=s3cret" } });
    const view = toRolloutView(
      rollout(stored, {
        action: {
          auditId: 41,
          frontends: [
            { frontend: "A", outcome: "done", adminState: "draining" },
            { frontend: "B", outcome: "failed", error: "connection refused" },
          ],
        },
        frontends: [{ frontend: "C", health: "failing", weight: 2 }],
      }),
    );
    expect(view.steps[0]!.result).toStrictEqual({
      frontends: [
        { frontend: "A", text: "done", bad: false },
        { frontend: "B", text: "failed (connection refused)", bad: true },
        { frontend: "C", text: "failing, weight 2", bad: true },
      ],
      auditIds: [41],
    });
    expect(view.settings).toMatchObject({
      maxUnavailable: 1,
      wait: { strategy: "safe" },
      ramp: { percents: [25, 50, 100] },
    });
    // What a viewer gets (the URL's query hidden) still satisfies the answer's schema.
    const forViewer = redactForViewer(view);
    expect(ZRolloutView.parse(forViewer).settings?.deploy).toMatchObject({ kind: "webhook" });
    expect(JSON.stringify(forViewer)).not.toContain("s3cret");
  });

  it("answers null settings for a row whose settings no longer parse, and an empty summary for no result", () => {
    const view = toRolloutView(rollout('{"maxUnavailable":"many"}', null));
    expect(view.settings).toBeNull();
    expect(view.steps[0]!.result).toStrictEqual({ frontends: [], auditIds: [] });
    expect(ZRolloutView.parse(view).id).toBe(7);
  });
});
