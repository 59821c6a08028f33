import {
  ReplyTooLargeError,
  TargetTimeoutError,
  TargetUnreachableError,
  UnexpectedResponseError,
} from "@/server/errors";
import { MAX_STATUS_REPLY_BYTES, readTextLimited } from "@/server/adapters/read-limited";

export interface TFetchTextOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
  username?: string | null;
  password?: string | null;
  method?: "GET" | "POST";
  body?: URLSearchParams;
  /** Largest body read (default MAX_STATUS_REPLY_BYTES); a bigger one fails with ReplyTooLargeError. */
  maxBytes?: number;
}

/**
 * GET/POST a URL and return its body as text. Every failure becomes a typed error that names the URL,
 * so a failed poll can be recorded as data with a message an operator can act on.
 */
export async function fetchText(url: string, opts: TFetchTextOptions): Promise<string> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.username) {
    headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ""}`).toString("base64")}`;
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body,
      redirect: "manual",
      cache: "no-store",
      // Covers connect, headers and body: a peer that accepts and never answers cannot hold a poll.
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw toTransportError(url, opts.timeoutMs, err);
  }
  let text: string;
  try {
    text = await readTextLimited(res, opts.maxBytes ?? MAX_STATUS_REPLY_BYTES, `${opts.method ?? "GET"} ${url}`);
  } catch (err) {
    if (err instanceof ReplyTooLargeError) throw err;
    throw toTransportError(url, opts.timeoutMs, err);
  }
  if (res.status !== 200) {
    const hint =
      res.status === 401 || res.status === 403 ? " (check the frontend's credentials and its Require rules)" : "";
    throw new UnexpectedResponseError(`${opts.method ?? "GET"} ${url}`, `HTTP ${res.status}${hint}`, {
      url,
      status: res.status,
    });
  }
  return text;
}

function toTransportError(url: string, timeoutMs: number, err: unknown): Error {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return new TargetTimeoutError(url, timeoutMs);
  const cause = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return new TargetUnreachableError(url, cause);
}
