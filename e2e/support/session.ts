import { expect, type APIRequestContext, type Page } from "@playwright/test";

/** The e2e console starts with this first admin (playwright.config.ts sets CLUSTERDECK_ADMIN_PASSWORD). */
export const ADMIN = { username: "admin", password: "e2e-admin-password" };
export const OPERATOR = { username: "olga", password: "operator-password-1" };
export const VIEWER = { username: "victor", password: "viewer-password-1" };

type TUser = { username: string; password: string };

async function trpcPost(request: APIRequestContext, path: string, input: unknown, csrf?: string) {
  return request.post(`/api/trpc/${path}`, { data: { json: input }, headers: csrf ? { "x-csrf-token": csrf } : {} });
}

/** Signs a request context in (the cookies stay in it) and returns the session's CSRF token. */
export async function apiSignIn(request: APIRequestContext, user: TUser): Promise<string> {
  const res = await trpcPost(request, "auth.login", user);
  expect(res.status(), await res.text()).toBe(200);
  const csrf = (await request.storageState()).cookies.find((c) => c.name === "cd_csrf")?.value;
  if (!csrf) throw new Error("no cd_csrf cookie after login");
  return csrf;
}

/** Creates the operator and viewer test users through the API, as the admin (idempotent). */
export async function ensureTestUsers(request: APIRequestContext): Promise<void> {
  const csrf = await apiSignIn(request, ADMIN);
  for (const [u, role] of [
    [OPERATOR, "operator"],
    [VIEWER, "viewer"],
  ] as const) {
    const res = await trpcPost(request, "user.create", { ...u, role }, csrf);
    expect([200, 409], await res.text()).toContain(res.status());
  }
  await trpcPost(request, "auth.logout", {});
}

/** Signs in through the login page, as a person would. */
export async function signIn(page: Page, user: TUser, next = "/"): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("User name").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next);
}
