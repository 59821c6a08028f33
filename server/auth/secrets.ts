import crypto from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { Semaphore } from "@/server/poller/semaphore";
import { AppError } from "@/server/errors";

/**
 * Argon2id costs about 20 ms of CPU and 19 MiB per hash: a flood of sign-ins must not take every core
 * and gigabytes at once. At most MAX_CONCURRENT_HASHES run together; beyond MAX_QUEUED waiting, a
 * sign-in is refused at once (TOO_MANY_REQUESTS) instead of queueing without bound.
 */
const MAX_CONCURRENT_HASHES = 2;
const MAX_QUEUED = 32;
const hashing = new Semaphore(MAX_CONCURRENT_HASHES);
let verifications = 0;

/** Password hashes computed or verified since start: the login-throttling test counts them. */
export function passwordHashCount(): number {
  return verifications;
}

function bounded<T>(task: () => Promise<T>): Promise<T> {
  if (hashing.queued >= MAX_QUEUED)
    throw new AppError("TOO_MANY_REQUESTS", "Too many sign-ins are being checked at once; try again in a few seconds");
  return hashing.run(() => {
    verifications++;
    return task();
  });
}

/** Argon2id (@node-rs/argon2: maintained, prebuilt for this platform, no compiler needed). */
export function hashPassword(password: string): Promise<string> {
  return bounded(() => hash(password));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return bounded(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false; // a malformed stored hash is a failed login, not a crash
    }
  });
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
