import { findClosedPort } from "../test-support/fault-server";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { ADMIN, apiSignIn, ensureTestUsers, OPERATOR, signIn } from "./support/session";
import { labFrontends } from "../test-support/lab/lab-frontends";

async function storedFrontends(request: APIRequestContext): Promise<string[]> {
  const input = encodeURIComponent(JSON.stringify({ json: { name: "lab" } }));
  const res = await request.get(`/api/trpc/cluster.inventory?input=${input}`);
  expect(res.ok()).toBe(true);
  const body = (await res.json()) as { result: { data: { json: { frontends: Array<{ name: string }> } } } };
  return body.result.data.json.frontends.map((f) => f.name).sort();
}

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

// A failure half way must not leave "ghost" in the lab cluster: every later spec would see a frontend down.
test.afterEach(async ({ request }) => {
  const csrf = await apiSignIn(request, ADMIN);
  const input = encodeURIComponent(JSON.stringify({ json: { name: "lab" } }));
  const res = await request.get(`/api/trpc/cluster.inventory?input=${input}`);
  const body = (await res.json()) as {
    result: { data: { json: { frontends: Array<{ id: number; name: string }> } } };
  };
  const ghost = body.result.data.json.frontends.find((f) => f.name === "ghost");
  if (ghost)
    await request.post("/api/trpc/frontend.delete", {
      data: { json: { id: ghost.id } },
      headers: { "x-csrf-token": csrf },
    });
});

test("inventory is editable in the UI; a frontend that does not answer shows its error and no last good poll", async ({
  page,
}) => {
  await signIn(page, OPERATOR, "/clusters/lab/inventory");
  const request = page.request; // shares the signed-in browser's cookies
  await expect(page.getByRole("heading", { name: "Inventory of lab" })).toBeVisible({ timeout: 30_000 });
  const before = await storedFrontends(request);
  // Exactly what the lab inventory lists (render.sh), nothing left over from an earlier run.
  expect(before).toEqual(
    labFrontends()
      .map((f) => f.name)
      .sort(),
  );

  const addForm = page.locator("form").filter({ has: page.getByRole("button", { name: "Add frontend" }) });
  await addForm.getByLabel("Name").fill("ghost");
  await addForm.getByLabel("Kind").selectOption("mod-jk");
  await addForm.getByLabel("Balancer / lb worker").fill("lb");

  // Bad input: a clear error naming the field, and nothing stored.
  await addForm.getByLabel("Status page URL").fill("not-a-url");
  await addForm.getByRole("button", { name: "Add frontend" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "url:" })).toContainText("url: must be a full URL");
  expect(await storedFrontends(request)).toEqual(before);

  // A well-formed frontend nobody answers at.
  const port = await findClosedPort();
  await addForm.getByLabel("Status page URL").fill(`http://127.0.0.1:${port}/jkstatus`);
  await addForm.getByRole("button", { name: "Add frontend" }).click();
  await expect(page.getByRole("list", { name: "Frontends" }).getByText("ghost", { exact: true })).toBeVisible();
  expect(await storedFrontends(request)).toEqual([...before, "ghost"].sort());

  await page.getByRole("link", { name: "Back to dashboard" }).click();
  const row = page.getByRole("row", { name: "Frontend ghost" });
  await expect(row.getByText("down", { exact: true })).toBeVisible({ timeout: 10_000 });
  await expect(row).toContainText(`Cannot reach http://127.0.0.1:${port}/jkstatus`);
  await expect(row).toContainText("ECONNREFUSED");
  // The "Last good poll" column, found by its header (the row starts with a th, then one td per column).
  const headers = await page.getByRole("table").filter({ has: row }).getByRole("columnheader").allInnerTexts();
  await expect(row.locator("td").nth(headers.indexOf("Last good poll") - 1)).toHaveText("never");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("degraded");
  await expect(page.getByRole("cell", { name: "tomcat1 on ghost: not listed" })).toHaveText("no answer");

  // Remove it again, confirming the dialog that states the impact.
  await page.goto("/clusters/lab/inventory");
  page.once("dialog", (d) => {
    expect(d.message()).toContain("Remove frontend ghost");
    void d.accept();
  });
  await page
    .getByRole("list", { name: "Frontends" })
    .getByRole("listitem")
    .filter({ hasText: "ghost" })
    .getByRole("button", { name: "Remove" })
    .click();
  await expect(page.getByRole("list", { name: "Frontends" }).getByText("ghost", { exact: true })).toHaveCount(0);
  expect(await storedFrontends(request)).toEqual(before);
});
