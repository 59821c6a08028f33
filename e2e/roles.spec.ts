import { type APIRequestContext, expect, test } from "@playwright/test";
import { labStoreEndpoints, seedMemcachedSessions } from "./lab/seed-sessions";
import { ADMIN, apiSignIn, ensureTestUsers, OPERATOR, signIn, VIEWER } from "./support/session";
import { HIDDEN_ATTRIBUTE_VALUE, maskSessionId } from "../server/domain/session-ids";

// Roles are a boundary, as a person meets them in the browser: a viewer never sees a whole session id
// nor what a session holds; an operator cannot set a setting that runs a program; everyone changes
// their own password.

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

async function storedNginxOptions(request: APIRequestContext): Promise<Record<string, unknown>> {
  const input = encodeURIComponent(JSON.stringify({ json: { name: "lab" } }));
  const res = await request.get(`/api/trpc/cluster.inventory?input=${input}`);
  expect(res.ok(), await res.text()).toBe(true);
  const body = (await res.json()) as {
    result: { data: { json: { frontends: Array<{ kind: string; options: string }> } } };
  };
  const nginx = body.result.data.json.frontends.find((f) => f.kind === "nginx");
  if (!nginx) throw new Error("the lab inventory has no nginx frontend");
  return JSON.parse(nginx.options) as Record<string, unknown>; // stored as JSON text
}

test("a viewer's session table shows masked ids; locate from a pasted cookie says where it lives but not what it holds", async ({
  page,
}) => {
  const truth = await seedMemcachedSessions(labStoreEndpoints().memcached, {
    sessions: 200,
    flush: true,
    sampleSize: 3,
  });
  const sample = truth.sample[0]!;
  const masked = maskSessionId(sample.id);
  expect(masked).not.toBe(sample.id);

  await signIn(page, VIEWER, "/clusters/lab/sessions");
  await page.getByRole("button", { name: "Rescan now" }).click();
  const search = page.getByRole("form", { name: "Search sessions" });
  await search.getByRole("combobox", { name: "Store", exact: true }).selectOption("msm");
  // The prefix search runs on the whole id server-side: the viewer finds the session by its first digits.
  await search.getByLabel("Id, id prefix, or Cookie header").fill(sample.id.slice(0, 8));
  await search.getByRole("button", { name: "Search" }).click();
  const table = page.getByRole("region", { name: "All sessions" }).getByRole("table", { name: "Sessions" });
  await expect(table.locator("tbody tr").filter({ hasText: masked })).toHaveCount(1, { timeout: 30_000 });
  // Not one whole id on the page, and no way to open a row in locate.
  for (const s of truth.sample) expect(await page.content()).not.toContain(s.id);
  await expect(page.getByRole("button", { name: /^Details of / })).toHaveCount(0);

  // A viewer holds the cookie they paste, so locate works; the content stays hidden.
  await page.getByLabel(/JSESSIONID value, Cookie header/).fill(`Cookie: lang=en; JSESSIONID=${sample.id}`);
  await page.getByRole("button", { name: "Locate" }).click();
  const where = page.getByRole("region", { name: "Location" });
  await expect(where).toContainText(`memcached node ${sample.node}`, { timeout: 15_000 });
  const attribute = where
    .getByRole("table", { name: "Attributes in msm" })
    .getByRole("row", { name: "attribute user" });
  await expect(attribute).toContainText(HIDDEN_ATTRIBUTE_VALUE);
  await expect(attribute).not.toContainText(/"user\d+"/);
  expect(await where.innerText()).not.toContain(sample.id);
});

test("an operator cannot set an nginx command from the inventory form: refused with the reason, nothing stored, audited as denied", async ({
  page,
}) => {
  await signIn(page, OPERATOR, "/clusters/lab/inventory");
  const before = await storedNginxOptions(page.request);
  expect(before.testCommand).toBeDefined();

  // The item is found by position: once it turns into a form, its text no longer names the frontend.
  const items = page.getByRole("list", { name: "Frontends" }).getByRole("listitem");
  // allInnerTexts does not wait: the list renders after the inventory query answers.
  await expect(items.locator("strong", { hasText: /^nginx$/ })).toBeVisible();
  const names = await items.locator("strong").allInnerTexts();
  const item = items.nth(names.indexOf("nginx"));
  expect(names).toContain("nginx");
  await item.getByRole("button", { name: "Edit" }).click();
  // The form says which options are the admin's before anyone tries.
  await expect(item).toContainText("Only an admin may set or change");
  const edited = { ...before, testCommand: ["/bin/sh", "-c", "touch /tmp/clusterdeck-e2e-owned"] };
  await item.getByLabel(/^Options \(JSON/).fill(JSON.stringify(edited, null, 2));
  await item.getByRole("button", { name: "Save" }).click();
  await expect(item.getByRole("alert").filter({ hasText: "nginx test command" })).toContainText(
    "Only an admin may set or change",
  );
  expect(await storedNginxOptions(page.request)).toEqual(before);

  // Leaving the admin's settings as they are is allowed: the same form saves another field.
  await item.getByLabel(/^Options \(JSON/).fill(JSON.stringify(before, null, 2));
  const interval = item.getByLabel("Poll every (ms)");
  const oldInterval = await interval.inputValue();
  await interval.fill(String(Number(oldInterval) + 1000));
  await item.getByRole("button", { name: "Save" }).click();
  await expect(item.getByRole("button", { name: "Edit" })).toBeVisible({ timeout: 15_000 });
  await expect(item).toContainText(`every ${Number(oldInterval) + 1000} ms`);
  expect(await storedNginxOptions(page.request)).toEqual(before);
  // Put the lab's inventory back as it was.
  await item.getByRole("button", { name: "Edit" }).click();
  await item.getByLabel("Poll every (ms)").fill(oldInterval);
  await item.getByRole("button", { name: "Save" }).click();
  await expect(item).toContainText(`every ${oldInterval} ms`, { timeout: 15_000 });

  await page.goto("/audit");
  await expect(
    page.getByRole("table", { name: "Audit entries" }).getByRole("row", { name: /frontend\.update nginx denied$/ }),
  ).not.toHaveCount(0);
});

test("on the account page a user changes their own password: the old one stops working, the new one signs in", async ({
  page,
  request,
}) => {
  // An admin of its own, so the console's first admin keeps the password the other specs sign in with.
  const ada = { username: `ada${Date.now().toString(36)}`, password: "first-password-1" };
  const next = "second-password-2";
  const csrf = await apiSignIn(request, ADMIN);
  const created = await request.post("/api/trpc/user.create", {
    data: { json: { ...ada, role: "admin" } },
    headers: { "x-csrf-token": csrf },
  });
  expect(created.status(), await created.text()).toBe(200);

  await signIn(page, ada, "/");
  await page.getByRole("link", { name: ada.username }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  const form = page.getByRole("form", { name: "Change your password" });
  // A wrong current password changes nothing and says which field is wrong.
  await form.getByLabel("Current password").fill("not-the-password");
  await form.getByLabel("New password (10+ characters)").fill(next);
  await form.getByLabel("New password again").fill(next);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("alert")).toContainText("The current password is wrong");

  await form.getByLabel("Current password").fill(ada.password);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("status")).toContainText("Password changed.");

  // This browser stays signed in; signing out and in again needs the new password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/login");
  await page.getByLabel("User name").fill(ada.username);
  await page.getByLabel("Password").fill(ada.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Not signed in" })).toContainText(
    "Wrong user name or password",
  );
  await signIn(page, { username: ada.username, password: next }, "/account");
  await expect(page.getByText(`Signed in as ${ada.username}`)).toBeVisible();
});
