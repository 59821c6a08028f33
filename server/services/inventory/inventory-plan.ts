import { z } from "zod";
import { ZJsonValue, type TJsonValue } from "@/server/domain/json-value";
import { REDACTED, SECRET_FIELD } from "@/server/domain/redact";
import { sameValue } from "@/server/domain/privileged-settings";
import type { TInventoryCluster } from "@/server/services/inventory/inventory-state";

export const ZFieldChange = z.object({
  field: z.string().describe("the field, dotted under options (options.includeFile)"),
  before: ZJsonValue.describe("the stored value (null when absent); credentials as [redacted]"),
  after: ZJsonValue.describe("the file's value (null when removed); credentials as [redacted]"),
});
export const ZPlanChange = z.object({
  op: z.enum(["add", "change", "remove"]),
  kind: z.enum(["cluster", "member", "frontend", "store"]),
  cluster: z.string(),
  name: z.string(),
  fields: z.array(ZFieldChange).describe("for add and change: every field set or changed"),
});
export const ZInventoryPlan = z.object({
  changes: z.array(ZPlanChange),
  summary: z.object({ add: z.number().int(), change: z.number().int(), remove: z.number().int() }),
  prune: z.boolean().describe("whether members, frontends and stores the file leaves out are removed"),
});
export type TFieldChange = z.infer<typeof ZFieldChange>;
export type TPlanChange = z.infer<typeof ZPlanChange>;
export type TInventoryPlan = z.infer<typeof ZInventoryPlan>;

type TRecord = Record<string, unknown>;

/** Only whether a credential is set, never what it is: plans are answered and audited. */
function shown(field: string, v: unknown): TJsonValue {
  const last = field.split(".").pop() ?? field;
  if (SECRET_FIELD.test(last)) return v === null || v === undefined || v === "" ? null : REDACTED;
  return (v ?? null) as TJsonValue;
}

/** A credential's "none" is null or "" alike. */
const norm = (field: string, v: unknown) => (field === "password" && v === "" ? null : (v ?? null));

/**
 * The fields `after` sets differently from `before` (null = a new record). A field the file leaves out
 * (undefined) is kept as stored, as the import does; `options`, when given, replaces the stored options
 * whole, so each key is compared and a key the file drops becomes null.
 */
function changedFields(before: TRecord | null, after: TRecord, keys: readonly string[]): TFieldChange[] {
  const out: TFieldChange[] = [];
  const push = (field: string, b: unknown, a: unknown) => {
    if (!sameValue(norm(field, b), norm(field, a)))
      out.push({ field, before: shown(field, b), after: shown(field, a) });
  };
  for (const k of keys) if (after[k] !== undefined) push(k, before?.[k], after[k]);
  const opts = after.options as TRecord | undefined;
  if (opts !== undefined) {
    const prev = (before?.options ?? {}) as TRecord;
    for (const k of [...new Set([...Object.keys(prev), ...Object.keys(opts)])].sort())
      push(`options.${k}`, prev[k], opts[k]);
  }
  return out;
}

const MEMBER_FIELDS = ["route", "host", "httpPort", "ajpPort"] as const;
const FRONTEND_FIELDS = ["kind", "url", "balancer", "username", "password", "pollIntervalMs", "timeoutMs", "enabled"];
const STORE_FIELDS = ["kind", "pollIntervalMs", "timeoutMs", "nodes"] as const;

/** Store nodes compared as one list (the file is the list of servers the application uses). */
const storeRecord = (s: TInventoryCluster["stores"][number]): TRecord => ({
  ...s,
  nodes: s.nodes.map((n) => `${n.name}=${n.host}:${n.port}`).sort(),
});

function diffChildren<T extends { name: string }>(
  kind: TPlanChange["kind"],
  cluster: string,
  stored: readonly T[],
  wanted: readonly T[],
  toRecord: (x: T) => TRecord,
  keys: readonly string[],
  prune: boolean,
): TPlanChange[] {
  const out: TPlanChange[] = [];
  const byName = new Map(stored.map((x) => [x.name, x]));
  for (const w of wanted) {
    const s = byName.get(w.name);
    const fields = changedFields(s ? toRecord(s) : null, toRecord(w), keys);
    if (!s) out.push({ op: "add", kind, cluster, name: w.name, fields });
    else if (fields.length) out.push({ op: "change", kind, cluster, name: w.name, fields });
  }
  if (prune) {
    const listed = new Set(wanted.map((w) => w.name));
    for (const s of stored)
      if (!listed.has(s.name)) out.push({ op: "remove", kind, cluster, name: s.name, fields: [] });
  }
  return out;
}

/**
 * What applying `desired` to `current` changes, field by field (pure). Clusters the file does not list
 * are never touched, not even with prune: a file for one cluster must not remove the others; prune
 * removes, inside the clusters the file lists, the members, frontends and stores it leaves out.
 */
export function planInventory(
  current: readonly TInventoryCluster[],
  desired: readonly TInventoryCluster[],
  prune: boolean,
): TInventoryPlan {
  const changes: TPlanChange[] = [];
  const stored = new Map(current.map((c) => [c.name, c]));
  for (const d of desired) {
    const c = stored.get(d.name);
    const fields = changedFields(c ? { description: c.description } : null, { description: d.description }, [
      "description",
    ]);
    if (!c) changes.push({ op: "add", kind: "cluster", cluster: d.name, name: d.name, fields });
    else if (fields.length) changes.push({ op: "change", kind: "cluster", cluster: d.name, name: d.name, fields });
    const id = <T>(x: T) => x as TRecord;
    changes.push(
      ...diffChildren("member", d.name, c?.members ?? [], d.members, id, MEMBER_FIELDS, prune),
      ...diffChildren("frontend", d.name, c?.frontends ?? [], d.frontends, id, FRONTEND_FIELDS, prune),
      ...diffChildren("store", d.name, c?.stores ?? [], d.stores, storeRecord, STORE_FIELDS, prune),
    );
  }
  const count = (op: TPlanChange["op"]) => changes.filter((x) => x.op === op).length;
  return { changes, summary: { add: count("add"), change: count("change"), remove: count("remove") }, prune };
}
