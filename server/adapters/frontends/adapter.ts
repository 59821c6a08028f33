import type { TAdminState } from "@/server/domain/member-state";
import type { TPrivilegedSetting } from "@/server/domain/privileged-settings";
import type { TMemberSettingName, TMemberSettingsCapability } from "@/server/domain/member-settings";
import type { TBalancerSettingSpec } from "@/server/domain/balancer-settings";
import type { TBalancerSnapshot, TFrontendStatus } from "@/server/adapters/frontends/types";

/** What a frontend adapter needs to reach one frontend. */
export interface TFrontendTarget {
  /** The status page URL: .../balancer-manager or .../jkstatus */
  url: string;
  /** Balancer (mod_proxy_balancer) or lb worker (mod_jk) name. */
  balancer: string;
  username?: string | null;
  password?: string | null;
  timeoutMs: number;
  /** The kind's own settings, already validated by its parseOptions ({} for kinds without options). */
  options: Record<string, unknown>;
}

/** Capability flags: the UI and the services ask these, never the kind (docs/conventions.md §5). */
export interface TFrontendCapabilities {
  /** Admin states this kind can set (see observedStateFor for how each then reads back). */
  adminStates: readonly TAdminState[];
  /** Weight range, or null when the kind has no runtime weight. */
  weight: { min: number; max: number; integer: boolean } | null;
  /** Whether the kind counts member errors (charts show "no data" otherwise). */
  countsErrors: boolean;
  /**
   * Whether the kind reports each member's requests in flight (busy). Without it a stop cannot see when
   * the requests already sent to a member have finished, so the rolling deploy waits a settle time.
   */
  countsInFlight: boolean;
  /**
   * Why a normalized admin state is not offered (or offered with a limit) on this kind, in words the UI
   * shows beside the frontend; the UI never works this out from the kind itself.
   */
  notes?: Partial<Record<TAdminState, string>>;
  /**
   * Member settings this kind changes at run time (route, redirect, lbset, domain, distance) with its limits;
   * absent when it has none, and then `settingsNote` says why in words the UI shows.
   */
  memberSettings?: TMemberSettingsCapability;
  settingsNote?: string;
  /** Balancer-level settings the kind changes at run time, keyed by the field its status page shows. */
  balancerSettings?: Readonly<Record<string, TBalancerSettingSpec>>;
}

/**
 * One frontend kind. Transport (fetchStatusText) is kept apart from parsing (parseStatus, pure),
 * so parsers are tested against captured real outputs (docs/conventions.md §6-7).
 */
export interface TFrontendAdapter {
  kind: string;
  label: string;
  /** What this kind's url and balancer look like, for form placeholders (defaults suit the Apache kinds). */
  targetExample?: { url: string; balancer: string };
  capabilities: TFrontendCapabilities;
  /**
   * Validates and defaults the kind's per-frontend options (Frontend.options), throwing AppError
   * INVALID_INPUT naming the bad field. Kinds without it take no options (see parseFrontendOptions).
   */
  parseOptions?(raw: unknown): Record<string, unknown>;
  /**
   * Options that run a program, touch a file or send credentials (paths from the frontend: ["options",
   * …]): only an admin may set or change them (privileged-settings.ts).
   */
  privilegedOptions?: readonly TPrivilegedSetting[];
  fetchStatusText(target: TFrontendTarget): Promise<string>;
  parseStatus(text: string): TFrontendStatus;
  /**
   * How this kind reads back after being set to `intended`, or null when it cannot be set. Usually the
   * same state; mod_jk has a single "no traffic at all" activation (STP), so disabled reads back as stopped.
   * Drift and verification compare observed states with this, never with `intended` directly.
   */
  observedStateFor(intended: TAdminState): TAdminState | null;
  /**
   * Sends one admin-state change for one member (`memberKey` as in TObservedMember.key) of the balancer
   * just read (`balancer`, which carries the nonce balancer-manager needs). It does NOT verify: both
   * servers answer 200 to changes they ignore, so the caller re-reads. Throws an AppError carrying the
   * frontend's own message when the frontend reports a refusal (mod_jk result type=ERROR, HTTP errors).
   */
  setAdminState(
    target: TFrontendTarget,
    balancer: TBalancerSnapshot,
    memberKey: string,
    state: TAdminState,
  ): Promise<void>;
  /** Sends a weight change (capabilities.weight gives the range); same contract as setAdminState. */
  setWeight(target: TFrontendTarget, balancer: TBalancerSnapshot, memberKey: string, weight: number): Promise<void>;
  /**
   * Sends one member setting change (only kinds with capabilities.memberSettings have it); same contract as
   * setAdminState. Throws AppError INVALID_INPUT, before sending anything, for a value outside the kind's limits.
   */
  setMemberSetting?(
    target: TFrontendTarget,
    balancer: TBalancerSnapshot,
    memberKey: string,
    name: TMemberSettingName,
    value: string | number,
  ): Promise<void>;
  /** Sends one balancer-level setting (capabilities.balancerSettings, value already validated); same contract. */
  setBalancerSetting?(target: TFrontendTarget, balancer: TBalancerSnapshot, name: string, value: string): Promise<void>;
}
