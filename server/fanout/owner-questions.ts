import type { TSessionQueryInput } from "@/server/services/sessions/session-index/query";

/** What needs a cluster's session ids, asked of the instance keeping the cluster's index (index-keeper.ts). */
export type TIndexQuestion =
  | { kind: "list"; query: TSessionQueryInput }
  | { kind: "rescan" }
  | { kind: "safe-to-stop"; member: string; listedAfter?: number }
  | { kind: "rehoming"; member: string }
  | { kind: "remember-leaving"; route: string; since: number };

/**
 * Every question one instance may ask the owner of a duty (ask-owner.ts); answered by
 * server/multi-instance/owner-answers.ts.
 */
export type TOwnerQuestion =
  | (TIndexQuestion & { cluster: string })
  /** The alerts not yet firing (the `alerts` owner's tracker), of one cluster or all. */
  | { kind: "pending-alerts"; cluster?: string }
  /** The last re-send of the firing alerts per receiver (the `delivery` owner's worker). */
  | { kind: "receiver-resends" }
  /** The firing alerts Alertmanager gets again (the `alerts` owner's tracker, asked by the `delivery` owner). */
  | { kind: "firing-for-resend" };
