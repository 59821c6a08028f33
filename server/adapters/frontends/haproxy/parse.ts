import type { TBalancerSnapshot, TFrontendStatus, TObservedMember } from "@/server/adapters/frontends/types";
import { UnexpectedResponseError } from "@/server/errors";
import { normalizeMemberStatus } from "./normalize";

/**
 * Parser for what HAProxy 2.6's runtime API answers to the status command the adapter sends:
 * `show info; show stat <backend> 6 -1; show servers state <backend>` (HAPROXY_STATUS_COMMAND).
 * The answers follow each other, each ending with an empty line (docs/reference/haproxy-runtime-api.md §2-§4):
 * - `show info`: "Key: value" lines (only Name and Version are used).
 * - `show stat`: CSV whose first line "# pxname,svname,…" names every column. Fields are read by that
 *   header, never by position, so columns added by later versions cannot shift anything. CSV rather
 *   than `typed`: one line per proxy/server instead of one per field (~100× fewer lines per poll), and
 *   the header makes it self-describing. Values never contain commas (names cannot).
 * - `show servers state`: a format version line ("1"), a "# be_id be_name …" header, then one
 *   space-separated line per server. It carries what `show stat` cannot: the admin state bits apart
 *   from the operational state (`show stat` prints a drained server that is down as plain "DOWN").
 * A command that fails prints only HAProxy's message (e.g. "No such proxy."), which becomes the error.
 */

export const HAPROXY_STAT_FIELDS = {
  proxy: "pxname",
  server: "svname",
  /** 0 frontend, 1 backend, 2 server, 3 listener. */
  type: "type",
  status: "status",
  weight: "weight",
  /** 1 for a backup server (used only when no active one is left): the console's lbset. */
  backup: "bck",
  /** Current sessions (connections) on the server: in flight. */
  currentSessions: "scur",
  /** Cumulative sessions sent to the server (new, persistent and redispatched alike). */
  totalSessions: "stot",
  /** Bytes received from clients and sent to the server. */
  bytesToServer: "bin",
  /** Bytes the server answered. */
  bytesFromServer: "bout",
  connectionErrors: "econ",
  responseErrors: "eresp",
  address: "addr",
  cookie: "cookie",
  algorithm: "algo",
} as const;

export const HAPROXY_STAT_TYPES = { frontend: "0", backend: "1", server: "2", listener: "3" } as const;

export const HAPROXY_STATE_FIELDS = {
  backend: "be_name",
  server: "srv_name",
  address: "srv_addr",
  port: "srv_port",
  opState: "srv_op_state",
  adminState: "srv_admin_state",
  /** Weight as set by the operator (config or `set server … weight`), 0-256. */
  userWeight: "srv_uweight",
} as const;

const STAT_HEADER = "# pxname,";
const STATE_HEADER = "# be_id ";
const WHAT = "HAProxy runtime API";

export function haproxyStatusCommand(backend: string): string {
  return `show info; show stat ${backend} 6 -1; show servers state ${backend}`;
}

type TRow = Record<string, string>;

function splitLines(text: string): string[] {
  return text.replace(/\r\n/g, "\n").split("\n");
}

function parseInfo(lines: string[]): TRow {
  const info: TRow = {};
  for (const line of lines) {
    const m = /^([^:]+): (.*)$/.exec(line);
    if (m) info[m[1]!] = m[2]!.trim();
  }
  return info;
}

function rowsAfterHeader(lines: string[], start: number, split: (line: string) => string[]): TRow[] {
  const header = split(lines[start]!.slice(2));
  const rows: TRow[] = [];
  for (let i = start + 1; i < lines.length && lines[i] !== ""; i++) {
    const cells = split(lines[i]!);
    const row: TRow = {};
    header.forEach((name, index) => {
      if (name !== "" && name !== "-") row[name] = (cells[index] ?? "").trim();
    });
    rows.push(row);
  }
  return rows;
}

const byComma = (line: string) => line.split(",");
const bySpace = (line: string) => line.trim().split(/ +/);

/** Lines that are neither a known section nor blank: HAProxy's own error messages. */
function strayMessages(lines: string[]): string[] {
  const out: string[] = [];
  let inSection = false;
  for (const line of lines) {
    if (line === "") inSection = false;
    else if (line.startsWith(STAT_HEADER) || line.startsWith(STATE_HEADER) || /^[A-Za-z_]+: /.test(line))
      inSection = true;
    else if (!inSection && !/^\d+$/.test(line)) out.push(line.trim());
  }
  return out;
}

function num(row: TRow, field: string): number {
  const value = Number(row[field] ?? "");
  return row[field] === undefined || row[field] === "" || !Number.isFinite(value) ? 0 : value;
}

function requiredInt(row: TRow, field: string, where: string): number {
  const text = row[field];
  if (text === undefined || !/^\d+$/.test(text)) {
    throw new UnexpectedResponseError(WHAT, `show servers state: ${where} has no integer ${field} ("${text ?? ""}")`, {
      row,
    });
  }
  return Number(text);
}

function toMember(stat: TRow, state: TRow | undefined): TObservedMember {
  const name = stat[HAPROXY_STAT_FIELDS.server]!;
  if (!state) {
    throw new UnexpectedResponseError(WHAT, `server ${name} is in show stat but not in show servers state`, {
      server: name,
    });
  }
  const where = `server ${name}`;
  const port = Number(state[HAPROXY_STATE_FIELDS.port]);
  const address = state[HAPROXY_STATE_FIELDS.address];
  const errors = num(stat, HAPROXY_STAT_FIELDS.connectionErrors) + num(stat, HAPROXY_STAT_FIELDS.responseErrors);
  return {
    key: name,
    // HAProxy has no route of its own: the lab (and the usual use-server/cookie setups) name each
    // server after the jvmRoute; a `cookie` value, when configured, is the persistence value itself.
    route: stat[HAPROXY_STAT_FIELDS.cookie] || name,
    host: address && address !== "-" ? address : null,
    port: Number.isInteger(port) && port > 0 ? port : null,
    ...normalizeMemberStatus(
      requiredInt(state, HAPROXY_STATE_FIELDS.opState, where),
      requiredInt(state, HAPROXY_STATE_FIELDS.adminState, where),
    ),
    elected: num(stat, HAPROXY_STAT_FIELDS.totalSessions),
    busy: num(stat, HAPROXY_STAT_FIELDS.currentSessions),
    errors,
    bytesOut: num(stat, HAPROXY_STAT_FIELDS.bytesToServer),
    bytesIn: num(stat, HAPROXY_STAT_FIELDS.bytesFromServer),
    loadfactor: requiredInt(state, HAPROXY_STATE_FIELDS.userWeight, where),
    lbset: stat[HAPROXY_STAT_FIELDS.backup] === "1" ? 1 : 0,
    raw: { ...stat, ...Object.fromEntries(Object.entries(state).map(([k, v]) => [`state.${k}`, v])) },
  };
}

/** Parses the answer to haproxyStatusCommand(); every backend in it becomes one balancer. */
export function parseHaproxyStatus(text: string): TFrontendStatus {
  const lines = splitLines(text);
  const statAt = lines.findIndex((l) => l.startsWith(STAT_HEADER));
  const stateAt = lines.findIndex((l) => l.startsWith(STATE_HEADER));
  const messages = strayMessages(lines);
  if (statAt < 0 || stateAt < 0) {
    const detail =
      messages.length > 0
        ? messages.join(" / ")
        : `expected "show stat" CSV and "show servers state", got ${JSON.stringify(text.slice(0, 120))}`;
    throw new UnexpectedResponseError(WHAT, detail, { messages });
  }
  if (messages.length > 0) throw new UnexpectedResponseError(WHAT, messages.join(" / "), { messages });

  const info = parseInfo(lines.slice(0, Math.min(statAt, stateAt)));
  const stats = rowsAfterHeader(lines, statAt, byComma);
  const states = rowsAfterHeader(lines, stateAt, bySpace);
  const stateOf = new Map(
    states.map((s) => [`${s[HAPROXY_STATE_FIELDS.backend]}/${s[HAPROXY_STATE_FIELDS.server]}`, s]),
  );

  const balancers: TBalancerSnapshot[] = stats
    .filter((row) => row[HAPROXY_STAT_FIELDS.type] === HAPROXY_STAT_TYPES.backend)
    .map((backend) => {
      const name = backend[HAPROXY_STAT_FIELDS.proxy]!;
      const members = stats
        .filter(
          (row) =>
            row[HAPROXY_STAT_FIELDS.type] === HAPROXY_STAT_TYPES.server && row[HAPROXY_STAT_FIELDS.proxy] === name,
        )
        .map((row) => toMember(row, stateOf.get(`${name}/${row[HAPROXY_STAT_FIELDS.server]}`)));
      return { name, nonce: null, raw: backend, members };
    });
  const software = info.Name && info.Version ? `${info.Name} ${info.Version}` : null;
  return { software, balancers };
}

/**
 * The answer to a `set server` command: empty on success, HAProxy's message otherwise
 * (docs/reference/haproxy-runtime-api.md §5).
 */
export function haproxyCommandError(answer: string): string | null {
  const message = answer.trim();
  return message === "" ? null : message;
}
