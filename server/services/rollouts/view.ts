import type { Rollout, RolloutMember, RolloutStep } from "@/generated/prisma/client";
import { type TPhase, type TRolloutView, ZRolloutSettings } from "@/server/services/rollouts/schema";
import { summarizeStepResult } from "@/server/services/rollouts/step-result";
import { predictFinish, type TSample } from "@/server/services/rollouts/predict";

/** Phases that take a member out of rotation and back, in order: progress counts these. */
const WORK: TPhase[] = ["drain", "wait", "stop", "deploy", "health", "ramp"];

function parse<T>(json: string | null, fallback: T): T {
  if (!json) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}

/**
 * A member's progress, 0–1: each of the six phases is one sixth; within "wait" the share of what was
 * left at the start that has gone since (sessions ending), so the bar moves while users leave.
 */
export function memberProgress(phase: string, samples: TSample[]): number {
  if (phase === "done") return 1;
  const i = WORK.indexOf(phase as TPhase);
  if (i < 0) return 0;
  let within = 0;
  const first = samples[0]?.[1];
  const last = samples.at(-1)?.[1];
  if (phase === "wait" && first !== undefined && last !== undefined && first > 0)
    within = Math.max(0, Math.min(1, 1 - last / first));
  return (i + within) / WORK.length;
}

export function toRolloutView(r: Rollout & { members: RolloutMember[]; steps: RolloutStep[] }): TRolloutView {
  const steps = r.steps.map((s) => ({
    id: s.id,
    member: s.member,
    phase: s.phase,
    state: s.state,
    message: s.message,
    result: summarizeStepResult(parse<unknown>(s.result, null)),
    samples: parse<TSample[]>(s.samples, []),
    output: s.output,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
  }));
  const members = r.members.map((m) => {
    const waitStep = [...steps].reverse().find((s) => s.member === m.member && s.phase === "wait");
    const samples = m.phase === "wait" && waitStep ? waitStep.samples : [];
    const predicted = m.phase === "wait" ? predictFinish(samples) : null;
    return {
      member: m.member,
      position: m.position,
      phase: m.phase,
      state: m.state,
      message: m.message,
      progress: memberProgress(m.phase, samples),
      remaining: samples.at(-1)?.[1] ?? null,
      predictedFinishAt: predicted === null ? null : new Date(predicted),
    };
  });
  const inFlight = r.members.find((m) => m.phase !== "pending" && m.phase !== "done");
  const parsedSettings = ZRolloutSettings.safeParse(parse<unknown>(r.settings, null));
  const settings = parsedSettings.success ? parsedSettings.data : null;
  const continuable = r.members.some(
    (m) => m.phase === "wait" || (m.phase === "deploy" && (r.state === "paused" || settings?.deploy.kind === "manual")),
  );
  const open = r.state === "running" || r.state === "paused";
  return {
    id: r.id,
    cluster: r.cluster,
    state: r.state as TRolloutView["state"],
    message: r.message,
    request: r.request,
    settings,
    startedBy: r.startedBy,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    progress: members.length ? members.reduce((n, m) => n + m.progress, 0) / members.length : 0,
    current: inFlight ? { member: inFlight.member, phase: inFlight.phase } : null,
    canContinue:
      open && continuable
        ? inFlight?.phase === "wait"
          ? "end the wait now and stop the member"
          : "count the deploy as done and go on to the health gate"
        : null,
    members,
    steps,
  };
}
