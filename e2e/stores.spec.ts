import { expect, test, type Page } from "@playwright/test";
import { labCommand } from "../test-support/lab/lab-env";
import { labStoreEndpoints, seedMemcachedSessions } from "./lab/seed-sessions";
import { ensureTestUsers, signIn, VIEWER } from "./support/session";

/** The lab inventory leaves store polls at the default 10 s, with a 3 s timeout. */
const STORE_POLL_MS = 10_000;
const STORE_TIMEOUT_MS = 3_000;

const nodeRow = (page: Page, node: string) =>
  page.getByRole("region", { name: "Session stores" }).getByRole("row", { name: `msm node ${node}`, exact: true });

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

test("the cluster page shows the session stores with live stats; the sessions page charts a node's memory and hit ratio, and a killed memcached node turns down there within two store polls, without reload", async ({
  page,
}) => {
  // 300 sessions: n1 holds 150 primaries (id + validity:) and the bak: pairs of n2's 150 = 600 items.
  await seedMemcachedSessions(labStoreEndpoints().memcached, { sessions: 300, flush: true });

  await signIn(page, VIEWER, "/clusters/lab");
  const n1 = nodeRow(page, "n1");
  // Up: "ok", or "warning" when an earlier spec's flushes left memcached counting misses (the hit-ratio rule
  // reads memcached's own get_hits/get_misses, which the console's scans of flushed keys move too).
  const UP = /^(ok|warning)$/;
  await expect(n1.locator(".badge")).toHaveText(UP, { timeout: 30_000 });
  // Cells after the node name: state, sessions, items, memory, hit ratio, …; items is memcached's curr_items.
  await expect(n1.getByRole("cell").nth(2)).toHaveText("600", { timeout: 2 * STORE_POLL_MS + 5_000 });
  await expect(n1.getByRole("cell").nth(3)).toContainText("/"); // used / limit

  await page.getByRole("link", { name: "Sessions" }).click();
  const charts = page.getByRole("region", { name: "Store nodes over time" });
  for (const title of ["Memory used vs limit", "Hit ratio"]) {
    const chart = charts.getByRole("figure", { name: title });
    await expect(chart).toBeVisible({ timeout: 30_000 });
    await expect
      .poll(async () => Number(await chart.getAttribute("data-points")), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  }

  // From here on without a reload: the page is marked, and the mark must survive.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  const row = nodeRow(page, "n1");
  await expect(row.locator(".badge")).toHaveText(UP);
  await labCommand("kill-store", "n1");
  try {
    const killedAt = Date.now();
    await expect(row.locator(".badge")).toHaveText("down", { timeout: 2 * STORE_POLL_MS + STORE_TIMEOUT_MS });
    await expect(row.locator(".badge")).toHaveClass(/\bdown\b/);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(2 * STORE_POLL_MS + STORE_TIMEOUT_MS);
  } finally {
    await labCommand("start-store", "n1");
  }
  await expect(row.locator(".badge")).not.toHaveText("down", { timeout: 2 * STORE_POLL_MS + STORE_TIMEOUT_MS });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});
