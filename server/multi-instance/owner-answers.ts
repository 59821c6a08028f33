import { getDb } from "@/server/db";
import { answerOwnerQuestions } from "@/server/fanout/ask-owner";
import type { TOwnerQuestion } from "@/server/fanout/owner-questions";
import { pendingAlertViews } from "@/server/services/alerts/service";
import { getAlertEngine } from "@/server/services/alerts/engine";
import { receiverResendsHere } from "@/server/services/notifications/receivers";
import { listIndexedSessionsHere, rescanSessionsHere } from "@/server/services/sessions/session-index/list";
import { checkSafeToStopHere } from "@/server/services/sessions/safe-to-stop";
import { rehomingStatusHere, rememberLeavingMemberHere } from "@/server/services/sessions/rehoming";

/**
 * What this instance answers other instances about the duties it holds (server/fanout/ask-owner.ts):
 * each question by the same service as on one instance, from this instance's own memory.
 */
async function answer(q: TOwnerQuestion): Promise<unknown> {
  const db = getDb();
  switch (q.kind) {
    case "list":
      return listIndexedSessionsHere(db, q.cluster, q.query);
    case "rescan":
      return rescanSessionsHere(db, q.cluster);
    case "safe-to-stop":
      return checkSafeToStopHere(db, q.cluster, q.member, { listedAfter: q.listedAfter });
    case "rehoming":
      return rehomingStatusHere(db, q.cluster, q.member);
    case "remember-leaving":
      await rememberLeavingMemberHere(db, q.cluster, q.route, new Date(q.since));
      return null;
    case "pending-alerts":
      return pendingAlertViews(db, q.cluster);
    case "receiver-resends":
      return receiverResendsHere();
    case "firing-for-resend":
      return getAlertEngine()?.firingForResend() ?? [];
  }
}

/** Starts answering other instances' questions (several instances; nothing is asked of a lone one). */
export function startOwnerAnswers(): () => void {
  return answerOwnerQuestions(answer);
}
