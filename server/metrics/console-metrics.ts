import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TFrontendLive } from "@/server/poller/live-state";
import type { TClusterView } from "@/server/services/clusters/cluster-view";
import { MonotonicCounters } from "@/server/metrics/monotonic-counters";
import { WorkStates } from "@/server/metrics/work-states";
import { writeSnapshot, type TSnapshotInput } from "@/server/metrics/snapshot-metrics";
import { writeStoreNodes, type TStoreNodeMetricsInput } from "@/server/metrics/store-node-metrics";

/**
 * Where a scrape reads from: all of it in memory (the live tables of frontends and store nodes, the
 * inventory cache, the session index).
 */
export interface TMetricsSource {
  /** Every cluster's view as of now. */
  views(): TClusterView[];
  sessions: TSnapshotInput["sessions"];
  /** Every store node as the store poller last polled it. */
  storeNodes(): readonly TStoreNodeMetricsInput[];
  /** Sessions the index holds on a store node, or null before a scan of it. */
  storeNodeSessions(storeId: number, node: string): number | null;
}

/**
 * The console's Prometheus metrics. Everything about members, frontends and clusters is produced at
 * scrape time from memory (writeSnapshot over the views), not from the database and not by polling
 * anything again; only poll outcomes are recorded as they happen (a histogram cannot be rebuilt later),
 * in prom-client metrics beside its default process metrics. Labels are names an operator set (cluster,
 * frontend, member, store, node) and fixed vocabularies (state): never a session id or anything else
 * without a bound.
 */
export class ConsoleMetrics {
  readonly registry = new Registry();
  readonly counters = new MonotonicCounters();
  readonly work = new WorkStates();
  private readonly pollDuration: Histogram<"cluster" | "frontend">;
  private readonly pollFailures: Counter<"cluster" | "frontend">;
  private views: TClusterView[] = [];

  constructor(private readonly source: TMetricsSource) {
    // The event-loop lag histogram samples every 100 ms, not prom-client's default 10 ms: that timer woke
    // an idle console 100 times a second, most of its idle CPU (measured: about 1 % of a core, main thread).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    // These three are gauges named like counters (promtool check metrics warns about each); their
    // per-type siblings (nodejs_active_handles{type}, …) stay and sum to the same numbers.
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
      this.registry.removeSingleMetric(name);
    const views = () => this.views;
    this.pollDuration = new Histogram({
      name: "clusterdeck_frontend_poll_duration_seconds",
      help: "How long each poll of a frontend took, answered or failed.",
      labelNames: ["cluster", "frontend"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.pollFailures = new Counter({
      name: "clusterdeck_frontend_poll_failures_total",
      help: "Polls of a frontend that failed (no answer, an error status, a document that could not be read).",
      labelNames: ["cluster", "frontend"],
      registers: [this.registry],
      collect() {
        // Every polled frontend has the series from its first poll on, so increase() sees the first failure.
        for (const v of views())
          for (const f of v.frontends) if (f.up !== null) this.inc({ cluster: v.cluster.name, frontend: f.name }, 0);
      },
    });
  }

  /** The text exposition of every metric, from one snapshot of the views taken now. */
  async scrape(): Promise<string> {
    this.views = this.source.views();
    const own = await this.registry.metrics();
    const snapshot = writeSnapshot({
      views: this.views,
      counters: this.counters,
      work: this.work,
      sessions: this.source.sessions,
      nowMs: Date.now(),
    });
    const stores = writeStoreNodes(this.source.storeNodes(), (id, node) => this.source.storeNodeSessions(id, node));
    return `${own}\n${snapshot}${stores}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Records one poll as it finishes: its duration and outcome, and the balancer's counters (see MonotonicCounters). */
  recordPoll(cluster: string, frontend: string, live: TFrontendLive): void {
    this.pollDuration.observe({ cluster, frontend }, live.durationMs / 1000);
    if (!live.up) {
      this.pollFailures.inc({ cluster, frontend });
      return;
    }
    for (const m of live.members) {
      this.counters.observe(live.frontendId, m.key, "requests", m.elected);
      this.counters.observe(live.frontendId, m.key, "bytesIn", m.bytesIn);
      this.counters.observe(live.frontendId, m.key, "bytesOut", m.bytesOut);
      if (m.errors !== null) this.counters.observe(live.frontendId, m.key, "errors", m.errors);
    }
  }

  /** A frontend left the inventory (or was renamed): its series go. */
  forgetFrontend(frontendId: number, cluster: string, frontend: string): void {
    this.counters.forgetFrontend(frontendId);
    this.pollDuration.remove({ cluster, frontend });
    this.pollFailures.remove({ cluster, frontend });
  }
}
