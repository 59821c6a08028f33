import type { TDb } from "@/server/db";

/** States after which a rollout or an operation never changes again. */
const FINAL = new Set(["done", "aborted", "failed"]);

interface TKeyed {
  cluster: string;
  state: string;
}

/**
 * How many rollouts and operations are in each state, per cluster, kept in memory from their change
 * events so a scrape does not query the database. Loaded once at start: counts of finished ones, and
 * the state of each unfinished one (whose next event must move it from that state).
 */
export class WorkStates {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly open = new Map<string, TKeyed>();

  async load(db: TDb): Promise<void> {
    this.counts.clear();
    this.open.clear();
    const [rollouts, operations] = await Promise.all([
      db.rollout.groupBy({ by: ["cluster", "state"], _count: { _all: true } }),
      db.operation.groupBy({ by: ["cluster", "state"], _count: { _all: true } }),
    ]);
    for (const r of rollouts) this.add("rollout", r.cluster, r.state, r._count._all);
    for (const o of operations) this.add("operation", o.cluster, o.state, o._count._all);
    const [openRollouts, openOperations] = await Promise.all([
      db.rollout.findMany({
        where: { state: { notIn: [...FINAL] } },
        select: { id: true, cluster: true, state: true },
      }),
      db.operation.findMany({
        where: { state: { notIn: [...FINAL] } },
        select: { id: true, cluster: true, state: true },
      }),
    ]);
    for (const r of openRollouts) this.open.set(`rollout:${r.id}`, { cluster: r.cluster, state: r.state });
    for (const o of openOperations) this.open.set(`operation:${o.id}`, { cluster: o.cluster, state: o.state });
  }

  /** A rollout or operation is now in `state` (a new one, or a change of an existing one). */
  changed(kind: "rollout" | "operation", id: number, cluster: string, state: string): void {
    const key = `${kind}:${id}`;
    const prev = this.open.get(key);
    if (prev?.state === state) return;
    if (prev) this.add(kind, prev.cluster, prev.state, -1);
    this.add(kind, cluster, state, 1);
    if (FINAL.has(state)) this.open.delete(key);
    else this.open.set(key, { cluster, state });
  }

  /** [cluster, state, count] of one kind. */
  entries(kind: "rollout" | "operation"): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    for (const [k, byState] of this.counts) {
      const [entryKind, cluster] = splitKey(k);
      if (entryKind !== kind) continue;
      for (const [state, n] of byState) out.push([cluster, state, n]);
    }
    return out;
  }

  private add(kind: string, cluster: string, state: string, n: number): void {
    const k = `${kind}\u0000${cluster}`;
    let byState = this.counts.get(k);
    if (!byState) this.counts.set(k, (byState = new Map()));
    byState.set(state, (byState.get(state) ?? 0) + n);
  }
}

function splitKey(k: string): [string, string] {
  const i = k.indexOf("\u0000");
  return [k.slice(0, i), k.slice(i + 1)];
}
