import type { TAdminState } from "@/server/domain/member-state";
import type { TFrontendStatus } from "@/server/adapters/frontends/types";

/** What a frontend adapter needs to reach one frontend. */
export interface TFrontendTarget {
  /** The status page URL: .../balancer-manager or .../jkstatus */
  url: string;
  /** Balancer (mod_proxy_balancer) or lb worker (mod_jk) name. */
  balancer: string;
  username?: string | null;
  password?: string | null;
  timeoutMs: number;
}

/** Capability flags: the UI and the services ask these, never the kind (CONVENTIONS.md §5). */
export interface TFrontendCapabilities {
  /** Admin states this kind can set. */
  adminStates: readonly TAdminState[];
  /** Weight range, or null when the kind has no runtime weight. */
  weight: { min: number; max: number; integer: boolean } | null;
  /** Whether the kind counts member errors (charts show "no data" otherwise). */
  countsErrors: boolean;
}

/**
 * One frontend kind. Transport (fetchStatusText) is kept apart from parsing (parseStatus, pure),
 * so parsers are tested against captured real outputs (CONVENTIONS.md §6-7).
 */
export interface TFrontendAdapter {
  kind: string;
  label: string;
  capabilities: TFrontendCapabilities;
  fetchStatusText(target: TFrontendTarget): Promise<string>;
  parseStatus(text: string): TFrontendStatus;
}
