import { expect, test, type Page } from "@playwright/test";
import { labCommand } from "../test-support/lab/lab-env";
import { sendNewSessionRequests, startTraffic } from "./lab/traffic";
import { balancerHealth, LAB_ROUTES, labFrontends, waitUntilHealthy } from "../test-support/lab/lab-frontends";
import { ensureTestUsers, signIn, VIEWER } from "./support/session";

const POLL_MS = 2000;
const FRONTENDS = labFrontends();

function stateCell(page: Page, member: string, frontend: string) {
  return page.locator(`td[data-member="${member}"][data-frontend="${frontend}"]`);
}

test.beforeAll(async ({ request }) => {
  // A known start: every member usable on every frontend (an earlier run may have left one in error).
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
});

test("from an empty database the lab cluster appears, goes failing when a Tomcat dies and recovers, live", async ({
  page,
}) => {
  // The overview lists the lab cluster imported from the lab's inventory file (a viewer may look).
  await signIn(page, VIEWER);
  const card = page.getByRole("link", { name: /^Cluster lab:/ });
  await expect(card).toBeVisible({ timeout: 30_000 });
  await card.click();
  await expect(page.getByRole("heading", { level: 1, name: /lab/ })).toBeVisible();

  // Three healthy members on every frontend, as the balancers themselves say.
  for (const member of LAB_ROUTES) {
    for (const f of FRONTENDS) {
      await expect(stateCell(page, member, f.name)).toHaveAttribute(
        "aria-label",
        `${member} on ${f.name}: active, healthy`,
        { timeout: 30_000 },
      );
      expect(await balancerHealth(f, member)).toBe("healthy");
    }
  }
  await expect(page.getByRole("row", { name: /^Frontend / }).getByText("up", { exact: true })).toHaveCount(
    FRONTENDS.length,
  );

  // Anything below happens without a reload: mark the document and check the mark at the end.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  const traffic = startTraffic({
    users: 12,
    ratePerSec: 24,
    durationMs: 200_000,
    targets: FRONTENDS.map((f) => f.appUrl),
  });
  try {
    await labCommand("kill-member", "tomcat2");

    // The console must follow each balancer within two poll intervals of the balancer noticing.
    for (const f of FRONTENDS) {
      await expect
        .poll(
          async () => {
            await sendNewSessionRequests(f.appUrl, 2);
            return balancerHealth(f, "tomcat2");
          },
          { timeout: 60_000, intervals: [250] },
        )
        .toBe("failing");
      await expect(stateCell(page, "tomcat2", f.name)).toHaveAttribute(
        "aria-label",
        /tomcat2 on .*: active, (failing|recovering)/,
        { timeout: 2 * POLL_MS + 500 },
      );
    }
    await expect(page.getByRole("row", { name: "Member tomcat2" }).getByText(/^fail/).first()).toBeVisible();

    await labCommand("start-member", "tomcat2");
    for (const f of FRONTENDS) {
      // Sticky users stay where they are; only new sessions make a balancer retry the member.
      await expect
        .poll(
          async () => {
            await sendNewSessionRequests(f.appUrl, 3);
            return balancerHealth(f, "tomcat2");
          },
          { timeout: 120_000, intervals: [500] },
        )
        .toBe("healthy");
      await expect(stateCell(page, "tomcat2", f.name)).toHaveAttribute(
        "aria-label",
        `tomcat2 on ${f.name}: active, healthy`,
        { timeout: 2 * POLL_MS + 500 },
      );
    }
  } finally {
    await traffic.stop();
  }

  // The charts have drawn lines from real data points.
  const requestsChart = page.getByRole("figure", { name: "Requests per second" });
  await expect
    .poll(async () => Number(await requestsChart.getAttribute("data-points")), { timeout: 30_000 })
    .toBeGreaterThan(3);
  await expect(requestsChart.locator("path.recharts-line-curve").first()).toHaveAttribute("d", /^M[^MCL]+[CL]/); // a line through several points, not a lone dot
  // The busiest members (all three here) and the cluster's total.
  await expect(page.getByRole("figure", { name: /Busy/ }).locator("path.recharts-line-curve")).toHaveCount(4);

  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});

test("the cluster page arrives with its member rows in the HTML, and hydrates without errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, VIEWER);
  // The server's own answer, before any script runs: the rows are there (no "Loading…" first).
  const html = await (await page.request.get("/clusters/lab")).text();
  for (const member of LAB_ROUTES) expect(html).toContain(`aria-label="Member ${member}"`);
  expect(html).not.toContain("Loading lab…");
  await page.goto("/clusters/lab");
  for (const member of LAB_ROUTES) await expect(page.getByRole("row", { name: `Member ${member}` })).toBeVisible();
  // Let the stream's snapshot and a poll or two arrive, then look at the console.
  await page.waitForTimeout(2 * POLL_MS);
  expect(errors.filter((e) => /hydrat|did not match|Minified React error/i.test(e))).toEqual([]);
});
