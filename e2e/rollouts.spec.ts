import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { labValue, loadLabEnv } from "../test-support/lab/lab-env";
import { LAB_ROUTES, labFrontends, waitUntilHealthy } from "../test-support/lab/lab-frontends";
import { readBalancer } from "../server/services/frontends/read-frontend";
import { ADMIN, ensureTestUsers, signIn, VIEWER } from "./support/session";

const env = loadLabEnv();
const FRONTENDS = labFrontends(env);
const LAB_DIR = labValue(env, "LAB_DIR");
const versionFile = (route: string) => path.join(LAB_DIR, route, "app-version.txt");
const versions = new Map<string, string>();

test.beforeAll(async ({ request }) => {
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
  for (const r of LAB_ROUTES) versions.set(r, fs.readFileSync(versionFile(r), "utf8"));
});

// The app reads its version file on every request: putting it back is enough.
test.afterAll(() => {
  for (const [r, v] of versions) fs.writeFileSync(versionFile(r), v);
});

test("an admin starts a rollout over every member from the UI, watches the progress bars, and it finishes with every member active", async ({
  page,
}) => {
  const version = `e2e-${Date.now()}`;
  const weights = new Map<string, number>();
  for (const f of FRONTENDS)
    for (const m of (await readBalancer(f.row)).members) weights.set(`${f.name}/${m.key}`, m.loadfactor);

  await signIn(page, ADMIN, "/clusters/lab");
  await page.getByRole("link", { name: "Rollouts" }).click();
  await expect(page.getByRole("heading", { name: "Rollouts of lab" })).toBeVisible();
  const form = page.getByRole("form", { name: "Start a rollout" });
  // Order: tomcat3 first, by keyboard-reachable buttons.
  await form.getByRole("button", { name: "Move tomcat3 up" }).click();
  await form.getByRole("button", { name: "Move tomcat3 up" }).click();
  await form.getByLabel("Wait until").selectOption("safe");
  await form.getByRole("radio", { name: "Command (admin)" }).check();
  // A deploy that changes what the demo page shows (no restart here: the lab integration test restarts Tomcats).
  await form
    .getByRole("textbox", { name: /^Command/ })
    .fill(`echo "deploying $CLUSTERDECK_MEMBER"; echo "${version}" > "${LAB_DIR}/$CLUSTERDECK_ROUTE/app-version.txt"`);
  await form.getByLabel(/^Health path/).fill("/app/health");
  await form.getByLabel(/^Weight ramp/).fill("50,100");
  await form.getByLabel("Seconds per ramp step").fill("2");
  await form.getByRole("button", { name: "Start rollout…" }).click();

  const dialog = page.getByRole("dialog", { name: "Roll 3 member(s) of lab" });
  await expect(dialog).toContainText("tomcat3 → tomcat1 → tomcat2");
  await expect(dialog).toContainText(`Drain on every frontend (${FRONTENDS.length})`);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Start rollout" }).click();

  await page.waitForURL(/\/clusters\/lab\/rollouts\/\d+$/);
  const overall = page.getByRole("progressbar", { name: "Overall progress" });
  await expect(overall).toBeVisible();
  // The first member's bar fills while the last one has not started.
  await expect(page.getByRole("progressbar", { name: "tomcat3 progress" })).toHaveJSProperty("value", 1, {
    timeout: 60_000,
  });
  await expect(page.getByTestId("rollout-state")).toHaveText("done", { timeout: 120_000 });
  await expect(overall).toHaveJSProperty("value", 1);
  for (const m of LAB_ROUTES)
    await expect(page.getByRole("progressbar", { name: `${m} progress` })).toHaveJSProperty("value", 1);
  const timeline = page.getByRole("region", { name: "Timeline" });
  await expect(timeline.getByRole("row").filter({ hasText: "tomcat2" }).filter({ hasText: "deploy" })).toContainText(
    "deploy command exited 0",
  );
  await expect(timeline).toContainText("apache-mod-jk: done");

  // The balancers and the members themselves agree.
  for (const f of FRONTENDS) {
    for (const m of (await readBalancer(f.row)).members) {
      expect(m.adminState, `${m.route} on ${f.name}`).toBe("active");
      expect(m.loadfactor).toBe(weights.get(`${f.name}/${m.key}`));
    }
  }
  for (const r of LAB_ROUTES) {
    const reply = (await (await fetch(`${labValue(env, `LAB_TOMCAT${r.slice(-1)}_URL`)}/counter`)).json()) as {
      version: string;
    };
    expect(reply.version).toBe(version);
  }
  await page.getByRole("link", { name: "Audit entries of this rollout's changes" }).click();
  await expect(
    page
      .getByRole("table", { name: "Audit entries" })
      .getByRole("row", { name: /member\.drain tomcat3 ok/ })
      .first(),
  ).toBeVisible();
});

test("a viewer sees rollouts but cannot start one", async ({ page }) => {
  await signIn(page, VIEWER, "/clusters/lab/rollouts");
  await expect(page.getByRole("region", { name: "Rollouts" })).toBeVisible();
  await expect(page.getByText("Starting a rollout needs the operator role.")).toBeVisible();
  await expect(page.getByRole("form", { name: "Start a rollout" })).toHaveCount(0);
});
