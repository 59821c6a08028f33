/**
 * One console instance of several on one PostgreSQL, for server/multi-instance/multi-instance.pg.int.test.ts:
 * the real start-up (startConsole: schema check, start-up lock, leases, fan-out, pollers, alerts) in its
 * own process, so the test can kill -9 it. It reports on stdout, one JSON line each:
 *   {"ready":id}                                 once started
 *   {"polled":frontendId,"at":ms}                every poll this instance made itself (not relayed ones)
 *   {"owned":[duties]}                           whenever its leases change
 *   {"frame":"delta","at":ms,"rows":[[member,frontend,adminState]…]}  live frames of CLUSTER (what a browser gets)
 *   {"drainStarted":ms} / {"drained":overall}    after a "drain <member>" line on stdin
 *   {"rollout":id}                               after a "rollout <cluster> <settings JSON>" line on stdin
 *   {"evacuation":id}                            after an "evacuate <token> <cluster> <store> <node>" line on stdin
 *   {"counts":[{store,total,scannedAt,scannedBy}…]}  after a "counts <token> <cluster>" line (GET …/sessions/counts)
 *   {"got":{path,status,body}}                   after a "get <token> <path>" line (any GET of the REST API)
 *
 *   DATABASE_URL=postgresql://… CLUSTERDECK_INSTANCE_ID=a CLUSTER=multi node --import tsx test-support/multi-console-process.ts
 */
import readline from "node:readline";
import { startConsole } from "@/server/boot";
import { getDb } from "@/server/db";
import { getOwnership } from "@/server/cluster-lease/ownership";
import type { LeaseManager } from "@/server/cluster-lease/lease-manager";
import { isRemoteEvent, onEvent } from "@/server/poller/event-bus";
import { subscribeCluster } from "@/server/services/clusters/live-feed";
import { applyMemberChange } from "@/server/services/members/member-actions";
import { startRollout } from "@/server/services/rollouts/service";
import { callerHeaders, callRest } from "@/test-support/http-api";

process.env.CLUSTERDECK_SESSION_SCAN_INTERVAL_S ??= "0";
process.env.LOG_LEVEL ??= "warn";

/** One store's counts as a line carries them. */
function pickCounts(s: {
  store: string;
  counts: { total: number; scannedAt: string; scannedBy: string | null } | null;
}) {
  return {
    store: s.store,
    total: s.counts?.total ?? null,
    scannedAt: s.counts?.scannedAt ?? null,
    scannedBy: s.counts?.scannedBy ?? null,
  };
}

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const cluster = process.env.CLUSTER ?? "multi";
  onEvent("frontend-polled", (ev) => {
    if (!isRemoteEvent(ev)) say({ polled: ev.frontendId, at: Date.now() });
  });
  await startConsole();
  const db = getDb();
  const leases = getOwnership() as LeaseManager;
  leases.onChange(() => say({ owned: leases.ownedDuties() }));
  say({ owned: leases.ownedDuties() });
  void (async () => {
    for await (const frame of subscribeCluster(db, cluster, undefined)) {
      if (frame.type !== "delta") continue;
      const rows: Array<[string, number, string | null]> = [];
      for (const m of frame.members)
        m.states.forEach((s, i) => {
          if (s) rows.push([m.name, i, s.adminState]);
        });
      say({ frame: "delta", at: Date.now(), rows });
    }
  })();
  const input = readline.createInterface({ input: process.stdin });
  input.on("line", (line) => {
    const [verb, member, ...rest] = line.trim().split(/\s+/);
    if (verb === "rollout" && member) {
      const who = { principal: null, ip: null, system: "multi-instance test" };
      startRollout(db, member, JSON.parse(rest.join(" ")) as Parameters<typeof startRollout>[2], who)
        .then((r) => say({ rollout: r.id }))
        .catch((err: Error) => say({ rolloutFailed: err.message }));
      return;
    }
    if (verb === "evacuate" && member && rest.length === 3) {
      // Through this instance's REST handler (POST …/evacuate, an operator's API token): the operation starts
      // here, under this instance's job lease.
      const [cluster, store, node] = rest as [string, string, string];
      const url = `/clusters/${cluster}/stores/${store}/nodes/${node}/evacuate`;
      callRest(db, "POST", url, JSON.stringify({ dryRun: false }), callerHeaders({ token: member }))
        .then((a) =>
          a.status === 200 || a.status === 201
            ? say({ evacuation: (JSON.parse(a.text) as { id: number }).id })
            : say({ evacuationFailed: `HTTP ${a.status}: ${a.text}` }),
        )
        .catch((err: Error) => say({ evacuationFailed: err.message }));
      return;
    }
    if (verb === "counts" && member && rest.length === 1) {
      // What a viewer's page asks of this instance: GET …/sessions/counts with a viewer's API token.
      callRest(db, "GET", `/clusters/${rest[0]}/sessions/counts`, undefined, callerHeaders({ token: member }))
        .then((a) =>
          a.status === 200
            ? say({ counts: (JSON.parse(a.text) as Parameters<typeof pickCounts>[0][]).map(pickCounts) })
            : say({ countsFailed: `HTTP ${a.status}: ${a.text}` }),
        )
        .catch((err: Error) => say({ countsFailed: err.message }));
      return;
    }
    if (verb === "get" && member && rest.length === 1) {
      const path = rest[0]!;
      callRest(db, "GET", path, undefined, callerHeaders({ token: member }))
        .then((a) => say({ got: { path, status: a.status, body: JSON.parse(a.text) as unknown } }))
        .catch((err: Error) => say({ got: { path, status: 0, body: err.message } }));
      return;
    }
    if (verb !== "drain" || !member) return;
    say({ drainStarted: Date.now() });
    applyMemberChange(
      db,
      cluster,
      member,
      { kind: "state", state: "draining" },
      { principal: null, actor: "test", ip: null },
    )
      .then((r) => say({ drained: r.overall }))
      .catch((err: Error) => say({ drainFailed: err.message }));
  });
  say({ ready: leases.instanceId });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
