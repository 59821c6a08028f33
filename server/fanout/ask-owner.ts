import { randomUUID } from "node:crypto";
import superjson from "superjson";
import { AppError, APP_ERROR_CODES, type TAppErrorCode } from "@/server/errors";
import { getOwnership } from "@/server/cluster-lease/ownership";
import { emitEvent, isRemoteEvent, onEvent } from "@/server/poller/event-bus";
import type { TOwnerQuestion } from "@/server/fanout/owner-questions";

/**
 * Several instances: what only the owner of a duty knows (a cluster's session index, the alerts not yet
 * firing, the receivers' re-sends) is asked of it through the fan-out (PostgreSQL NOTIFY; a long answer
 * travels through the FanoutMessage table), and answered from its memory as on one instance. On one
 * instance (SQLite) every duty is its own and nothing is asked.
 */

/** askOwner's answer when this instance holds the duty: answer from its own memory. */
export const HERE: unique symbol = Symbol("here");

/**
 * How long an asker waits. The answers come from memory or, for "safe to stop?", one pipelined check of
 * the member's sessions (about 0.4 s at a million). An owner that died is replaced within two lease
 * renewals; until then the asker says so rather than hanging.
 */
const ANSWER_TIMEOUT_MS = 10_000;
/** Asked again while unanswered: a duty changing hands, or a NOTIFY lost while a connection was re-made. */
const RESEND_MS = 2_500;

/**
 * HERE when this instance holds `duty` (or there is only one instance); otherwise the owner's answer,
 * decoded. Throws the owner's error as it was (code and message), or CONFLICT when no owner answered in
 * time, naming `what` was asked for.
 */
export async function askOwner<T>(duty: string, question: TOwnerQuestion, what: string): Promise<T | typeof HERE> {
  const self = asker(duty);
  if (self === null) return HERE;
  const requestId = randomUUID();
  return new Promise<T>((resolve, reject) => {
    const ask = () => emitEvent("owner-asked", { requestId, from: self, duty, question });
    const done = () => {
      stop();
      clearTimeout(timer);
      clearInterval(again);
    };
    const stop = onEvent("owner-answered", (ev) => {
      if (ev.requestId !== requestId || ev.to !== self) return;
      done();
      if (ev.error) reject(new AppError(knownCode(ev.error.code), ev.error.message, { answeredBy: ev.by }));
      else resolve(superjson.parse<T>(ev.answer ?? "null"));
    });
    const timer = setTimeout(() => {
      done();
      reject(
        new AppError(
          "CONFLICT",
          `No console instance answered for ${what} within ${ANSWER_TIMEOUT_MS / 1000} s: the instance holding it may have just stopped (another takes it over within two lease renewals). Try again shortly.`,
          { duty },
        ),
      );
    }, ANSWER_TIMEOUT_MS);
    timer.unref();
    // The first answer wins; later ones (the question was asked again, two holders during a hand-over)
    // find no listener.
    const again = setInterval(ask, RESEND_MS);
    again.unref();
    ask();
  });
}

/** Sends the question to the owner without waiting for its answer; HERE when this instance holds the duty. */
export function tellOwner(duty: string, question: TOwnerQuestion): typeof HERE | null {
  const self = asker(duty);
  if (self === null) return HERE;
  emitEvent("owner-asked", { requestId: randomUUID(), from: self, duty, question });
  return null;
}

/**
 * The owner's side: answers every question about a duty this instance holds, with `answer` (which must
 * answer here, never ask again). `holds`, not `owns`: the answers are read from memory, so a renewal
 * running late must not leave the asker without one. Returns the unsubscribe.
 */
export function answerOwnerQuestions(answer: (q: TOwnerQuestion) => Promise<unknown>): () => void {
  return onEvent("owner-asked", (ev) => {
    if (!isRemoteEvent(ev)) return;
    const ownership = getOwnership();
    const by = ownership.instanceId;
    if (!by || !ownership.holds(ev.duty)) return;
    const reply = (answer: string | null, error: { code: string; message: string } | null) =>
      emitEvent("owner-answered", { requestId: ev.requestId, to: ev.from, by, answer, error });
    answer(ev.question).then(
      (result) => reply(superjson.stringify(result), null),
      (err: unknown) =>
        reply(null, { code: err instanceof AppError ? err.code : "INTERNAL", message: (err as Error).message }),
    );
  });
}

/** This instance's id when another instance holds the duty (ask it), else null (answer here). */
function asker(duty: string): string | null {
  const ownership = getOwnership();
  const self = ownership.instanceId;
  if (!self || ownership.holds(duty)) return null;
  return self;
}

function knownCode(code: string): TAppErrorCode {
  return code in APP_ERROR_CODES ? (code as TAppErrorCode) : "INTERNAL";
}
