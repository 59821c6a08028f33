import type { TBalancerSnapshot, TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";
import { classifyRoot, endsWithClosingTag, readXml } from "@/server/adapters/frontends/xml-document";
import { normalizeWorkerStatus } from "./normalize";

/**
 * Parser for Apache httpd 2.4.71 mod_proxy_balancer `balancer-manager?xml=1` (the GET, and the page a
 * POST with `xml=1` returns after applying the change). Layout: docs/reference/apache-balancer-manager.md §4.
 * Every element is prefixed `httpd:`, values are element text (no attributes), and the document is
 * well-formed, so it is read by local name with entity decoding on: httpd passes route and redirect
 * through ap_escape_html. A balancer's and a worker's fields are their leaf child elements; an element
 * that occurs twice (`loadfactor`) keeps its first value.
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
  /** Route to use when this worker cannot take a sticky request ("RouteRedir"); empty when unset. */
  redirect: "redirect",
  lbset: "lbset",
} as const;

const BALANCER_SCHEME = "balancer://";

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

function parseWorker(raw: Record<string, string>, balancerName: string): TObservedMember {
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
    settings: {
      route: raw[WORKER_FIELDS.route] ?? "",
      redirect: raw[WORKER_FIELDS.redirect] ?? "",
      lbset: readInteger(raw, WORKER_FIELDS.lbset, where),
    },
    raw,
  };
}

/** A balancer as read: its leaf fields and its workers' leaf fields, in document order. */
interface TBalancerFields {
  raw: Record<string, string>;
  workers: Array<Record<string, string>>;
}

function toBalancer({ raw, workers }: TBalancerFields): TBalancerSnapshot {
  const fullName = requireField(raw, BALANCER_FIELDS.name, "a balancer");
  const name = fullName.toLowerCase().startsWith(BALANCER_SCHEME) ? fullName.slice(BALANCER_SCHEME.length) : fullName;
  return {
    name,
    // "" is kept as "" (not null): it is the nononce balancer, present but unchangeable through the
    // manager, while null means a frontend kind that has no nonce at all (mod_jk).
    nonce: raw[BALANCER_FIELDS.nonce] ?? "",
    raw,
    members: workers.map((worker) => parseWorker(worker, name)),
  };
}

/**
 * manager > balancers > balancer > (leaf fields, workers > worker > leaf fields). Only the first
 * `balancers` of the manager and the first `workers` of a balancer are read.
 */
function readBalancers(xml: string): TBalancerFields[] {
  const balancers: TBalancerFields[] = [];
  /** The element path from the root, with whether each has child elements and its text so far. */
  const path: Array<{ name: string; hasChildren: boolean; text: string }> = [];
  let balancersSeen = 0;
  let workersSeen = 0;
  let current: TBalancerFields | null = null;
  let worker: Record<string, string> | null = null;
  let managerText = "";
  readXml(
    xml,
    { decodeEntities: true },
    {
      open(name, _attributes, depth) {
        const parent = path[depth - 1];
        if (parent) parent.hasChildren = true;
        path[depth] = { name, hasChildren: false, text: "" };
        if (depth === 1 && name === MANAGER_ELEMENTS.balancers) balancersSeen++;
        else if (depth === 2 && balancersSeen === 1 && parent?.name === MANAGER_ELEMENTS.balancers) {
          if (name === MANAGER_ELEMENTS.balancer) {
            current = { raw: {}, workers: [] };
            workersSeen = 0;
          }
        } else if (depth === 3 && current && name === MANAGER_ELEMENTS.workers) workersSeen++;
        else if (depth === 4 && current && workersSeen === 1 && name === MANAGER_ELEMENTS.worker) worker = {};
      },
      text(text) {
        const top = path[path.length - 1];
        if (top) top.text += text;
      },
      close(name, depth) {
        const element = path[depth]!;
        path.length = depth;
        if (depth === 0) managerText = element.hasChildren ? "" : element.text.trim();
        else if (depth === 2 && current && name === MANAGER_ELEMENTS.balancer) {
          balancers.push(current);
          current = null;
        } else if (depth === 3 && current && !element.hasChildren) {
          if (!(name in current.raw)) current.raw[name] = element.text.trim();
        } else if (depth === 4 && worker && name === MANAGER_ELEMENTS.worker) {
          current!.workers.push(worker);
          worker = null;
        } else if (depth === 5 && worker && !element.hasChildren) {
          if (!(name in worker)) worker[name] = element.text.trim();
        }
      },
    },
    (detail) => new UnexpectedResponseError(WHAT.malformed, detail),
  );
  if (managerText !== "") {
    throw new UnexpectedResponseError(WHAT.format, "<httpd:manager> holds text instead of elements");
  }
  return balancers;
}

/**
 * That a reply is balancer-manager's XML status, complete, without reading it (a change's reply: the
 * caller reads the frontend back anyway, so parsing its 1,000 workers here would be wasted).
 */
export function assertBalancerManagerXml(xml: string): void {
  assertManagerDocument(xml);
  assertComplete(xml);
}

/** Parses a balancer-manager `?xml=1` document into every balancer it lists (config order). */
export function parseBalancerManagerXml(xml: string): TFrontendStatus {
  assertManagerDocument(xml);
  assertComplete(xml);
  return {
    // The XML does not state the server version (only the HTML page and the Server header do).
    software: null,
    balancers: readBalancers(xml).map(toBalancer),
  };
}
