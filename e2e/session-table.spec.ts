import { expect, test } from "@playwright/test";
import { labStoreEndpoints, seedMemcachedSessions } from "./lab/seed-sessions";
import { ensureTestUsers, OPERATOR, signIn } from "./support/session";
import { MemcachedTextClient } from "../server/adapters/stores/memcached-text/client";
import { backupKey } from "../server/adapters/stores/memcached-msm/keys";

test.beforeAll(async ({ request }) => {
  await ensureTestUsers(request);
});

test("the session table: rescan, filter by store, search by prefix, open a row in locate, expire the selected row", async ({
  page,
}) => {
  const nodes = labStoreEndpoints().memcached;
  const truth = await seedMemcachedSessions(nodes, { sessions: 500, flush: true, sampleSize: 5 });
  const sample = truth.sample[0]!;
  const other = truth.sample[1]!;

  await signIn(page, OPERATOR, "/clusters/lab/sessions");
  const table = page.getByRole("region", { name: "All sessions" });
  // The index may predate the seeding: ask for a fresh scan, then the msm store must hold exactly the seeded sessions.
  await page.getByRole("button", { name: "Rescan now" }).click();
  const search = page.getByRole("form", { name: "Search sessions" });
  await search.getByRole("combobox", { name: "Store", exact: true }).selectOption("msm");
  await search.getByRole("button", { name: "Search" }).click();
  const pages = page.getByRole("navigation", { name: "Pages" });
  await expect(pages.getByRole("status")).toHaveText(new RegExp(`^1–50 of ${truth.sessions} matching`), {
    timeout: 30_000,
  });
  await pages.getByRole("button", { name: "Next" }).click();
  await expect(pages.getByRole("status")).toHaveText(new RegExp(`^51–100 of ${truth.sessions} matching`));

  // An id prefix narrows to the sessions that start with it; the sample is among them.
  await search.getByLabel("Id, id prefix, or Cookie header").fill(sample.id.slice(0, 6));
  await search.getByRole("button", { name: "Search" }).click();
  const rows = table.getByRole("table", { name: "Sessions" }).locator("tbody tr");
  await expect(rows.filter({ hasText: sample.id })).toHaveCount(1);
  const texts = await rows.allInnerTexts();
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) expect(text).toContain(sample.id.slice(0, 6));

  // A row opens in locate, with its copies read from the stores.
  await page.getByRole("button", { name: `Details of ${sample.id}` }).click();
  await expect(page.getByRole("region", { name: "Location" })).toContainText(`memcached node ${sample.node}`, {
    timeout: 15_000,
  });

  // Select it and expire it: dry run first, then every copy is gone from both nodes; a bystander stays.
  await page.getByRole("checkbox", { name: `Select ${sample.id}` }).check();
  await page
    .getByRole("region", { name: "Selected sessions" })
    .getByRole("button", { name: "Expire session…" })
    .click();
  const dialog = page.getByRole("dialog", { name: "Expire session" });
  await expect(dialog.getByRole("row", { name: `${sample.id}: will be removed` })).toBeVisible({ timeout: 30_000 });
  await dialog.getByRole("button", { name: "Expire now" }).click();
  await expect(dialog.getByRole("row", { name: `${sample.id}: removed` })).toBeVisible({ timeout: 30_000 });

  const byId = new Map(
    nodes.map((n) => [n.id, new MemcachedTextClient({ host: n.host, port: n.port, timeoutMs: 5_000 })]),
  );
  try {
    const backupNode = sample.node === "n1" ? "n2" : "n1";
    expect(await byId.get(sample.node)!.metaGet(sample.id)).toBeNull();
    expect(await byId.get(backupNode)!.metaGet(backupKey(sample.id))).toBeNull();
    expect(await byId.get(other.node)!.metaGet(other.id)).not.toBeNull();
  } finally {
    for (const c of byId.values()) c.close();
  }
});
