import { processSlot } from "@/server/process-singleton";

/**
 * Which background duties this console instance may do now. On SQLite (one instance) it owns every
 * duty and nothing is asked of the database; on PostgreSQL with several instances the lease manager
 * answers from the leases it holds (server/cluster-lease/lease-manager.ts).
 */
export interface TOwnership {
  /** This console instance's id among several (unset for a single instance). */
  readonly instanceId?: string;
  /** True while this instance may do the duty's work (its lease is held and not about to expire). */
  owns(duty: string): boolean;
  /**
   * True while the lease is this instance's as far as it knows, even past the moment it stops trusting
   * it for work (owns). For answering reads from memory (a session index): an answer from an instance
   * whose renewal runs late is still right, where no answer at all would be an error.
   */
  holds(duty: string): boolean;
  /** The fencing token of a held duty (grows at every change of owner); null when not held. */
  tokenOf(duty: string): number | null;
  /** Called when this instance gains (true) or loses (false) a duty; returns the unsubscribe. */
  onChange(listener: (duty: string, owned: boolean) => void): () => void;
  /**
   * Claims a job's duty ("rollout:<id>", "operation:<id>") now if no live instance holds it, and keeps it
   * (renewed, never given away to even out the shares) until unpin. False: another instance runs it.
   */
  pin(duty: string): Promise<boolean>;
  unpin(duty: string): Promise<void>;
  /** The fencing check before a job's next step: the database still names this instance, with the same token. */
  stillOwns(duty: string): Promise<boolean>;
}

/** One instance: everything is its own, at no cost. */
export const SINGLE_INSTANCE: TOwnership = {
  owns: () => true,
  holds: () => true,
  tokenOf: () => 0,
  onChange: () => () => undefined,
  pin: async () => true,
  unpin: async () => undefined,
  stillOwns: async () => true,
};

/** An instance without a poller (CLUSTERDECK_POLLER=0 on PostgreSQL) serves pages and actions only. */
export const NO_DUTIES: TOwnership = {
  owns: () => false,
  holds: () => false,
  tokenOf: () => null,
  onChange: () => () => undefined,
  pin: async () => false,
  unpin: async () => undefined,
  stillOwns: async () => false,
};

const slot = processSlot<TOwnership>("ownership");

/** The process's ownership: the lease manager once started on PostgreSQL, else the single instance's. */
export function getOwnership(): TOwnership {
  return slot.current ?? SINGLE_INSTANCE;
}

export function setOwnership(ownership: TOwnership | undefined): void {
  slot.current = ownership;
}
