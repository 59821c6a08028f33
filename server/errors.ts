import crypto from "node:crypto";
import { boundQuotes } from "@/server/domain/snippet";

/**
 * The closed set of error codes that cross the wire (docs/conventions.md §9). Each maps to one tRPC code;
 * the UI matches on `code`, never on message text.
 */
export const APP_ERROR_CODES = {
  NOT_FOUND: "NOT_FOUND",
  /** Too many attempts (sign-in throttling): try again after the time the message names. */
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INVALID_INPUT: "BAD_REQUEST",
  CONFLICT: "CONFLICT",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  TARGET_TIMEOUT: "TIMEOUT",
  TARGET_UNREACHABLE: "BAD_GATEWAY",
  UNEXPECTED_RESPONSE: "BAD_GATEWAY",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const;
export type TAppErrorCode = keyof typeof APP_ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: TAppErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** A frontend or store did not answer within its timeout. */
export class TargetTimeoutError extends AppError {
  constructor(url: string, timeoutMs: number) {
    super("TARGET_TIMEOUT", `No answer from ${url} within ${timeoutMs} ms`, { url, timeoutMs });
    this.name = "TargetTimeoutError";
  }
}

/** The connection failed (refused, reset, DNS). */
export class TargetUnreachableError extends AppError {
  constructor(url: string, cause: string) {
    super("TARGET_UNREACHABLE", `Cannot reach ${url}: ${cause}`, { url, cause });
    this.name = "TargetUnreachableError";
  }
}

/** A target answered, but not with what its kind should answer (wrong status, HTML instead of XML, garbage). */
export class UnexpectedResponseError extends AppError {
  constructor(what: string, detail: string, context: Record<string, unknown> = {}) {
    // What the peer said is quoted as a short snippet only (domain/snippet.ts): the message reaches viewers.
    super("UNEXPECTED_RESPONSE", `${what}: ${boundQuotes(detail)}`, context);
    this.name = "UnexpectedResponseError";
  }
}

/**
 * A peer's answer was bigger than its limit: reading stopped there, so a hostile or broken peer cannot
 * make the console buffer an unbounded reply.
 */
export class ReplyTooLargeError extends UnexpectedResponseError {
  constructor(what: string, limitBytes: number) {
    super(what, `the answer is larger than ${formatLimit(limitBytes)}, the limit for it; reading stopped`, {
      limitBytes,
    });
    this.name = "ReplyTooLargeError";
  }
}

function formatLimit(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

const errorIds = new WeakMap<object, string>();

/**
 * A short id for an unexpected error, the same wherever it is asked for (the answer, the audit entry,
 * the log line), so a person holding the id finds the details in the console's log.
 */
export function errorIdOf(err: unknown): string {
  if (typeof err !== "object" || err === null) return crypto.randomUUID().slice(0, 8);
  let id = errorIds.get(err);
  if (!id) {
    id = crypto.randomUUID().slice(0, 8);
    errorIds.set(err, id);
  }
  return id;
}

/** What a person may read of an error: an AppError's own message, or a generic one with the log's id. */
export function publicErrorMessage(err: unknown): string {
  if (err instanceof AppError && err.code !== "INTERNAL") return err.message;
  return `Internal error (id ${errorIdOf(err)}): the console's log has the details`;
}
