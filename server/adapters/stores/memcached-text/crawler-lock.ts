/**
 * memcached runs one crawler request at a time per server and answers `BUSY` to a second one. Every
 * metadump this process sends (the session scans, a server replacement's listing) takes the server's
 * lock first, so the console never collides with itself: a BUSY can then only come from another tool,
 * and is waited out by the caller. Counters say what happened (tests and /metrics read them).
 */

import { processSingleton } from "@/server/process-singleton";

interface TServerCrawls {
  /** Resolves when the current holder releases. */
  tail: Promise<void>;
  active: number;
  maxActive: number;
  dumps: number;
  busyReplies: number;
}

export interface TCrawlerActivity {
  /** Metadumps running now (0 or 1). */
  active: number;
  /** Most metadumps that ever ran at once on this server from this process. */
  maxActive: number;
  /** Metadumps started. */
  dumps: number;
  /** BUSY answers received (another tool held the crawler). */
  busyReplies: number;
}

const servers = () => processSingleton("memcached-crawls", () => new Map<string, TServerCrawls>());

function entry(target: string): TServerCrawls {
  let e = servers().get(target);
  if (!e) {
    e = { tail: Promise.resolve(), active: 0, maxActive: 0, dumps: 0, busyReplies: 0 };
    servers().set(target, e);
  }
  return e;
}

/** Waits for the server's crawler to be ours; call the returned function exactly once when done. */
export async function acquireCrawler(target: string): Promise<() => void> {
  const e = entry(target);
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const before = e.tail;
  e.tail = before.then(() => mine);
  await before;
  e.active++;
  e.dumps++;
  e.maxActive = Math.max(e.maxActive, e.active);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    e.active--;
    release();
  };
}

export function noteCrawlerBusy(target: string): void {
  entry(target).busyReplies++;
}

/** Per server ("host:port"): what this process's crawls did so far. */
export function crawlerActivity(target: string): TCrawlerActivity {
  const { active, maxActive, dumps, busyReplies } = entry(target);
  return { active, maxActive, dumps, busyReplies };
}
