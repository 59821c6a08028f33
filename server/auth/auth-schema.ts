import { z } from "zod";
import { ROLES } from "@/server/auth/roles";

/**
 * Output schemas of the sign-in, user and token procedures. No answer carries a password or a password
 * hash; a token's secret is in the answer to its creation only.
 */

/** Who is calling (auth.me), null when signed out. */
export const ZMe = z
  .object({
    username: z.string(),
    role: z.enum(ROLES),
    via: z.enum(["cookie", "token"]),
    /** Still the generated first-admin password: the page asks to change it. */
    passwordGenerated: z.boolean(),
  })
  .nullable();

export const ZLoginAnswer = z.object({ username: z.string(), role: z.enum(ROLES) });

export const ZLogoutAnswer = z.object({ ok: z.literal(true) });

export const ZUserRecord = z.object({
  id: z.number().int(),
  username: z.string(),
  /** viewer | operator | admin */
  role: z.string(),
  disabled: z.boolean(),
  createdAt: z.date(),
  /** Last time the password was set (by its owner or an admin). */
  passwordChangedAt: z.date().nullable(),
  /** Still the generated first-admin password. */
  passwordGenerated: z.boolean(),
});

/** auth.changePassword: how many other browser sessions of the user were ended. */
export const ZPasswordChanged = z.object({ endedSessions: z.number().int() });

export const ZApiTokenRecord = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The token's first characters, to tell tokens apart. */
  prefix: z.string(),
  role: z.string(),
  owner: z.string(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  /** After this the token is refused; null = no expiry. */
  expiresAt: z.date().nullable(),
  /** Past its expiry now (the console's clock). */
  expired: z.boolean(),
});

/** A new token: `token` is the secret, shown this once (only its hash is stored). */
export const ZCreatedApiToken = z.object({
  id: z.number().int(),
  name: z.string(),
  role: z.string(),
  prefix: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  token: z.string(),
});

export const ZRevokedApiToken = z.object({ id: z.number().int(), revokedAt: z.date().nullable() });
