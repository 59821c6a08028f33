import type { TDb } from "@/server/db";
import { getClusterView } from "@/server/services/clusters/cluster-view";
import { getRequestShares } from "@/server/services/clusters/history-query";
import { AppError } from "@/server/errors";
import { STATE_VERBS, VERB_EFFECT, type TStateVerb } from "@/server/domain/member-verbs";
import { checkSafeToStop } from "@/server/services/sessions/safe-to-stop";

import type { TImpact } from "@/server/services/members/member-actions-schema";

/** What an action would do, for the confirm dialog: "tomcat2 takes 31% of requests; after this, 2 of 3 members stay active". */
export async function describeImpact(
  db: TDb,
  clusterName: string,
  memberName: string,
  verb: TStateVerb,
  now = Date.now(),
): Promise<TImpact> {
  const view = await getClusterView(db, clusterName);
  const member = view.members.find((m) => m.name === memberName && m.memberId !== null);
  if (!member) throw new AppError("NOT_FOUND", `No member "${memberName}" in cluster "${clusterName}"`);
  const inventory = view.members.filter((m) => m.memberId !== null);
  const isActive = (m: (typeof inventory)[number]) => m.intendedState === "active" && m.health !== "failing";
  const activeBefore = inventory.filter(isActive).length;
  const target = STATE_VERBS[verb];
  const activeAfter = inventory.filter((m) =>
    m.name === memberName ? target === "active" && m.health !== "failing" : isActive(m),
  ).length;

  const { share: requestShare } = await getRequestShares(db, clusterName, [member.route], now - 5 * 60_000);
  const share =
    requestShare === null
      ? `${memberName} has had no measured traffic in the last 5 minutes`
      : `${memberName} takes ${Math.round(requestShare * 100)}% of requests`;
  // stop/disable send its users elsewhere at once: say whether their sessions come along.
  let sessions: string | null = null;
  if (verb === "stop" || verb === "disable") {
    sessions = await checkSafeToStop(db, clusterName, memberName)
      .then((s) => s.summary)
      .catch((err: Error) => `Sessions not checked: ${err.message}`);
  }
  return {
    member: memberName,
    verb,
    requestShare,
    activeBefore,
    activeAfter,
    total: inventory.length,
    effect: VERB_EFFECT[verb],
    leavesNoActive: activeAfter === 0,
    sessions,
    summary: `${share}; after this, ${activeAfter} of ${inventory.length} members stay active. ${capitalize(verb)}: ${VERB_EFFECT[verb]}.${sessions ? ` ${sessions}` : ""}`,
  };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
