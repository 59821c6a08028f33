import { AppError } from "@/server/errors";
import type { getClusterByName } from "@/server/services/inventory/inventory";

export type TCluster = Awaited<ReturnType<typeof getClusterByName>>;

/**
 * The inventory members a selection names, each once, in the order given. Any unknown name refuses
 * the whole selection (listing the first few), so a typo never acts on fewer members than meant.
 */
export function resolveMembers(cluster: TCluster, names: readonly string[]): TCluster["members"] {
  const byName = new Map(cluster.members.map((m) => [m.name, m]));
  const unique = [...new Set(names)];
  const unknown = unique.filter((n) => !byName.has(n));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 10).join(", ") + (unknown.length > 10 ? ` and ${unknown.length - 10} more` : "");
    throw new AppError("NOT_FOUND", `No member ${shown} in cluster "${cluster.name}"; nothing was changed`);
  }
  return unique.map((n) => byName.get(n)!);
}
