/** What --wait accepts as confirmed, one console view at a time (no network). */
import { describe, expect, it } from "vitest";
import type { TAdminState } from "@/server/domain/member-state";
import type { TClusterView } from "@/server/cli/api-client";
import { checkView } from "@/server/cli/wait";

type TCell = { adminState: TAdminState; loadfactor?: number; stale?: boolean; drifted?: boolean } | null;

function view(cells: TCell[], opts: { intended?: TAdminState; up?: Array<boolean | null> } = {}): TClusterView {
  const names = ["apache-balancer", "apache-mod-jk", "apache-b"];
  return {
    cluster: { id: 1, name: "shop", description: "", autoReapply: false },
    frontends: cells.map((_, i) => ({
      id: i + 1,
      name: names[i]!,
      kind: "k",
      kindLabel: "k",
      url: "http://x",
      balancer: "lb",
      pollIntervalMs: 2000,
      enabled: true,
      up: opts.up?.[i] ?? true,
      error: null,
      errorCode: null,
      lastPollAt: null,
      lastGoodAt: null,
      durationMs: null,
      adminStates: [],
      notes: {},
    })),
    members: [
      {
        key: "id:1",
        memberId: 1,
        name: "node1",
        route: "node1",
        host: null,
        intendedState: opts.intended ?? null,
        intendedWeight: null,
        drift: false,
        disagreement: false,
        health: "healthy",
        states: cells.map((c, i) =>
          c
            ? {
                frontendId: i + 1,
                key: "node1",
                adminState: c.adminState,
                health: "healthy",
                busy: 0,
                elected: 0,
                errors: null,
                loadfactor: c.loadfactor ?? 1,
                lbset: 0,
                requestsPerSec: null,
                bytesPerSec: null,
                errorsPerSec: null,
                stale: c.stale ?? false,
                drifted: c.drifted ?? false,
              }
            : null,
        ),
      },
    ],
    health: "healthy",
  };
}

const disabled = { kind: "state", state: "disabled" } as const;

describe("checkView", () => {
  it("accepts mod_jk's stopped for disabled only when the console says it has not drifted from that intent", () => {
    expect(
      checkView(
        view([{ adminState: "disabled" }, { adminState: "stopped" }], { intended: "disabled" }),
        "node1",
        [1, 2],
        disabled,
      ).confirmed,
    ).toBe(true);
    expect(
      checkView(
        view([{ adminState: "disabled" }, { adminState: "stopped", drifted: true }], { intended: "disabled" }),
        "node1",
        [1, 2],
        disabled,
      ).confirmed,
    ).toBe(false);
    // Someone else changed the intent meanwhile: "not drifted" no longer speaks for our state.
    expect(
      checkView(
        view([{ adminState: "disabled" }, { adminState: "stopped" }], { intended: "stopped" }),
        "node1",
        [1, 2],
        disabled,
      ).confirmed,
    ).toBe(false);
  });

  it("skips frontends that do not answer or do not list the member, or that the action did not concern", () => {
    const v = view([{ adminState: "disabled" }, { adminState: "active", stale: true }, null], {
      intended: "disabled",
      up: [true, false, true],
    });
    const check = checkView(v, "node1", [1, 2, 3], disabled);
    expect(check.confirmed).toBe(true);
    expect(check.frontends.map((f) => [f.frontend, f.answering, f.listed, f.confirmed])).toEqual([
      ["apache-balancer", true, true, true],
      ["apache-mod-jk", false, true, false],
      ["apache-b", false, false, false],
    ]);
    expect(
      checkView(view([{ adminState: "disabled" }, { adminState: "active" }]), "node1", [1], disabled).confirmed,
    ).toBe(true);
  });

  it("never confirms with no answering frontend, or an unknown member", () => {
    expect(
      checkView(view([{ adminState: "disabled", stale: true }], { up: [false] }), "node1", [1], disabled).confirmed,
    ).toBe(false);
    expect(checkView(view([{ adminState: "disabled" }]), "node9", [1], disabled).confirmed).toBe(false);
  });

  it("compares weights directly", () => {
    expect(
      checkView(view([{ adminState: "active", loadfactor: 7 }]), "node1", [1], { kind: "weight", weight: 7 }).confirmed,
    ).toBe(true);
    expect(
      checkView(view([{ adminState: "active", loadfactor: 6 }]), "node1", [1], { kind: "weight", weight: 7 }).confirmed,
    ).toBe(false);
  });
});
