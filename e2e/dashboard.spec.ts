import { expect, test, type Page } from "@playwright/test";
import { labCommand, labValue, loadLabEnv } from "./lab/lab-env";
import { startTraffic } from "./lab/traffic";
import { readBalancer, type TFrontendRow } from "../server/services/read-frontend";
import type { THealth } from "../server/domain/member-state";

const env = loadLabEnv();
const POLL_MS = 2000;
const FRONTENDS: Array<{ name: string; row: TFrontendRow }> = [
  { name: "apache-balancer", row: { kind: "apache-balancer", url: labValue(env, "LAB_BALANCER_MANAGER_URL"), balancer: "tomcats", username: null, password: null, timeoutMs: 3000 } },
  { name: "apache-mod-jk", row: { kind: "mod-jk", url: labValue(env, "LAB_JKSTATUS_URL"), balancer: "lb", username: null, password: null, timeoutMs: 3000 } },
];
const MEMBERS = ["tomcat1", "tomcat2", "tomcat3"];

function stateCell(page: Page, member: string, frontend: string) {
  return page.locator(`td[data-member="${member}"][data-frontend="${frontend}"]`);
}

/** Asks the balancer itself (not the console) what health it gives a member. */
async function balancerHealth(row: TFrontendRow, route: string): Promise<THealth | undefined> {
  const b = await readBalancer(row);
  return b.members.find((m) => m.route === route)?.health;
}

test.describe.configure({ mode: "serial" });

test("from an empty database the lab cluster appears, goes failing when a Tomcat dies and recovers, live", async ({ page }) => {
  // The overview lists the lab cluster imported from the lab's inventory file.
  await page.goto("/");
  const card = page.getByRole("link", { name: /^Cluster lab:/ });
  await expect(card).toBeVisible({ timeout: 30_000 });
  await card.click();
  await expect(page.getByRole("heading", { level: 1, name: /lab/ })).toBeVisible();

  // Three healthy members on both frontends, as the balancers themselves say.
  for (const member of MEMBERS) {
    for (const f of FRONTENDS) {
      await expect(stateCell(page, member, f.name)).toHaveAttribute("aria-label", `${member} on ${f.name}: active, healthy`, { timeout: 30_000 });
      expect(await balancerHealth(f.row, member)).toBe("healthy");
    }
  }
  const frontendsTable = page.getByRole("table").filter({ has: page.getByText("Frontends", { exact: true }) });
  await expect(frontendsTable.getByText("up", { exact: true })).toHaveCount(2);

  // Anything below happens without a reload: mark the document and check the mark at the end.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  const traffic = startTraffic({ users: 12, ratePerSec: 24, durationMs: 200_000, targets: [`${labValue(env, "LAB_FRONTEND_A_URL")}/counter`, `${labValue(env, "LAB_FRONTEND_B_URL")}/counter`] });
  try {
    await labCommand("kill-member", "tomcat2");

    // The console must follow each balancer within two poll intervals of the balancer noticing.
    for (const f of FRONTENDS) {
      await expect.poll(() => balancerHealth(f.row, "tomcat2"), { timeout: 60_000, intervals: [250] }).toBe("failing");
      await expect(stateCell(page, "tomcat2", f.name)).toHaveAttribute("aria-label", /tomcat2 on .*: active, (failing|recovering)/, { timeout: 2 * POLL_MS + 500 });
    }
    await expect(page.getByRole("row", { name: "Member tomcat2" }).getByText("failing").first()).toBeVisible();

    await labCommand("start-member", "tomcat2");
    for (const f of FRONTENDS) {
      await expect.poll(() => balancerHealth(f.row, "tomcat2"), { timeout: 120_000, intervals: [500] }).toBe("healthy");
      await expect(stateCell(page, "tomcat2", f.name)).toHaveAttribute("aria-label", "tomcat2 on " + f.name + ": active, healthy", { timeout: 2 * POLL_MS + 500 });
    }
  } finally {
    await traffic.stop();
  }

  // The charts have drawn lines from real data points.
  const requestsChart = page.getByRole("figure", { name: "Requests per second" });
  await expect.poll(async () => Number(await requestsChart.getAttribute("data-points")), { timeout: 30_000 }).toBeGreaterThan(3);
  await expect(requestsChart.locator("path.recharts-line-curve").first()).toHaveAttribute("d", /L/);
  await expect(page.getByRole("figure", { name: /Busy/ }).locator("path.recharts-line-curve")).toHaveCount(3);

  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});
