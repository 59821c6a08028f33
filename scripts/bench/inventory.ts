import { loadLabEnv } from "@/test-support/lab/lab-env";
import type { labStoreEndpoints } from "@/e2e/lab/seed-sessions";

type TTarget = { kind: "memcached" | "redis"; host: string; port: number };

/**
 * The bench's inventory: cluster `bench` (three members, the MSM store on n1/n2 that holds the seeded
 * sessions), cluster `redis-bench` (a Redis store on r1 for the Redis rows) and cluster `fleet` (nine more stores of two nodes each over the lab's memcached n1–n3 and
 * Redis r1–r3, nobody viewing them), so the store poller polls 20 store nodes as a mid-size site would.
 */
export function fleetInventory(ep: ReturnType<typeof labStoreEndpoints>): {
  yaml: string;
  bareYaml: string;
  pollTargets: TTarget[];
} {
  let env: Record<string, string> = {};
  try {
    env = loadLabEnv();
  } catch {
    env = {};
  }
  const host = "127.0.0.1";
  const mc = [ep.memcached[0]!.port, ep.memcached[1]!.port, Number(env.LAB_MEMCACHED3_PORT ?? 11313)];
  const rd = [16379, 16380, 16381].map((d, i) => Number(env[`LAB_REDIS${i + 1}_PORT`] ?? d));
  const targets: TTarget[] = [
    { kind: "memcached", host, port: mc[0]! },
    { kind: "memcached", host, port: mc[1]! },
  ];
  // redis-bench's node (the Redis rows of the bench) is polled too.
  targets.push({ kind: "redis", host, port: rd[0]! });
  const stores: string[] = [];
  for (let s = 0; s < 9; s++) {
    const redis = s >= 5;
    const ports = redis ? rd : mc;
    const pair = [ports[s % 3]!, ports[(s + 1) % 3]!];
    for (const port of pair) targets.push({ kind: redis ? "redis" : "memcached", host, port });
    const nodes = pair
      .map((port, i) => `{ name: ${redis ? "r" : "m"}${s}${i}, host: ${host}, port: ${port} }`)
      .join(", ");
    stores.push(
      redis
        ? `      - { name: redis-${s}, kind: redis, options: { layout: redisson }, nodes: [${nodes}] }`
        : `      - { name: msm-${s}, kind: memcached-msm, nodes: [${nodes}] }`,
    );
  }
  const members = ["tomcat1", "tomcat2", "tomcat3"]
    .map((m, i) => `      - { name: ${m}, route: ${m}, host: ${host}, httpPort: ${28081 + i} }`)
    .join("\n");
  const yaml = `clusters:
  - name: bench
    members:
${members}
    stores:
      - { name: msm, kind: memcached-msm, nodes: [{ name: n1, host: ${host}, port: ${mc[0]} }, { name: n2, host: ${host}, port: ${mc[1]} }] }
  - name: redis-bench
    members: []
    stores:
      - { name: redis, kind: redis, options: { layout: redisson }, nodes: [{ name: r1, host: ${host}, port: ${rd[0]} }] }
  - name: fleet
    members: []
    stores:
${stores.join("\n")}
`;
  const bareYaml = `clusters:\n  - name: bench\n    members:\n${members}\n`;
  return { yaml, bareYaml, pollTargets: targets };
}
