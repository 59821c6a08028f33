/**
 * `clusterdeck session expire` and `clusterdeck store replace-node` through the real REST handler against
 * the lab's stores (seeded; the spare n3 flushed before and after). The CLI runs in-process (run()), so
 * the operations it starts run in this process too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labValue, loadLabEnv } from "@/test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions } from "@/e2e/lab/seed-sessions";
import { MemcachedTextClient } from "@/server/adapters/stores/memcached-text/client";
import { createTestDb } from "@/test-support/test-db";
import { createCliTokens, serveRestApi } from "@/test-support/rest-server";
import { importInventoryFile } from "@/server/services/inventory/inventory";
import { run } from "@/server/cli/main";
import type { PrismaClient } from "@/generated/prisma/client";

const env = loadLabEnv();
const [n1, n2] = labStoreEndpoints().memcached as [
  { id: string; host: string; port: number },
  { id: string; host: string; port: number },
];
const n3Port = Number(labValue(env, "LAB_MEMCACHED3_PORT"));

let db: PrismaClient;
let cleanup: () => Promise<void>;
let api: { url: string; close: () => Promise<void> };
let token = "";
const a = new MemcachedTextClient({ host: n1.host, port: n1.port, timeoutMs: 5_000 });
const b = new MemcachedTextClient({ host: "127.0.0.1", port: n3Port, timeoutMs: 5_000 });

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    out: (t) => (stdout += `${t}\n`),
    err: (t) => (stderr += `${t}\n`),
    env: { ...process.env, CLUSTERDECK_URL: api.url, CLUSTERDECK_TOKEN: token },
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  ({ db, cleanup } = await createTestDb());
  await importInventoryFile(db, labValue(env, "LAB_INVENTORY"));
  token = (await createCliTokens(db)).operator;
  api = await serveRestApi(db);
  await b.writeNoReply(Buffer.from("flush_all noreply\r\n"));
});
afterAll(async () => {
  await b.writeNoReply(Buffer.from("flush_all noreply\r\n"));
  a.close();
  b.close();
  await api.close();
  await cleanup();
});

describe("clusterdeck session expire / store replace-node (lab)", { timeout: 90_000 }, () => {
  it("expire: a dry run by default, --apply removes, an unknown id is reported not found; exit 0", async () => {
    const truth = await seedMemcachedSessions([n1, n2], { sessions: 100, flush: true, sampleSize: 100 });
    const id = truth.sample.find((s) => s.node === "n1")!.id;
    const dry = await cli("session", "expire", id, "--cluster", "lab");
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`${id}: found (4 keys)`);
    expect(await a.metaGet(id)).not.toBeNull();

    const unknown = "00000000000000000000000000000000-n1.tomcat1";
    const real = await cli("session", "expire", id, unknown, "--cluster", "lab", "--apply");
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain(`${id}: removed (4 keys)`);
    expect(real.stdout).toContain(`${unknown}: not-found (0 keys)`);
    expect(await a.metaGet(id)).toBeNull();
  });

  it("replace-node: --apply copies n1 to n3, prints the config change, exit 0; a bad address is a usage error (2)", async () => {
    const truth = await seedMemcachedSessions([n1, n2], { sessions: 100, flush: true, sampleSize: 100 });
    const res = await cli("store", "replace-node", "msm", "n1", `127.0.0.1:${n3Port}`, "--cluster", "lab", "--apply");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`memcachedNodes="n1:127.0.0.1:${n3Port},n2:${n2.host}:${n2.port}"`);
    const id = truth.sample.find((s) => s.node === "n1")!.id;
    expect((await b.metaGet(id))!.value!.equals((await a.metaGet(id))!.value!)).toBe(true);

    expect((await cli("store", "replace-node", "msm", "n1", "nonsense", "--cluster", "lab")).code).toBe(2);
    expect((await cli("store", "replace-node", "msm", "n1", `${n2.host}:${n2.port}`, "--cluster", "lab")).code).toBe(2);
  });
});
