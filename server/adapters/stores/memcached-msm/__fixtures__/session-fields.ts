import type { TMsmSessionFields } from "../value";

/** The session fields msm-value-v2.bin holds (__fixtures__/README.md), for tests that build values around them. */
export const FIXTURE_FIELDS: TMsmSessionFields = {
  version: 2,
  creationTime: 1700000000000,
  lastAccessedTime: 1700000100000,
  maxInactiveInterval: 1800,
  isNew: false,
  isValid: true,
  thisAccessedTime: 1700000200000,
  lastBackupTime: 1700000300000,
  id: "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E-n1.tomcat1",
  authType: "NONE",
  principal: null,
  savedRequest: null,
  savedPrincipal: null,
};
