import { expect, test } from "@playwright/test";
import { labFrontends, waitUntilHealthy } from "../test-support/lab/lab-frontends";
import { labRow } from "../test-support/lab/lab-frontend-actions";
import { readBalancer } from "../server/services/frontends/read-frontend";
import { ensureTestUsers, OPERATOR, signIn } from "./support/session";

const FRONTENDS = labFrontends();
const bm = labRow("apache-balancer");
const jk = labRow("mod-jk");

/** tomcat3's redirect as each balancer shows it, read by the console's own adapters (not the page). */
async function redirects(): Promise<[string | undefined, string | undefined]> {
  const of = async (row: typeof bm) =>
    (await readBalancer(row)).members.find((m) => m.route === "tomcat3")?.settings?.redirect;
  return [await of(bm), await of(jk)];
}

/** Clears the redirect by hand on both balancers, then checks it is gone. */
async function restore(): Promise<void> {
  const xml = await (await fetch(`${bm.url}?xml=1`, { headers: { Referer: bm.url } })).text();
  const nonce = /<httpd:nonce>([^<]*)<\/httpd:nonce>/.exec(xml)?.[1] ?? "";
  const worker = (await readBalancer(bm)).members.find((m) => m.route === "tomcat3")!.key;
  const body = new URLSearchParams({ b: bm.balancer, w: worker, nonce, w_rr: "", xml: "1" });
  await (await fetch(bm.url, { method: "POST", headers: { Referer: bm.url }, body })).text();
  await (await fetch(`${jk.url}?cmd=update&mime=xml&w=${jk.balancer}&sw=tomcat3&vwr=`)).text();
  expect(await redirects()).toEqual(["", ""]);
}

test.beforeAll(async ({ request }) => {
  await waitUntilHealthy(FRONTENDS);
  await ensureTestUsers(request);
  await restore();
});
test.afterAll(restore);

test("an operator sets tomcat3's redirect from Edit settings; both balancers show it; HAProxy and nginx say why not", async ({
  page,
}) => {
  await signIn(page, OPERATOR, "/clusters/lab");
  const actions = page.getByRole("button", { name: "Actions for tomcat3" });
  await expect(actions).toBeVisible({ timeout: 30_000 });
  await actions.click();
  await page
    .getByRole("menu", { name: "Actions for tomcat3" })
    .getByRole("menuitem", { name: /Edit settings/ })
    .click();

  const dialog = page.getByRole("dialog", { name: "Settings of tomcat3 on its frontends" });
  await expect(dialog).toBeVisible();
  // Exactly the settings httpd and mod_jk have, pre-filled with what they show.
  await expect(dialog.getByRole("textbox")).toHaveCount(5);
  for (const name of [/^Route/, /^Redirect/, /^Load balancer set \(lbset\)/, /^Domain/, /^Distance/])
    await expect(dialog.getByRole("textbox", { name })).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: /^Route/ })).toHaveValue("tomcat3");
  await expect(dialog.getByRole("list", { name: "Frontends without member settings" })).toContainText(
    "haproxy: HAProxy's runtime API cannot change a server's route",
  );
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();

  // A bad value is named beside its field and nothing can be sent.
  const redirect = dialog.getByRole("textbox", { name: /^Redirect/ });
  await redirect.fill("tomcat 1");
  await expect(dialog).toContainText('redirect may hold only letters, digits, "-" and "_"');
  await expect(dialog.getByRole("button", { name: "Apply" })).toBeDisabled();

  await redirect.fill("tomcat1");
  await dialog.getByRole("button", { name: "Apply" }).click();
  const result = page.getByRole("status", { name: "Result of member.setSetting tomcat3" });
  await expect(result).toContainText("done on every frontend that offers it", { timeout: 15_000 });
  await expect(result.getByRole("row", { name: "apache-balancer: done" })).toContainText("redirect tomcat1");
  await expect(result.getByRole("row", { name: "haproxy: unsupported" })).toBeVisible();
  expect(await redirects()).toEqual(["tomcat1", "tomcat1"]);
});
