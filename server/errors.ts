/**
 * The closed set of error codes that cross the wire (docs/conventions.md §9). Each maps to one tRPC code;
 * the UI matches on `code`, never on message text.
 */
export const APP_ERROR_CODES = {
  NOT_FOUND: "NOT_FOUND",
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
    super("UNEXPECTED_RESPONSE", `${what}: ${detail}`, context);
    this.name = "UnexpectedResponseError";
  }
}
