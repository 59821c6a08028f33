import crypto from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** Argon2id (@node-rs/argon2: maintained, prebuilt for this platform, no compiler needed). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash is a failed login, not a crash
  }
}

/** A random secret with a readable prefix (cds_ = session, cdk_ = API key), 256 bits of entropy. */
export function randomSecret(prefix: string): string {
  return `${prefix}${crypto.randomBytes(32).toString("base64url")}`;
}

/**
 * Secrets with 256 bits of entropy need no slow hash: SHA-256 is enough to make a stolen database
 * useless for signing in, and it lets a token be looked up by its hash.
 */
export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/** Constant-time comparison for CSRF tokens. */
export function sameSecret(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}
