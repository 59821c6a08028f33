import { expect, test } from "@playwright/test";
import { labStoreEndpoints, seedMemcachedSessions } from "./lab/seed-sessions";
import { ensureTestUsers, OPERATOR, signIn } from "./support/session";
import { MemcachedTextClient } from "../server/adapters/stores/memcached-text/client";
import { backupKey, backupValidityKey } from "../server/adapters/stores/memcached-msm/keys";

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

test("locate a session from the browser by pasting its Cookie header; per-node counts shown", async ({ page }) => {
  // Known sessions in the lab's memcached nodes, in MSM's layout (the stores are disposable).
  const truth = await seedMemcachedSessions(labStoreEndpoints().memcached, {
    sessions: 300,
    flush: true,
    sampleSize: 5,
  });
  const sample = truth.sample[0]!;
  const route = sample.id.slice(sample.id.indexOf(".") + 1);

  // An operator, who may read what a session holds (a viewer's locate hides it: roles.spec.ts).
  await signIn(page, OPERATOR, "/clusters/lab");
  await page.getByRole("link", { name: "Sessions" }).click();
  // The index may predate the seeding (a scan in flight, or one less than 30 s old): ask for a fresh one.
  await page.getByRole("button", { name: "Rescan now" }).click();
  await page.getByLabel(/JSESSIONID value, Cookie header/).fill(`Cookie: lang=en; JSESSIONID=${sample.id}`);
  await page.getByRole("button", { name: "Locate" }).click();

  const where = page.getByRole("region", { name: "Location" });
  await expect(where).toContainText(`memcached node ${sample.node}`, { timeout: 15_000 });
  await expect(where).toContainText(`member ${route}`);
  const copies = where.getByRole("table", { name: "Copies in the stores" });
  const other = sample.node === "n1" ? "n2" : "n1";
  await expect(copies.getByRole("row", { name: `msm ${sample.node} session` })).toBeVisible();
  await expect(copies.getByRole("row", { name: `msm ${sample.node} validity` })).toBeVisible();
  await expect(copies.getByRole("row", { name: `msm ${other} backup`, exact: true })).toBeVisible();
  await expect(copies.getByRole("row", { name: `msm ${other} backup-validity` })).toBeVisible();
  // The stored value decodes: the seeded session's one attribute.
  await expect(
    where.getByRole("table", { name: "Attributes in msm" }).getByRole("row", { name: "attribute user" }),
  ).toContainText(/"user\d+"/);
  await expect(
    where
      .getByRole("table", { name: "Routing per frontend" })
      .getByRole("row", { name: new RegExp(`^apache-balancer: served by ${route}`) }),
  ).toBeVisible();

  // Counts equal what was seeded.
  await expect(page.getByLabel("msm total")).toHaveText(truth.sessions.toLocaleString("en-US"), { timeout: 30_000 });
  for (const [node, n] of Object.entries(truth.sessionsPerNode)) {
    await expect(
      page
        .getByRole("row", { name: `msm node ${node}`, exact: true })
        .locator("td")
        .nth(1), // after the state badge
    ).toHaveText(n.toLocaleString("en-US"));
  }
});

test("an operator evacuates memcached n1 from the browser: dry run, then the progress bar reaches 100%", async ({
  page,
}) => {
  const nodes = labStoreEndpoints().memcached;
  const truth = await seedMemcachedSessions(nodes, { sessions: 400, flush: true, sampleSize: 400 });
  const onN1 = truth.sample.filter((s) => s.node === "n1").map((s) => s.id);
  const n2 = new MemcachedTextClient({ host: nodes[1]!.host, port: nodes[1]!.port, timeoutMs: 5_000 });
  try {
    for (const id of onN1) await n2.metaDelete(backupKey(id)); // sessions that would be lost with n1

    await signIn(page, OPERATOR, "/clusters/lab/sessions");
    await page.getByRole("row", { name: "msm node n1" }).getByRole("button", { name: "Evacuate n1…" }).click();
    const dialog = page.getByRole("dialog", { name: "Evacuate node n1 (msm)" });
    await dialog.getByRole("button", { name: "Dry run" }).click();
    const status = dialog.getByRole("status", { name: "Evacuation progress" });
    await expect(status).toContainText(`dry run: ${onN1.length} of`, { timeout: 30_000 });
    expect(await n2.metaGet(backupKey(onN1[0]!))).toBeNull();

    await dialog.getByRole("button", { name: "Evacuate now" }).click();
    await expect(status).toContainText("n1 is safe to take down", { timeout: 60_000 });
    const bar = dialog.getByRole("progressbar", { name: "Evacuation progress" });
    const max = await bar.getAttribute("max");
    await expect(bar).toHaveAttribute("value", max!);
    for (const id of onN1) {
      expect((await n2.metaGet(backupKey(id)))?.value, `bak:${id}`).toBeTruthy();
      expect((await n2.metaGet(backupValidityKey(id)))?.value).toBeTruthy();
    }
  } finally {
    n2.close();
  }
});
