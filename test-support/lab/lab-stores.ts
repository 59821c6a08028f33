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
