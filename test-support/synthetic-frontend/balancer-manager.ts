import { randomUUID } from "node:crypto";
import type { TAdminState } from "@/server/domain/member-state";
import { ADMIN_FLAG_PARAMS, BM_PARAMS, FLAG_FOR_STATE } from "@/server/adapters/frontends/apache-balancer/actions";
import { WORKER_STATUS_FLAGS } from "@/server/adapters/frontends/apache-balancer/normalize";
import {
  advanceCounters,
  busyAt,
  newCounters,
  type TCounters,
  type TSyntheticFlip,
  type TSyntheticMemberSpec,
} from "./members";

/**
 * A balancer-manager (httpd 2.4.71 mod_proxy_balancer) for N workers, shaped like the captures in
 * server/adapters/frontends/apache-balancer/__fixtures__ (13-after-traffic-node2-drained.xml): the same
 * elements in the same order, `loadfactor` twice, `error_time` only on a worker in error, the status
 * tokens in proxy_wstat_tbl order with "Ok " when usable. Changes take the POST the adapter sends
 * (form body, Referer with our host, the balancer's nonce) and answer like httpd: 200 whatever
 * happened, the XML status with xml=1, an HTML page when the Referer is missing.
 */
interface TWorker {
  spec: TSyntheticMemberSpec;
  /** Status letters set (N D S H R E …), as httpd's bits. "O" (Init) is always on. */
  flags: Set<string>;
  /** Load factor in hundredths, as httpd stores it. */
  lf: number;
  errorTime: string | null;
  counters: TCounters;
}

const ERROR_LETTER = "E";

export class SyntheticBalancerManager {
  readonly nonce = randomUUID();
  private readonly workers: TWorker[];
  private readonly byKey = new Map<string, TWorker>();
  /** POSTs that changed something, for tests. */
  changes = 0;

  constructor(
    readonly balancer: string,
    members: readonly TSyntheticMemberSpec[],
    private readonly now: () => number = Date.now,
  ) {
    const started = now();
    this.workers = members.map((spec) => ({
      spec,
      flags: new Set(["O"]),
      lf: 100,
      errorTime: null,
      counters: newCounters(started),
    }));
    for (const w of this.workers) this.byKey.set(workerName(w.spec), w);
  }

  render(): string {
    const t = this.now();
    const out: string[] = [
      "<?xml version='1.0' encoding='UTF-8' ?>",
      "<httpd:manager xmlns:httpd='http://httpd.apache.org'>",
      "  <httpd:balancers>",
      "    <httpd:balancer>",
      `      <httpd:name>balancer://${this.balancer}</httpd:name>`,
      `      <httpd:nonce>${this.nonce}</httpd:nonce>`,
      "      <httpd:stickysession>JSESSIONID</httpd:stickysession>",
      "      <httpd:nofailover>Off</httpd:nofailover>",
      "      <httpd:timeout>0</httpd:timeout>      <httpd:maxattempts>2</httpd:maxattempts>",
      "      <httpd:lbmethod>byrequests</httpd:lbmethod>",
      "      <httpd:scolonpathdelim>On</httpd:scolonpathdelim>",
      "      <httpd:workers>",
    ];
    for (const w of this.workers) {
      const c = advanceCounters(w.counters, w.spec, t, this.share(w));
      const lf = (w.lf / 100).toFixed(2);
      const field = (name: string, value: string | number) => `          <httpd:${name}>${value}</httpd:${name}>`;
      out.push(
        "        <httpd:worker>",
        field("name", workerName(w.spec)),
        field("scheme", "http"),
        field("hostname", w.spec.host),
        field("loadfactor", lf),
        field("port", w.spec.httpPort),
        field("min", 0),
        field("smax", 25),
        field("max", 25),
        field("ttl", 0),
        field("status", statusText(w.flags)),
      );
      if (w.errorTime) out.push(field("error_time", w.errorTime));
      out.push(
        field("retries", 0),
        field("lbstatus", 0),
        field("loadfactor", lf),
        field("transferred", c.transferred),
        field("read", c.read),
        field("elected", c.elected),
        field("route", w.spec.route),
        field("redirect", ""),
        field("busy", busyAt(w.spec, t)),
        field("lbset", 0),
      );
      if (w.spec.retrySeconds !== undefined) out.push(field("retry", w.spec.retrySeconds));
      out.push("        </httpd:worker>");
    }
    out.push("      </httpd:workers>", "    </httpd:balancer>", "  </httpd:balancers>", "</httpd:manager>");
    return out.join("\n");
  }

  /**
   * A POST to the manager. Like httpd: a wrong balancer, worker or nonce changes nothing and still
   * answers 200; only the parameters the adapter sends are understood.
   */
  handlePost(body: URLSearchParams): void {
    if ((body.get(BM_PARAMS.balancer) ?? "").toLowerCase() !== this.balancer.toLowerCase()) return;
    if (body.get(BM_PARAMS.nonce) !== this.nonce) return;
    const w = this.byKey.get(body.get(BM_PARAMS.worker) ?? "");
    if (!w) return;
    for (const param of Object.values(ADMIN_FLAG_PARAMS)) {
      const value = body.get(param);
      const letter = param.slice(-1);
      if (value === "1") w.flags.add(letter);
      else if (value === "0") w.flags.delete(letter);
    }
    const lf = body.get(BM_PARAMS.loadfactor);
    if (lf !== null) {
      const hundredths = Math.trunc(Number(lf) * 100);
      if (hundredths >= 100 && hundredths <= 10_000) w.lf = hundredths;
    }
    this.changes++;
  }

  flip(name: string, flip: TSyntheticFlip): void {
    const w = this.workers.find((x) => x.spec.name === name);
    if (!w) throw new Error(`no worker ${name}`);
    if (flip.adminState) setAdminFlags(w.flags, flip.adminState);
    if (flip.failing === true) {
      w.flags.add(ERROR_LETTER);
      w.errorTime = new Date(this.now()).toUTCString();
    } else if (flip.failing === false) {
      w.flags.delete(ERROR_LETTER);
      w.errorTime = null;
    }
  }

  /** Share of its normal traffic a worker gets: none when out of rotation, sticky users only when draining. */
  private share(w: TWorker): number {
    if (["D", "S", "E", "H", "R"].some((l) => w.flags.has(l))) return 0;
    return w.flags.has("N") ? 0.3 : 1;
  }
}

export function workerName(spec: TSyntheticMemberSpec): string {
  return `http://${spec.host}:${spec.httpPort}`;
}

function setAdminFlags(flags: Set<string>, state: TAdminState): void {
  for (const param of Object.values(ADMIN_FLAG_PARAMS)) flags.delete(param.slice(-1));
  const on = FLAG_FOR_STATE[state];
  if (on) flags.add(on.slice(-1));
}

/** httpd prints the set bits in proxy_wstat_tbl order, each followed by a space, then "Ok " if usable. */
function statusText(flags: Set<string>): string {
  let text = "";
  for (const f of WORKER_STATUS_FLAGS) if (flags.has(f.letter)) text += `${f.token} `;
  const unusable = ["U", "D", "S", "E", "C"].some((l) => flags.has(l));
  if (flags.has("O") && !unusable) text += "Ok ";
  return text;
}
