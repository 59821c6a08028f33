import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { setOwnership, SINGLE_INSTANCE, type TOwnership } from "@/server/cluster-lease/ownership";
import { answerOwnerQuestions, askOwner, HERE, tellOwner } from "@/server/fanout/ask-owner";
import type { TOwnerQuestion } from "@/server/fanout/owner-questions";
import { emitRemoteEvent, isRemoteEvent, onEvent } from "@/server/poller/event-bus";

/**
 * Both sides in one process: the asker's question is relayed back as if another instance had sent it
 * (the fan-out's part), and from then on this process holds the duty, as the owner would.
 */
function rig() {
  let holding = false;
  const ownership: TOwnership = { ...SINGLE_INSTANCE, instanceId: "me", holds: () => holding, owns: () => holding };
  setOwnership(ownership);
  const relayed: TOwnerQuestion[] = [];
  const stops = [
    onEvent("owner-asked", (ev) => {
      if (isRemoteEvent(ev)) return;
      relayed.push(ev.question);
      holding = true;
      emitRemoteEvent("owner-asked", { ...ev });
    }),
  ];
  return {
    relayed,
    hold: (h: boolean) => (holding = h),
    answer: (fn: (q: TOwnerQuestion) => Promise<unknown>) => stops.push(answerOwnerQuestions(fn)),
    stop: () => stops.forEach((s) => s()),
  };
}

let current: ReturnType<typeof rig> | null = null;
afterEach(() => {
  current?.stop();
  current = null;
  setOwnership(undefined);
});

describe("asking a duty's owner", () => {
  it("answers here on one instance, and where this instance holds the duty", async () => {
    expect(await askOwner("alerts", { kind: "receiver-resends" }, "x")).toBe(HERE);
    current = rig();
    current.hold(true);
    expect(await askOwner("alerts", { kind: "receiver-resends" }, "x")).toBe(HERE);
    expect(tellOwner("alerts", { kind: "receiver-resends" })).toBe(HERE);
    expect(current.relayed).toEqual([]);
  });

  it("elsewhere: the owner's answer comes back decoded, dates as dates", async () => {
    current = rig();
    const at = new Date("2026-12-06T05:00:00Z");
    current.answer(async (q) => ({ kind: q.kind, at }));
    const answer = await askOwner<{ kind: string; at: Date }>("delivery", { kind: "receiver-resends" }, "x");
    expect(answer).toEqual({ kind: "receiver-resends", at });
    expect(current.relayed).toEqual([{ kind: "receiver-resends" }]);
  });

  it("elsewhere: the owner's error comes back with its code and message", async () => {
    current = rig();
    current.answer(async () => {
      throw new AppError("NOT_FOUND", 'No member "m9" in cluster "c"');
    });
    const question = { kind: "rehoming", cluster: "c", member: "m9" } as const;
    await expect(askOwner("sessions:1", question, "c's session index")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'No member "m9" in cluster "c"',
    });
  });

  it("an instance that does not hold the duty leaves the question to its owner", async () => {
    current = rig();
    let answered = 0;
    current.answer(async () => ++answered);
    current.hold(false);
    // Relayed as another instance's question while this one holds nothing: no answer from here.
    emitRemoteEvent("owner-asked", {
      requestId: "r",
      from: "other",
      duty: "alerts",
      question: { kind: "pending-alerts" },
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(answered).toBe(0);
  });
});
