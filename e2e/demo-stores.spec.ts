import { expect, test } from "@playwright/test";
import { startTraffic } from "./lab/traffic";
import { demoTargets } from "./lab/demo-targets";
import { ensureTestUsers, signIn, VIEWER } from "./support/session";

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

// The store each context of the lab app writes to (the redisson store holds seeded bench data only).
const STORE_OF: Record<string, string> = {
  app: "app-replicas",
  msm: "msm",
  redis: "redis-sessions",
  jdbc: "jdbc",
  backup: "backup-replicas",
  rebind: "rebind-replicas",
  sticky: "msm-sticky",
};
const LIVE_STORES = ["msm", "redis-sessions", "jdbc", "backup-replicas", "rebind-replicas", "msm-sticky"];

test("the demo's traffic, started as npm run demo starts it, fills every session store within two minutes", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const targets = demoTargets();
  const traffic = startTraffic({ users: targets.length, ratePerSec: 16, durationMs: 150_000, targets });
  try {
    await signIn(page, VIEWER, "/clusters/lab/sessions");
    // The scan runs while someone looks; its totals grow as the users' sessions are written.
    for (const store of LIVE_STORES)
      await expect(async () => {
        const text = (await page.getByLabel(`${store} total`).textContent()) ?? "0";
        expect(Number(text.replace(/,/g, "")), `${store} total`).toBeGreaterThan(0);
      }).toPass({ timeout: 120_000, intervals: [2_000] });
    // Every user of every context got answers and kept its session...
    const report = await traffic.stop();
    for (const u of report.users) expect(u.requests, u.target).toBeGreaterThan(0);
    expect(report.ok, JSON.stringify(report.totals)).toBe(true);
    // ...and each user's session is in its context's store (looked up by id, as locate does).
    for (const u of report.users) {
      const context = new URL(u.target).pathname.split("/")[1]!;
      const id = u.sessionIds.at(-1)!;
      const res = await page.request.get(`/api/v1/clusters/lab/sessions/locate?session=${encodeURIComponent(id)}`);
      expect(res.status(), u.target).toBe(200);
      const located = (await res.json()) as { copies: Array<{ store: string }> };
      expect(
        located.copies.map((c) => c.store),
        `${u.target} (${id})`,
      ).toContain(STORE_OF[context]);
    }
  } finally {
    await traffic.stop();
  }
});
