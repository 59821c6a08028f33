import { describe, expect, it } from "vitest";
import { apacheBalancerAdapter } from "@/server/adapters/frontends/apache-balancer";
import { modJkAdapter } from "@/server/adapters/frontends/mod-jk";
import { haproxyAdapter } from "@/server/adapters/frontends/haproxy";
import { formatSettings, offeredSettings } from "./settings-text";

const of = (memberSettings: typeof modJkAdapter.capabilities.memberSettings, enabled = true) => ({
  enabled,
  memberSettings,
});

describe("offeredSettings (what the Edit settings dialog offers)", () => {
  it("is the union of the enabled frontends' capabilities, in a fixed order", () => {
    const bm = of(apacheBalancerAdapter.capabilities.memberSettings);
    const jk = of(modJkAdapter.capabilities.memberSettings);
    const haproxy = of(haproxyAdapter.capabilities.memberSettings);
    expect(offeredSettings([bm, jk, haproxy])).toEqual(["route", "redirect", "lbset", "domain", "distance"]);
    expect(offeredSettings([bm, haproxy])).toEqual(["route", "redirect", "lbset"]);
    expect(offeredSettings([haproxy])).toEqual([]);
    expect(offeredSettings([{ ...jk, enabled: false }, bm])).toEqual(["route", "redirect", "lbset"]);
  });
});

describe("formatSettings", () => {
  it("names each setting shown, an empty one as –", () => {
    expect(formatSettings({ route: "tomcat2", redirect: "", lbset: 0 })).toBe("route tomcat2 · redirect – · lbset 0");
    expect(formatSettings(undefined)).toBe("");
  });
});
