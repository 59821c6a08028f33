import type { TDb } from "@/server/db";
import { getFrontendAdapter } from "@/server/adapters/registry";
import {
  balancerSettingProblem,
  shownBalancerValue,
  ZBalancerSettingResult,
  type TBalancerSettingResult,
} from "@/server/domain/balancer-settings";
import { AppError } from "@/server/errors";
import { readBalancer, toTarget } from "@/server/services/frontends/read-frontend";
import { getClusterByName } from "@/server/services/inventory/inventory";
import { recordAudit, type TAuditResult } from "@/server/services/audit/audit";
import type { TActionOptions } from "@/server/services/members/member-actions";
import { VERIFY_TIMEOUT_MS } from "@/server/services/members/member-actions";
import { getPoller } from "@/server/poller/poller";

// The answer's schema lives in the domain so the CLI can read it without the service's database code.
export { ZBalancerSettingResult, type TBalancerSettingResult };

const VERIFY_INTERVAL_MS = 200;

/**
 * One balancer-level setting on one frontend (each frontend has its own balancer, so there is no "every
 * frontend" here), by the same rules as a member change: validated against the kind's spec before
 * anything is sent, read back from the status page (both servers answer 200 to what they ignore), audited.
 */
export async function applyBalancerSetting(
  db: TDb,
  clusterName: string,
  frontendName: string,
  name: string,
  value: string,
  opts: Pick<TActionOptions, "principal" | "actor" | "ip">,
): Promise<TBalancerSettingResult> {
  const cluster = await getClusterByName(db, clusterName);
  const f = cluster.frontends.find((x) => x.name === frontendName);
  if (!f) throw new AppError("NOT_FOUND", `No frontend "${frontendName}" in cluster "${clusterName}"`);
  const adapter = getFrontendAdapter(f.kind);
  const spec = adapter.capabilities.balancerSettings?.[name];
  const audit = (result: TAuditResult, details: Record<string, unknown>, before?: unknown) =>
    recordAudit(db, {
      ...opts,
      action: "frontend.setBalancerSetting",
      cluster: clusterName,
      target: frontendName,
      result,
      before: before === undefined ? undefined : { [name]: before },
      after: { [name]: value },
      details,
    });
  if (!spec || !adapter.setBalancerSetting) {
    const offered = Object.keys(adapter.capabilities.balancerSettings ?? {});
    await audit("denied", { reason: "unsupported" });
    throw new AppError(
      "INVALID_INPUT",
      `${adapter.label} has no balancer setting "${name}"${offered.length ? ` (it has ${offered.join(", ")})` : ""}; nothing was sent.`,
    );
  }
  const problem = balancerSettingProblem(name, spec, value);
  if (problem) throw new AppError("INVALID_INPUT", problem, { setting: name, value });

  const expected = shownBalancerValue(spec, value);
  const balancer = await readBalancer(f);
  const before = balancer.raw[name] ?? null;
  const result = async (outcome: TBalancerSettingResult["outcome"], shown: string | null, message: string | null) => {
    const auditId = await audit(outcome === "done" ? "ok" : "failed", { outcome, shown, message }, before);
    const poller = getPoller();
    if (poller) await poller.pollNow(f.id);
    return { cluster: clusterName, frontend: frontendName, name, outcome, before, shown, message, auditId };
  };
  try {
    await adapter.setBalancerSetting(toTarget(f), balancer, name, value);
  } catch (err) {
    return result("failed", before, (err as Error).message);
  }
  const deadline = Date.now() + VERIFY_TIMEOUT_MS;
  let shown: string | null;
  for (;;) {
    shown = (await readBalancer(f)).raw[name] ?? null;
    if (shown === expected) return result("done", shown, null);
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, VERIFY_INTERVAL_MS));
  }
  return result(
    "not-verified",
    shown,
    `${frontendName} accepted the request but still shows ${name} ${JSON.stringify(shown)} after ${VERIFY_TIMEOUT_MS / 1000} s`,
  );
}
