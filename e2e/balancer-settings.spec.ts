import { expect, request as playwrightRequest, test } from "@playwright/test";
import { labFrontends, waitUntilHealthy } from "../test-support/lab/lab-frontends";
import { labRow } from "../test-support/lab/lab-frontend-actions";
import {
  BALANCER_MANAGER_CLEAN,
  rawBalancerManagerSettings,
  restoreBalancerManagerSettings,
} from "../test-support/lab/lab-balancer-settings";
import { ADMIN, apiSignIn, ensureTestUsers, OPERATOR, signIn, VIEWER } from "./support/session";
import { clusterdeck } from "./support/clusterdeck";

const FRONTENDS = labFrontends();
const bm = labRow("apache-balancer");

/** Puts httpd's balancer back by raw requests and checks its own page shows the lab's values again. */
async function restore(): Promise<void> {
  expect(await restoreBalancerManagerSettings(bm.url, bm.balancer)).toEqual(BALANCER_MANAGER_CLEAN);
}

// The console's smallest supported screen: the panel with its new column and the dialog must fit it.
test.use({ viewport: { width: 1280, height: 800 } });

test.beforeAll(async ({ request }) => {
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
  await restore();
});
test.afterAll(restore);

test("an operator changes balancer tomcats' maxattempts from the frontends panel; httpd's own page shows it", async ({
  page,
}) => {
  try {
    await signIn(page, OPERATOR, "/clusters/lab");
    const row = page.getByRole("row", { name: "Frontend apache-balancer", exact: true });
    const open = row.getByRole("button", { name: "Balancer settings…" });
    await expect(open).toBeVisible({ timeout: 30_000 });
    // Only kinds with balancer settings get the button: mod_jk does, HAProxy does not.
    await expect(page.getByRole("row", { name: "Frontend apache-mod-jk", exact: true }).getByRole("button")).toHaveText(
      "Balancer settings…",
    );
    await expect(page.getByRole("row", { name: "Frontend haproxy", exact: true }).getByRole("button")).toHaveCount(0);

    // Escape closes it (the native modal), and focus starts on Cancel.
    await open.click();
    const dialog = page.getByRole("dialog", { name: "Balancer tomcats on apache-balancer" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();

    await open.click();
    await expect(dialog).toBeVisible();
    for (const box of [await dialog.boundingBox(), await row.boundingBox()]) {
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    }
    // Exactly httpd's four settings, pre-filled with what the poll read.
    await expect(dialog.getByRole("combobox", { name: /^lbmethod/ })).toHaveValue("byrequests");
    await expect(dialog.getByRole("combobox", { name: /^nofailover/ })).toHaveValue("off");
    await expect(dialog.getByRole("textbox", { name: /^timeout/ })).toHaveValue("0");
    const maxattempts = dialog.getByRole("textbox", { name: /^maxattempts/ });
    await expect(maxattempts).toHaveValue("2");
    await expect(dialog.getByRole("textbox")).toHaveCount(2);
    await expect(dialog.getByRole("combobox")).toHaveCount(2);

    // A value the server would refuse is named beside its field, and nothing can be sent.
    await maxattempts.fill("100");
    await expect(dialog).toContainText("maxattempts must be a whole number from 0 to 99");
    await expect(dialog.getByRole("button", { name: "Review…" })).toBeDisabled();

    await maxattempts.fill("3");
    await dialog.getByRole("button", { name: "Review…" }).click();
    await expect(dialog.getByRole("note")).toContainText(
      "maxattempts 2 → 3: changes how apache-balancer balances every request of balancer tomcats",
    );
    await expect(dialog.getByRole("heading", { name: "Confirm this change" })).toBeFocused();
    expect(await rawBalancerManagerSettings(bm.url)).toEqual(BALANCER_MANAGER_CLEAN); // nothing sent before Apply
    await dialog.getByRole("button", { name: "Apply" }).click();

    const result = page.getByRole("status", { name: "Result of balancer settings on apache-balancer" });
    await expect(result).toContainText("Balancer settings on apache-balancer: done", { timeout: 15_000 });
    await expect(result.getByRole("row", { name: "maxattempts: done" })).toContainText(
      "done (confirmed by reading it back)",
    );
    await expect(dialog).toBeHidden();
    // httpd's own page, not the console's word for it.
    expect(await rawBalancerManagerSettings(bm.url)).toEqual({ ...BALANCER_MANAGER_CLEAN, maxattempts: "3" });
  } finally {
    await restore();
  }
});

test("a viewer sees the frontends but no Balancer settings button", async ({ page }) => {
  await signIn(page, VIEWER, "/clusters/lab");
  const row = page.getByRole("row", { name: "Frontend apache-balancer", exact: true });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Balancer settings…" })).toHaveCount(0);
});

test("clusterdeck balancer-set changes httpd's timeout through the REST API; a bad value sends nothing", async ({
  baseURL,
}) => {
  const api = await playwrightRequest.newContext({ baseURL });
  try {
    const csrf = await apiSignIn(api, ADMIN);
    const res = await api.post("/api/trpc/token.create", {
      data: { json: { name: `balancer-set-e2e-${Date.now()}`, role: "operator" } },
      headers: { "x-csrf-token": csrf },
    });
    expect(res.status(), await res.text()).toBe(200);
    const token = ((await res.json()) as { result: { data: { json: { token: string } } } }).result.data.json.token;
    const cli = (...args: string[]) => clusterdeck(baseURL!, token, ...args);

    const bad = await cli("balancer-set", "apache-balancer", "--cluster", "lab", "--timeout", "7201");
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain("timeout must be a whole number from 0 to 7200");
    expect(await rawBalancerManagerSettings(bm.url)).toEqual(BALANCER_MANAGER_CLEAN);

    const run = await cli(
      "balancer-set",
      "apache-balancer",
      "--cluster",
      "lab",
      "--balancer",
      "tomcats",
      "--timeout",
      "30",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/timeout: done, 0 → 30 \(audit #\d+\)/);
    expect(await rawBalancerManagerSettings(bm.url)).toEqual({ ...BALANCER_MANAGER_CLEAN, timeout: "30" });
  } finally {
    await api.dispose();
    await restore();
  }
});
