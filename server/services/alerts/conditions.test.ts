import { describe, expect, it } from "vitest";
import { defaultRuleSettings } from "@/server/domain/alert-rules";
import type { TAdminState, THealth } from "@/server/domain/member-state";
import type { TClusterView, TFrontendRow, TMemberOnFrontend } from "@/server/services/clusters/cluster-view";
import { evaluateConditions, type TClusterFacts } from "@/server/services/alerts/conditions";
import type { TStoreNodeLive } from "@/server/store-poller/store-live-state";

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);

function frontend(id: number, name: string, up: boolean | null = true): TFrontendRow {
  return {
    id,
    name,
    kind: "mod-jk",
    kindLabel: "mod_jk",
    url: "http://127.0.0.1/jkstatus",
    balancer: "lb",
    pollIntervalMs: 2000,
    enabled: true,
    up,
    error: up === false ? "connection refused" : null,
    errorCode: null,
    lastPollAt: new Date(NOW),
    lastGoodAt: new Date(NOW),
    durationMs: 3,
    adminStates: ["active", "draining", "disabled", "stopped"],
    notes: {},
  };
}

function reading(frontendId: number, adminState: TAdminState, health: THealth, extra: Partial<TMemberOnFrontend> = {}) {
  return {
    frontendId,
    key: "k",
    adminState,
    health,
    busy: 0,
    elected: 0,
    errors: null,
    loadfactor: 1,
    lbset: 0,
    requestsPerSec: null,
    bytesPerSec: null,
    errorsPerSec: null,
    stale: false,
    drifted: false,
    ...extra,
  };
}

function view(
  members: Array<[string, Array<TMemberOnFrontend | null>]>,
  frontends = [frontend(1, "a"), frontend(2, "b")],
) {
  const v: TClusterView = {
    cluster: { id: 1, name: "lab", description: "", autoReapply: false },
    frontends,
    members: members.map(([name, states]) => ({
      key: `id:${name}`,
      memberId: 1,
      name,
      route: name,
      host: "127.0.0.1",
      intendedState: "active",
      intendedWeight: null,
      drift: states.some((s) => s?.drifted),
      states,
      disagreement: false,
      health: "healthy",
    })),
    health: "healthy",
  };
  return v;
}

function facts(v: TClusterView, extra: Partial<TClusterFacts> = {}): TClusterFacts {
  return {
    view: v,
    storeNodes: [],
    rollouts: [],
    failedOperations: [],
    settings: defaultRuleSettings(),
    intendedAt: new Map(),
    now: NOW,
    ...extra,
  } as TClusterFacts;
}

const healthy = (name: string) => [name, [reading(1, "active", "healthy"), reading(2, "active", "healthy")]] as const;
const rulesOf = (f: TClusterFacts) => evaluateConditions(f).map((c) => `${c.rule} ${JSON.stringify(c.labels)}`);

describe("alert conditions over a cluster view", () => {
  it("a healthy cluster of three active members raises nothing", () => {
    expect(evaluateConditions(facts(view([healthy("t1"), healthy("t2"), healthy("t3")] as never)))).toEqual([]);
  });

  it("member failing: one condition per frontend that would send it traffic, none where it is stopped", () => {
    const v = view([
      healthy("t1"),
      healthy("t2"),
      ["t3", [reading(1, "active", "failing"), reading(2, "stopped", "failing")]],
    ] as never);
    expect(rulesOf(facts(v))).toEqual([
      'member-failing {"member":"t3","frontend":"a"}',
      'member-split {"member":"t3"}',
    ]);
  });

  it("a stale reading (frontend not answering) says nothing about its members", () => {
    const v = view(
      [
        healthy("t1"),
        healthy("t2"),
        ["t3", [reading(1, "active", "failing", { stale: true }), reading(2, "active", "healthy")]],
      ] as never,
      [frontend(1, "a", false), frontend(2, "b")],
    );
    expect(rulesOf(facts(v))).toEqual(['frontend-unreachable {"frontend":"a"}']);
  });

  it("drift: one per drifted fresh reading, with what to do", () => {
    const v = view([
      healthy("t1"),
      healthy("t3"),
      ["t2", [reading(1, "active", "healthy", { drifted: true }), reading(2, "draining", "healthy")]],
    ] as never);
    const c = evaluateConditions(facts(v)).filter((x) => x.rule === "drift");
    expect(c.map((x) => x.labels)).toEqual([{ member: "t2", frontend: "a" }]);
    expect(c[0]!.description).toMatch(/Re-apply/);
    // A reading taken before the intent was recorded (an action just made) is not drift yet.
    const justSet = evaluateConditions(facts(v, { intendedAt: new Map([["t2", NOW]]) }));
    expect(justSet.filter((x) => x.rule === "drift")).toEqual([]);
  });

  it("too few active: below the threshold K, and not when nothing is known", () => {
    const v = view([
      healthy("t1"),
      ["t2", [reading(1, "draining", "healthy"), reading(2, "draining", "healthy")]],
    ] as never);
    expect(rulesOf(facts(v))).toContain("too-few-active {}");
    const settings = defaultRuleSettings();
    settings["too-few-active"].threshold = 1;
    expect(rulesOf(facts(v, { settings }))).not.toContain("too-few-active {}");
    const unknown = view([["t1", [null, null]]] as never);
    expect(rulesOf(facts(unknown))).toEqual([]);
  });

  it("a disabled rule raises nothing", () => {
    const v = view([
      healthy("t1"),
      healthy("t2"),
      ["t3", [reading(1, "active", "failing"), reading(2, "active", "failing")]],
    ] as never);
    const settings = defaultRuleSettings();
    settings["member-failing"].enabled = false;
    expect(rulesOf(facts(v, { settings }))).toEqual([]);
  });

  it("rollouts paused and the latest failed operation per target", () => {
    const v = view([healthy("t1"), healthy("t2")] as never);
    const c = rulesOf(
      facts(v, {
        rollouts: [
          { id: 7, state: "paused", message: "deploy failed" },
          { id: 8, state: "running", message: null },
        ],
        failedOperations: [{ id: 3, kind: "store.evacuate-node", target: "msm/n1", message: "n2 refused" }],
      }),
    );
    expect(c).toEqual([
      'rollout-paused {"rollout":"7"}',
      'operation-failed {"operation":"store.evacuate-node","target":"msm/n1"}',
    ]);
  });
});

function node(extra: Partial<TStoreNodeLive>): TStoreNodeLive {
  return {
    storeNodeId: 1,
    storeId: 1,
    clusterId: 1,
    cluster: "lab",
    store: "msm",
    kind: "memcached-msm",
    node: "n1",
    host: "127.0.0.1",
    port: 11311,
    pollIntervalMs: 10_000,
    up: true,
    error: null,
    errorCode: null,
    lastPollAt: new Date(NOW),
    lastGoodAt: new Date(NOW),
    durationMs: 1,
    downSince: null,
    reading: {
      version: "1.6.18",
      uptimeSeconds: 100,
      items: 10,
      memoryUsedBytes: 50,
      memoryLimitBytes: 100,
      connections: 2,
      counters: {},
      evictingPolicy: null,
      details: {},
    },
    readingAt: NOW,
    rates: null,
    hitRatio: null,
    lookups: null,
    usualHitRatio: null,
    evictingSince: null,
    restart: null,
    sessionsWithoutBackup: null,
    restartsDetected: 0,
    counterBase: {},
    state: "ok",
    warnings: [],
    stale: false,
    ...extra,
  };
}

describe("alert conditions over store nodes", () => {
  const v = view([healthy("t1"), healthy("t2")] as never);
  const store = (n: TStoreNodeLive) => rulesOf(facts(v, { storeNodes: [n] }));

  it("a node that answers with room to spare raises nothing", () => {
    expect(store(node({}))).toEqual([]);
  });

  it("down, and sessions without a backup above the threshold", () => {
    expect(store(node({ up: false, sessionsWithoutBackup: 12 }))).toEqual([
      'store-node-down {"store":"msm","node":"n1"}',
      'sessions-without-backup {"store":"msm","node":"n1"}',
    ]);
    expect(store(node({ up: false, sessionsWithoutBackup: 0 }))).toEqual([
      'store-node-down {"store":"msm","node":"n1"}',
    ]);
  });

  it("restarted within the last 30 minutes, not after", () => {
    const restart = {
      at: NOW - 60_000,
      lostPrimaries: 5,
      perRoute: {},
      fallback: "n2",
      withBackup: 5,
      itemsBefore: 9,
      itemsAfter: 0,
    };
    expect(store(node({ restart }))).toEqual(['store-node-restarted {"store":"msm","node":"n1"}']);
    expect(store(node({ restart: { ...restart, at: NOW - 31 * 60_000 } }))).toEqual([]);
  });

  it("evicting, and memory above the threshold percentage", () => {
    const rates = {
      hitsPerSec: 1,
      missesPerSec: 0,
      evictionsPerSec: 3,
      expiredPerSec: 0,
      commandsPerSec: 1,
      createdPerSec: null,
      rejectedPerSec: null,
    };
    expect(store(node({ rates }))).toEqual(['store-node-evicting {"store":"msm","node":"n1"}']);
    const full = node({ reading: { ...node({}).reading!, memoryUsedBytes: 95 } });
    expect(store(full)).toEqual(['store-node-memory {"store":"msm","node":"n1"}']);
    const settings = defaultRuleSettings();
    settings["store-node-memory"].threshold = 96;
    expect(rulesOf(facts(v, { storeNodes: [full], settings }))).toEqual([]);
  });
});
