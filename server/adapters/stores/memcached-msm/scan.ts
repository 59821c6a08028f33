import { startsWithBytes } from "@/server/adapters/stores/bytes";
import { ID_ENCODED, ID_PLAIN, NOT_ID, parseSessionId, sessionIdBytesForm } from "@/server/domain/session-id";
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
  const writer = new ScanBatchWriter();
  const reader = new MsmKeyReader(prefix, writer);
  let clock: TClockPair = { server: 0, localMs: Date.now() };

  for await (const _ of dumpNodeRetryingBusy(
    node,
    reader.sink,
    (c) => {
      clock = c;
      reader.setClock(c.server, Math.floor(c.localMs / 1000) - c.server);
      // A busy retry starts the listing again: what was collected belongs to the abandoned attempt.
      writer.take();
    },
    hooks,
  )) {
    const serverNow = clock.server + Math.floor((Date.now() - clock.localMs) / 1000);
    reader.setClock(serverNow, Math.floor(Date.now() / 1000) - serverNow);
    if (writer.count > 0) yield writer.take();
  }
  const rest = writer.take();
  if (rest.sessions.count > 0 || rest.keys > 0 || rest.backups) yield rest;
}

/**
 * Sorts one node's metadump keys into the batch: a primary `<P><id>` key is a session of this node; a
 * `bak:<P><id>` key says the session has its backup pair here; validity:, lock: and ping- keys are
 * counted as keys and nothing more. `sink` is handed to the metadump scanner.
 */
export class MsmKeyReader {
  private readonly bak: Buffer;
  private readonly bakValidity: Buffer;
  private readonly notSessions: Buffer[];
  private readonly own: Buffer;
  private readonly ping: Buffer;
  /** First bytes of the keys that are not sessions: a key starting otherwise skips their comparisons. */
  private readonly leads = new Uint8Array(256);
  private serverNow = 0;
  private clockOffset = 0;

  constructor(
    prefix: string,
    private readonly writer: ScanBatchWriter,
  ) {
    this.bak = metadumpEncoded(MSM_KEY_PREFIXES.backup + prefix);
    this.notSessions = [MSM_KEY_PREFIXES.validity, MSM_KEY_PREFIXES.lock].map((p) => metadumpEncoded(p + prefix));
    this.bakValidity = metadumpEncoded(MSM_KEY_PREFIXES.backup + prefix + MSM_KEY_PREFIXES.validity + prefix);
    this.own = metadumpEncoded(prefix);
    this.ping = metadumpEncoded(prefix + MSM_KEY_PREFIXES.ping);
    for (const p of [this.bak, this.bakValidity, ...this.notSessions, this.ping])
      if (p.length > 0) this.leads[p[0]!] = 1;
  }

  /** The server's clock now, and what to add to its times to get the console's (unix seconds). */
  setClock(serverNow: number, clockOffset: number): void {
    this.serverNow = serverNow;
    this.clockOffset = clockOffset;
  }

  readonly sink: TMetadumpSink = (buf, ks, ke, exp, la, size) => {
    const writer = this.writer;
    writer.countKeys();
    const special = ks < ke && this.leads[buf[ks]!] === 1;
    if (special && startsWithBytes(buf, ks, ke, this.bakValidity)) return;
    if (special && startsWithBytes(buf, ks, ke, this.bak)) {
      const from = ks + this.bak.length;
      const form = sessionIdBytesForm(buf, from, ke);
      if (form === ID_PLAIN) writer.addBackup(buf, from, ke);
      else if (form === ID_ENCODED) {
        const id = decodedId(buf, from, ke);
        if (id !== null) {
          const b = Buffer.from(id);
          writer.addBackup(b, 0, b.length);
        }
      }
      return;
    }
    if (special) for (const p of this.notSessions) if (startsWithBytes(buf, ks, ke, p)) return;
    if (!startsWithBytes(buf, ks, ke, this.own)) return;
    const from = ks + this.own.length;
    if (
      special &&
      startsWithBytes(buf, ks, ke, this.ping) &&
      WORD.test(buf.toString("latin1", ks + this.ping.length, ke))
    )
      return;
    const form = sessionIdBytesForm(buf, from, ke);
    if (form === NOT_ID) return;
    const ttl = exp === -1 ? -1 : Math.max(0, exp - this.serverNow);
    const lastAccess = la + this.clockOffset;
    if (form === ID_PLAIN) {
      writer.addSession(buf, from, ke, ttl, size, lastAccess);
      return;
    }
    const id = decodedId(buf, from, ke);
    if (id !== null) writer.addSessionId(id, ttl, size, lastAccess);
  };
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
