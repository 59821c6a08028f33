import net from "node:net";
import { labValue } from "@/test-support/lab/lab-env";

/**
 * Empties the lab's memcached nodes of the msm store (LAB_MEMCACHED_NODES). For tests whose subject is not
 * the store but whose checks read it: sessions other tests seeded, or left without their backup copy
 * when a store test restarted a node, would make a "safe to stop" wait pause on sessions nobody uses.
 */
export async function flushLabMemcached(env: Record<string, string>): Promise<void> {
  const nodes = labValue(env, "LAB_MEMCACHED_NODES")
    .split(",")
    .map((spec) => spec.split(":"));
  await Promise.all(nodes.map(([, host, port]) => flushAll(host!, Number(port))));
}

function flushAll(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port }, () => socket.write("flush_all\r\n"));
    let reply = "";
    socket.setTimeout(5_000, () => socket.destroy(new Error(`memcached ${host}:${port}: no answer to flush_all`)));
    socket.on("data", (d) => {
      reply += d.toString("latin1");
      if (!reply.endsWith("\r\n")) return;
      socket.end();
      if (reply.startsWith("OK")) resolve();
      else reject(new Error(`memcached ${host}:${port}: flush_all answered ${reply.trim()}`));
    });
    socket.on("error", reject);
  });
}

/**
 * Expires every session of one context on every lab Tomcat (the Manager app's text interface,
 * `expire?idle=0`), so a test's counts start from its own users: sessions in Tomcat memory outlive a
 * test run by their 30-minute timeout.
 */
export async function expireLabContextSessions(env: Record<string, string>, context: string): Promise<void> {
  const auth = Buffer.from(`${labValue(env, "LAB_MANAGER_USER")}:${labValue(env, "LAB_MANAGER_PASSWORD")}`).toString(
    "base64",
  );
  for (const n of [1, 2, 3]) {
    const url = `${labValue(env, `LAB_TOMCAT${n}_MANAGER_URL`)}/text/expire?path=${encodeURIComponent(context)}&idle=0`;
    const answer = await (await fetch(url, { headers: { Authorization: `Basic ${auth}` } })).text();
    if (!answer.startsWith("OK")) throw new Error(`tomcat${n}: expire ${context} answered ${answer.split("\n")[0]}`);
  }
}
