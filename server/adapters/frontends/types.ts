import type { TAdminState, THealth } from "@/server/domain/member-state";
import type { TObservedSettings } from "@/server/domain/member-settings";

/**
 * One member as one frontend reports it, in the normalized model. Counters are cumulative as the
 * frontend reports them (rates are computed by the poller from successive snapshots).
 */
export interface TObservedMember {
  /** The frontend's own name for the member: the worker URL (balancer-manager) or the member worker name (mod_jk). Used to address actions. */
  key: string;
  /** Session route (jvmRoute); "" when the frontend has none configured. */
  route: string;
  host: string | null;
  port: number | null;
  adminState: TAdminState;
  health: THealth;
  /** Times the member was chosen (cumulative; balancer-manager and mod_jk count failed attempts too). */
  elected: number;
  /** Requests in flight now. */
  busy: number;
  /**
   * Member errors (cumulative) where the frontend counts them (mod_jk, HAProxy); null where it does not
   * (balancer-manager, nginx).
   */
  errors: number | null;
  /** Bytes sent to the backend (cumulative). */
  bytesOut: number;
  /** Bytes read from the backend (cumulative). */
  bytesIn: number;
  /** Weight as the frontend shows it (balancer-manager loadfactor 1-100 with decimals, mod_jk integer lbfactor). */
  loadfactor: number;
  /** balancer-manager lbset; mod_jk's nearest equivalent is "distance". */
  lbset: number;
  /** The member settings this kind shows (route, redirect, lbset / domain, distance); absent for kinds without. */
  settings?: TObservedSettings;
  /**
   * httpd's hot spare (Spar, 2.4.34+): adminState stays "standby" (it takes no normal traffic) and this
   * flag says it is the other kind of standby, one that replaces a failed member one for one.
   */
  hotSpare?: boolean;
  /** Every field the frontend printed for this member, verbatim (trimmed), keyed by its own name. */
  raw: Record<string, string>;
}

/** One balancer (mod_proxy_balancer balancer / mod_jk lb worker) as read from one frontend. */
export interface TBalancerSnapshot {
  /** Name without scheme: "mycluster" (balancer-manager, from "balancer://mycluster") or "lb" (mod_jk). */
  name: string;
  /** balancer-manager's per-balancer nonce (needed to change anything); null for mod_jk. */
  nonce: string | null;
  /** Every balancer-level field, verbatim. */
  raw: Record<string, string>;
  members: TObservedMember[];
}

/** The result of parsing one status document: every balancer it holds. */
export interface TFrontendStatus {
  /** Server software/version where the document states it (mod_jk does; balancer-manager XML does not). */
  software: string | null;
  balancers: TBalancerSnapshot[];
}
