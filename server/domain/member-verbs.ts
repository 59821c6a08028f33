import type { TAdminState } from "@/server/domain/member-state";

/** The operator verbs that set an admin state, and the state each means on every frontend. */
export const STATE_VERBS = {
  drain: "draining",
  disable: "disabled",
  stop: "stopped",
  standby: "standby",
  enable: "active",
} as const satisfies Record<string, TAdminState>;
export type TStateVerb = keyof typeof STATE_VERBS;
export const STATE_VERB_NAMES = Object.keys(STATE_VERBS) as [TStateVerb, ...TStateVerb[]];

/** The verb that sets each state (the audit log names an action by it: member.drain, member.enable). */
export const VERB_FOR_STATE = Object.fromEntries(STATE_VERB_NAMES.map((verb) => [STATE_VERBS[verb], verb])) as Record<
  TAdminState,
  TStateVerb
>;

/** What one verb does to traffic, in words for confirm dialogs. */
export const VERB_EFFECT: Record<TStateVerb, string> = {
  drain: "no new sessions; users already on it stay until their sessions end",
  disable: "no requests at all; its users fail over to other members",
  stop: "no requests at all; its users fail over to other members",
  standby: "used only when no other member is usable",
  enable: "takes new sessions again",
};
