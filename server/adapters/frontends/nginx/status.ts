import fs from "node:fs/promises";
import type { TFrontendTarget } from "@/server/adapters/frontends/adapter";
import type { TBalancerSnapshot, TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { fetchText } from "@/server/adapters/frontends/http-transport";
import { discardBody } from "@/server/adapters/read-limited";
import type { THealth } from "@/server/domain/member-state";
import { AppError, ReplyTooLargeError, UnexpectedResponseError } from "@/server/errors";
import { parseNginxOptions } from "./options";
import { parseStubStatus } from "./stub-status";
import { parseUpstreamFile, type TNginxServer, type TNginxUpstream } from "./upstream-file";

/**
 * nginx OSS has no runtime API, so "status" is put together by ClusterDeck: the include file (the
 * intended upstream), one active probe per server address, and stub_status when configured. The
 * transport (fetchNginxStatusText) gathers these into one JSON document; parseNginxStatus is pure.
 */
export interface TProbeResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  ms: number;
}

export interface TNginxStatusDocument {
  includeFile: string;
  file: string;
  /** Keyed by server address as written in the file. */
  probes: Record<string, TProbeResult>;
  stubStatus: string | null;
  stubStatusError: string | null;
}

/** An upstream include file is a few KiB; anything this big is not one (and is not read whole). */
export const MAX_INCLUDE_FILE_BYTES = 1024 * 1024;

export async function readIncludeFile(path: string): Promise<string> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(path, "r");
    const buf = Buffer.alloc(MAX_INCLUDE_FILE_BYTES + 1);
    let used = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, used, buf.length - used, null);
      if (bytesRead === 0) break;
      used += bytesRead;
      if (used > MAX_INCLUDE_FILE_BYTES)
        throw new ReplyTooLargeError(`nginx include file ${path}`, MAX_INCLUDE_FILE_BYTES);
    }
    return buf.toString("utf8", 0, used);
  } catch (err) {
    if (err instanceof ReplyTooLargeError) throw err;
    throw new AppError("TARGET_UNREACHABLE", `Cannot read the nginx include file ${path}: ${(err as Error).message}`, {
      path,
    });
  } finally {
    await handle?.close();
  }
}

function probeUrl(s: TNginxServer, path: string): string | null {
  if (!s.host || !s.port) return null;
  const host = s.host.includes(":") ? `[${s.host}]` : s.host;
  return `http://${host}:${s.port}${path}`;
}

/** GET the probe path on the server's own address: 2xx/3xx = healthy (what a user request would need). */
async function probe(url: string, timeoutMs: number): Promise<TProbeResult> {
  const started = Date.now();
  try {
    const res = await fetch(url, { redirect: "manual", cache: "no-store", signal: AbortSignal.timeout(timeoutMs) });
    await discardBody(res); // only the status matters: a probe never buffers what a server sends
    const ok = res.status >= 200 && res.status < 400;
    return { ok, status: res.status, error: ok ? null : `HTTP ${res.status}`, ms: Date.now() - started };
  } catch (err) {
    const e = err as { name?: string; message?: string; cause?: { code?: string } };
    const error =
      e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message ?? String(err));
    return { ok: false, status: null, error, ms: Date.now() - started };
  }
}

export async function fetchNginxStatusText(target: TFrontendTarget): Promise<string> {
  const options = parseNginxOptions(target.options);
  const file = await readIncludeFile(options.includeFile);
  const servers = parseUpstreamFile(file).flatMap((u) => u.servers);
  const urls = new Map<string, string>();
  for (const s of servers) {
    const url = probeUrl(s, options.probePath);
    if (url) urls.set(s.address, url);
  }
  const stub = options.stubStatusUrl
    ? fetchText(options.stubStatusUrl, {
        timeoutMs: target.timeoutMs,
        username: target.username,
        password: target.password,
        maxBytes: 64 * 1024, // a stub_status page is a few lines
      }).then(
        (text) => ({ text, error: null }),
        (err: Error) => ({ text: null, error: err.message }),
      )
    : Promise.resolve({ text: null, error: null });
  const probed = await Promise.all(
    [...urls].map(async ([address, url]) => [address, await probe(url, target.timeoutMs)] as const),
  );
  const { text, error } = await stub;
  const doc: TNginxStatusDocument = {
    includeFile: options.includeFile,
    file,
    probes: Object.fromEntries(probed),
    stubStatus: text,
    stubStatusError: error,
  };
  return JSON.stringify(doc);
}

function toMember(s: TNginxServer, p: TProbeResult | undefined): TObservedMember {
  const health: THealth = !p ? "unknown" : p.ok ? "healthy" : "failing";
  return {
    key: s.address,
    // nginx has no jvmRoute: members are matched by host and port (member-identity.ts).
    route: "",
    host: s.host,
    port: s.port,
    adminState: s.down ? "stopped" : s.backup ? "standby" : "active",
    health,
    // nginx OSS counts nothing per server; stub_status counters are server-wide (balancer raw).
    elected: 0,
    busy: 0,
    errors: null,
    bytesOut: 0,
    bytesIn: 0,
    loadfactor: s.weight,
    lbset: 0,
    raw: {
      weight: String(s.weight),
      max_fails: String(s.maxFails),
      fail_timeout: s.failTimeout,
      backup: String(s.backup),
      down: String(s.down),
      params: s.params.join(" "),
      probe: p ? (p.ok ? `HTTP ${p.status} in ${p.ms} ms` : `${p.error} (${p.ms} ms)`) : "not probed",
    },
  };
}

function toBalancer(u: TNginxUpstream, doc: TNginxStatusDocument): TBalancerSnapshot {
  const raw: Record<string, string> = {
    method: u.methodDirective ?? "round robin",
    includeFile: doc.includeFile,
    allowsBackup: String(u.allowsBackup),
  };
  // The counters are extra: a wrong stubStatusUrl is reported beside the upstream, it does not fail the poll.
  let stubError = doc.stubStatusError;
  if (doc.stubStatus !== null) {
    try {
      for (const [k, v] of Object.entries(parseStubStatus(doc.stubStatus))) raw[`stub_status.${k}`] = String(v);
    } catch (err) {
      stubError = (err as Error).message;
    }
  }
  if (stubError) raw["stub_status.error"] = stubError;
  return { name: u.name, nonce: null, raw, members: u.servers.map((s) => toMember(s, doc.probes[s.address])) };
}

export function parseNginxStatus(text: string): TFrontendStatus {
  let doc: TNginxStatusDocument;
  try {
    doc = JSON.parse(text) as TNginxStatusDocument;
  } catch {
    throw new UnexpectedResponseError("nginx status", "not the document fetchNginxStatusText writes");
  }
  return { software: null, balancers: parseUpstreamFile(doc.file).map((u) => toBalancer(u, doc)) };
}
