import { indexOfByte, startsWithBytes } from "@/server/adapters/stores/bytes";
import { isSessionIdBytes, parseSessionId } from "@/server/domain/session-id";
import { metadumpKey, type TMetadumpSink } from "@/server/adapters/stores/memcached-text/metadump-scanner";
import { ScanBatchWriter, type TScanBatch } from "@/server/adapters/stores/scan-batch";
import type { TScanHooks } from "@/server/adapters/stores/adapter";
import type { TStoreNode } from "@/server/adapters/stores/types";
import { dumpNodeRetryingBusy, type TClockPair } from "@/server/adapters/stores/memcached-msm/enumerate";
import { MSM_KEY_PREFIXES } from "@/server/adapters/stores/memcached-msm/keys";

/**
 * memcached uri-encodes every key byte outside [A-Za-z0-9-._~] in metadump lines (util.c `uri_encode`,
 * upper-case hex), so `validity:` reads `validity%3A`: the key prefixes are matched in that form.
 */
export function metadumpEncoded(text: string): Buffer {
  return Buffer.from(
    [...Buffer.from(text, "utf8")]
      .map((b) =>
        /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
          ? String.fromCharCode(b)
          : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
      )
      .join(""),
    "latin1",
  );
}

const PERCENT = 0x25;
const WORD = /^\w+$/;

/**
 * One MSM node's sessions for the session index, read from the metadump bytes (keys layout in keys.ts):
 * a primary `<P><id>` key is a session of this node; a `bak:<P><id>` key says the session has its backup
 * pair here; validity:, lock: and ping- keys are counted as keys and nothing more. No string is made per
 * key unless the key needed uri-encoding (not the case for Tomcat ids).
 */
export async function* scanMsmNode(
  node: TStoreNode,
  prefix: string,
  hooks: TScanHooks = {},
): AsyncGenerator<TScanBatch> {
  const bak = metadumpEncoded(MSM_KEY_PREFIXES.backup + prefix);
  const notSessions = [MSM_KEY_PREFIXES.validity, MSM_KEY_PREFIXES.lock].map((p) => metadumpEncoded(p + prefix));
  const bakValidity = metadumpEncoded(MSM_KEY_PREFIXES.backup + prefix + MSM_KEY_PREFIXES.validity + prefix);
  const own = metadumpEncoded(prefix);
  const ping = metadumpEncoded(prefix + MSM_KEY_PREFIXES.ping);
  // First bytes of the keys that are not sessions: a key starting otherwise skips their comparisons.
  const leads = new Uint8Array(256);
  for (const p of [bak, bakValidity, ...notSessions, ping]) if (p.length > 0) leads[p[0]!] = 1;
  const writer = new ScanBatchWriter();
  let serverNow = 0;
  let clockOffset = 0;
  let clock: TClockPair = { server: 0, localMs: Date.now() };

  const sink: TMetadumpSink = (buf, ks, ke, exp, la, size) => {
    writer.countKeys();
    const special = ks < ke && leads[buf[ks]!] === 1;
    if (special && startsWithBytes(buf, ks, ke, bakValidity)) return;
    if (special && startsWithBytes(buf, ks, ke, bak)) {
      const from = ks + bak.length;
      if (indexOfByte(buf, PERCENT, from, ke) < 0) {
        if (isSessionIdBytes(buf, from, ke)) writer.addBackup(buf, from, ke);
      } else {
        const id = decodedId(buf, from, ke);
        if (id !== null) {
          const b = Buffer.from(id);
          writer.addBackup(b, 0, b.length);
        }
      }
      return;
    }
    if (special) for (const p of notSessions) if (startsWithBytes(buf, ks, ke, p)) return;
    if (!startsWithBytes(buf, ks, ke, own)) return;
    const from = ks + own.length;
    if (special && startsWithBytes(buf, ks, ke, ping) && WORD.test(buf.toString("latin1", ks + ping.length, ke)))
      return;
    const ttl = exp === -1 ? -1 : Math.max(0, exp - serverNow);
    const lastAccess = la + clockOffset;
    if (indexOfByte(buf, PERCENT, from, ke) < 0) {
      if (isSessionIdBytes(buf, from, ke)) writer.addSession(buf, from, ke, ttl, size, lastAccess);
      return;
    }
    const id = decodedId(buf, from, ke);
    if (id !== null) writer.addSessionId(id, ttl, size, lastAccess);
  };

  for await (const _ of dumpNodeRetryingBusy(
    node,
    sink,
    (c) => {
      clock = c;
      serverNow = c.server;
      clockOffset = Math.floor(c.localMs / 1000) - c.server;
      // A busy retry starts the listing again: what was collected belongs to the abandoned attempt.
      writer.take();
    },
    hooks,
  )) {
    serverNow = clock.server + Math.floor((Date.now() - clock.localMs) / 1000);
    clockOffset = Math.floor(Date.now() / 1000) - serverNow;
    if (writer.count > 0) yield writer.take();
  }
  const rest = writer.take();
  if (rest.sessions.count > 0 || rest.keys > 0 || rest.backups) yield rest;
}

/** A key part that needed uri-encoding: decoded, and kept only when it is a session id as it stands. */
function decodedId(buf: Buffer, start: number, end: number): string | null {
  const id = metadumpKey(buf, start, end);
  try {
    return parseSessionId(id).id === id ? id : null;
  } catch {
    return null;
  }
}
