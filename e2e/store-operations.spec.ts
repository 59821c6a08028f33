import { expect, test } from "@playwright/test";
import { labStoreEndpoints, seedMemcachedSessions } from "./lab/seed-sessions";
import { loadLabEnv } from "../test-support/lab/lab-env";
import { ensureTestUsers, OPERATOR, signIn } from "./support/session";
import { MemcachedTextClient } from "../server/adapters/stores/memcached-text/client";
import { backupKey, backupValidityKey, sessionKey, validityKey } from "../server/adapters/stores/memcached-msm/keys";

const [n1, n2] = labStoreEndpoints().memcached as [
  { id: string; host: string; port: number },
  { id: string; host: string; port: number },
];
const n3Port = Number(loadLabEnv().LAB_MEMCACHED3_PORT ?? 11313);

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

test("an operator replaces memcached n1 by the spare n3 from the browser: dry run, confirm, 100%, the config change; n3 holds n1's keys", async ({
  page,
}) => {
  const truth = await seedMemcachedSessions([n1, n2], { sessions: 400, flush: true, sampleSize: 400 });
  const onN1 = truth.sample.filter((s) => s.node === "n1").map((s) => s.id);
  const a = new MemcachedTextClient({ host: n1.host, port: n1.port, timeoutMs: 5_000 });
  const b = new MemcachedTextClient({ host: "127.0.0.1", port: n3Port, timeoutMs: 5_000 });
  try {
    await b.writeNoReply(Buffer.from("flush_all noreply\r\n"));
    await signIn(page, OPERATOR, "/clusters/lab/sessions");
    const form = page.getByRole("form", { name: "Replace a store server" });
    await form.getByLabel("Store").selectOption("msm");
    await form.getByLabel("Node").selectOption("n1");
    await form.getByLabel("New server (host:port)").fill(`127.0.0.1:${n3Port}`);
    await form.getByRole("button", { name: "Dry run" }).click();
    await expect(page.getByRole("status", { name: "Dry run progress" })).toContainText(
      `dry run: ${truth.keysPerNode.n1} of ${truth.keysPerNode.n1} session keys of n1 would be copied`,
      { timeout: 30_000 },
    );
    expect(await b.metaGet(onN1[0]!)).toBeNull(); // the dry run wrote nothing

    await page.getByRole("button", { name: "Replace n1 now…" }).click();
    const dialog = page.getByRole("dialog", { name: "Replace the server behind msm/n1" });
    await expect(dialog).toContainText(`Copies ${truth.keysPerNode.n1} session keys of n1 to 127.0.0.1:${n3Port}`);
    await dialog.getByRole("button", { name: "Copy now" }).click();
    const status = page.getByRole("status", { name: "Replacement progress" });
    await expect(status).toContainText(`every session key of n1 is on 127.0.0.1:${n3Port}`, { timeout: 60_000 });
    const bar = status.getByRole("progressbar", { name: "Replacement progress" });
    await expect(bar).toHaveAttribute("value", (await bar.getAttribute("max"))!);
    await expect(status).toContainText("(100%)");
    await expect(page.getByRole("list", { name: "Configuration change" })).toContainText(
      `memcachedNodes="n1:127.0.0.1:${n3Port},n2:${n2.host}:${n2.port}"`,
    );

    // The store, not the page: every session of n1 on n3 with the same bytes, and still on n1.
    for (const id of onN1) {
      for (const key of [sessionKey(id), validityKey(id)]) {
        const [from, to] = await Promise.all([a.metaGet(key), b.metaGet(key)]);
        expect(to?.value?.equals(from!.value!), key).toBe(true);
      }
    }
  } finally {
    await b.writeNoReply(Buffer.from("flush_all noreply\r\n")); // leave the spare empty
    a.close();
    b.close();
  }
});

test("an operator expires a located session from the browser: dry run lists its keys, then they are gone from every node", async ({
  page,
}) => {
  const truth = await seedMemcachedSessions([n1, n2], { sessions: 200, flush: true, sampleSize: 200 });
  const [victim, bystander] = truth.sample.filter((s) => s.node === "n1").map((s) => s.id) as [string, string];
  const clients = [n1, n2].map((n) => new MemcachedTextClient({ host: n.host, port: n.port, timeoutMs: 5_000 })) as [
    MemcachedTextClient,
    MemcachedTextClient,
  ];
  try {
    await signIn(page, OPERATOR, "/clusters/lab/sessions");
    await page.getByLabel(/JSESSIONID value, Cookie header/).fill(victim);
    await page.getByRole("button", { name: "Locate" }).click();
    await expect(page.getByRole("region", { name: "Location" })).toContainText("memcached node n1", {
      timeout: 15_000,
    });

    await page.getByLabel("Session ids (one or more)").fill(victim);
    await page.getByRole("button", { name: "Expire session…" }).click();
    const dialog = page.getByRole("dialog", { name: "Expire session" });
    const row = dialog.getByRole("row", { name: `${victim}: will be removed` });
    await expect(row).toBeVisible({ timeout: 30_000 });
    for (const key of [sessionKey(victim), validityKey(victim), backupKey(victim), backupValidityKey(victim)])
      await expect(row).toContainText(key);
    expect(await clients[0].metaGet(victim)).not.toBeNull(); // the dry run removed nothing

    await dialog.getByRole("button", { name: "Expire now" }).click();
    await expect(dialog.getByRole("row", { name: `${victim}: removed` })).toBeVisible({ timeout: 30_000 });
    expect(await clients[0].metaGet(sessionKey(victim))).toBeNull();
    expect(await clients[0].metaGet(validityKey(victim))).toBeNull();
    expect(await clients[1].metaGet(backupKey(victim))).toBeNull();
    expect(await clients[1].metaGet(backupValidityKey(victim))).toBeNull();
    expect(await clients[0].metaGet(sessionKey(bystander))).not.toBeNull();
    expect(await clients[1].metaGet(backupKey(bystander))).not.toBeNull();
  } finally {
    for (const c of clients) c.close();
  }
});
