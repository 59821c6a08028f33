import type { TDb } from "@/server/db";
import type { RolloutMember } from "@/generated/prisma/client";
import {
  consumeRequest,
  endRollout,
  finishStep,
  nextPhase,
  parseSettings,
  pauseRollout,
  setMemberPhase,
  startStep,
} from "@/server/services/rollouts/rollout-journal";
import { PHASE_RUNNERS, snapshotWeights, type TPhaseOutcome, type TRunCtx } from "@/server/services/rollouts/phases";
import { abortMembers } from "@/server/services/rollouts/abort";
import type { TPhase } from "@/server/services/rollouts/schema";
import {
  assertJobLease,
  fencedJobWrite,
  isJobRunning,
  jobRunner,
  launchJob,
  type TJobKind,
} from "@/server/services/jobs/job-engine";

/**
 * The rollout runner: a background loop in the console process, one per running rollout. Each turn it
 * re-reads the rollout, acts on an operator's request (pause, abort), and advances the members in flight
 * (at most maxUnavailable) by one phase each. Every transition is persisted before it is acted on:
 * RolloutMember.phase is the phase to (re)run, and a RolloutStep row is "running" while its phase runs.
 *
 * Resume after a restart (the job engine, jobs/registry.ts) runs the persisted phase again. That is
 * safe for drain, wait, stop, health and ramp: they re-apply a state or re-check a condition. A deploy
 * found "running" is different: the console died while it ran and its outcome is unknown, so unless the
 * rollout's deploy is marked idempotent (or is manual) the rollout pauses and says so; the operator then
 * resumes (run it again) or continues (count it as deployed; the health gate still checks the member).
 *
 * One runner per rollout per process (the job engine keeps it). With several console instances on
 * PostgreSQL the runner holds the lease "rollout:<id>" (the job engine claims it), checks it against the
 * database before each turn and each phase, and stops when another instance has taken it over; an
 * instance that finds a running rollout whose lease expired resumes it as a restart would.
 */
export const rolloutJob: TJobKind = {
  kind: "rollout",
  lease: "rollout",
  // Every rollout left running is picked up where its members' phases say; paused ones wait for a person.
  unfinished: async (db) =>
    (await db.rollout.findMany({ where: { state: "running" }, select: { id: true } })).map((r) => r.id),
  run: (db, id) => runLoop(db, id),
  crashed: (db, id, err) => pauseRollout(db, id, `paused after an internal error: ${err.message}`),
};

export function isRunnerActive(id: number): boolean {
  return isJobRunning(rolloutJob, id);
}

/** The runner's promise, if one runs in this process (tests await the end of a run). */
export function runnerOf(id: number): Promise<void> | undefined {
  return jobRunner(rolloutJob, id);
}

export function launchRollout(db: TDb, id: number): void {
  launchJob(rolloutJob, db, id);
}

async function runLoop(db: TDb, id: number): Promise<void> {
  for (;;) {
    await assertJobLease(rolloutJob, id);
    const r = await db.rollout.findUniqueOrThrow({
      where: { id },
      include: { members: { orderBy: { position: "asc" } } },
    });
    if (r.state !== "running") return;
    const ctx: TRunCtx = {
      db,
      rolloutId: id,
      cluster: r.cluster,
      settings: parseSettings(r.settings),
      who: { principal: null, actor: `rollout #${id} (${r.startedBy ?? "unknown"})`, ip: null, rolloutId: id },
    };
    if (r.request === "abort") return abortRollout(ctx);
    if (r.request === "pause") return pauseRollout(db, id, "paused by an operator");

    const open = r.members.filter((m) => m.phase !== "done");
    if (open.length === 0) return endRollout(db, id, "done", `every member rolled (${r.members.length})`);
    const inFlight = open.filter((m) => m.phase !== "pending");
    const batch = [
      ...inFlight,
      ...open.filter((m) => m.phase === "pending").slice(0, Math.max(0, ctx.settings.maxUnavailable - inFlight.length)),
    ];
    const outcomes = await Promise.all(batch.map((m) => advance(ctx, m)));
    if (outcomes.some((o) => o.kind === "abort")) return abortRollout(ctx);
    const pauses = outcomes.filter((o): o is Extract<TPhaseOutcome, { kind: "pause" }> => o.kind === "pause");
    if (pauses.length) {
      for (const m of batch)
        await setMemberPhase(db, id, m.member, { state: m.phase === "pending" ? "pending" : "paused" }).catch(
          () => undefined,
        );
      return pauseRollout(db, id, pauses.map((p) => p.reason).join(" / "));
    }
  }
}

/** Runs one member's current phase: persisted before, recorded after. */
async function advance(ctx: TRunCtx, m: RolloutMember): Promise<TPhaseOutcome> {
  const { db, rolloutId } = ctx;
  const phase = m.phase as TPhase;
  if (phase === "pending") {
    const snap = await snapshotWeights(ctx, m);
    if (typeof snap === "string") return { kind: "pause", reason: snap, stepState: "failed" };
    await fencedJobWrite(db, rolloutJob, rolloutId, (tx) =>
      setMemberPhase(tx, rolloutId, m.member, {
        phase: "drain",
        state: "running",
        originalWeights: JSON.stringify(snap.weights),
        originalIntendedWeight: snap.intendedWeight,
        message: null,
      }),
    );
    return { kind: "next", message: "started" };
  }
  const run = PHASE_RUNNERS[phase];
  if (!run) throw new Error(`member ${m.member} is in unknown phase "${phase}"`);

  const last = await db.rolloutStep.findFirst({
    where: { rolloutId, member: m.member, phase },
    orderBy: { id: "desc" },
  });
  if (last?.state === "running") {
    // Only a process that died mid-phase leaves a step running: this is a resume.
    const d = ctx.settings.deploy;
    if (phase === "deploy" && d.kind !== "manual" && !d.idempotent) {
      await finishStep(db, last.id, "interrupted", "the console stopped while the deploy ran; its outcome is unknown");
      return {
        kind: "pause",
        reason: `The deploy of ${m.member} was interrupted by a console restart and is not marked idempotent: check ${m.member}, then continue (count it as deployed; the health gate still checks it) or resume (run it again).`,
        stepState: "interrupted",
      };
    }
    await finishStep(db, last.id, "interrupted", "the console stopped during this step; it was run again on restart");
  }
  // The phase's start is written under the lease (fenced in the database), before its action runs: an
  // instance that lost the lease writes nothing and runs nothing; the one that took over resumes here.
  const stepId = await fencedJobWrite(db, rolloutJob, rolloutId, async (tx) => {
    await setMemberPhase(tx, rolloutId, m.member, { state: "running" });
    return startStep(tx, rolloutId, m.member, phase);
  });
  let outcome: TPhaseOutcome;
  try {
    outcome = await run(ctx, m, stepId);
  } catch (err) {
    outcome = {
      kind: "pause",
      reason: `${phase} of ${m.member} failed: ${(err as Error).message}`,
      stepState: "failed",
    };
  }
  // A "continue" that arrived as the phase ended by itself is stale: it must not skip the next member's wait.
  await consumeRequest(db, rolloutId, "continue");
  if (outcome.kind === "next") {
    const next = nextPhase(phase);
    await fencedJobWrite(db, rolloutJob, rolloutId, async (tx) => {
      await finishStep(tx, stepId, "done", outcome.message, outcome.result);
      await setMemberPhase(tx, rolloutId, m.member, {
        phase: next,
        state: next === "done" ? "done" : "running",
        message: next === "done" ? outcome.message : null,
      });
    });
  } else if (outcome.kind === "pause") {
    await finishStep(db, stepId, outcome.stepState, outcome.reason, outcome.result);
    await setMemberPhase(db, rolloutId, m.member, { message: outcome.reason });
  } else {
    await finishStep(db, stepId, "aborted", "ended by abort", outcome.result);
  }
  return outcome;
}

async function abortRollout(ctx: TRunCtx): Promise<void> {
  const summary = await abortMembers(ctx);
  await endRollout(ctx.db, ctx.rolloutId, "aborted", summary);
}
