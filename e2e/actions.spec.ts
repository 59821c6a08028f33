import { expect, test } from "@playwright/test";
import {
  balancerAdminState,
  expectedAdminState,
  frontendNote,
  labFrontends,
  waitUntilHealthy,
} from "../test-support/lab/lab-frontends";
import { ensureTestUsers, OPERATOR, signIn, VIEWER } from "./support/session";

const FRONTENDS = labFrontends();

test.beforeAll(async ({ request }) => {
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
});

test("an operator drains and re-enables tomcat2 from the UI; every frontend follows; the audit log shows both", async ({
  page,
}) => {
  await signIn(page, OPERATOR, "/clusters/lab");
  const actions = page.getByRole("button", { name: "Actions for tomcat2" });
  await expect(actions).toBeVisible({ timeout: 30_000 });
  const menu = page.getByRole("menu", { name: "Actions for tomcat2" });
  await actions.click();
  // mod_jk has no standby, so the UI offers only what every frontend of the cluster can do.
  await expect(menu.getByRole("menuitem", { name: "Drain" })).toBeVisible();
  await expect(menu.getByRole("menuitem", { name: "Standby" })).toHaveCount(0);

  await menu.getByRole("menuitem", { name: "Drain" }).click();
  const dialog = page.getByRole("dialog", { name: "Drain tomcat2 on every frontend?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(/tomcat2 (takes \d+% of requests|has had no measured traffic)/);
  await expect(dialog).toContainText("after this, 2 of 3 members stay active");
  // Frontends that cannot drain say why, in their kind's own words.
  for (const f of FRONTENDS) {
    const note = frontendNote(f, "draining");
    if (note) await expect(dialog.getByRole("list", { name: "Frontend limits" })).toContainText(`${f.name}: ${note}`);
  }
  // Focus starts on Cancel: Enter alone does not drain.
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Drain tomcat2" }).click();

  const result = page.getByRole("status", { name: "Result of member.drain tomcat2" });
  await expect(result).toContainText("done on every frontend", { timeout: 15_000 });
  // Ask the balancers themselves. A kind without a drain (nginx) says so and keeps the member in rotation.
  for (const f of FRONTENDS) {
    const drains = expectedAdminState(f, "draining") === "draining";
    await expect(result.getByRole("row", { name: `${f.name}: ${drains ? "done" : "unsupported"}` })).toBeVisible();
    expect(await balancerAdminState(f, "tomcat2")).toBe(expectedAdminState(f, "draining"));
  }
  await expect(page.locator('td[data-member="tomcat2"][data-frontend="apache-mod-jk"]')).toHaveAttribute(
    "aria-label",
    /draining/,
    { timeout: 5_000 },
  );

  await actions.click();
  await menu.getByRole("menuitem", { name: "Enable" }).click();
  const enableDialog = page.getByRole("dialog", { name: "Enable tomcat2 on every frontend?" });
  await enableDialog.getByRole("button", { name: "Enable tomcat2" }).click();
  await expect(page.getByRole("status", { name: "Result of member.enable tomcat2" })).toContainText(
    "done on every frontend",
    { timeout: 15_000 },
  );
  for (const f of FRONTENDS) expect(await balancerAdminState(f, "tomcat2")).toBe("active");

  await page.getByRole("link", { name: "Audit log" }).click();
  const entries = page.getByRole("table", { name: "Audit entries" });
  await expect(entries.getByRole("row", { name: /member\.enable tomcat2 ok/ }).first()).toContainText(
    OPERATOR.username,
  );
  await expect(entries.getByRole("row", { name: /member\.drain tomcat2 ok/ }).first()).toContainText(
    "apache-mod-jk: done",
  );
  // The filter narrows to one action.
  await page.getByLabel("Action (prefix)").fill("member.drain");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(entries.getByRole("row", { name: /member\.enable/ })).toHaveCount(0);
  await expect(entries.getByRole("row", { name: /member\.drain tomcat2/ }).first()).toBeVisible();
});

test("a viewer sees the cluster but no action buttons", async ({ page }) => {
  await signIn(page, VIEWER, "/clusters/lab");
  await expect(page.locator('td[data-member="tomcat2"][data-frontend="apache-balancer"]')).toBeVisible({
    timeout: 30_000,
  });
  await expect(page.getByRole("button", { name: /^Actions for / })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^(Drain|Disable|Stop|Enable)/ })).toHaveCount(0);
  await expect(page.getByRole("columnheader", { name: "Actions" })).toHaveCount(0);
  await expect(page.getByRole("checkbox", { name: /^Select / })).toHaveCount(0);
  // What a kind does not offer is explained beside its frontend (nginx: no drain), for viewers too.
  for (const f of FRONTENDS) {
    const note = frontendNote(f, "draining");
    if (note) await expect(page.getByRole("row", { name: `Frontend ${f.name}` })).toContainText(`draining: ${note}`);
  }
});
