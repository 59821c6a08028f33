import { describe, expect, it } from "vitest";
import { changedMembers } from "@/server/poller/poll-frontend";
import type { TFrontendLive, TLiveMember } from "@/server/poller/live-state";

const member = (extra: Partial<TLiveMember> = {}): TLiveMember => ({
  key: "tomcat3",
  route: "tomcat3",
  host: null,
  port: null,
  adminState: "active",
  health: "healthy",
  elected: 0,
  busy: 0,
  errors: null,
  bytesIn: 0,
  bytesOut: 0,
  loadfactor: 1,
  lbset: 0,
  settings: { route: "tomcat3", redirect: "", domain: "", distance: 0 },
  raw: {},
  rates: null,
  ...extra,
});

const live = (m: TLiveMember): TFrontendLive => ({
  frontendId: 1,
  clusterId: 1,
  up: true,
  error: null,
  errorCode: null,
  lastPollAt: new Date(),
  lastGoodAt: new Date(),
  durationMs: 2,
  members: [m],
  stale: false,
  balancerRaw: {},
});

describe("changedMembers: member settings and the hot spare are pushed like a state change", () => {
  it.each([
    ["redirect", { settings: { route: "tomcat3", redirect: "tomcat1", domain: "", distance: 0 } }],
    ["domain", { settings: { route: "tomcat3", redirect: "", domain: "dc1", distance: 0 } }],
    ["hot spare", { adminState: "standby", hotSpare: true }],
  ] as const)("%s", (_what, extra) => {
    expect(changedMembers(live(member()), live(member(extra)))).toEqual(["tomcat3"]);
  });

  it("counters alone are not a change", () => {
    expect(changedMembers(live(member()), live(member({ elected: 9 })))).toEqual([]);
  });
});
