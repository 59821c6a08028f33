import { appRouter } from "@/server/api/root";

/**
 * Every procedure of the API, with the role it needs and an input, for the tests that call each one as
 * anonymous / viewer / operator / admin (server/api/auth.test.ts without a lab, server/api/roles.int.test.ts
 * against it with leak checks). Both fail when a procedure of the router is missing here, so a new one
 * cannot skip them. Mutations always aim at things that do not exist (a cluster "nosuch", id 999999):
 * past the role check they fail for their own reason and change nothing; queries read `t`'s targets.
 */
export type TNeeds = "public" | "viewer" | "operator" | "admin";

export interface TTargets {
  cluster: string;
  member: string;
  /** A session id to locate and search for. */
  sessionId: string;
  /** A rollout of `rolloutCluster` to read. */
  rolloutCluster: string;
  rolloutId: number;
  operationId: number;
}

export interface TProcedureCase {
  needs: TNeeds;
  input: (t: TTargets) => unknown;
}

const NOSUCH = "nosuch";
const NO_ID = 999_999;
const noMember = { cluster: NOSUCH, member: "tomcat2" };
const frontendData = { name: "f", kind: "mod-jk", url: "http://127.0.0.1:1/jkstatus", balancer: "lb" };

export const PROCEDURES: Record<string, TProcedureCase> = {
  "cluster.overview": { needs: "viewer", input: () => ({}) },
  "cluster.get": { needs: "viewer", input: (t) => ({ name: t.cluster }) },
  "cluster.inventory": { needs: "viewer", input: (t) => ({ name: t.cluster }) },
  "cluster.history": { needs: "viewer", input: (t) => ({ name: t.cluster, range: "15m" }) },
  "cluster.create": { needs: "operator", input: () => ({ name: "roles-table", description: "" }) },
  "cluster.update": { needs: "operator", input: () => ({ name: NOSUCH, data: { name: "x", description: "" } }) },
  "cluster.delete": { needs: "operator", input: () => ({ name: NOSUCH }) },
  "cluster.setAutoReapply": { needs: "operator", input: () => ({ name: NOSUCH, enabled: true }) },
  "cluster.import": { needs: "operator", input: () => ({ yaml: "clusters: []" }) },
  "inventory.exportFile": { needs: "operator", input: () => ({}) },
  "inventory.planFile": { needs: "operator", input: () => ({ yaml: "clusters: []" }) },
  "inventory.applyFile": { needs: "operator", input: () => ({ yaml: "clusters: []" }) },
  "member.create": {
    needs: "operator",
    input: () => ({ clusterId: NO_ID, data: { name: "t", route: "t", host: "127.0.0.1" } }),
  },
  "member.update": {
    needs: "operator",
    input: () => ({ id: NO_ID, data: { name: "t", route: "t", host: "127.0.0.1" } }),
  },
  "member.delete": { needs: "operator", input: () => ({ id: NO_ID }) },
  "member.drain": { needs: "operator", input: () => noMember },
  "member.disable": { needs: "operator", input: () => noMember },
  "member.stop": { needs: "operator", input: () => noMember },
  "member.standby": { needs: "operator", input: () => noMember },
  "member.enable": { needs: "operator", input: () => noMember },
  "member.setWeight": { needs: "operator", input: () => ({ ...noMember, weight: 2 }) },
  "member.setSetting": {
    needs: "operator",
    input: () => ({ ...noMember, setting: { name: "route", value: "t2" } }),
  },
  "member.reapply": { needs: "operator", input: () => noMember },
  "member.safeToStop": { needs: "viewer", input: (t) => ({ cluster: t.cluster, member: t.member }) },
  "member.impact": { needs: "viewer", input: (t) => ({ cluster: t.cluster, member: t.member, verb: "drain" }) },
  "member.bulk.run": { needs: "operator", input: () => ({ cluster: NOSUCH, verb: "drain", members: ["tomcat2"] }) },
  "member.bulk.impact": {
    needs: "viewer",
    input: (t) => ({ cluster: t.cluster, verb: "drain", members: [t.member] }),
  },
  "frontend.kinds": { needs: "viewer", input: () => undefined },
  "frontend.setBalancerSetting": {
    needs: "operator",
    input: () => ({ cluster: NOSUCH, frontend: "apache-balancer", name: "timeout", value: "5" }),
  },
  "frontend.create": { needs: "operator", input: () => ({ clusterId: NO_ID, data: frontendData }) },
  "frontend.update": { needs: "operator", input: () => ({ id: NO_ID, data: frontendData }) },
  "frontend.delete": { needs: "operator", input: () => ({ id: NO_ID }) },
  "live.cluster": { needs: "viewer", input: (t) => ({ name: t.cluster }) },
  "live.overview": { needs: "viewer", input: () => undefined },
  "live.stores": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "auth.me": { needs: "public", input: () => undefined },
  "auth.login": { needs: "public", input: () => ({ username: "nobody", password: "not-the-password" }) },
  "auth.logout": { needs: "public", input: () => undefined },
  "auth.changePassword": {
    needs: "viewer",
    input: () => ({ currentPassword: "not-the-current-one", newPassword: "a-new-long-password" }),
  },
  "token.list": { needs: "admin", input: () => undefined },
  "token.create": { needs: "admin", input: () => ({ name: "roles-table", role: "viewer", expiresInDays: 1 }) },
  "token.revoke": { needs: "admin", input: () => ({ id: NO_ID }) },
  "user.list": { needs: "admin", input: () => undefined },
  "user.create": {
    needs: "admin",
    input: () => ({ username: "roles-table", password: "long-enough-password", role: "viewer" }),
  },
  "user.setRole": { needs: "admin", input: () => ({ id: NO_ID, role: "viewer" }) },
  "user.disable": { needs: "admin", input: () => ({ id: NO_ID }) },
  "user.enable": { needs: "admin", input: () => ({ id: NO_ID }) },
  "user.setPassword": { needs: "admin", input: () => ({ id: NO_ID, password: "long-enough-password" }) },
  "audit.list": { needs: "viewer", input: () => ({ limit: 500 }) },
  "session.list": { needs: "viewer", input: (t) => ({ cluster: t.cluster, q: t.sessionId.slice(0, 12) }) },
  "session.rescan": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "session.locate": { needs: "viewer", input: (t) => ({ cluster: t.cluster, session: t.sessionId }) },
  "session.rehoming": { needs: "viewer", input: (t) => ({ cluster: t.cluster, member: t.member }) },
  "session.counts": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "session.expire": { needs: "operator", input: (t) => ({ cluster: NOSUCH, ids: [t.sessionId], dryRun: true }) },
  "store.list": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "store.status": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "store.history": { needs: "viewer", input: (t) => ({ cluster: t.cluster, range: "15m" }) },
  "store.evacuateNode": {
    needs: "operator",
    input: () => ({ cluster: NOSUCH, store: "msm", node: "n1", dryRun: true }),
  },
  "store.replaceNode": {
    needs: "operator",
    input: () => ({ cluster: NOSUCH, store: "msm", node: "n1", host: "127.0.0.1", port: 11313, dryRun: true }),
  },
  "operation.get": { needs: "viewer", input: (t) => ({ id: t.operationId }) },
  "operation.list": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "rollout.start": { needs: "operator", input: () => ({ cluster: NOSUCH, deploy: { kind: "manual" } }) },
  "rollout.list": { needs: "viewer", input: (t) => ({ cluster: t.rolloutCluster }) },
  "rollout.get": { needs: "viewer", input: (t) => ({ cluster: t.rolloutCluster, id: t.rolloutId }) },
  "rollout.pause": { needs: "operator", input: () => ({ cluster: NOSUCH, id: 1 }) },
  "rollout.resume": { needs: "operator", input: () => ({ cluster: NOSUCH, id: 1 }) },
  "rollout.abort": { needs: "operator", input: () => ({ cluster: NOSUCH, id: 1 }) },
  "rollout.continue": { needs: "operator", input: () => ({ cluster: NOSUCH, id: 1 }) },
  "alert.list": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "alert.acknowledge": { needs: "operator", input: () => ({ id: NO_ID }) },
  "alert.rules": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "alert.setRule": {
    needs: "operator",
    input: () => ({ cluster: NOSUCH, rule: "drift", enabled: true, forSeconds: 60, threshold: null }),
  },
  "alert.silences": { needs: "viewer", input: (t) => ({ cluster: t.cluster }) },
  "alert.silence": {
    needs: "operator",
    input: () => ({
      cluster: NOSUCH,
      matchers: { member: "tomcat2" },
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      reason: "roles table",
    }),
  },
  "alert.expireSilence": { needs: "operator", input: () => ({ id: NO_ID }) },
  "alert.receivers": { needs: "viewer", input: () => ({}) },
  "alert.createReceiver": {
    needs: "admin",
    input: () => ({
      name: "roles-table",
      kind: "webhook",
      url: "http://127.0.0.1:9/hook",
      secret: "a-secret-of-16-chars",
    }),
  },
  "alert.updateReceiver": { needs: "admin", input: () => ({ id: NO_ID, enabled: false }) },
  "alert.deleteReceiver": { needs: "admin", input: () => ({ id: NO_ID }) },
  "alert.testReceiver": { needs: "operator", input: () => ({ id: NO_ID }) },
  "alert.deliveries": { needs: "viewer", input: () => ({ state: "dead" }) },
  "alert.retryDelivery": { needs: "operator", input: () => ({ id: NO_ID }) },
};

interface TProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; meta?: { openapi?: { method: string; path: string } } };
}

/** Every procedure the router serves (tRPC), read from the router itself. */
export function routerProcedures(): Array<{ path: string; type: TProcedureDef["_def"]["type"] }> {
  return Object.entries(appRouter._def.procedures).map(([path, p]) => ({
    path,
    type: (p as unknown as TProcedureDef)._def.type,
  }));
}

/** The procedures also served as REST (/api/v1), with their method and path template. */
export function restProcedures(): Array<{ path: string; method: string; template: string }> {
  return Object.entries(appRouter._def.procedures).flatMap(([path, p]) => {
    const o = (p as unknown as TProcedureDef)._def.meta?.openapi;
    return o ? [{ path, method: o.method, template: o.path }] : [];
  });
}

/** A REST request for a procedure's input: {params} filled in, the rest as query string (GET) or JSON body. */
export function restRequestFor(
  method: string,
  template: string,
  input: unknown,
): { url: string; body: string | undefined } {
  const rest: Record<string, unknown> = { ...(input as Record<string, unknown> | undefined) };
  const url = template.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = rest[k];
    delete rest[k];
    return encodeURIComponent(String(v));
  });
  if (method === "GET") {
    const qs = new URLSearchParams(
      Object.entries(rest).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ).toString();
    return { url: qs ? `${url}?${qs}` : url, body: undefined };
  }
  return { url, body: JSON.stringify(rest) };
}

export const RANK: Record<TNeeds, number> = { public: -1, viewer: 0, operator: 1, admin: 2 };
