import { expect, test } from "@playwright/test";
import { labStoreEndpoints, seedMemcachedSessions } from "./lab/seed-sessions";
import { ensureTestUsers, signIn, VIEWER } from "./support/session";

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

test("locate a session from the browser by pasting its Cookie header; per-node counts shown", async ({ page }) => {
  // Known sessions in the lab's memcached nodes, in MSM's layout (the stores are disposable).
  const truth = await seedMemcachedSessions(labStoreEndpoints().memcached, { sessions: 300, flush: true, sampleSize: 5 });
  const sample = truth.sample[0]!;
  const route = sample.id.slice(sample.id.indexOf(".") + 1);

  await signIn(page, VIEWER, "/clusters/lab");
  await page.getByRole("link", { name: "Sessions" }).click();
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
  await expect(where.getByRole("table", { name: "Routing per frontend" }).getByRole("row", { name: new RegExp(`^apache-balancer: served by ${route}`) })).toBeVisible();

  // Counts equal what was seeded.
  await expect(page.getByLabel("msm total")).toHaveText(truth.sessions.toLocaleString("en-US"), { timeout: 30_000 });
  for (const [node, n] of Object.entries(truth.sessionsPerNode)) {
    await expect(page.getByRole("row", { name: `msm node ${node}` }).locator("td").first()).toHaveText(n.toLocaleString("en-US"));
  }
});
