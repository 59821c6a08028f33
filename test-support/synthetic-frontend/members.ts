import type { TAdminState } from "@/server/domain/member-state";

/**
 * The members a synthetic frontend routes to: N Tomcats named m0001…, spread over "racks" of 250
 * loopback addresses (127.1.<rack>.<n>: nothing ever reaches beyond this machine), HTTP 8080 / AJP 8009 each, routes equal to the names. Traffic is
 * deterministic per member (some busier than others, some with errors) so top-N charts have an answer.
 */
export interface TSyntheticMemberSpec {
  name: string;
  route: string;
  host: string;
  httpPort: number;
  ajpPort: number;
  /** Requests per second this member takes from each frontend. */
  requestsPerSec: number;
  /** Errors per second, on kinds that count them (mod_jk, HAProxy). */
  errorsPerSec: number;
  /** `retry=` set on the BalancerMember (httpd then prints <httpd:retry>). */
  retrySeconds?: number;
}

export const RACK_SIZE = 250;

export function memberName(index: number): string {
  return `m${String(index + 1).padStart(4, "0")}`;
}

export function syntheticMembers(count: number): TSyntheticMemberSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: memberName(i),
    route: memberName(i),
    host: `127.1.${Math.floor(i / RACK_SIZE)}.${(i % RACK_SIZE) + 1}`,
    httpPort: 8080,
    ajpPort: 8009,
    requestsPerSec: 0.5 * ((i % 7) + 1),
    errorsPerSec: i % 50 === 7 ? 0.2 : 0,
  }));
}

/** The inventory YAML of one cluster holding these members and frontends (the importer's format). */
export function syntheticInventoryYaml(
  cluster: string,
  members: readonly TSyntheticMemberSpec[],
  frontends: ReadonlyArray<{
    name: string;
    kind: string;
    url: string;
    balancer: string;
    pollIntervalMs?: number;
    timeoutMs?: number;
  }>,
): string {
  const lines = [
    `clusters:`,
    `  - name: ${cluster}`,
    `    description: Synthetic cluster of ${members.length} members`,
  ];
  lines.push(`    members:`);
  for (const m of members)
    lines.push(
      `      - { name: ${m.name}, route: ${m.route}, host: ${m.host}, httpPort: ${m.httpPort}, ajpPort: ${m.ajpPort} }`,
    );
  lines.push(`    frontends:`);
  for (const f of frontends)
    lines.push(
      `      - { name: ${f.name}, kind: ${f.kind}, url: "${f.url}", balancer: ${f.balancer}, pollIntervalMs: ${f.pollIntervalMs ?? 2000}${f.timeoutMs ? `, timeoutMs: ${f.timeoutMs}` : ""} }`,
    );
  return `${lines.join("\n")}\n`;
}

/** Cumulative counters of one member on one frontend; they only grow, as the real ones do. */
export interface TCounters {
  elected: number;
  errors: number;
  /** Bytes to the backend. */
  transferred: number;
  /** Bytes read back. */
  read: number;
  /** Fractional requests and errors carried over, so slow members still count up. */
  carry: number;
  errorCarry: number;
  at: number;
}

export function newCounters(at: number): TCounters {
  return { elected: 0, errors: 0, transferred: 0, read: 0, carry: 0, errorCarry: 0, at };
}

/**
 * Advances the counters to `now` at the member's rate (`share` 0 while the frontend sends it nothing,
 * e.g. stopped or in error). Bytes per request are about what the lab's demo app moves.
 */
export function advanceCounters(c: TCounters, spec: TSyntheticMemberSpec, now: number, share: number): TCounters {
  const seconds = Math.max(0, (now - c.at) / 1000);
  const requests = c.carry + spec.requestsPerSec * share * seconds;
  const whole = Math.floor(requests);
  c.elected += whole;
  c.carry = requests - whole;
  const errors = c.errorCarry + spec.errorsPerSec * share * seconds;
  c.errors += Math.floor(errors);
  c.errorCarry = errors - Math.floor(errors);
  c.transferred += whole * 310;
  c.read += whole * 820;
  c.at = now;
  return c;
}

const heldBusy = new WeakMap<TSyntheticMemberSpec, number>();

/**
 * A test holds a member's requests in flight at `busy` on every frontend serving this spec (a slow
 * request keeping a rollout's "inflight" wait open), or lets them go with null.
 */
export function holdBusy(spec: TSyntheticMemberSpec, busy: number | null): void {
  if (busy === null) heldBusy.delete(spec);
  else heldBusy.set(spec, busy);
}

/** Requests in flight: the busiest members have one now and then (unless a test holds them). */
export function busyAt(spec: TSyntheticMemberSpec, now: number): number {
  const held = heldBusy.get(spec);
  if (held !== undefined) return held;
  return spec.requestsPerSec >= 3.5 && Math.floor(now / 1000) % 4 === 0 ? 1 : 0;
}

/** What a test can flip on a synthetic frontend, in the console's words; each kind maps it to its own flags. */
export interface TSyntheticFlip {
  adminState?: TAdminState;
  /** The frontend saw the member fail (httpd Err, mod_jk ERR, HAProxy DOWN), or it recovered. */
  failing?: boolean;
}
