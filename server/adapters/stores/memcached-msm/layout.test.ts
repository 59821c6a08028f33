import { describe, expect, it } from "vitest";
import type { TSessionCopy } from "@/server/adapters/stores/adapter";
import { msmCopyExpectations } from "@/server/adapters/stores/memcached-msm";

const copy = (role: TSessionCopy["role"], node = "n1"): TSessionCopy => ({
  store: "msm",
  node,
  key: `${role === "session" ? "" : `${role}:`}ABC-n1.tomcat1`,
  role,
  ttlSeconds: 1789,
  size: 300,
});

describe("MSM layout of one session's copies", () => {
  it("sticky (only the session key, as MSM 2.3.2 writes it): no backup expected, the TTL may be 6 s short", () => {
    expect(msmCopyExpectations([copy("session")], true, 2)).toMatchObject({
      backupCopy: false,
      ttlShortfallSeconds: 6,
    });
    expect(msmCopyExpectations([copy("session")], true, 2).layout).toMatch(/^sticky/);
  });

  it("non-sticky keys found (validity:, bak:) decide it whatever the option says: a backup is expected", () => {
    const found = [copy("session"), copy("validity"), copy("backup", "n2"), copy("backup-validity", "n2")];
    expect(msmCopyExpectations(found, true, 2)).toMatchObject({ backupCopy: true, ttlShortfallSeconds: 0 });
    expect(msmCopyExpectations([copy("session"), copy("validity")], true, 2).backupCopy).toBe(true);
  });

  it("configured non-sticky with only the session key left: its missing backup is worth a warning", () => {
    expect(msmCopyExpectations([copy("session")], false, 2)).toMatchObject({ backupCopy: true });
  });

  it("one node: there is nowhere for a backup to be", () => {
    expect(msmCopyExpectations([copy("session"), copy("validity")], false, 1).backupCopy).toBe(false);
  });
});
