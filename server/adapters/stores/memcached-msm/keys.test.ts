import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import {
  type TMsmKeyClass,
  backupKey,
  backupNodeFor,
  backupValidityKey,
  classifyMsmKey,
  lockKey,
  pingKey,
  sessionKey,
  validityKey,
} from "./keys";

const ID = "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E-n1.tomcat1";

describe("key builders", () => {
  it.each([
    [
      "",
      {
        session: ID,
        validity: `validity:${ID}`,
        backup: `bak:${ID}`,
        backupValidity: `bak:validity:${ID}`,
        lock: `lock:${ID}`,
      },
    ],
    // Observed with storageKeyPrefix giving "P_" (docs/reference/session-stores.md §1.7), including the doubled prefix
    // in the backup validity key.
    [
      "P_",
      {
        session: `P_${ID}`,
        validity: `validity:P_${ID}`,
        backup: `bak:P_${ID}`,
        backupValidity: `bak:P_validity:P_${ID}`,
        lock: `lock:P_${ID}`,
      },
    ],
  ])("prefix %j", (prefix, expected) => {
    expect(sessionKey(ID, prefix)).toBe(expected.session);
    expect(validityKey(ID, prefix)).toBe(expected.validity);
    expect(backupKey(ID, prefix)).toBe(expected.backup);
    expect(backupValidityKey(ID, prefix)).toBe(expected.backupValidity);
    expect(lockKey(ID, prefix)).toBe(expected.lock);
  });

  it("ping keys", () => {
    expect(pingKey("n1")).toBe("ping-n1");
    expect(pingKey("n1", "P_")).toBe("P_ping-n1");
  });
});

describe("classifyMsmKey", () => {
  const table: [string, string, TMsmKeyClass][] = [
    [ID, "", { role: "session", sessionId: ID }],
    [`validity:${ID}`, "", { role: "validity", sessionId: ID }],
    [`bak:${ID}`, "", { role: "backup", sessionId: ID }],
    [`bak:validity:${ID}`, "", { role: "backup-validity", sessionId: ID }],
    [`lock:${ID}`, "", { role: "lock", sessionId: ID }],
    ["ping-n1", "", { role: "ping", sessionId: null }],
    [
      "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E.tomcat1",
      "",
      { role: "session", sessionId: "6A8D1C4E0F2B9A7D3C5E1F0A2B4C6D8E.tomcat1" },
    ],
    [`P_${ID}`, "P_", { role: "session", sessionId: ID }],
    [`validity:P_${ID}`, "P_", { role: "validity", sessionId: ID }],
    [`bak:P_${ID}`, "P_", { role: "backup", sessionId: ID }],
    [`bak:P_validity:P_${ID}`, "P_", { role: "backup-validity", sessionId: ID }],
    [`lock:P_${ID}`, "P_", { role: "lock", sessionId: ID }],
    ["P_ping-n2", "P_", { role: "ping", sessionId: null }],
    // Keys of another prefix (another webapp version) are not ours.
    [`Q_${ID}`, "P_", { role: "other", sessionId: null }],
    [ID, "P_", { role: "other", sessionId: null }],
    ["some other key", "", { role: "other", sessionId: null }],
    ["bak:", "", { role: "other", sessionId: null }],
    ["lock:", "", { role: "other", sessionId: null }],
    ["", "", { role: "other", sessionId: null }],
  ];
  it.each(table)("%j with prefix %j", (key, prefix, expected) => {
    expect(classifyMsmKey(key, prefix)).toEqual(expected);
  });
});

describe("backupNodeFor (getNextAvailableNodeId)", () => {
  const nodes = ["n1", "n2", "n3"];
  it.each([
    ["n1", nodes, [], [], "n2"],
    ["n2", nodes, [], [], "n3"],
    ["n3", nodes, [], [], "n1"], // wraps
    ["n1", nodes, [], ["n2"], "n3"], // skips unavailable
    ["n3", nodes, [], ["n1"], "n2"],
    ["n1", nodes, [], ["n2", "n3"], null], // nothing else up
    ["n1", nodes, ["n2"], [], "n3"], // failover nodes are not primary
    ["n3", nodes, ["n2"], [], "n1"],
    ["n1", ["n1", "n2"], ["n2"], [], null], // single primary node
    ["n1", ["n1"], [], [], null],
  ] as const)("%s in %j failover %j down %j → %s", (node, all, failover, down, expected) => {
    expect(backupNodeFor(node, all, failover, down)).toBe(expected);
  });

  it("accepts a Set of unavailable nodes", () => {
    expect(backupNodeFor("n1", nodes, [], new Set(["n2"]))).toBe("n3");
  });

  it("throws for a node that is not primary (NodeIdList.getNextNodeId)", () => {
    expect(() => backupNodeFor("n9", nodes)).toThrow(AppError);
    expect(() => backupNodeFor("n2", nodes, ["n2"])).toThrow(/not a primary/);
  });
});
