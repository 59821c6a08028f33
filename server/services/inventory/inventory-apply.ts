import { stringify } from "yaml";
import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { auditedChange, type TWho } from "@/server/services/audit/audit";
import { assertMaySetPrivileged } from "@/server/services/audit/privileged";
import { getStoreAdapter } from "@/server/adapters/registry";
import {
  changed,
  frontendData,
  getClusterByName,
  importPrivilegedChanges,
  parseInventoryYaml,
  writeStore,
} from "@/server/services/inventory/inventory";
import { readInventoryState, type TInventoryCluster } from "@/server/services/inventory/inventory-state";
import { maskSecrets, resolveKeptSecrets } from "@/server/services/inventory/inventory-secrets";
import { planInventory, type TInventoryPlan, type TPlanChange } from "@/server/services/inventory/inventory-plan";
import type { TInventoryFile } from "@/server/services/inventory/inventory-schema";

type TTx = Parameters<Parameters<TDb["$transaction"]>[0]>[0];

/**
 * Inventory as code: export the stored inventory as the YAML the import takes (secrets as "<kept>"),
 * plan a file against it (the field-by-field diff, nothing written), apply exactly that plan in one
 * transaction with one audit entry. Applying the exported file plans nothing.
 */
export async function exportInventory(db: TDb, cluster?: string): Promise<{ yaml: string; clusters: number }> {
  const state = await readInventoryState(db, cluster === undefined ? undefined : [cluster]);
  if (cluster !== undefined && state.length === 0) await getClusterByName(db, cluster); // NOT_FOUND, named
  const file = { clusters: state.map(withoutNulls) };
  return { yaml: stringify(maskSecrets(file)), clusters: state.length };
}

/** Nulls are what the file leaves out (an absent port, no user name): a shorter file that plans the same. */
function withoutNulls(c: TInventoryCluster): TInventoryCluster {
  const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
  return { ...c, members: c.members.map(drop), frontends: c.frontends.map(drop) };
}

/** The file parsed and checked, every kind's options by its adapter, before anything is read or written. */
function readFile(yaml: string): TInventoryFile {
  const file = parseInventoryYaml(yaml);
  file.clusters.forEach((c, ci) => {
    c.stores.forEach((st, si) =>
      at(`clusters.${ci}.stores.${si}.options`, () => getStoreAdapter(st.kind).parseOptions(st.options)),
    );
    c.frontends.forEach((f, fi) => at(`clusters.${ci}.frontends.${fi}.options`, () => frontendData(f)));
  });
  return file;
}

/** An adapter's refusal of a record's options, said with where the record is in the file. */
function at(path: string, check: () => unknown): void {
  try {
    check();
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== "INVALID_INPUT") throw err;
    throw new AppError("INVALID_INPUT", `${path}: ${err.message}`, { issues: [{ path, message: err.message }] });
  }
}

async function planAgainst(db: TDb | TTx, file: TInventoryFile, prune: boolean) {
  const current = await readInventoryState(
    db,
    file.clusters.map((c) => c.name),
  );
  const desired = resolveKeptSecrets(file, current);
  return { desired, plan: planInventory(current, desired, prune) };
}

export async function planInventoryYaml(db: TDb, yaml: string, prune: boolean): Promise<TInventoryPlan> {
  return (await planAgainst(db, readFile(yaml), prune)).plan;
}

/**
 * Plans and writes in one transaction (the plan answered is the change made). Admin-only settings
 * (privileged-settings.ts) that the file sets or changes refuse the whole apply for anyone but an
 * admin: FORBIDDEN, audited as denied, nothing written. One audit entry carries the diff (credentials
 * redacted in the plan itself).
 */
export async function applyInventoryYaml(db: TDb, yaml: string, prune: boolean, who: TWho): Promise<TInventoryPlan> {
  const file = readFile(yaml);
  const names = file.clusters.map((c) => c.name);
  return auditedChange(
    db,
    who,
    {
      action: "inventory.apply",
      cluster: names.length === 1 ? names[0] : null,
      details: { clusters: names, prune },
      after: (plan) => plan,
    },
    async () => {
      const plan = await db.$transaction(async (tx) => {
        const { desired, plan } = await planAgainst(tx, file, prune);
        assertMaySetPrivileged(who, await importPrivilegedChanges(tx, { clusters: desired }));
        await writePlan(tx, plan, desired);
        return plan;
      });
      if (plan.changes.length) changed(null);
      return plan;
    },
  );
}

async function writePlan(tx: TTx, plan: TInventoryPlan, desired: TInventoryCluster[]): Promise<void> {
  const byCluster = new Map<string, TPlanChange[]>();
  for (const ch of plan.changes) byCluster.set(ch.cluster, [...(byCluster.get(ch.cluster) ?? []), ch]);
  for (const c of desired) {
    const changes = byCluster.get(c.name);
    if (!changes) continue;
    const { id: clusterId } = await tx.cluster.upsert({
      where: { name: c.name },
      create: { name: c.name, description: c.description },
      update: { description: c.description },
    });
    for (const ch of changes) {
      const key = { clusterId_name: { clusterId, name: ch.name } };
      if (ch.kind === "member") {
        if (ch.op === "remove") await tx.member.delete({ where: key });
        else {
          const m = c.members.find((x) => x.name === ch.name)!;
          await tx.member.upsert({ where: key, create: { ...m, clusterId }, update: m });
        }
      } else if (ch.kind === "frontend") {
        if (ch.op === "remove") await tx.frontend.delete({ where: key });
        else {
          const data = frontendData(c.frontends.find((x) => x.name === ch.name)!);
          await tx.frontend.upsert({ where: key, create: { ...data, clusterId }, update: data });
        }
      } else if (ch.kind === "store") {
        if (ch.op === "remove") await tx.sessionStore.delete({ where: key });
        else
          await writeStore(
            tx,
            clusterId,
            c.stores.find((x) => x.name === ch.name)!,
          );
      }
    }
  }
}
