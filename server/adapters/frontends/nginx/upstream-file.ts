import { AppError } from "@/server/errors";
import { boundQuotes } from "@/server/domain/snippet";

/**
 * The include file ClusterDeck owns: one or more `upstream NAME { ... }` blocks in nginx's config
 * syntax (nginx 1.22, ngx_http_upstream_module). Pure: text in, model out, and edits that replace only
 * the one `server` directive they change, so comments and every other directive stay byte for byte.
 */

/** Server parameters ClusterDeck reads (others are kept verbatim). */
export const SERVER_PARAMS = {
  weight: "weight",
  maxFails: "max_fails",
  failTimeout: "fail_timeout",
  backup: "backup",
  down: "down",
} as const;

/** nginx's defaults when a parameter is absent (ngx_http_upstream_server). */
export const SERVER_DEFAULTS = { weight: 1, maxFails: 1, failTimeout: "10s" } as const;

/**
 * Balancing methods that refuse `backup`: nginx -t says 'balancing method does not support parameter
 * "backup"' (verified on 1.22.1 with hash, ip_hash and random; round robin and least_conn accept it).
 */
const METHODS_WITHOUT_BACKUP = new Set(["hash", "ip_hash", "random"]);
const METHOD_DIRECTIVES = new Set(["hash", "ip_hash", "least_conn", "random", "least_time"]);

export interface TNginxServer {
  /** As written: "127.0.0.1:18081", "tomcat1.lan", "unix:/run/app.sock". The member's key. */
  address: string;
  host: string | null;
  port: number | null;
  weight: number;
  maxFails: number;
  failTimeout: string;
  backup: boolean;
  down: boolean;
  /** Every parameter after the address, verbatim, in order. */
  params: string[];
  /** [start, end) of the whole directive ("server ... ;") in the file text. */
  range: [number, number];
}

export interface TNginxUpstream {
  name: string;
  /** "round-robin" (no method directive), or the directive name: hash, ip_hash, least_conn, random. */
  method: string;
  /** The method directive as written ("hash $cookie_JSESSIONID consistent"), null for round robin. */
  methodDirective: string | null;
  allowsBackup: boolean;
  servers: TNginxServer[];
}

interface TToken {
  text: string;
  start: number;
  end: number;
}

interface TDirective {
  name: string;
  args: string[];
  start: number;
  end: number;
  /** Directives inside `{ }`, null for a simple directive ending with ";". */
  block: TDirective[] | null;
}

/** Quotes from the file are short snippets (domain/snippet.ts): a wrong file must not be read out in an error. */
function syntaxError(message: string, text: string, offset: number): AppError {
  const line = text.slice(0, offset).split("\n").length;
  return new AppError("UNEXPECTED_RESPONSE", `nginx include file, line ${line}: ${boundQuotes(message)}`, { line });
}

/** nginx's lexer, reduced to what an upstream file holds: words, quoted strings, ; { } and # comments. */
function tokenize(text: string): TToken[] {
  const tokens: TToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === ";" || c === "{" || c === "}") {
      tokens.push({ text: c, start: i, end: i + 1 });
      i++;
    } else if (c === '"' || c === "'") {
      const start = i;
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === "\\" ? 2 : 1;
      if (i >= text.length) throw syntaxError("unterminated quoted string", text, start);
      i++;
      tokens.push({ text: text.slice(start + 1, i - 1), start, end: i });
    } else {
      const start = i;
      while (i < text.length && !/[\s;{}#]/.test(text[i]!)) i++;
      tokens.push({ text: text.slice(start, i), start, end: i });
    }
  }
  return tokens;
}

function parseDirectives(tokens: TToken[], text: string, pos: { i: number }, nested: boolean): TDirective[] {
  const out: TDirective[] = [];
  while (pos.i < tokens.length) {
    const first = tokens[pos.i]!;
    if (first.text === "}") {
      if (!nested) throw syntaxError('unexpected "}"', text, first.start);
      pos.i++;
      return out;
    }
    if (first.text === ";" || first.text === "{") throw syntaxError(`unexpected "${first.text}"`, text, first.start);
    const args: string[] = [];
    pos.i++;
    for (;;) {
      const t = tokens[pos.i];
      if (!t) throw syntaxError(`directive "${first.text}" is not terminated by ";"`, text, first.start);
      pos.i++;
      if (t.text === ";") {
        out.push({ name: first.text, args, start: first.start, end: t.end, block: null });
        break;
      }
      if (t.text === "{") {
        const block = parseDirectives(tokens, text, pos, true);
        out.push({ name: first.text, args, start: first.start, end: tokens[pos.i - 1]!.end, block });
        break;
      }
      if (t.text === "}") throw syntaxError(`directive "${first.text}" is not terminated by ";"`, text, t.start);
      args.push(t.text);
    }
  }
  if (nested) throw syntaxError('a block is not closed with "}"', text, text.length);
  return out;
}

/** "host:port", "[::1]:8080", "host" (port 80), "unix:/path" (no host/port). */
function splitAddress(address: string): { host: string | null; port: number | null } {
  if (address.startsWith("unix:")) return { host: null, port: null };
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (v6) return { host: v6[1]!, port: v6[2] ? Number(v6[2]) : 80 };
  const m = /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!m) return { host: null, port: null };
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 80 };
}

function paramValue(params: string[], name: string): string | undefined {
  const p = params.find((x) => x.startsWith(`${name}=`));
  return p === undefined ? undefined : p.slice(name.length + 1);
}

function toServer(d: TDirective, text: string): TNginxServer {
  const [address, ...params] = d.args;
  if (!address) throw syntaxError('"server" without an address', text, d.start);
  const weight = Number(paramValue(params, SERVER_PARAMS.weight) ?? SERVER_DEFAULTS.weight);
  const maxFails = Number(paramValue(params, SERVER_PARAMS.maxFails) ?? SERVER_DEFAULTS.maxFails);
  if (!Number.isInteger(weight) || weight < 1) throw syntaxError(`server ${address}: invalid weight`, text, d.start);
  if (!Number.isInteger(maxFails) || maxFails < 0)
    throw syntaxError(`server ${address}: invalid max_fails`, text, d.start);
  return {
    address,
    ...splitAddress(address),
    weight,
    maxFails,
    failTimeout: paramValue(params, SERVER_PARAMS.failTimeout) ?? SERVER_DEFAULTS.failTimeout,
    backup: params.includes(SERVER_PARAMS.backup),
    down: params.includes(SERVER_PARAMS.down),
    params,
    range: [d.start, d.end],
  };
}

/** Every upstream block of the file. Anything else at top level is ignored (the file may hold other config). */
export function parseUpstreamFile(text: string): TNginxUpstream[] {
  const directives = parseDirectives(tokenize(text), text, { i: 0 }, false);
  return directives
    .filter((d) => d.name === "upstream" && d.block !== null)
    .map((d) => {
      const name = d.args[0];
      if (!name) throw syntaxError('"upstream" without a name', text, d.start);
      const block = d.block!;
      const method = block.find((x) => METHOD_DIRECTIVES.has(x.name));
      return {
        name,
        method: method?.name ?? "round-robin",
        methodDirective: method ? [method.name, ...method.args].join(" ") : null,
        allowsBackup: !method || !METHODS_WITHOUT_BACKUP.has(method.name),
        servers: block.filter((x) => x.name === "server").map((x) => toServer(x, text)),
      };
    });
}

/** What to change in one server line; absent fields are left as they are. */
export interface TServerEdit {
  weight?: number;
  down?: boolean;
  backup?: boolean;
}

function withFlag(params: string[], flag: string, on: boolean | undefined): string[] {
  if (on === undefined) return params;
  const without = params.filter((p) => p !== flag);
  return on ? [...without, flag] : without;
}

/** A server's params with the edit applied, keeping every other parameter and the original order. */
export function editServerParams(params: readonly string[], edit: TServerEdit): string[] {
  let out = [...params];
  if (edit.weight !== undefined) {
    const at = out.findIndex((p) => p.startsWith(`${SERVER_PARAMS.weight}=`));
    // nginx's default weight is written as no weight at all: putting a member back to 1 (a rollout's
    // ramp, an operator undoing a change) gives back the line it had, not an equivalent one.
    if (edit.weight === SERVER_DEFAULTS.weight) out = out.filter((_, i) => i !== at);
    else if (at >= 0) out[at] = `${SERVER_PARAMS.weight}=${edit.weight}`;
    else out = [`${SERVER_PARAMS.weight}=${edit.weight}`, ...out];
  }
  out = withFlag(out, SERVER_PARAMS.down, edit.down);
  out = withFlag(out, SERVER_PARAMS.backup, edit.backup);
  return out;
}

/**
 * The file text with one server of one upstream changed; everything else is kept byte for byte.
 * Refuses (INVALID_INPUT) what nginx would refuse for that upstream, and unknown upstreams or servers.
 */
export function editUpstreamFile(text: string, upstreamName: string, address: string, edit: TServerEdit): string {
  const upstream = parseUpstreamFile(text).find((u) => u.name === upstreamName);
  if (!upstream)
    throw new AppError("NOT_FOUND", `The include file has no upstream "${upstreamName}"`, { upstream: upstreamName });
  const server = upstream.servers.find((s) => s.address === address);
  if (!server)
    throw new AppError("NOT_FOUND", `Upstream "${upstreamName}" has no server ${address}`, {
      upstream: upstreamName,
      address,
    });
  if (edit.backup && !upstream.allowsBackup) {
    throw new AppError(
      "INVALID_INPUT",
      `upstream "${upstreamName}" balances with "${upstream.methodDirective}", and nginx rejects "backup" with hash, ip_hash and random ` +
        '(nginx -t: balancing method does not support parameter "backup"); use round robin or least_conn for a standby member',
      { upstream: upstreamName, method: upstream.method },
    );
  }
  const params = editServerParams(server.params, edit);
  const line = ["server", quoteIfNeeded(server.address), ...params.map(quoteIfNeeded)].join(" ") + ";";
  return text.slice(0, server.range[0]) + line + text.slice(server.range[1]);
}

/** Tokens were unquoted when read; one that needs quotes gets them back. */
function quoteIfNeeded(token: string): string {
  return /^[^\s;{}#"']+$/.test(token) ? token : `"${token.replace(/(["\\])/g, "\\$1")}"`;
}
