import { z } from "zod";
import type { TPrivilegedSetting } from "@/server/domain/privileged-settings";

/**
 * A rollout's settings, as an operator gives them (tRPC, REST, CLI, the start form). Defaults are the
 * usual case: every member, one at a time, wait until every remaining session is safe, 10 minutes.
 */
export const WAIT_STRATEGIES = ["sessions", "safe", "inflight"] as const;
export type TWaitStrategy = (typeof WAIT_STRATEGIES)[number];

export const ZDeploy = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("command"),
    /** Run by /bin/sh -c with CLUSTERDECK_MEMBER, _HOST, _ROUTE, _HTTP_PORT, _AJP_PORT, _CLUSTER, _ROLLOUT_ID in its environment. */
    command: z.string().trim().min(1, "give the deploy command").max(4000),
    timeoutSec: z.number().int().min(1).max(3600).default(600),
    /** Safe to run again when a console restart interrupted it; otherwise the rollout pauses and asks. */
    idempotent: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal("webhook"),
    url: z.url({ protocol: /^https?$/, error: "the webhook must be an http(s) URL" }).max(2000),
    timeoutSec: z.number().int().min(1).max(3600).default(60),
    idempotent: z.boolean().default(false),
  }),
  /** The operator deploys by hand and presses "continue". */
  z.object({ kind: z.literal("manual") }),
]);
export type TDeploy = z.infer<typeof ZDeploy>;

/**
 * A deploy command runs on the console's host as its user; a webhook URL is where the console sends
 * each member (and any token the URL carries): both are the admin's to set (privileged-settings.ts).
 * An operator may start a rollout with a manual deploy.
 */
export const ROLLOUT_PRIVILEGED_SETTINGS: readonly TPrivilegedSetting[] = [
  { path: ["deploy", "command"], label: "deploy command", effect: "program" },
  { path: ["deploy", "url"], label: "deploy webhook URL", effect: "send" },
];

export const ZRolloutSettings = z.object({
  /** Members in the order they are rolled; default every member of the cluster in inventory order. */
  members: z.array(z.string().min(1).max(64)).min(1).max(200).optional(),
  /** Members out of rotation at the same time. Always fewer than the cluster's members. */
  maxUnavailable: z.number().int().min(1).max(100).default(1),
  wait: z
    .object({
      strategy: z.enum(WAIT_STRATEGIES).default("safe"),
      timeoutSec: z.number().int().min(1).max(86_400).default(600),
      onTimeout: z.enum(["pause", "proceed"]).default("pause"),
    })
    .prefault({}),
  deploy: ZDeploy,
  health: z
    .object({
      /** Path on the member's own HTTP connector (http://host:httpPort/path), never through a balancer. */
      path: z
        .string()
        .regex(/^\/[^\s]*$/, "the health path starts with / (it is asked on the member's own HTTP port)")
        .max(500)
        .default("/"),
      timeoutSec: z.number().int().min(1).max(3600).default(180),
    })
    .prefault({}),
  ramp: z
    .object({
      /** Percent of each frontend's original weight, ascending, ending at 100. */
      percents: z
        .array(z.number().int().min(1).max(100))
        .min(1)
        .max(10)
        .default([25, 50, 100])
        .refine(
          (p) => p.every((v, i) => i === 0 || v > p[i - 1]!) && p.at(-1) === 100,
          "ramp percents must rise and end at 100",
        ),
      /** Seconds at each step while errors and health are watched. */
      stepSec: z.number().int().min(1).max(3600).default(10),
    })
    .prefault({}),
  /** How often waits re-check the stores and frontends. */
  pollMs: z.number().int().min(200).max(10_000).default(1000),
});
export type TRolloutSettingsInput = z.input<typeof ZRolloutSettings>;
export type TRolloutSettings = z.output<typeof ZRolloutSettings>;

export const PHASES = ["pending", "drain", "wait", "stop", "deploy", "health", "ramp", "done"] as const;
export type TPhase = (typeof PHASES)[number];

export const ZStartRolloutInput = z.object({ cluster: z.string().min(1).max(64) }).extend(ZRolloutSettings.shape);

export const ZRolloutRef = z.object({ cluster: z.string().min(1).max(64), id: z.coerce.number().int().positive() });

/** A step's outcome per frontend and its audit entries (step-result.ts sums up each phase's own JSON). */
export const ZStepResult = z.object({
  frontends: z.array(z.object({ frontend: z.string(), text: z.string(), bad: z.boolean() })),
  auditIds: z.array(z.number().int()),
});
export type TStepResult = z.infer<typeof ZStepResult>;

/**
 * The settings as a rollout answers them: ZRolloutSettings' output with plain strings, because a viewer
 * gets them with a command's arguments and a URL's query string replaced (domain/redact.ts).
 */
const ZRolloutSettingsView = z.object({
  members: z.array(z.string()).optional(),
  maxUnavailable: z.number().int(),
  wait: z.object({
    strategy: z.enum(WAIT_STRATEGIES),
    timeoutSec: z.number().int(),
    onTimeout: z.enum(["pause", "proceed"]),
  }),
  deploy: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("command"),
      command: z.string(),
      timeoutSec: z.number().int(),
      idempotent: z.boolean(),
    }),
    z.object({ kind: z.literal("webhook"), url: z.string(), timeoutSec: z.number().int(), idempotent: z.boolean() }),
    z.object({ kind: z.literal("manual") }),
  ]),
  health: z.object({ path: z.string(), timeoutSec: z.number().int() }),
  ramp: z.object({ percents: z.array(z.number().int()), stepSec: z.number().int() }),
  pollMs: z.number().int(),
});

const ZStep = z.object({
  id: z.number().int(),
  member: z.string(),
  phase: z.string(),
  state: z.string(),
  message: z.string().nullable(),
  result: ZStepResult,
  samples: z.array(z.tuple([z.number(), z.number()])),
  output: z.string().nullable(),
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
});

export const ZRolloutView = z.object({
  id: z.number().int(),
  cluster: z.string(),
  state: z.enum(["running", "paused", "done", "aborted"]),
  message: z.string().nullable(),
  request: z.string().nullable(),
  /** Null only for a row whose stored settings no longer parse (written by another release). */
  settings: ZRolloutSettingsView.nullable(),
  startedBy: z.string().nullable(),
  createdAt: z.date(),
  finishedAt: z.date().nullable(),
  progress: z.number(),
  current: z.object({ member: z.string(), phase: z.string() }).nullable(),
  /** What "continue" would do now, or null when it does nothing. */
  canContinue: z.string().nullable(),
  members: z.array(
    z.object({
      member: z.string(),
      position: z.number().int(),
      phase: z.string(),
      state: z.string(),
      message: z.string().nullable(),
      progress: z.number(),
      remaining: z.number().nullable(),
      predictedFinishAt: z.date().nullable(),
    }),
  ),
  steps: z.array(ZStep),
});
export type TRolloutView = z.infer<typeof ZRolloutView>;

export const ZRolloutSummary = ZRolloutView.pick({
  id: true,
  cluster: true,
  state: true,
  message: true,
  startedBy: true,
  createdAt: true,
  finishedAt: true,
  progress: true,
  current: true,
});
