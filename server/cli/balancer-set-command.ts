import { type Command, InvalidArgumentError, Option } from "commander";
import type { TBalancerSettingAnswer, TClusterView } from "@/server/cli/api-client";
import { CliError, EXIT, type TExitCode } from "@/server/cli/exit-codes";
import type { TCommandContext } from "@/server/cli/command-context";
import { balancerSettingProblem } from "@/server/domain/balancer-settings";

/**
 * `clusterdeck balancer-set <frontend> --maxattempts 3 --nofailover on`: balancer-level settings through
 * POST …/frontends/{frontend}/balancer-settings, one request per setting in the order of BALANCER_OPTIONS
 * (each is read back and audited on its own, like the UI's dialog). The options are the union of the kinds'
 * settings; which ones the frontend has, and their limits, come from the console's cluster view (the
 * adapter's capabilities), so a setting its kind lacks or a bad value is a usage error (2) and nothing is sent.
 */

/** Option → the setting's name as the status page writes it (balancer-manager first, then jkstatus). */
export const BALANCER_OPTIONS = [
  { flag: "lbmethod", name: "lbmethod", arg: "<method>", help: "balancer-manager: byrequests, bybusyness, …" },
  { flag: "nofailover", name: "nofailover", arg: "<on|off>", help: "balancer-manager: on = no failover" },
  { flag: "timeout", name: "timeout", arg: "<seconds>", help: "balancer-manager: wait for a free member" },
  { flag: "maxattempts", name: "maxattempts", arg: "<n>", help: "balancer-manager: failover attempts" },
  { flag: "method", name: "method", arg: "<method>", help: "jkstatus: Request, Traffic, Busyness, Sessions, Next" },
  { flag: "sticky-session", name: "sticky_session", arg: "<on|off>", help: "jkstatus: sticky sessions" },
  { flag: "retries", name: "retries", arg: "<n>", help: "jkstatus: tries before an error" },
  { flag: "recover-time", name: "recover_time", arg: "<seconds>", help: "jkstatus: rest of a member in error" },
] as const;

/** Commander's key for an option: "sticky-session" → "stickySession". */
function keyOf(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Only the form here (a switch is on/off, a number is digits); the kind's limits are checked with its spec. */
function parseValue(arg: string) {
  return (text: string): string => {
    const value = text.trim();
    if (arg === "<on|off>" && value !== "on" && value !== "off") throw new InvalidArgumentError('give "on" or "off"');
    if ((arg === "<n>" || arg === "<seconds>") && !/^\d+$/.test(value))
      throw new InvalidArgumentError("give a whole number");
    return value;
  };
}

/** What to send, checked against the frontend's own capability; throws a usage error before anything is sent. */
export function planBalancerSettings(
  view: TClusterView,
  frontendName: string,
  balancer: string | undefined,
  given: ReadonlyArray<{ name: string; value: string }>,
): Array<{ name: string; value: string }> {
  const f = view.frontends.find((x) => x.name === frontendName);
  if (!f)
    throw new CliError(
      EXIT.USAGE,
      `No frontend "${frontendName}" in cluster ${view.cluster.name}; it has ${view.frontends.map((x) => x.name).join(", ") || "none"}.`,
    );
  if (balancer !== undefined && balancer !== f.balancer)
    throw new CliError(EXIT.USAGE, `${f.name} drives balancer ${f.balancer}, not ${balancer}; nothing was sent.`);
  const specs = f.balancerSettings ?? {};
  const offered = Object.keys(specs);
  const problems = given.flatMap(({ name, value }) => {
    const spec = specs[name];
    if (!spec)
      return [
        `${f.name} (${f.kindLabel}) has no balancer setting ${name}` +
          (offered.length ? `; it has ${offered.join(", ")}` : "; it has none"),
      ];
    const problem = balancerSettingProblem(name, spec, value);
    return problem ? [problem] : [];
  });
  if (problems.length) throw new CliError(EXIT.USAGE, `${problems.join("\n")}\nNothing was sent.`, "INVALID_INPUT");
  return [...given];
}

function resultLine(r: TBalancerSettingAnswer): string {
  const audit = `audit #${r.auditId}`;
  if (r.outcome === "done") return `${r.name}: done, ${r.before ?? "?"} → ${r.shown ?? "?"} (${audit})`;
  if (r.outcome === "not-verified")
    return `${r.name}: NOT VERIFIED, shows ${r.shown ?? "?"}: ${r.message ?? ""} (${audit})`;
  return `${r.name}: FAILED: ${r.message ?? "refused"} (${audit})`;
}

/** 0 when every setting was read back; 5 when none took; otherwise 1 (some did, some did not). */
export function exitForBalancerResults(results: readonly TBalancerSettingAnswer[]): TExitCode {
  if (results.every((r) => r.outcome === "done")) return EXIT.OK;
  if (results.every((r) => r.outcome === "failed")) return EXIT.FAILED;
  return EXIT.PARTIAL;
}

export function addBalancerSetCommand(
  program: Command,
  ctx: TCommandContext & { clusterOf: (cmd: Command, given: string | undefined) => Promise<string> },
): void {
  const cmd = program
    .command("balancer-set")
    .description(
      "change settings of a frontend's balancer (balancer-manager: lbmethod, nofailover, timeout, maxattempts; " +
        "jkstatus: method, sticky-session, retries, recover-time), each read back from the frontend. " +
        "They change how every request of the balancer is placed, for every member.",
    )
    .argument("<frontend>", "frontend name (as in the inventory)")
    .option("-c, --cluster <name>", "cluster name (may be left out when the console has exactly one)")
    .option("--balancer <name>", "refuse unless the frontend drives this balancer (a guard for scripts)")
    .option("--json", "print the results as one JSON array on stdout (human messages go to stderr)");
  for (const o of BALANCER_OPTIONS)
    cmd.addOption(new Option(`--${o.flag} ${o.arg}`, o.help).argParser(parseValue(o.arg)));
  cmd.action(async (frontend: string, opts: Record<string, unknown>, self: Command) => {
    ctx.setJson(Boolean(opts.json));
    const given = BALANCER_OPTIONS.flatMap((o) => {
      const value = opts[keyOf(o.flag)];
      return typeof value === "string" ? [{ name: o.name, value }] : [];
    });
    if (given.length === 0)
      throw new CliError(EXIT.USAGE, `Give at least one of ${BALANCER_OPTIONS.map((o) => `--${o.flag}`).join(", ")}.`);
    const human = opts.json ? ctx.io.err : ctx.io.out;
    const client = ctx.clientOf(self);
    const cluster = await ctx.clusterOf(self, opts.cluster as string | undefined);
    const settings = planBalancerSettings(
      await client.getCluster(cluster),
      frontend,
      opts.balancer as string | undefined,
      given,
    );
    human(`balancer settings of ${frontend} in cluster ${cluster}:`);
    const results: TBalancerSettingAnswer[] = [];
    for (const setting of settings) {
      const result = await client.balancerSetting(cluster, frontend, setting);
      results.push(result);
      human(resultLine(result));
    }
    if (opts.json) ctx.io.out(JSON.stringify(results, null, 2));
    ctx.done(exitForBalancerResults(results));
  });
}
