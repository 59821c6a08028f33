import type { TAdminState } from "@/server/domain/member-state";
import { sameWeight } from "@/server/domain/drift";
import type { TClient, TClusterView, TMemberActionResult } from "@/server/cli/api-client";

/** What --wait waits for: a state verb's admin state, or a weight. */
export type TExpectation = { kind: "state"; state: TAdminState } | { kind: "weight"; weight: number };

export interface TWaitFrontend {
  frontendId: number;
  frontend: string;
  /** up in the console's last poll, and its reading of the member is not stale. */
  answering: boolean;
  /** The frontend lists the member at all. */
  listed: boolean;
  adminState: TAdminState | null;
  loadfactor: number | null;
  drifted: boolean | null;
  confirmed: boolean;
}

export interface TWaitReport {
  confirmed: boolean;
  timedOut: boolean;
  elapsedMs: number;
  polls: number;
  /** The last failed poll of the console, if the last poll failed. */
  error: string | null;
  frontends: TWaitFrontend[];
}

/** Frontends the action was meant to change: not "unsupported" or "not-routed". */
export function relevantFrontendIds(result: TMemberActionResult): number[] {
  return result.frontends
    .filter((f) => f.outcome !== "unsupported" && f.outcome !== "not-routed")
    .map((f) => f.frontendId);
}

/**
 * One look at the console's view. A frontend counts when it answers and lists the member; it is
 * confirmed when it shows the expected state, or, for kinds that show a state under another name
 * (mod_jk reads "disabled" back as "stopped"), when the console says it has not drifted from an
 * intent equal to the expected state. Weights are compared directly.
 */
export function checkView(
  view: TClusterView,
  member: string,
  frontendIds: number[],
  expect: TExpectation,
): { confirmed: boolean; frontends: TWaitFrontend[] } {
  const row = view.members.find((m) => m.name === member);
  const frontends: TWaitFrontend[] = [];
  view.frontends.forEach((f, i) => {
    if (!frontendIds.includes(f.id)) return;
    const s = row?.states[i] ?? null;
    const answering = f.enabled && f.up === true && s !== null && !s.stale;
    let confirmed = false;
    if (answering && s) {
      confirmed =
        expect.kind === "state"
          ? s.adminState === expect.state || (!s.drifted && row?.intendedState === expect.state)
          : sameWeight(s.loadfactor, expect.weight);
    }
    frontends.push({
      frontendId: f.id,
      frontend: f.name,
      answering,
      listed: s !== null,
      adminState: s?.adminState ?? null,
      loadfactor: s?.loadfactor ?? null,
      drifted: s ? s.drifted : null,
      confirmed,
    });
  });
  const counted = frontends.filter((f) => f.answering);
  return { confirmed: counted.length > 0 && counted.every((f) => f.confirmed), frontends };
}

const POLL_EVERY_MS = 1_000;

/** Polls GET /clusters/{cluster} every second until checkView confirms or the timeout passes. */
export async function waitForMember(
  client: TClient,
  cluster: string,
  member: string,
  frontendIds: number[],
  expect: TExpectation,
  timeoutMs: number,
): Promise<TWaitReport> {
  const reports = await waitForMembers(client, cluster, [{ member, frontendIds }], expect, timeoutMs);
  return reports.get(member)!;
}

/**
 * The same for several members (a bulk action): one GET of the cluster per second for all of them,
 * until every one is confirmed or the timeout passes. One report per member.
 */
export async function waitForMembers(
  client: TClient,
  cluster: string,
  targets: ReadonlyArray<{ member: string; frontendIds: number[] }>,
  expect: TExpectation,
  timeoutMs: number,
): Promise<Map<string, TWaitReport>> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let polls = 0;
  let error: string | null = null;
  const last = new Map<string, { confirmed: boolean; frontends: TWaitFrontend[] }>();
  const report = (timedOut: boolean) =>
    new Map(
      targets.map((t) => {
        const check = last.get(t.member) ?? { confirmed: false, frontends: [] };
        const confirmed = check.confirmed;
        return [
          t.member,
          {
            confirmed,
            timedOut: timedOut && !confirmed,
            elapsedMs: Date.now() - started,
            polls,
            error,
            frontends: check.frontends,
          },
        ];
      }),
    );
  for (;;) {
    polls++;
    try {
      const remaining = Math.max(1_000, Math.min(10_000, deadline - Date.now()));
      const view = await client.getCluster(cluster, remaining);
      for (const t of targets) last.set(t.member, checkView(view, t.member, t.frontendIds, expect));
      error = null;
      if (targets.every((t) => last.get(t.member)?.confirmed)) return report(false);
    } catch (err) {
      // A console blip during the wait is not a verdict; the deadline decides.
      error = (err as Error).message;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    // The last poll lands on the deadline, so "timed out after N s" means N s.
    await new Promise((r) => setTimeout(r, Math.min(POLL_EVERY_MS, left)));
  }
  return report(true);
}
