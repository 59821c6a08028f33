import { XMLParser } from "fast-xml-parser";
import type { TBalancerSnapshot, TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";
import { classifyRoot, endsWithClosingTag, isXmlNode, type TXmlNode } from "@/server/adapters/frontends/xml-document";
import { normalizeWorkerStatus } from "./normalize";

/**
 * Parser for Apache httpd 2.4.71 mod_proxy_balancer `balancer-manager?xml=1` (the GET, and the page a
 * POST with `xml=1` returns after applying the change). Layout: docs/reference/apache-balancer-manager.md §4.
 * Every element is prefixed `httpd:`, values are element text (no attributes), and the document is
 * well-formed, so it is parsed by local name with entity decoding on: httpd passes route and redirect
 * through ap_escape_html.
 */

/** Leading words of every error, so a failed poll says which kind of target misbehaved. */
const WHAT = {
  html: "balancer-manager returned HTML instead of XML",
  notManager: "balancer-manager returned a document that is not its XML status",
  malformed: "balancer-manager returned malformed XML",
  format: "balancer-manager XML is not in the expected format",
} as const;

export const MANAGER_ELEMENTS = {
  root: "manager",
  balancers: "balancers",
  balancer: "balancer",
  workers: "workers",
  worker: "worker",
} as const;

export const BALANCER_FIELDS = {
  /** "balancer://NAME"; the manager's `b` parameter is NAME without the scheme. */
  name: "name",
  /** Empty when `ProxySet nonce=None`: httpd 2.4.71 then refuses every change (§3). */
  nonce: "nonce",
} as const;

export const WORKER_FIELDS = {
  /** Worker URL, the manager's `w` parameter. The default port is left out of it (ajp://127.0.0.1). */
  name: "name",
  hostname: "hostname",
  /** Always printed, even when the name omits the default port. */
  port: "port",
  status: "status",
  elected: "elected",
  busy: "busy",
  /** Bytes sent to the backend. */
  transferred: "transferred",
  /** Bytes read from the backend. */
  read: "read",
  /** Printed twice per worker (same field, `%.2f`); the parser keeps the first. */
  loadfactor: "loadfactor",
  route: "route",
  lbset: "lbset",
} as const;

const BALANCER_SCHEME = "balancer://";

const xmlParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  // Keep "2.00", "0" etc. as text: `raw` must be verbatim and numbers are converted field by field.
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => tagName === MANAGER_ELEMENTS.balancer || tagName === MANAGER_ELEMENTS.worker,
});

function assertManagerDocument(xml: string): void {
  const { kind, root } = classifyRoot(xml, MANAGER_ELEMENTS.root);
  if (kind === "html") {
    // Seen when the request has no Referer or its hostname differs from the server name (safe_referer,
    // AH10187 in the error log), and for httpd's own error pages.
    throw new UnexpectedResponseError(
      WHAT.html,
      "the Referer header was missing or its hostname differs from the server name " +
        '(send "Referer: http://<the host you connect to>/balancer-manager"; with UseCanonicalName On it must ' +
        "be the ServerName), or the URL served an error page or is not a balancer-manager handler",
      { root },
    );
  }
  if (kind === "other") {
    throw new UnexpectedResponseError(
      WHAT.notManager,
      `expected <httpd:manager>, found ${root === null ? "no XML element" : `<${root}>`}; check that the URL ` +
        'points at a "SetHandler balancer-manager" location and asks for ?xml=1',
      { root },
    );
  }
}

/** A truncated response must not parse as a shorter list (see endsWithClosingTag). */
function assertComplete(xml: string): void {
  if (!endsWithClosingTag(xml, MANAGER_ELEMENTS.root)) {
    throw new UnexpectedResponseError(
      WHAT.malformed,
      "the document does not end with </httpd:manager> (truncated response?)",
    );
  }
}

/** Text of a leaf element. `loadfactor` occurs twice, which the parser turns into an array: keep the first. */
function readText(value: unknown): string | null {
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === "string" ? first.trim() : null;
}

/** Every leaf element of a node as trimmed text (nested elements such as `workers` are skipped). */
function readLeafFields(node: TXmlNode): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(node)) {
    const text = readText(value);
    if (text !== null) raw[key] = text;
  }
  return raw;
}

function requireField(raw: Record<string, string>, field: string, where: string): string {
  const value = raw[field];
  if (value === undefined) {
    throw new UnexpectedResponseError(WHAT.format, `${where} has no <httpd:${field}> element`, { field, where });
  }
  return value;
}

function readInteger(raw: Record<string, string>, field: string, where: string): number {
  const text = requireField(raw, field, where);
  if (!/^-?\d+$/.test(text)) {
    throw new UnexpectedResponseError(WHAT.format, `${where} has a non-integer <httpd:${field}>: "${text}"`, {
      field,
      where,
      text,
    });
  }
  return Number(text);
}

function readDecimal(raw: Record<string, string>, field: string, where: string): number {
  const text = requireField(raw, field, where);
  if (!/^-?\d+(?:\.\d+)?$/.test(text)) {
    throw new UnexpectedResponseError(WHAT.format, `${where} has a non-numeric <httpd:${field}>: "${text}"`, {
      field,
      where,
      text,
    });
  }
  return Number(text);
}

function parseWorker(node: TXmlNode, balancerName: string): TObservedMember {
  const raw = readLeafFields(node);
  const key = requireField(raw, WORKER_FIELDS.name, `a worker of balancer "${balancerName}"`);
  const where = `worker "${key}" of balancer "${balancerName}"`;
  const hostname = raw[WORKER_FIELDS.hostname];
  return {
    key,
    route: raw[WORKER_FIELDS.route] ?? "",
    host: hostname === undefined || hostname === "" ? null : hostname,
    port: raw[WORKER_FIELDS.port] === undefined ? null : readInteger(raw, WORKER_FIELDS.port, where),
    ...normalizeWorkerStatus(requireField(raw, WORKER_FIELDS.status, where)),
    elected: readInteger(raw, WORKER_FIELDS.elected, where),
    busy: readInteger(raw, WORKER_FIELDS.busy, where),
    // balancer-manager keeps no per-worker error counter, only the Err flag and error_time.
    errors: null,
    bytesOut: readInteger(raw, WORKER_FIELDS.transferred, where),
    bytesIn: readInteger(raw, WORKER_FIELDS.read, where),
    loadfactor: readDecimal(raw, WORKER_FIELDS.loadfactor, where),
    lbset: readInteger(raw, WORKER_FIELDS.lbset, where),
    raw,
  };
}

function listChildren(node: TXmlNode, container: string, child: string): TXmlNode[] {
  const holder = node[container];
  if (!isXmlNode(holder)) return [];
  const children = holder[child];
  return Array.isArray(children) ? children.filter(isXmlNode) : [];
}

function parseBalancer(node: TXmlNode): TBalancerSnapshot {
  const raw = readLeafFields(node);
  const fullName = requireField(raw, BALANCER_FIELDS.name, "a balancer");
  const name = fullName.toLowerCase().startsWith(BALANCER_SCHEME) ? fullName.slice(BALANCER_SCHEME.length) : fullName;
  return {
    name,
    // "" is kept as "" (not null): it is the nononce balancer, present but unchangeable through the
    // manager, while null means a frontend kind that has no nonce at all (mod_jk).
    nonce: raw[BALANCER_FIELDS.nonce] ?? "",
    raw,
    members: listChildren(node, MANAGER_ELEMENTS.workers, MANAGER_ELEMENTS.worker).map((worker) =>
      parseWorker(worker, name),
    ),
  };
}

/** Parses a balancer-manager `?xml=1` document into every balancer it lists (config order). */
export function parseBalancerManagerXml(xml: string): TFrontendStatus {
  assertManagerDocument(xml);
  assertComplete(xml);
  let document: unknown;
  try {
    document = xmlParser.parse(xml);
  } catch (error) {
    throw new UnexpectedResponseError(WHAT.malformed, error instanceof Error ? error.message : String(error));
  }
  const manager = isXmlNode(document) ? document[MANAGER_ELEMENTS.root] : undefined;
  if (manager === "" || manager === undefined) return { software: null, balancers: [] };
  if (!isXmlNode(manager)) {
    throw new UnexpectedResponseError(WHAT.format, "<httpd:manager> holds text instead of elements");
  }
  return {
    // The XML does not state the server version (only the HTML page and the Server header do).
    software: null,
    balancers: listChildren(manager, MANAGER_ELEMENTS.balancers, MANAGER_ELEMENTS.balancer).map(parseBalancer),
  };
}
