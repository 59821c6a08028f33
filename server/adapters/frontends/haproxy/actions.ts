import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot } from "@/server/adapters/frontends/types";
import type { TAdminState } from "@/server/domain/member-state";
import { AppError } from "@/server/errors";
import { haproxyCommandError } from "./parse";
import { assertHaproxyName, sendHaproxyCommand } from "./transport";

/**
 * Changes through HAProxy 2.6's runtime API (docs/reference/haproxy-runtime-api.md §5):
 * `set server <backend>/<server> state ready|drain|maint` and `set server <backend>/<server> weight <n>`.
 * Both answer nothing on success and one line of text on refusal ("No such server.", "Absolute weight
 * can only be between 0 and 256 inclusive."), which becomes an AppError carrying HAProxy's words.
 * Changes live in the running process only: a reload forgets them unless a server-state file is kept
 * (drift detection re-applies them).
 */

/** The runtime API word for each console state (null: not settable on HAProxy). */
export const HAPROXY_STATE_WORD: Readonly<Record<TAdminState, "ready" | "drain" | "maint" | null>> = {
  active: "ready",
  draining: "drain",
  // HAProxy has one "no traffic at all" state, maint; disabled is sent as maint and reads back stopped.
  disabled: "maint",
  stopped: "maint",
  // `backup` servers are configuration only; nothing at runtime turns a server into a hot standby.
  standby: null,
};

export const HAPROXY_OBSERVED_STATE: Readonly<Record<TAdminState, TAdminState | null>> = {
  active: "active",
  draining: "draining",
  disabled: "stopped",
  stopped: "stopped",
  standby: null,
};

/**
 * HAProxy accepts 0-256; 0 is left out on purpose: a weight-0 server takes no new sessions but keeps
 * sticky ones, which is the console's "draining" and is offered as that (a weight of 0 would hide it).
 */
export const HAPROXY_WEIGHT_RANGE = { min: 1, max: 256 } as const;

async function sendSetServer(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  change: string,
): Promise<void> {
  assertHaproxyName("backend", balancer.name);
  assertHaproxyName("server", memberKey);
  const command = `set server ${balancer.name}/${memberKey} ${change}`;
  const answer = await sendHaproxyCommand(target.url, command, target.timeoutMs);
  const refusal = haproxyCommandError(answer);
  if (refusal !== null) {
    throw new AppError("UNEXPECTED_RESPONSE", `HAProxy refused "${command}": ${refusal}`, {
      url: target.url,
      command,
      answer: refusal,
    });
  }
}

export async function setHaproxyAdminState(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  state: TAdminState,
): Promise<void> {
  const word = HAPROXY_STATE_WORD[state];
  if (word === null) {
    throw new AppError(
      "INVALID_INPUT",
      `HAProxy has no runtime ${state} state (its server states are ready, drain and maint; backup servers are set in the configuration only)`,
      { state },
    );
  }
  await sendSetServer(target, balancer, memberKey, `state ${word}`);
}

export async function setHaproxyWeight(
  target: TFrontendTarget,
  balancer: TBalancerSnapshot,
  memberKey: string,
  weight: number,
): Promise<void> {
  if (!Number.isInteger(weight) || weight < HAPROXY_WEIGHT_RANGE.min || weight > HAPROXY_WEIGHT_RANGE.max) {
    throw new AppError(
      "INVALID_INPUT",
      `weight ${weight} is not valid for HAProxy: a whole number from ${HAPROXY_WEIGHT_RANGE.min} to ${HAPROXY_WEIGHT_RANGE.max} ` +
        "(to take a server out of new traffic, drain it)",
      { weight, ...HAPROXY_WEIGHT_RANGE },
    );
  }
  await sendSetServer(target, balancer, memberKey, `weight ${weight}`);
}
