import { expect, test } from "@playwright/test";
import { labCommand, loadLabEnv } from "../test-support/lab/lab-env";
import { labFrontends, waitUntilHealthy } from "../test-support/lab/lab-frontends";
import { ensureTestUsers, OPERATOR, signIn, VIEWER } from "./support/session";

const FRONTENDS = labFrontends(loadLabEnv());

test.beforeAll(async ({ request }) => {
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
});

test.afterAll(async () => {
  await labCommand("start-member", "tomcat3");
  await waitUntilHealthy(FRONTENDS);
});

test("the alerts page shows a firing alert after a Tomcat is killed, and an operator silences it and lifts the silence", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, OPERATOR, "/alerts");
  await page.goto("/alerts?cluster=lab");
  await expect(page.getByRole("heading", { name: "Alerts" })).toBeVisible();

  // A short delay, set from the rules panel (audited like any setting).
  const rule = page.getByRole("row", { name: "Rule Member failing" });
  await rule.getByLabel("Member failing: delay in seconds").fill("2");
  await rule.getByRole("button", { name: "Save" }).click();
  await expect(rule).toContainText(`set by ${OPERATOR.username}`);

  await labCommand("kill-member", "tomcat3");
  // HAProxy's own health checks see the dead Tomcat without traffic (httpd and mod_jk need a failed request).
  const alert = page.getByRole("row", {
    name: "firing ClusterDeckMemberFailing: Member tomcat3 is failing on haproxy",
  });
  await expect(alert).toBeVisible({ timeout: 45_000 });
  await alert.getByText(/Member tomcat3 is failing/).click(); // opens the description
  await expect(alert).toContainText("Check the Tomcat");

  await alert.getByRole("button", { name: "Silence…" }).click();
  const dialog = page.getByRole("dialog", { name: "Silence: Member tomcat3 is failing on haproxy" });
  await expect(dialog).toContainText("member=tomcat3, frontend=haproxy");
  await expect(dialog.getByRole("button", { name: "Silence" })).toBeDisabled(); // a reason is required
  await dialog.getByLabel("Reason").fill("tomcat3 is being rebuilt");
  await dialog.getByRole("button", { name: "Silence" }).click();
  await expect(dialog).toBeHidden();
  await expect(alert).toContainText("silenced until");
  const silences = page.getByRole("table", { name: "Active silences" });
  await expect(silences).toContainText("tomcat3 is being rebuilt");

  await silences.getByRole("button", { name: "Lift" }).first().click();
  await expect(page.getByText("No active silence: every firing alert is sent.")).toBeVisible();

  // Put the rule back to its default.
  await rule.getByLabel("Member failing: delay in seconds").fill("30");
  await rule.getByRole("button", { name: "Save" }).click();
  await expect(rule.getByRole("button", { name: "Save" })).toBeDisabled();
});

test("a viewer reads alerts but gets no buttons that change anything", async ({ page }) => {
  await signIn(page, VIEWER, "/alerts");
  await page.goto("/alerts?cluster=lab");
  await expect(page.getByRole("heading", { name: "Rules of lab" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Silence…" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Send test" })).toHaveCount(0);
  await expect(page.getByLabel("Member failing: delay in seconds")).toBeDisabled();
});
