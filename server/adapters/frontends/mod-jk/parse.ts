import type { TBalancerSnapshot, TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";
import { classifyRoot, endsWithClosingTag, readXml } from "@/server/adapters/frontends/xml-document";
import { normalizeMemberStatus } from "./normalize";

/**
 * Parser for the mod_jk 1.2.48 status worker's XML (`jkstatus?mime=xml`): cmd=list, cmd=show (an lb,
 * one member, a plain ajp worker), version, dump, and the bare `<result>` that cmd=update / reset /
 * recover and every error return. Layout: docs/reference/mod-jk-status.md §3, §4, §7.
 * - Every value is an attribute, one per line.
 * - The element prefix is the status worker's `ns` property (default "jk:", "-" for none), so elements
 *   are matched by local name and no prefix is ever assumed.
 * - Attribute values are NOT XML-escaped upstream (names, routes and hosts are copied from
 *   workers.properties), so entity decoding is off: a literal "&" or "<" in a value is taken verbatim,
 *   and "&amp;" in a value means those five characters, as mod_jk printed them.
 */

/** Leading words of every error, so a failed poll says which kind of target misbehaved. */
const WHAT = {
  html: "jkstatus returned HTML instead of XML",
  notStatus: "jkstatus returned a document that is not its XML status",
  malformed: "jkstatus returned malformed XML",
  format: "jkstatus XML is not in the expected format",
} as const;

export const JK_ELEMENTS = {
  root: "status",
  software: "software",
  time: "time",
  /** Wraps the lb workers in cmd=list; cmd=show w=LB puts a `balancer` directly under `status`. */
  balancers: "balancers",
  balancer: "balancer",
  member: "member",
  /** URL maps: children of `balancer`, and siblings following `ajp` under `ajp_workers`. Not parsed. */
  map: "map",
  /** Plain (non-lb) ajp workers; not balancers, so not parsed. */
  ajp: "ajp",
  result: "result",
} as const;

export const JK_BALANCER_ATTRIBUTES = { name: "name" } as const;

export const JK_MEMBER_ATTRIBUTES = {
  /** Member worker name, the `sw` parameter of every member command. */
  name: "name",
  route: "route",
  host: "host",
  port: "port",
  activation: "activation",
  state: "state",
  /** Requests handled, new and sticky, failed attempts included (HTML "Acc"). */
  elected: "elected",
  busy: "busy",
  /** Member errors, the ones that put it into ERR (client_errors are counted apart). */
  errors: "errors",
  /** Bytes sent to the backend. */
  transferred: "transferred",
  /** Bytes read from the backend. */
  read: "read",
  lbfactor: "lbfactor",
  /** Route of the preferred failover member; empty when unset. */
  redirect: "redirect",
  /** Members with the same domain are treated as one for sticky failover; empty when unset. */
  domain: "domain",
  /** Preference tier, the nearest thing mod_jk has to httpd's lbset (lower is used first). */
  distance: "distance",
} as const;

export const JK_SOFTWARE_ATTRIBUTES = { webServer: "web_server", jkVersion: "jk_version" } as const;
/** `unix` is epoch seconds; `datetime` is in the server's local time zone, so it is not used. */
export const JK_TIME_ATTRIBUTES = { unix: "unix" } as const;
export const JK_RESULT_ATTRIBUTES = { type: "type", message: "message" } as const;

/** mod_jk's `result` element: type "OK" or "ERROR" and a message (always HTTP 200, errors included). */
export interface TJkResult {
  type: string;
  message: string;
}

export type TJkStatusDocument = TFrontendStatus & {
  /** null when the document has no `<result>` (mod_jk 1.2.48 always prints one in XML). */
  result: TJkResult | null;
  /** `time@unix`, epoch seconds; null in update/error responses, which carry no time. */
  serverTime: number | null;
};

function assertStatusDocument(xml: string): void {
  const { kind, root } = classifyRoot(xml, JK_ELEMENTS.root);
  if (kind === "html") {
    throw new UnexpectedResponseError(
      WHAT.html,
      "add mime=xml to the query string (jkstatus reads its parameters only from the query string, " +
        "never from a POST body), or the URL served an error page",
      { root },
    );
  }
  if (kind === "other") {
    throw new UnexpectedResponseError(
      WHAT.notStatus,
      `expected <jk:status> (with any namespace prefix), found ${
        root === null ? "no XML element (mime=txt and mime=prop output look like this)" : `<${root}>`
      }; check that the URL points at a worker of type=status and asks for mime=xml`,
      { root, start: xml.slice(0, 80) },
    );
  }
}

/** A truncated response must not parse as a shorter list (see endsWithClosingTag). */
function assertComplete(xml: string): void {
  if (!endsWithClosingTag(xml, JK_ELEMENTS.root)) {
    throw new UnexpectedResponseError(
      WHAT.malformed,
      "the document does not end with </jk:status> (truncated response?)",
    );
  }
}

/** Attribute values as printed, trimmed (mod_jk pads nothing, but a hand-edited proxy might). */
function trimmed(attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) out[key] = value.trim();
  return out;
}

function requireAttribute(raw: Record<string, string>, attribute: string, where: string): string {
  const value = raw[attribute];
  if (value === undefined) {
    throw new UnexpectedResponseError(WHAT.format, `${where} has no ${attribute} attribute`, { attribute, where });
  }
  return value;
}

function readInteger(raw: Record<string, string>, attribute: string, where: string): number {
  const text = requireAttribute(raw, attribute, where);
  if (!/^-?\d+$/.test(text)) {
    throw new UnexpectedResponseError(WHAT.format, `${where} has a non-integer ${attribute}="${text}"`, {
      attribute,
      where,
      text,
    });
  }
  return Number(text);
}

function parseMember(raw: Record<string, string>, balancerName: string): TObservedMember {
  const key = requireAttribute(raw, JK_MEMBER_ATTRIBUTES.name, `a member of lb "${balancerName}"`);
  const where = `member "${key}" of lb "${balancerName}"`;
  const host = raw[JK_MEMBER_ATTRIBUTES.host];
  return {
    key,
    route: raw[JK_MEMBER_ATTRIBUTES.route] ?? "",
    host: host === undefined || host === "" ? null : host,
    port: raw[JK_MEMBER_ATTRIBUTES.port] === undefined ? null : readInteger(raw, JK_MEMBER_ATTRIBUTES.port, where),
    ...normalizeMemberStatus(
      requireAttribute(raw, JK_MEMBER_ATTRIBUTES.activation, where),
      requireAttribute(raw, JK_MEMBER_ATTRIBUTES.state, where),
    ),
    elected: readInteger(raw, JK_MEMBER_ATTRIBUTES.elected, where),
    busy: readInteger(raw, JK_MEMBER_ATTRIBUTES.busy, where),
    errors: readInteger(raw, JK_MEMBER_ATTRIBUTES.errors, where),
    bytesOut: readInteger(raw, JK_MEMBER_ATTRIBUTES.transferred, where),
    bytesIn: readInteger(raw, JK_MEMBER_ATTRIBUTES.read, where),
    loadfactor: readInteger(raw, JK_MEMBER_ATTRIBUTES.lbfactor, where),
    lbset: readInteger(raw, JK_MEMBER_ATTRIBUTES.distance, where),
    settings: {
      route: raw[JK_MEMBER_ATTRIBUTES.route] ?? "",
      redirect: raw[JK_MEMBER_ATTRIBUTES.redirect] ?? "",
      domain: raw[JK_MEMBER_ATTRIBUTES.domain] ?? "",
      distance: readInteger(raw, JK_MEMBER_ATTRIBUTES.distance, where),
    },
    raw,
  };
}

interface TJkBalancerFields {
  raw: Record<string, string>;
  members: Array<Record<string, string>>;
}

function toBalancer({ raw, members }: TJkBalancerFields): TBalancerSnapshot {
  const name = requireAttribute(raw, JK_BALANCER_ATTRIBUTES.name, "an lb worker");
  return {
    name,
    // mod_jk has no CSRF nonce (docs/reference/mod-jk-status.md §2): null, unlike balancer-manager's "" for
    // "unchangeable".
    nonce: null,
    raw,
    members: members.map((member) => parseMember(member, name)),
  };
}

/**
 * "Apache/2.4.71 (Debian) mod_jk/1.2.48". web_server normally already names mod_jk; with ServerTokens
 * Prod it is just "Apache", so jk_version is appended whenever web_server does not contain it.
 */
function readSoftware(attributes: Record<string, string>): string | null {
  const webServer = attributes[JK_SOFTWARE_ATTRIBUTES.webServer] || null;
  const jkVersion = attributes[JK_SOFTWARE_ATTRIBUTES.jkVersion] || null;
  if (webServer === null || jkVersion === null) return webServer ?? jkVersion;
  return webServer.includes(jkVersion) ? webServer : `${webServer} ${jkVersion}`;
}

function readServerTime(attributes: Record<string, string>): number | null {
  const unix = attributes[JK_TIME_ATTRIBUTES.unix];
  return unix !== undefined && /^\d+$/.test(unix) ? Number(unix) : null;
}

/** What the status element holds: the first of each singleton child, and the lb workers. */
interface TJkStatusFields {
  software: Record<string, string>;
  time: Record<string, string>;
  result: Record<string, string> | null;
  /** From the first `balancers` wrapper (cmd=list), then those directly under `status` (cmd=show). */
  listed: TJkBalancerFields[];
  direct: TJkBalancerFields[];
  hasElements: boolean;
}

/**
 * status > (server, time, software, result, balancer > member, balancers > balancer > member, …).
 * A singleton that appears twice keeps its first; maps and plain ajp workers are not read.
 */
function readStatus(xml: string): TJkStatusFields {
  const fields: TJkStatusFields = { software: {}, time: {}, result: null, listed: [], direct: [], hasElements: false };
  const seen = new Set<string>();
  const path: string[] = [];
  let balancer: TJkBalancerFields | null = null;
  let balancerDepth = -1;
  let wrappers = 0;
  readXml(
    xml,
    { decodeEntities: false },
    {
      open(name, attributes, depth) {
        path[depth] = name;
        if (depth === 1) {
          fields.hasElements = true;
          const first = !seen.has(name);
          seen.add(name);
          if (name === JK_ELEMENTS.balancers) wrappers++;
          if (first && name === JK_ELEMENTS.software) fields.software = trimmed(attributes);
          else if (first && name === JK_ELEMENTS.time) fields.time = trimmed(attributes);
          else if (first && name === JK_ELEMENTS.result) fields.result = trimmed(attributes);
        }
        const inFirstList = depth === 2 && path[1] === JK_ELEMENTS.balancers && wrappers === 1;
        if (name === JK_ELEMENTS.balancer && (depth === 1 || inFirstList)) {
          balancer = { raw: trimmed(attributes), members: [] };
          balancerDepth = depth;
          (depth === 1 ? fields.direct : fields.listed).push(balancer);
        } else if (balancer && depth === balancerDepth + 1 && name === JK_ELEMENTS.member) {
          balancer.members.push(trimmed(attributes));
        }
      },
      close(name, depth) {
        if (depth === balancerDepth && name === JK_ELEMENTS.balancer) {
          balancer = null;
          balancerDepth = -1;
        }
        path.length = depth;
      },
    },
    (detail) => new UnexpectedResponseError(WHAT.malformed, detail),
  );
  return fields;
}

/** Parses any jkstatus `mime=xml` document; balancers are the lb workers it shows (none for update responses). */
export function parseJkStatusXml(xml: string): TJkStatusDocument {
  assertStatusDocument(xml);
  assertComplete(xml);
  const status = readStatus(xml);
  if (!status.hasElements) {
    // `<jk:status/>` or text only: nothing a status worker would send, not even for an error.
    throw new UnexpectedResponseError(WHAT.format, "<status> holds no elements");
  }
  const result = status.result
    ? {
        type: status.result[JK_RESULT_ATTRIBUTES.type] ?? "",
        message: status.result[JK_RESULT_ATTRIBUTES.message] ?? "",
      }
    : null;
  return {
    software: readSoftware(status.software),
    balancers: [...status.listed, ...status.direct].map(toBalancer),
    result,
    serverTime: readServerTime(status.time),
  };
}

/** True when mod_jk reported a failure. Anything but "OK" counts, so an unexpected type is never taken for success. */
export function jkResultIsError(result: TJkResult | null): boolean {
  return result !== null && result.type !== "OK";
}
