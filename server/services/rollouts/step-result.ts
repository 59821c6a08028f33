import type { TStepResult } from "@/server/services/rollouts/schema";

/**
 * What each frontend said in one rollout step, and the audit entries the step wrote, found anywhere in
 * the step's stored result. Each phase journals its own JSON (member action results, the health gate's
 * balancer readings, the ramp's per-step log); the API answers this one typed summary of all of them.
 */
export function summarizeStepResult(result: unknown): TStepResult {
  const frontends: TStepResult["frontends"] = [];
  const auditIds: number[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    // Read by looking, never by a cast: old rows and every phase's shape pass through here.
    const o: Record<string, unknown> = Object.fromEntries(Object.entries(v));
    if (typeof o.auditId === "number") auditIds.push(o.auditId);
    if (typeof o.frontend === "string") {
      const outcome = typeof o.outcome === "string" ? o.outcome : null;
      const seen = [
        o.adminState,
        o.health,
        o.weight !== null && o.weight !== undefined ? `weight ${String(o.weight)}` : null,
      ]
        .filter((x) => typeof x === "string")
        .join(", ");
      const msg = typeof o.message === "string" ? o.message : typeof o.error === "string" ? o.error : null;
      frontends.push({
        frontend: o.frontend,
        text: `${outcome ?? seen}${msg ? ` (${msg})` : ""}`,
        bad:
          (outcome !== null && outcome !== "done" && outcome !== "not-routed") ||
          typeof o.error === "string" ||
          o.health === "failing",
      });
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(result);
  return { frontends, auditIds };
}
