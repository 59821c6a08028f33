import { describe, expect, it } from "vitest";
import {
  balancerChanges,
  balancerFields,
  balancerImpactText,
  balancerProblems,
  hasBalancerSettings,
  ruleText,
  type TBalancerFrontend,
} from "@/components/actions/balancer-settings-text";
import { BM_BALANCER_SETTINGS } from "@/server/adapters/frontends/apache-balancer/actions";
import { JK_BALANCER_SETTINGS } from "@/server/adapters/frontends/mod-jk/actions";

const httpd: TBalancerFrontend = {
  name: "apache-balancer",
  kindLabel: "Apache mod_proxy_balancer (balancer-manager)",
  balancer: "tomcats",
  enabled: true,
  balancerSettings: BM_BALANCER_SETTINGS,
  // As balancer-manager's XML writes them (the view carries the page's own text).
  balancerValues: { lbmethod: "byrequests", nofailover: "Off", timeout: "0", maxattempts: "2" },
};
const jk: TBalancerFrontend = {
  name: "apache-mod-jk",
  kindLabel: "Apache mod_jk (jkstatus)",
  balancer: "lb",
  enabled: true,
  balancerSettings: JK_BALANCER_SETTINGS,
  balancerValues: { method: "Request", sticky_session: "True", retries: "2", recover_time: "60" },
};

describe("balancer settings dialog text", () => {
  it("offers exactly the kind's settings, pre-filled as the API takes them (On → on, True → on)", () => {
    expect(balancerFields(httpd).map((f) => [f.name, f.initial, f.shown])).toEqual([
      ["lbmethod", "byrequests", "byrequests"],
      ["nofailover", "off", "Off"],
      ["timeout", "0", "0"],
      ["maxattempts", "2", "2"],
    ]);
    expect(balancerFields(jk).map((f) => [f.name, f.initial])).toEqual([
      ["method", "Request"],
      ["sticky_session", "on"],
      ["retries", "2"],
      ["recover_time", "60"],
    ]);
  });

  it("is offered only on an enabled frontend whose kind has balancer settings", () => {
    expect(hasBalancerSettings(httpd)).toBe(true);
    expect(hasBalancerSettings({ ...httpd, balancerSettings: {} })).toBe(false);
    expect(hasBalancerSettings({ ...httpd, enabled: false })).toBe(false);
  });

  it("sends only what changed, and says what the page will show", () => {
    const fields = balancerFields(httpd);
    expect(balancerChanges(fields, { maxattempts: "2", timeout: " 0 " })).toEqual([]);
    expect(balancerChanges(fields, { maxattempts: "3", nofailover: "on" })).toEqual([
      { name: "nofailover", value: "on", shownAfter: "On", shownBefore: "Off" },
      { name: "maxattempts", value: "3", shownAfter: "3", shownBefore: "2" },
    ]);
  });

  it("refuses with the server's rules before sending", () => {
    const fields = balancerFields(httpd);
    const changes = balancerChanges(fields, { maxattempts: "100", timeout: "ten", lbmethod: "bybusyness" });
    expect(Object.fromEntries(balancerProblems(fields, changes))).toEqual({
      maxattempts: "maxattempts must be a whole number from 0 to 99",
      timeout: "timeout must be a whole number from 0 to 7200",
    });
    const jkFields = balancerFields(jk);
    expect([...balancerProblems(jkFields, balancerChanges(jkFields, { retries: "0" })).values()]).toEqual([
      "retries must be a whole number from 1 to 1000",
    ]);
  });

  it("states the impact on the whole balancer, with before and after", () => {
    const changes = balancerChanges(balancerFields(httpd), { maxattempts: "3" });
    const text = balancerImpactText(httpd, changes);
    expect(text).toContain("maxattempts 2 → 3");
    expect(text).toContain("balances every request of balancer tomcats");
    expect(ruleText(JK_BALANCER_SETTINGS.method)).toBe("One of Request, Traffic, Busyness, Sessions, Next.");
    expect(ruleText(BM_BALANCER_SETTINGS.maxattempts)).toBe("A whole number from 0 to 99.");
    expect(ruleText(JK_BALANCER_SETTINGS.sticky_session)).toBe("Either on or off.");
  });
});
