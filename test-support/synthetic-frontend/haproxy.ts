import fs from "node:fs";
import path from "node:path";
import type { TAdminState } from "@/server/domain/member-state";
import { HAPROXY_STATE_WORD } from "@/server/adapters/frontends/haproxy/actions";
import { HAPROXY_ADMIN_BITS, HAPROXY_OP_STATES } from "@/server/adapters/frontends/haproxy/normalize";
import {
  advanceCounters,
  busyAt,
  newCounters,
  type TCounters,
  type TSyntheticFlip,
  type TSyntheticMemberSpec,
} from "./members";

/**
 * HAProxy 2.6's runtime API (non-interactive: one line of ";"-separated commands, the answers, then
 * close) for one backend of N servers. The `show info` block, the `show stat` CSV header and the
 * `show servers state` header are the lab capture's own (haproxy/__fixtures__/01-all-up.txt), and a
 * server line starts from that capture's server line, so the columns are exactly HAProxy's; only
 * what changes per server is filled in. `set server B/S state|weight` answers like HAProxy: nothing
 * on success, its one-line refusal otherwise (fixtures 02, 52, 53).
 */
const CAPTURE = fs.readFileSync(
  path.resolve(import.meta.dirname, "../../server/adapters/frontends/haproxy/__fixtures__/01-all-up.txt"),
  "utf8",
);
const CAPTURE_LINES = CAPTURE.split("\n");
const INFO_LINES = CAPTURE_LINES.slice(0, CAPTURE_LINES.indexOf(""));
const STAT_HEADER = CAPTURE_LINES.find((l) => l.startsWith("# pxname,"))!;
const STAT_COLUMNS = STAT_HEADER.slice(2).split(",");
const SERVER_TEMPLATE = CAPTURE_LINES[CAPTURE_LINES.indexOf(STAT_HEADER) + 1]!.split(",");
const BACKEND_TEMPLATE = CAPTURE_LINES.find((l) => l.startsWith("tomcats,BACKEND,"))!.split(",");
const STATE_HEADER = CAPTURE_LINES.find((l) => l.startsWith("# be_id "))!;

interface TServer {
  spec: TSyntheticMemberSpec;
  id: number;
  adminBits: number;
  opState: number;
  weight: number;
  counters: TCounters;
  lastChange: number;
}

const BACKEND_ID = 3;

export class SyntheticHaproxy {
  private readonly servers: TServer[];
  private readonly byName = new Map<string, TServer>();
  private readonly started: number;
  changes = 0;

  constructor(
    readonly backend: string,
    specs: readonly TSyntheticMemberSpec[],
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    this.servers = specs.map((spec, i) => ({
      spec,
      id: i + 1,
      adminBits: 0,
      opState: HAPROXY_OP_STATES.running,
      weight: 1,
      counters: newCounters(this.started),
      lastChange: this.started,
    }));
    for (const s of this.servers) this.byName.set(s.spec.name, s);
  }

  /** The answer to one command line, as HAProxy writes it before closing the connection. */
  answer(line: string): string {
    return line
      .split(";")
      .map((c) => c.trim())
      .filter((c) => c !== "")
      .map((c) => this.answerOne(c))
      .join("");
  }

  flip(name: string, flip: TSyntheticFlip): void {
    const s = this.byName.get(name);
    if (!s) throw new Error(`no server ${name}`);
    if (flip.adminState) this.setState(s, wordFor(flip.adminState));
    if (flip.failing !== undefined) s.opState = flip.failing ? HAPROXY_OP_STATES.stopped : HAPROXY_OP_STATES.running;
    s.lastChange = this.now();
  }

  private answerOne(command: string): string {
    const words = command.split(/\s+/);
    if (command === "show info") return `${this.info().join("\n")}\n\n`;
    if (words[0] === "show" && words[1] === "stat") {
      return words[2] === this.backend ? this.stat() : "No such proxy.\n\n";
    }
    if (words[0] === "show" && words[1] === "servers" && words[2] === "state") {
      return words[3] === this.backend ? this.serversState() : "Can't find backend.\n\n";
    }
    if (words[0] === "set" && words[1] === "server") return this.setServer(words.slice(2));
    return "Unknown command. Please enter one of the following commands only :\n\n";
  }

  private setServer(args: string[]): string {
    const [target, what, value] = args;
    if (!target?.includes("/")) return "Require 'backend/server'.\n\n";
    const [backend, name] = target.split("/");
    if (backend !== this.backend) return "No such backend.\n\n";
    const s = this.byName.get(name ?? "");
    if (!s) return "No such server.\n\n";
    if (what === "state") {
      if (value !== "ready" && value !== "drain" && value !== "maint")
        return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n";
      this.setState(s, value);
    } else if (what === "weight") {
      const n = Number(value);
      if (!/^\d+$/.test(value ?? "")) return "Empty weight string empty or preceded by garbage";
      if (n > 256) return "Absolute weight can only be between 0 and 256 inclusive.\n\n";
      s.weight = n;
    } else {
      return "'set server <srv>' only supports 'agent', 'health', 'state', 'weight', 'addr', 'fqdn' and 'check-port'.\n\n";
    }
    s.lastChange = this.now();
    this.changes++;
    return "\n";
  }

  private setState(s: TServer, word: "ready" | "drain" | "maint"): void {
    s.adminBits &= ~(HAPROXY_ADMIN_BITS.forcedMaint | HAPROXY_ADMIN_BITS.forcedDrain);
    // Like HAProxy: maint replaces drain, and forces the operational state to stopped (checks stop).
    if (word === "maint") s.adminBits |= HAPROXY_ADMIN_BITS.forcedMaint;
    if (word === "drain") s.adminBits |= HAPROXY_ADMIN_BITS.forcedDrain;
  }

  private info(): string[] {
    const up = Math.floor((this.now() - this.started) / 1000);
    return INFO_LINES.map((l) => {
      if (l.startsWith("Pid: ")) return `Pid: ${process.pid}`;
      if (l.startsWith("Uptime_sec: ")) return `Uptime_sec: ${up}`;
      if (l.startsWith("Uptime: "))
        return `Uptime: 0d ${Math.floor(up / 3600)}h${String(Math.floor(up / 60) % 60).padStart(2, "0")}m${String(up % 60).padStart(2, "0")}s`;
      return l;
    });
  }

  private stat(): string {
    const t = this.now();
    const lines = [STAT_HEADER];
    let stot = 0;
    let up = 0;
    for (const s of this.servers) {
      const maint = (s.adminBits & HAPROXY_ADMIN_BITS.forcedMaint) !== 0;
      const running = !maint && s.opState !== HAPROXY_OP_STATES.stopped;
      const drain = (s.adminBits & HAPROXY_ADMIN_BITS.forcedDrain) !== 0;
      const c = advanceCounters(s.counters, s.spec, t, running ? (drain ? 0.3 : 1) : 0);
      stot += c.elected;
      if (running) up++;
      const status = maint ? "MAINT" : !running ? "DOWN" : drain ? "DRAIN" : "UP";
      lines.push(
        serverLine({
          pxname: this.backend,
          svname: s.spec.name,
          scur: busyAt(s.spec, t),
          stot: c.elected,
          bin: c.transferred,
          bout: c.read,
          econ: c.errors,
          status,
          weight: s.weight,
          sid: s.id,
          lbtot: c.elected,
          check_status: maint ? "" : running ? "L7OK" : "L4CON",
          check_code: maint || !running ? "" : 200,
          check_desc: maint ? "" : running ? "Layer7 check passed" : "Layer4 connection problem",
          addr: `${s.spec.host}:${s.spec.httpPort}`,
          req_tot: c.elected,
          hrsp_2xx: c.elected,
        }),
      );
    }
    const backend = [...BACKEND_TEMPLATE];
    const set = (col: string, v: string | number) => (backend[STAT_COLUMNS.indexOf(col)] = String(v));
    set("pxname", this.backend);
    set("stot", stot);
    set("act", up);
    set("weight", up);
    lines.push(backend.join(","), "");
    return `${lines.join("\n")}\n`;
  }

  private serversState(): string {
    const t = this.now();
    const lines = ["1", STATE_HEADER];
    for (const s of this.servers) {
      const maint = (s.adminBits & HAPROXY_ADMIN_BITS.forcedMaint) !== 0;
      const op = maint ? HAPROXY_OP_STATES.stopped : s.opState;
      const since = Math.floor((t - s.lastChange) / 1000);
      lines.push(
        `${BACKEND_ID} ${this.backend} ${s.id} ${s.spec.name} ${s.spec.host} ${op} ${s.adminBits} ${s.weight} 1 ${since} ${maint ? "15 3 0 14" : "15 3 3 6"} 0 0 0 - ${s.spec.httpPort} - 0 0 - - 0`,
      );
    }
    return `${lines.join("\n")}\n\n`;
  }
}

function serverLine(values: Record<string, string | number>): string {
  const cells = [...SERVER_TEMPLATE];
  for (const [col, v] of Object.entries(values)) {
    const i = STAT_COLUMNS.indexOf(col);
    if (i < 0) throw new Error(`no column ${col} in the captured show stat header`);
    cells[i] = String(v);
  }
  return cells.join(",");
}

function wordFor(state: TAdminState): "ready" | "drain" | "maint" {
  const word = HAPROXY_STATE_WORD[state];
  if (word === null) throw new Error(`HAProxy has no runtime ${state}`);
  return word;
}
