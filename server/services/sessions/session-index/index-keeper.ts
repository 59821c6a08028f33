import { randomUUID } from "node:crypto";
import superjson from "superjson";
import type { TDb } from "@/server/db";
import { AppError, APP_ERROR_CODES, type TAppErrorCode } from "@/server/errors";
import { getOwnership } from "@/server/cluster-lease/ownership";
import { emitEvent, isRemoteEvent, onEvent } from "@/server/poller/event-bus";
import { sessionScans } from "@/server/services/sessions/session-index/store-scans";
import type { TSessionQueryInput } from "@/server/services/sessions/session-index/query";

/**
 * Several instances: a cluster's session index (every store's ids) is kept by one instance, the holder of
 * the cluster's `sessions:<id>` lease. What needs the ids is asked of it through the fan-out (PostgreSQL
 * NOTIFY; a long answer travels through the FanoutMessage table) instead of a second scan of the stores
 * here: a million sessions are half a gigabyte of metadump per scan, a forwarded table page a few
 * kilobytes. One instance (SQLite) keeps every index itself, and nothing is forwarded.
 */
export type TIndexQuestion =
  | { kind: "list"; query: TSessionQueryInput }
  | { kind: "rescan" }
  | { kind: "safe-to-stop"; member: string; listedAfter?: number }
  | { kind: "rehoming"; member: string }
  | { kind: "remember-leaving"; route: string; since: number };

/** askIndexKeeper's answer when this instance keeps the index: answer from it here. */
export const HERE: unique symbol = Symbol("here");

/**
 * How long an asker waits for the keeper. Its answers come from memory (a table page, a count) or, for
 * "safe to stop?", one pipelined check of the member's sessions: about 0.4 s at a million. A keeper that
 * died is replaced within two lease renewals; until then the asker says so rather than hanging.
 */
const ANSWER_TIMEOUT_MS = 10_000;
const RESEND_MS = 2_500;

/**
 * HERE when this instance keeps the cluster's session index (or there is only one instance, or the
 * cluster has no stores); otherwise the keeper's answer, decoded. Throws the keeper's error as it was
 * (code and message), or CONFLICT when no keeper answered in time.
 */
export async function askIndexKeeper<T>(db: TDb, cluster: string, question: TIndexQuestion): Promise<T | typeof HERE> {
  const self = await askerHere(db, cluster);
  if (self === null) return HERE;
  const requestId = randomUUID();
  return new Promise<T>((resolve, reject) => {
    const ask = () => emitEvent("index-asked", { requestId, from: self, cluster, question });
    const stop = onEvent("index-answered", (ev) => {
      if (ev.requestId !== requestId || ev.to !== self) return;
      stop();
      clearTimeout(timer);
      clearInterval(again);
      if (ev.error) reject(new AppError(knownCode(ev.error.code), ev.error.message, { answeredBy: ev.by }));
      else resolve(superjson.parse<T>(ev.answer ?? "null"));
    });
    const timer = setTimeout(() => {
      stop();
      clearInterval(again);
      reject(
        new AppError(
          "CONFLICT",
          `No console instance answered for ${cluster}'s session index within ${ANSWER_TIMEOUT_MS / 1000} s: the instance keeping it may have just stopped (another takes it over within two lease renewals). Try again shortly.`,
          { cluster },
        ),
      );
    }, ANSWER_TIMEOUT_MS);
    timer.unref();
    // Asked again while unanswered: a keeper changing hands, or a NOTIFY sent while a connection was
    // being re-made, must not cost the whole wait. The first answer wins; later ones are ignored.
    const again = setInterval(ask, RESEND_MS);
    again.unref();
    ask();
  });
}

/** Sends the question to the keeper without waiting for its answer; HERE when this instance keeps the index. */
export async function tellIndexKeeper(db: TDb, cluster: string, question: TIndexQuestion): Promise<typeof HERE | null> {
  const self = await askerHere(db, cluster);
  if (self === null) return HERE;
  emitEvent("index-asked", { requestId: randomUUID(), from: self, cluster, question });
  return null;
}

/** This instance's id when another instance keeps the cluster's index (ask it), else null (answer here). */
async function askerHere(db: TDb, cluster: string): Promise<string | null> {
  const ownership = getOwnership();
  const self = ownership.instanceId;
  if (!self) return null;
  const duty = await sessionScans().keeperDuty(db, cluster);
  return duty === null || ownership.holds(duty) ? null : self;
}

/**
 * The keeper's side: answers every question about a cluster whose index this instance keeps, with
 * `answer` (which must answer here, never ask again). Returns the unsubscribe. Questions about clusters
 * kept elsewhere are left to their keeper; two instances both answering during a lease hand-over is
 * harmless (the asker takes the first).
 */
export function answerIndexQuestions(
  answer: (db: TDb, cluster: string, q: TIndexQuestion) => Promise<unknown>,
  db: () => TDb,
): () => void {
  return onEvent("index-asked", (ev) => {
    if (!isRemoteEvent(ev)) return;
    const ownership = getOwnership();
    const by = ownership.instanceId;
    if (!by) return;
    void (async () => {
      const d = db();
      const duty = await sessionScans().keeperDuty(d, ev.cluster);
      if (duty === null || !ownership.holds(duty)) return;
      try {
        const result = await answer(d, ev.cluster, ev.question);
        emitEvent("index-answered", {
          requestId: ev.requestId,
          to: ev.from,
          by,
          answer: superjson.stringify(result),
          error: null,
        });
      } catch (err) {
        const code = err instanceof AppError ? err.code : "INTERNAL";
        emitEvent("index-answered", {
          requestId: ev.requestId,
          to: ev.from,
          by,
          answer: null,
          error: { code, message: (err as Error).message },
        });
      }
    })().catch(() => undefined);
  });
}

function knownCode(code: string): TAppErrorCode {
  return code in APP_ERROR_CODES ? (code as TAppErrorCode) : "INTERNAL";
}
