import { ReplyTooLargeError } from "@/server/errors";

/** Status pages, jkstatus and balancer-manager XML: a thousand members is about 2 MiB. */
export const MAX_STATUS_REPLY_BYTES = 8 * 1024 * 1024;

/**
 * Reads an HTTP body, refusing more than `limitBytes`: a declared Content-Length over the limit is
 * refused before reading, and a body that keeps coming is cancelled as soon as it passes the limit, so
 * memory stays bounded by the limit whatever the peer sends.
 */
export async function readBodyLimited(res: Response, limitBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > limitBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ReplyTooLargeError(what, limitBytes);
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ReplyTooLargeError(what, limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

export async function readTextLimited(res: Response, limitBytes: number, what: string): Promise<string> {
  return (await readBodyLimited(res, limitBytes, what)).toString("utf8");
}

/** Drops a body we only needed the status of (health probes), without reading it. */
export async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}
