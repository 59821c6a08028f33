import { describe, expect, it } from "vitest";
import { ZMemberSettingChange, kindSettingProblem, settingShows } from "./member-settings";

describe("ZMemberSettingChange", () => {
  it.each([
    { name: "route", value: "tomcat2b" },
    { name: "redirect", value: "" },
    { name: "domain", value: "dc_1" },
    { name: "lbset", value: 0 },
    { name: "lbset", value: 99 },
    { name: "distance", value: 16 },
  ])("accepts %j", (change) => {
    expect(ZMemberSettingChange.parse(change)).toEqual(change);
  });

  it.each([
    [{ name: "route", value: "tomcat 2" }, /^route may hold only letters, digits/],
    [{ name: "route", value: "tomcat.2" }, /^route may hold only letters/],
    [{ name: "route", value: "" }, /^route cannot be empty/],
    [{ name: "redirect", value: "r".repeat(64) }, /^redirect is longer than 63 characters/],
    [{ name: "domain", value: 3 }, /^domain must be text/],
    [{ name: "lbset", value: 100 }, /^lbset must be a whole number from 0 to 99/],
    [{ name: "lbset", value: "1" }, /^lbset must be a whole number/],
    [{ name: "distance", value: -1 }, /^distance must be a whole number/],
  ])("refuses %j with an issue on value that names the setting", (change, message) => {
    const parsed = ZMemberSettingChange.safeParse(change);
    expect(parsed.success).toBe(false);
    const issue = parsed.error!.issues[0]!;
    expect(issue.path).toEqual(["value"]);
    expect(issue.message).toMatch(message);
  });

  it("refuses a setting no kind has", () => {
    expect(ZMemberSettingChange.safeParse({ name: "weight", value: 1 }).error!.issues[0]!.path).toEqual(["name"]);
  });
});

describe("kindSettingProblem", () => {
  const jkLike = { route: { maxLength: 60, clearable: false }, distance: { min: 0, max: 10 } };
  it("applies the kind's narrower limits and names what it lacks", () => {
    expect(kindSettingProblem(jkLike, "K", "route", "r".repeat(60))).toBeNull();
    expect(kindSettingProblem(jkLike, "K", "route", "r".repeat(61))).toBe("K keeps a route of at most 60 characters");
    expect(kindSettingProblem(jkLike, "K", "distance", 11)).toBe("K takes distance from 0 to 10");
    expect(kindSettingProblem(jkLike, "K", "lbset", 1)).toBe("K has no lbset setting");
    expect(kindSettingProblem(undefined, "HAProxy", "route", "t2")).toBe("HAProxy has no route setting");
  });
});

describe("settingShows", () => {
  it("compares text exactly and numbers numerically; an absent value never shows the change", () => {
    expect(settingShows({ route: "t2" }, { name: "route", value: "t2" })).toBe(true);
    expect(settingShows({ route: "T2" }, { name: "route", value: "t2" })).toBe(false);
    expect(settingShows({ redirect: "" }, { name: "redirect", value: "" })).toBe(true);
    expect(settingShows({ lbset: 1 }, { name: "lbset", value: 1 })).toBe(true);
    expect(settingShows({}, { name: "redirect", value: "" })).toBe(false);
    expect(settingShows(undefined, { name: "lbset", value: 0 })).toBe(false);
  });
});
