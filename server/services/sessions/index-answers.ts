import type { TDb } from "@/server/db";
import { getDb } from "@/server/db";
import { answerIndexQuestions, type TIndexQuestion } from "@/server/services/sessions/session-index/index-keeper";
import { listIndexedSessionsHere, rescanSessionsHere } from "@/server/services/sessions/session-index/list";
import { checkSafeToStopHere } from "@/server/services/sessions/safe-to-stop";
import { rehomingStatusHere, rememberLeavingMemberHere } from "@/server/services/sessions/rehoming";

/**
 * The keeper's answers to what other instances ask of a cluster's session index (index-keeper.ts): each
 * question answered by the same service as on one instance, from this instance's own index.
 */
async function answer(db: TDb, cluster: string, q: TIndexQuestion): Promise<unknown> {
  switch (q.kind) {
    case "list":
      return listIndexedSessionsHere(db, cluster, q.query);
    case "rescan":
      return rescanSessionsHere(db, cluster);
    case "safe-to-stop":
      return checkSafeToStopHere(db, cluster, q.member, { listedAfter: q.listedAfter });
    case "rehoming":
      return rehomingStatusHere(db, cluster, q.member);
    case "remember-leaving":
      await rememberLeavingMemberHere(db, cluster, q.route, new Date(q.since));
      return null;
  }
}

/** Starts answering other instances' questions (several instances; nothing is asked of a lone one). */
export function startIndexAnswers(): () => void {
  return answerIndexQuestions(answer, getDb);
}
