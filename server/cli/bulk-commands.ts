import { matchesMemberFilter, type TMemberFilter } from "@/server/domain/member-filter";
import type { TStateVerb } from "@/server/domain/member-verbs";
import type { TBulkActionResult, TClient } from "@/server/cli/api-client";
import { CliError, EXIT, type TExitCode } from "@/server/cli/exit-codes";
import { table } from "@/server/cli/format";
import { waitForMembers, type TExpectation, type TWaitReport } from "@/server/cli/wait";

/**
 * `clusterdeck drain m0001 m0002 …` and `clusterdeck drain --filter state=active,name=m01*`: one bulk
 * request (one guard rail over the selection, one audit entry), then a line per member.
 */
export interface TBulkRun {
  client: TClient;
  cluster: string;
  verb: TStateVerb;
  members: string[];
  filter: TMemberFilter | null;
  force: boolean;
  wait: boolean;
  timeoutSec: number;
  json: boolean;
  expect: TExpectation;
  out: (text: string) => void;
  human: (text: string) => void;
  err: (text: string) => void;
}

/** The inventory members the filter selects in the console's current view (what the page would show). */
async function selectByFilter(client: TClient, cluster: string, filter: TMemberFilter): Promise<string[]> {
  const view = await client.getCluster(cluster);
  return view.members.filter((m) => m.memberId !== null && matchesMemberFilter(m, filter)).map((m) => m.name);
}

export async function runBulkAction(run: TBulkRun): Promise<TExitCode> {
  const members = run.filter ? await selectByFilter(run.client, run.cluster, run.filter) : run.members;
  if (members.length === 0)
    throw new CliError(EXIT.USAGE, `No member of ${run.cluster} matches the filter; nothing was changed.`);
  if (run.filter) run.human(`the filter selects ${members.length} member(s): ${abbreviate(members)}`);
  const result = await run.client.bulkAction(run.cluster, run.verb, { members, force: run.force });
  run.human(
    `${run.verb} ${members.length} member(s) in cluster ${run.cluster}:\n${formatBulkResult(result).join("\n")}`,
  );

  let waited: Map<string, TWaitReport> | null = null;
  if (run.wait && result.overall !== "failed") {
    run.err(`waiting up to ${run.timeoutSec} s for the console to show every member's change…`);
    const targets = result.members.map((m) => ({
      member: m.member,
      frontendIds: m.frontends
        .filter((f) => f.outcome !== "unsupported" && f.outcome !== "not-routed")
        .map((f) => f.frontendId),
    }));
    waited = await waitForMembers(run.client, run.cluster, targets, run.expect, run.timeoutSec * 1000);
    const late = [...waited].filter(([, w]) => !w.confirmed).map(([m]) => m);
    run.human(
      late.length === 0
        ? `console shows the change for all ${targets.length} member(s)`
        : `TIMED OUT: the console does not show the change yet for ${late.length} member(s): ${abbreviate(late)}`,
    );
  } else if (run.wait) run.err("not waiting: the action failed on every frontend for every member");
  if (run.json)
    run.out(
      JSON.stringify(
        waited ? { ...result, waited: Object.fromEntries([...waited].map(([m, w]) => [m, w.confirmed])) } : result,
        null,
        2,
      ),
    );
  if (result.overall === "failed") return EXIT.FAILED;
  if (result.overall === "partial") return EXIT.PARTIAL;
  return waited && [...waited.values()].some((w) => !w.confirmed) ? EXIT.PARTIAL : EXIT.OK;
}

function abbreviate(names: readonly string[]): string {
  return names.length <= 12 ? names.join(" ") : `${names.slice(0, 12).join(" ")} … and ${names.length - 12} more`;
}

const SHORT: Record<string, string> = {
  done: "done",
  failed: "FAILED",
  "not-verified": "NOT-VERIFIED",
  unsupported: "unsupported",
  "not-routed": "not-routed",
};

/** One line per member (its overall, then each frontend's outcome), then what to retry. */
export function formatBulkResult(r: TBulkActionResult): string[] {
  const frontends = r.members[0]?.frontends.map((f) => f.frontend) ?? [];
  const lines = table([
    ["MEMBER", "RESULT", ...frontends.map((f) => f.toUpperCase())],
    ...r.members.map((m) => [
      m.member,
      m.overall === "done" ? "done" : m.overall.toUpperCase(),
      ...m.frontends.map((f) => SHORT[f.outcome] ?? f.outcome),
    ]),
  ]);
  const problems = r.members.flatMap((m) =>
    m.frontends
      .filter((f) => f.outcome === "failed" || f.outcome === "not-verified")
      .map((f) => `${m.member} on ${f.frontend}: ${f.message ?? f.outcome}`),
  );
  lines.push(...problems.slice(0, 20));
  if (problems.length > 20) lines.push(`… and ${problems.length - 20} more`);
  const notDone = r.members.filter((m) => m.overall !== "done").map((m) => m.member);
  const audit = `audit #${r.auditId}`;
  if (r.overall === "done")
    lines.push(`done: all ${r.members.length} member(s) confirmed on every frontend (${audit})`);
  else
    lines.push(
      `${r.overall.toUpperCase()}: ${r.members.length - notDone.length} of ${r.members.length} member(s) confirmed everywhere; retry: clusterdeck ${r.action.replace(/^member\.bulk\./, "")} ${abbreviate(notDone)} (${audit})`,
    );
  return lines;
}
