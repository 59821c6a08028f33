"use client";
import { useCallback, useReducer } from "react";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc";
import type { TRouterOutputs } from "@/components/api-types";
import { decodeMemberRows } from "@/server/services/clusters/cluster-view-schema";

export type TClusterView = TRouterOutputs["cluster"]["get"];
export type TMemberRow = TClusterView["members"][number];
export type TFrontendRow = TClusterView["frontends"][number];
/** One frame of the stream (a subscription's output type is the iterable of its frames). */
type TFrame = TRouterOutputs["live"]["cluster"] extends AsyncIterable<infer F> ? F : never;
/** The snapshot the page is rendered with, before the stream connects. */
export type TSnapshotFrame = Extract<TFrame, { type: "snapshot" }>;

/**
 * The cluster view kept current from the live.cluster stream (server/services/clusters/live-feed.ts): a
 * snapshot replaces everything; a delta replaces the few rows and frontends it names (every other row
 * keeps its object, so React re-renders only what changed); a metrics frame updates rates and in-flight
 * counts. A reconnect starts with a fresh snapshot.
 */
interface TState {
  view: TClusterView | null;
  /** Row key → index in view.members. */
  index: Map<string, number>;
}

function applyFrame(state: TState, frame: TFrame): TState {
  if (frame.type === "snapshot") {
    const members = decodeMemberRows(frame.members);
    const view = { cluster: frame.cluster, frontends: frame.frontends, members, health: frame.health };
    return { view, index: new Map(members.map((m, i) => [m.key, i])) };
  }
  const view = state.view;
  if (!view) return state;
  if (frame.type === "delta") {
    let members = view.members;
    let index = state.index;
    const changed = decodeMemberRows(frame.members);
    if (changed.length > 0 || frame.removed.length > 0) {
      members = [...members];
      for (const row of changed) {
        const at = index.get(row.key);
        if (at === undefined) members.push(row);
        else members[at] = row;
      }
      if (frame.removed.length > 0) {
        const gone = new Set(frame.removed);
        members = members.filter((m) => !gone.has(m.key));
      }
      if (frame.removed.length > 0 || members.length !== view.members.length)
        index = new Map(members.map((m, i) => [m.key, i]));
    }
    let frontends = view.frontends;
    if (frame.frontends.length > 0 || frame.polls.length > 0) {
      const byId = new Map(frame.frontends.map((f) => [f.id, f]));
      const polled = new Map(frame.polls.map((p) => [p.id, p]));
      frontends = frontends.map((f) => byId.get(f.id) ?? { ...f, ...polled.get(f.id) });
    }
    return {
      view: { ...view, cluster: frame.cluster ?? view.cluster, frontends, members, health: frame.health },
      index,
    };
  }
  // metrics: [requests/s, busy, errors/s] per frontend, for the rows whose numbers moved.
  const members = [...view.members];
  for (const [key, cells] of Object.entries(frame.rows)) {
    const at = state.index.get(key);
    const row = at === undefined ? undefined : members[at];
    if (!row || at === undefined) continue;
    members[at] = {
      ...row,
      states: row.states.map((s, i) => {
        const c = cells[i];
        return s && c ? { ...s, requestsPerSec: c[0], busy: c[1], errorsPerSec: c[2] } : s;
      }),
    };
  }
  return { view: { ...view, members }, index: state.index };
}

/** Marks for the bench (scripts/bench): when a frame arrived, read by the browser measurement. */
function markFrame(frame: TFrame): void {
  const w = window as unknown as { __cdFrames?: Array<{ type: string; at: number; members: string[] }> };
  if (!w.__cdFrames) return;
  w.__cdFrames.push({
    type: frame.type,
    at: performance.now(),
    members: frame.type === "delta" ? decodeMemberRows(frame.members).map((m) => m.name) : [],
  });
}

const EMPTY: TState = { view: null, index: new Map() };

export function useLiveCluster(name: string, initial: TSnapshotFrame | null = null) {
  const trpc = useTRPC();
  const [state, dispatch] = useReducer(applyFrame, initial, (i) => (i ? applyFrame(EMPTY, i) : EMPTY));
  const onData = useCallback((frame: TFrame) => {
    markFrame(frame);
    dispatch(frame);
  }, []);
  const sub = useSubscription(trpc.live.cluster.subscriptionOptions({ name }, { onData }));
  return { view: state.view, status: sub.status, error: sub.error };
}
