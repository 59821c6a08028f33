import { expect, test } from "@playwright/test";
import {
  balancerAdminState,
  expectedAdminState,
  LAB_ROUTES,
  labFrontends,
  labRouteOf,
  waitUntilHealthy,
  type TLabFrontend,
} from "../test-support/lab/lab-frontends";
import { readBalancer, toTarget } from "../server/services/frontends/read-frontend";
import { getFrontendAdapter } from "../server/adapters/registry";
import type { TAdminState } from "../server/domain/member-state";
import { ensureTestUsers, OPERATOR, signIn } from "./support/session";

const FRONTENDS = labFrontends();

/** Sets a member's state on one frontend only, behind the console's back (as someone on its status page would). */
async function setOnOneFrontend(f: TLabFrontend, route: string, state: TAdminState): Promise<void> {
  const adapter = getFrontendAdapter(f.row.kind);
  const balancer = await readBalancer(f.row);
  const m = balancer.members.find((o) => labRouteOf(o) === route);
  if (!m) throw new Error(`${f.name} does not list ${route}`);
  await adapter.setAdminState(toTarget(f.row), balancer, m.key, state);
}

test.use({ viewport: { width: 1280, height: 800 } });

test.beforeAll(async ({ request }) => {
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
});

test("at 1,280 × 800 every member's action menu is on screen without scrolling sideways, and works by keyboard", async ({
  page,
}) => {
  await signIn(page, OPERATOR, "/clusters/lab");
  const table = page.getByRole("table", { name: "Members" });
  await expect(table).toBeVisible({ timeout: 30_000 });
  for (const route of LAB_ROUTES) {
    const button = page.getByRole("button", { name: `Actions for ${route}` });
    await expect(button).toBeInViewport();
    const box = (await button.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  expect(await page.locator(".matrix-scroll").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);

  // Keyboard alone: the menu opens on Enter with focus on its first item, arrows move, Escape closes.
  await page.getByRole("button", { name: "Actions for tomcat1" }).focus();
  await page.keyboard.press("ArrowDown"); // to the same control of the next member
  await expect(page.getByRole("button", { name: "Actions for tomcat2" })).toBeFocused();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu", { name: "Actions for tomcat2" });
  await expect(menu.getByRole("menuitem").first()).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitem").nth(1)).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Actions for tomcat2" })).toBeFocused();
});

test("the filter 'Frontends disagree' shows exactly the member drained on one frontend only", async ({ page }) => {
  // The first frontend whose kind drains (nginx has no drain).
  const one = FRONTENDS.find((f) => getFrontendAdapter(f.row.kind).observedStateFor("draining") === "draining")!;
  await signIn(page, OPERATOR, "/clusters/lab");
  await expect(page.getByRole("table", { name: "Members" })).toBeVisible({ timeout: 30_000 });
  await setOnOneFrontend(one, "tomcat2", "draining");
  try {
    expect(await balancerAdminState(one, "tomcat2")).toBe("draining");
    await page.getByRole("checkbox", { name: "Frontends disagree" }).check();
    const rows = page.locator("[data-member-row]");
    await expect(rows).toHaveCount(1, { timeout: 10_000 });
    await expect(rows.first()).toHaveAttribute("data-member-row", "tomcat2");
    await expect(page.locator(`td[data-member="tomcat2"][data-frontend="${one.name}"]`)).toHaveAttribute(
      "aria-label",
      /draining/,
    );
    await expect(page.getByRole("search", { name: "Filter members" }).getByRole("status")).toHaveText(
      `1 of ${LAB_ROUTES.length} members`,
    );
  } finally {
    await setOnOneFrontend(one, "tomcat2", "active");
  }
  // Back in step: the filter shows no member.
  await expect(page.getByText("No member matches this filter.")).toBeVisible({ timeout: 10_000 });
});

test("an operator drains two members in one bulk action and enables them again; the balancers follow", async ({
  page,
}) => {
  await signIn(page, OPERATOR, "/clusters/lab");
  await expect(page.getByRole("table", { name: "Members" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("checkbox", { name: "Select tomcat1" }).check();
  await page.getByRole("checkbox", { name: "Select tomcat2" }).check();
  const bar = page.getByRole("group", { name: "Selected members" });
  await expect(bar).toContainText("2 selected");

  await bar.getByRole("button", { name: "Drain selected…" }).click();
  const dialog = page.getByRole("dialog", { name: "Drain 2 members on every frontend?" });
  await expect(dialog).toBeVisible();
  // One confirmation with the combined impact: share of requests, members left active per frontend.
  await expect(dialog).toContainText(/2 members (took [\d.]+% of requests|have had no measured traffic)/);
  const perFrontend = dialog.getByRole("table", { name: "Members left active per frontend" });
  for (const f of FRONTENDS) {
    const after = expectedAdminState(f, "draining") === "draining" ? 1 : 3;
    await expect(perFrontend.getByRole("row", { name: `${f.name}: ${after} of 3 active after` })).toBeVisible();
  }
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Drain 2 members" }).click();

  const result = page.getByRole("status", { name: "Result of member.bulk.drain" });
  await expect(result).toContainText("2 of 2 member(s) confirmed on every frontend", { timeout: 30_000 });
  for (const member of ["tomcat1", "tomcat2"])
    for (const f of FRONTENDS) {
      const drains = expectedAdminState(f, "draining") === "draining";
      await expect(
        result.getByRole("cell", { name: `${member} on ${f.name}: ${drains ? "done" : "unsupported"}` }),
      ).toBeVisible();
      expect(await balancerAdminState(f, member)).toBe(expectedAdminState(f, "draining"));
    }
  expect(await balancerAdminState(FRONTENDS[0]!, "tomcat3")).toBe("active");

  await bar.getByRole("button", { name: "Enable selected…" }).click();
  const enable = page.getByRole("dialog", { name: "Enable 2 members on every frontend?" });
  await enable.getByRole("button", { name: "Enable 2 members" }).click();
  await expect(page.getByRole("status", { name: "Result of member.bulk.enable" })).toContainText(
    "2 of 2 member(s) confirmed on every frontend",
    { timeout: 30_000 },
  );
  for (const member of ["tomcat1", "tomcat2"])
    for (const f of FRONTENDS) expect(await balancerAdminState(f, member)).toBe("active");

  // One audit entry per bulk request, with the per-member results.
  await page.getByRole("link", { name: "Audit log" }).click();
  const entries = page.getByRole("table", { name: "Audit entries" });
  await expect(entries.getByRole("row", { name: /member\.bulk\.drain tomcat1, tomcat2 ok/ }).first()).toContainText(
    OPERATOR.username,
  );
});
