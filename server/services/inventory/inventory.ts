import fs from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { type z } from "zod";
import type { TDb } from "@/server/db";
import { AppError } from "@/server/errors";
import { emitEvent } from "@/server/poller/event-bus";
import { auditedChange, type TWho } from "@/server/services/audit/audit";
import { assertMaySetPrivileged } from "@/server/services/audit/privileged";
import { getFrontendAdapter, getStoreAdapter } from "@/server/adapters/registry";
import { parseFrontendOptions } from "@/server/services/frontends/read-frontend";
import { privilegedChanges, type TPrivilegedSetting } from "@/server/domain/privileged-settings";
import type { Frontend } from "@/generated/prisma/client";
import {
  type ZClusterInput,
  type ZFrontendInput,
  ZInventoryFile,
  type ZMemberInput,
  type TInventoryFile,
} from "@/server/services/inventory/inventory-schema";
import { readInventoryState } from "@/server/services/inventory/inventory-state";
import { resolveKeptSecrets } from "@/server/services/inventory/inventory-secrets";

type TClusterInput = z.infer<typeof ZClusterInput>;
type TFrontendInput = z.infer<typeof ZFrontendInput>;
type TMemberInput = z.infer<typeof ZMemberInput>;

/** Tells the poller, live feeds and caches that the inventory changed (null: any cluster). */
export function changed(clusterId: number | null): void {
  emitEvent("inventory-changed", { clusterId });
}

/** Prisma's unique violation becomes a CONFLICT an operator understands. */
async function guardUnique<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: string }).code === "P2002")
      throw new AppError("CONFLICT", `${what} already exists; choose another name`);
    throw err;
  }
}

export async function listClusters(db: TDb) {
  return db.cluster.findMany({
    orderBy: { name: "asc" },
    include: { members: { orderBy: { name: "asc" } }, frontends: { orderBy: { name: "asc" } } },
  });
}

/** A cluster with its members and frontends, or null (pages show "unknown cluster" rather than fail). */
export async function findClusterByName(db: TDb, name: string) {
  return db.cluster.findUnique({
    where: { name },
    include: { members: { orderBy: { name: "asc" } }, frontends: { orderBy: { name: "asc" } } },
  });
}

export async function getClusterByName(db: TDb, name: string) {
  const cluster = await findClusterByName(db, name);
  if (!cluster) throw new AppError("NOT_FOUND", `No cluster named "${name}"`);
  return cluster;
}

/** The id of the cluster of that name (REST and the editor address clusters by name). */
export async function clusterIdOf(db: TDb, name: string): Promise<number> {
  const c = await db.cluster.findUnique({ where: { name }, select: { id: true } });
  if (!c) throw new AppError("NOT_FOUND", `No cluster named "${name}"`);
  return c.id;
}

export async function createCluster(db: TDb, input: TClusterInput, who: TWho) {
  return auditedChange(db, who, { action: "cluster.create", cluster: input.name }, async () => {
    const c = await guardUnique(`A cluster named "${input.name}"`, () => db.cluster.create({ data: input }));
    changed(c.id);
    return c;
  });
}

export async function updateCluster(db: TDb, id: number, input: TClusterInput, who: TWho) {
  return auditedChange(db, who, { action: "cluster.update", cluster: input.name, details: { id } }, async () => {
    await requireCluster(db, id);
    const c = await guardUnique(`A cluster named "${input.name}"`, () =>
      db.cluster.update({ where: { id }, data: input }),
    );
    changed(id);
    return c;
  });
}

export async function deleteCluster(db: TDb, id: number, who: TWho): Promise<void> {
  await auditedChange(db, who, { action: "cluster.delete", details: { id } }, async () => {
    const c = await requireCluster(db, id);
    await db.cluster.delete({ where: { id } });
    changed(id);
    return { id, name: c.name };
  });
}

export async function setAutoReapply(db: TDb, id: number, enabled: boolean, who: TWho) {
  const before = await db.cluster.findUnique({ where: { id } });
  return auditedChange(
    db,
    who,
    {
      action: "cluster.setAutoReapply",
      cluster: before?.name ?? null,
      before: before ? { autoReapply: before.autoReapply } : undefined,
      details: { id },
      after: () => ({ autoReapply: enabled }),
    },
    async () => {
      await requireCluster(db, id);
      const c = await db.cluster.update({ where: { id }, data: { autoReapply: enabled } });
      changed(id);
      return c;
    },
  );
}

async function requireCluster(db: TDb, id: number) {
  const c = await db.cluster.findUnique({ where: { id } });
  if (!c) throw new AppError("NOT_FOUND", `No cluster with id ${id}`);
  return c;
}

export async function createMember(db: TDb, clusterId: number, input: TMemberInput, who: TWho) {
  return auditedChange(db, who, { action: "member.create", target: input.name, details: { clusterId } }, async () => {
    await requireCluster(db, clusterId);
    const m = await guardUnique(`A member named "${input.name}" in this cluster`, () =>
      db.member.create({ data: { ...input, clusterId } }),
    );
    changed(clusterId);
    return m;
  });
}

export async function updateMember(db: TDb, id: number, input: TMemberInput, who: TWho) {
  return auditedChange(db, who, { action: "member.update", target: input.name, details: { id } }, async () => {
    const existing = await db.member.findUnique({ where: { id } });
    if (!existing) throw new AppError("NOT_FOUND", `No member with id ${id}`);
    const m = await guardUnique(`A member named "${input.name}" in this cluster`, () =>
      db.member.update({ where: { id }, data: input }),
    );
    changed(existing.clusterId);
    return m;
  });
}

export async function deleteMember(db: TDb, id: number, who: TWho): Promise<void> {
  await auditedChange(db, who, { action: "member.delete", details: { id } }, async () => {
    const existing = await db.member.findUnique({ where: { id } });
    if (!existing) throw new AppError("NOT_FOUND", `No member with id ${id}`);
    await db.member.delete({ where: { id } });
    changed(existing.clusterId);
    return { id, name: existing.name };
  });
}

/** The row to write: options checked by the kind's adapter and stored as JSON (absent = left as it is). */
export function frontendData(input: TFrontendInput & { options?: Record<string, unknown> }) {
  const { options, ...rest } = input;
  if (options === undefined) return rest;
  parseFrontendOptions(getFrontendAdapter(input.kind), options);
  return { ...rest, options: JSON.stringify(options) };
}

/** A frontend as answers carry it: never its password, only whether one is stored. */
export function publicFrontend(f: Frontend) {
  const { password, ...rest } = f;
  return { ...rest, hasPassword: Boolean(password) };
}

/**
 * A stored password goes wherever the frontend's URL says: pointing a frontend that keeps one at a new
 * address decides where a credential is sent, which is an admin's call (privileged-settings.ts).
 */
const URL_WITH_KEPT_PASSWORD: TPrivilegedSetting = {
  path: ["urlWithStoredPassword"],
  label: "the address of a frontend whose stored password is kept",
  effect: "send",
};

/** The admin-only settings a frontend write sets or changes (`before` null = a new frontend). */
function frontendPrivilegedChanges(
  before: Frontend | null,
  after: TFrontendInput & { password?: string | null | undefined },
): TPrivilegedSetting[] {
  const stored = before ? { options: JSON.parse(before.options) as unknown } : null;
  const changes = privilegedChanges(getFrontendAdapter(after.kind).privilegedOptions ?? [], stored, after);
  // Kept = no new password given while one is stored.
  const keepsPassword = before?.password && (after.password === undefined || after.password === before.password);
  if (before && keepsPassword && after.url !== before.url) changes.push(URL_WITH_KEPT_PASSWORD);
  return changes;
}

export async function createFrontend(db: TDb, clusterId: number, input: TFrontendInput, who: TWho) {
  return auditedChange(
    db,
    who,
    { action: "frontend.create", target: input.name, details: { clusterId }, after: publicFrontend },
    async () => {
      assertMaySetPrivileged(who, frontendPrivilegedChanges(null, input));
      await requireCluster(db, clusterId);
      const data = { ...frontendData(input), clusterId };
      const f = await guardUnique(`A frontend named "${input.name}" in this cluster`, () =>
        db.frontend.create({ data }),
      );
      changed(clusterId);
      return f;
    },
  ).then(publicFrontend);
}

/**
 * `keepPassword` (the default): an empty or absent password leaves the stored one; false clears it.
 * Keeping it while the URL changes is for admins (see URL_WITH_KEPT_PASSWORD).
 */
export async function updateFrontend(
  db: TDb,
  id: number,
  input: TFrontendInput & { keepPassword?: boolean },
  who: TWho,
) {
  const { keepPassword = true, ...fields } = input;
  return auditedChange(
    db,
    who,
    { action: "frontend.update", target: fields.name, details: { id }, after: publicFrontend },
    async () => {
      const existing = await db.frontend.findUnique({ where: { id } });
      if (!existing) throw new AppError("NOT_FOUND", `No frontend with id ${id}`);
      const password = fields.password ? fields.password : keepPassword ? undefined : null;
      const next = { ...fields, password };
      assertMaySetPrivileged(who, frontendPrivilegedChanges(existing, next));
      const data = frontendData(next);
      const f = await guardUnique(`A frontend named "${fields.name}" in this cluster`, () =>
        db.frontend.update({ where: { id }, data }),
      );
      changed(existing.clusterId);
      return f;
    },
  ).then(publicFrontend);
}

export async function deleteFrontend(db: TDb, id: number, who: TWho): Promise<void> {
  await auditedChange(db, who, { action: "frontend.delete", details: { id } }, async () => {
    const existing = await db.frontend.findUnique({ where: { id } });
    if (!existing) throw new AppError("NOT_FOUND", `No frontend with id ${id}`);
    await db.frontend.delete({ where: { id } });
    changed(existing.clusterId);
    return { id, name: existing.name };
  });
}

/** The cluster as the inventory editor shows it: frontends without passwords (only `hasPassword`). */
export async function getInventory(db: TDb, name: string) {
  const c = await getClusterByName(db, name);
  return { ...c, frontends: c.frontends.map(publicFrontend) };
}

/**
 * Upserts clusters, members and frontends by name, in one transaction: a bad file changes nothing.
 * Entries missing from the file are left alone (an import never deletes what an operator added).
 * Admin-only settings (privileged-settings.ts) that the file sets or changes refuse the whole import
 * unless an admin (or the console's own inventory file) imports it.
 */
export async function importInventory(db: TDb, file: TInventoryFile, who: TWho) {
  return auditedChange(
    db,
    who,
    { action: "cluster.import", details: { clusters: file.clusters.map((c) => c.name) } },
    async () => {
      // "<kept>" (an exported file's secrets) means the stored value.
      const stored = await readInventoryState(
        db,
        file.clusters.map((c) => c.name),
      );
      file = { clusters: resolveKeptSecrets(file, stored) };
      // Options are checked by each kind's adapter before anything is written.
      for (const c of file.clusters) for (const st of c.stores) getStoreAdapter(st.kind).parseOptions(st.options);
      const frontendRows = new Map(file.clusters.flatMap((c) => c.frontends.map((f) => [f, frontendData(f)] as const)));
      assertMaySetPrivileged(who, await importPrivilegedChanges(db, file));
      return writeInventory(db, file, frontendRows);
    },
  );
}

/** The admin-only settings that writing the file's frontends would set or change (kept passwords resolved). */
export async function importPrivilegedChanges(
  db: Pick<TDb, "frontend">,
  file: TInventoryFile,
): Promise<TPrivilegedSetting[]> {
  const found = new Map<string, TPrivilegedSetting>();
  for (const c of file.clusters) {
    for (const f of c.frontends) {
      const existing = await db.frontend.findFirst({ where: { name: f.name, cluster: { name: c.name } } });
      for (const s of frontendPrivilegedChanges(existing, f)) found.set(s.label, s);
    }
  }
  return [...found.values()];
}

async function writeInventory(
  db: TDb,
  file: TInventoryFile,
  frontendRows: Map<TFrontendInput, ReturnType<typeof frontendData>>,
): Promise<{ clusters: number; members: number; frontends: number; stores: number }> {
  let members = 0;
  let frontends = 0;
  let stores = 0;
  await db.$transaction(async (tx) => {
    for (const c of file.clusters) {
      const cluster = await tx.cluster.upsert({
        where: { name: c.name },
        create: { name: c.name, description: c.description },
        update: { description: c.description },
      });
      for (const m of c.members) {
        await tx.member.upsert({
          where: { clusterId_name: { clusterId: cluster.id, name: m.name } },
          create: { ...m, clusterId: cluster.id },
          update: m,
        });
        members++;
      }
      for (const f of c.frontends) {
        const data = frontendRows.get(f)!;
        await tx.frontend.upsert({
          where: { clusterId_name: { clusterId: cluster.id, name: f.name } },
          create: { ...data, clusterId: cluster.id },
          update: data,
        });
        frontends++;
      }
      for (const st of c.stores) {
        await writeStore(tx, cluster.id, st);
        stores++;
      }
    }
  });
  changed(null);
  return { clusters: file.clusters.length, members, frontends, stores };
}

type TTx = Parameters<Parameters<TDb["$transaction"]>[0]>[0];

/** Upserts one session store by name with its nodes (inside the caller's transaction). */
export async function writeStore(tx: TTx, clusterId: number, st: TInventoryFile["clusters"][number]["stores"][number]) {
  const data = {
    kind: st.kind,
    options: JSON.stringify(st.options),
    pollIntervalMs: st.pollIntervalMs,
    timeoutMs: st.timeoutMs,
  };
  const row = await tx.sessionStore.upsert({
    where: { clusterId_name: { clusterId, name: st.name } },
    create: { ...data, name: st.name, clusterId },
    update: data,
  });
  // The file is the list of servers the app uses: nodes not in it go. A node is kept by its name (its
  // stats history hangs on it), with the address given.
  await tx.storeNode.deleteMany({ where: { storeId: row.id, name: { notIn: st.nodes.map((n) => n.name) } } });
  for (const n of st.nodes)
    await tx.storeNode.upsert({
      where: { storeId_name: { storeId: row.id, name: n.name } },
      create: { ...n, storeId: row.id },
      update: { host: n.host, port: n.port },
    });
}

/** The import box and the API: YAML text, parsed and validated inside the audited change. */
export async function importInventoryYaml(db: TDb, yaml: string, who: TWho) {
  return importInventory(db, parseInventoryYaml(yaml), who);
}

/** Parses and validates YAML text; errors name the path of the bad field. */
export function parseInventoryYaml(text: string): TInventoryFile {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new AppError("INVALID_INPUT", `Inventory is not valid YAML: ${(err as Error).message}`);
  }
  const result = ZInventoryFile.safeParse(data);
  if (!result.success) {
    const first = result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new AppError("INVALID_INPUT", `Inventory is invalid: ${first.join("; ")}`, {
      issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return result.data;
}

export async function importInventoryFile(db: TDb, path: string) {
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (err) {
    throw new AppError("INVALID_INPUT", `Cannot read inventory file ${path}: ${(err as Error).message}`);
  }
  // The file the console was started with is the host's own configuration: imported with full rights.
  return importInventory(db, parseInventoryYaml(text), { principal: null, ip: null, system: "inventory file" });
}
