import { type Command, InvalidArgumentError, Option } from "commander";
import type { TMemberActionResult } from "@/server/cli/api-client";
import { CliError, EXIT, type TExitCode } from "@/server/cli/exit-codes";
import type { TCommandContext } from "@/server/cli/command-context";
import { formatActionResult } from "@/server/cli/format";
import {
  MEMBER_SETTING_NAMES,
  SETTING_MEANINGS,
  ZMemberSettingChange,
  describeSetting,
  isTextSetting,
  settingValueProblem,
  type TMemberSettingChange,
  type TMemberSettingName,
} from "@/server/domain/member-settings";

/**
 * `clusterdeck set <member> --route t2 --lbset 1`: member settings through POST …/members/{member}/settings,
 * one request per setting in the order given (each is verified and audited on its own, like the UI's
 * dialog), so a refused one does not hide the others. The same zod schema as the API checks every value
 * first, so a bad one is a usage error (2) and nothing is sent.
 */

/** The exit code of several results: the worst of them (failed > partial > done). */
function worst(results: TMemberActionResult[]): TExitCode {
  if (results.some((r) => r.overall === "failed")) return EXIT.FAILED;
  if (results.some((r) => r.overall === "partial")) return EXIT.PARTIAL;
  return EXIT.OK;
}

function settingParser(name: TMemberSettingName) {
  return (text: string): TMemberSettingChange => {
    const value = isTextSetting(name) ? text : /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    // NaN would fail zod's number type before the refinement that names the setting.
    const problem = settingValueProblem(name, value);
    if (problem) throw new InvalidArgumentError(problem);
    const parsed = ZMemberSettingChange.safeParse({ name, value });
    if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? `bad ${name}`);
    return parsed.data;
  };
}

export function addSettingsCommand(
  program: Command,
  ctx: TCommandContext & { clusterOf: (cmd: Command, given: string | undefined) => Promise<string> },
): void {
  const cmd = program
    .command("set")
    .description(
      "change member settings on every frontend that has them (balancer-manager: route, redirect, lbset; " +
        "jkstatus: route, redirect, domain, distance), each read back from the frontend",
    )
    .argument("<member>", "member name")
    .option("-c, --cluster <name>", "cluster name (may be left out when the console has exactly one)")
    .option("--json", "print the results as one JSON array on stdout (human messages go to stderr)");
  for (const name of MEMBER_SETTING_NAMES) {
    const arg = isTextSetting(name) ? "<text>" : "<n>";
    cmd.addOption(new Option(`--${name} ${arg}`, SETTING_MEANINGS[name]).argParser(settingParser(name)));
  }
  cmd.action(async (member: string, opts: Record<string, unknown>, self: Command) => {
    ctx.setJson(Boolean(opts.json));
    const changes = MEMBER_SETTING_NAMES.map((n) => opts[n] as TMemberSettingChange | undefined).filter(
      (c): c is TMemberSettingChange => c !== undefined,
    );
    if (changes.length === 0)
      throw new CliError(EXIT.USAGE, `Give at least one of ${MEMBER_SETTING_NAMES.map((n) => `--${n}`).join(", ")}.`);
    const human = opts.json ? ctx.io.err : ctx.io.out;
    const client = ctx.clientOf(self);
    const cluster = await ctx.clusterOf(self, opts.cluster as string | undefined);
    const results: TMemberActionResult[] = [];
    for (const setting of changes) {
      const result = await client.memberAction(cluster, member, "settings", { setting });
      results.push(result);
      human(
        `set ${setting.name} of ${member} in cluster ${cluster}:\n` +
          formatActionResult(result, describeSetting(setting), setting.name).join("\n"),
      );
    }
    if (opts.json) ctx.io.out(JSON.stringify(results, null, 2));
    ctx.done(worst(results));
  });
}
