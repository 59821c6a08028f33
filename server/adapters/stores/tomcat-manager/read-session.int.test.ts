/**
 * Session times through the Manager app's JMX proxy, from the lab's /app (DeltaManager: every Tomcat
 * holds every session; only Date.toString() times): a session made by a real request, read back.
 */
import { describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { tomcatManagerAdapter } from "@/server/adapters/stores/tomcat-manager";
import type { TStoreConfig } from "@/server/adapters/stores/adapter";

const env = loadLabEnv();

describe("tomcat-manager readSession against the lab", () => {
  it("gives a session's creation and last access; none for an id no Tomcat holds", async () => {
    const store: TStoreConfig = {
      name: "app-replicas",
      kind: "tomcat-manager",
      nodes: [1, 2, 3].map((n) => ({
        id: `tomcat${n}`,
        host: "127.0.0.1",
        port: Number(labValue(env, `LAB_TOMCAT${n}_HTTP_PORT`)),
      })),
      options: tomcatManagerAdapter.parseOptions({
        context: "/app",
        username: labValue(env, "LAB_MANAGER_USER"),
        password: labValue(env, "LAB_MANAGER_PASSWORD"),
      }),
    };
    const before = Date.now();
    const res = await fetch(`http://127.0.0.1:${labValue(env, "LAB_TOMCAT2_HTTP_PORT")}/app/counter`);
    const { sessionId } = (await res.json()) as { sessionId: string };
    expect(sessionId).toMatch(/\.tomcat2$/);

    const located = await tomcatManagerAdapter.locate(store, sessionId);
    expect(located.copies.map((c) => [c.node, c.role])).toContainEqual(["tomcat2", "session"]);
    const detail = located.detail;
    expect(detail).not.toBeNull();
    expect(detail!.node).toBe("tomcat2"); // the Tomcat its route names, while it holds it
    expect(detail!.decodeError).toBeNull();
    // Date.toString() has whole seconds: allow the second the request started in.
    expect(detail!.creationTime!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(detail!.creationTime!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(detail!.lastAccessedTime!.getTime()).toBeGreaterThanOrEqual(detail!.creationTime!.getTime());

    expect(await tomcatManagerAdapter.locate(store, "0123456789ABCDEF0123456789ABCDEF.tomcat2")).toEqual({
      copies: [],
      detail: null,
    });
    // The Manager MBean's figures for every Tomcat.
    for (const node of store.nodes) {
      const r = await tomcatManagerAdapter.readNodeStats(store, node, 5000);
      expect(r.items).toBeGreaterThanOrEqual(1);
      expect(r.counters.created).toBeGreaterThanOrEqual(r.items);
      expect(r.details).toMatchObject({ state: "STARTED" });
    }
  });
});
