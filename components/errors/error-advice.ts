import type { TAppErrorCode } from "@/server/errors";

/** The codes an answer can carry (server/errors.ts), plus NO_ANSWER when the request got none at all. */
export type TErrorKind = TAppErrorCode | "TOO_MANY_REQUESTS" | "NO_ANSWER";

export interface TErrorAdvice {
  /** What went wrong, in a few words, when the caller gives no context of its own. */
  title: string;
  /** What the person can do about it. */
  advice: string;
}

// One entry per code: adding a code to server/errors.ts fails the typecheck here until the UI knows what to
// say about it. TOO_MANY_REQUESTS is listed ahead of the server so a sign-in limit reads right as soon as it lands.
const ADVICE: Record<TErrorKind, TErrorAdvice> = {
  NOT_FOUND: {
    title: "Not found",
    advice: "It may have been removed or renamed meanwhile: go back to the list and pick it again.",
  },
  INVALID_INPUT: {
    title: "Some input is not valid",
    advice: "Correct what is marked and try again; nothing was changed.",
  },
  CONFLICT: {
    title: "Conflict",
    advice: "It already exists or changed meanwhile: reload the page to see the current state, then try again.",
  },
  UNAUTHENTICATED: {
    title: "Signed out",
    advice: "Your session has ended: sign in again, then repeat the action.",
  },
  FORBIDDEN: {
    title: "Not allowed",
    advice: "Your role cannot do this: ask an admin, or sign in as a user with the needed role.",
  },
  TARGET_TIMEOUT: {
    title: "No answer in time",
    advice:
      "The frontend or store did not answer within its timeout: check that it is running and not overloaded, then retry.",
  },
  TARGET_UNREACHABLE: {
    title: "Cannot connect",
    advice:
      "The console cannot reach the frontend or store: check its host and port in the inventory and that it is running.",
  },
  UNEXPECTED_RESPONSE: {
    title: "Unexpected answer",
    advice: "It answered, but not as its kind does: check the URL, the kind and the balancer name in the inventory.",
  },
  INTERNAL: {
    title: "Console error",
    advice: "Something failed inside the console. Retry; if it persists, give an admin the message above.",
  },
  TOO_MANY_REQUESTS: {
    title: "Too many attempts",
    advice: "Wait a minute, then try again.",
  },
  NO_ANSWER: {
    title: "The console did not answer",
    advice: "Check your network connection and that the console is running, then retry.",
  },
};

interface TErrorLike {
  message: string;
  data?: { appCode?: string | null } | null;
}

/** Which kind of failure an error is: the server's appCode, or NO_ANSWER when there is no answer to read. */
export function errorKind(error: TErrorLike): TErrorKind {
  if (!error.data) return "NO_ANSWER";
  const code = error.data.appCode;
  return code && isErrorKind(code) ? code : "INTERNAL";
}

function isErrorKind(code: string): code is TErrorKind {
  return Object.hasOwn(ADVICE, code);
}

/** Failures that asking again cannot fix (the same request gets the same answer): a query does not retry them. */
const FINAL: ReadonlySet<TErrorKind> = new Set([
  "NOT_FOUND",
  "INVALID_INPUT",
  "CONFLICT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "TOO_MANY_REQUESTS",
]);

export function isWorthRetrying(error: TErrorLike): boolean {
  return !FINAL.has(errorKind(error));
}

export function adviceFor(kind: TErrorKind): TErrorAdvice {
  return ADVICE[kind];
}
