import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { STATE_VERBS, STATE_VERB_NAMES, VERB_EFFECT, type TStateVerb } from "@/server/domain/member-verbs";
import { ZWeightInput } from "@/server/services/members/member-actions-schema";
import {
  createClient,
  DEFAULT_URL,
  resolveConnection,
  type TClient,
  type TMemberActionResult,
} from "@/server/cli/api-client";
import { CliError, EXIT, EXIT_CODES_HELP, type TExitCode } from "@/server/cli/exit-codes";
import { formatActionResult, formatClusterView, formatOverview, formatWait } from "@/server/cli/format";
import { relevantFrontendIds, waitForMember, type TExpectation, type TWaitReport } from "@/server/cli/wait";
import { addRolloutCommands } from "@/server/cli/rollout-commands";
import { addStoreCommands } from "@/server/cli/store-commands";
import { runBulkAction } from "@/server/cli/bulk-commands";
import { addInventoryCommands } from "@/server/cli/inventory-commands";
import { addReportCommands } from "@/server/cli/report-commands";
import { addSettingsCommand } from "@/server/cli/settings-command";
import { addBalancerSetCommand } from "@/server/cli/balancer-set-command";
import { MEMBER_FILTER_HELP, parseMemberFilter, type TMemberFilter } from "@/server/domain/member-filter";

export interface TIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

interface TGlobals {
  url?: string;
  token?: string;
}
interface TActionOpts {
  cluster?: string;
  force?: boolean;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600)
    throw new InvalidArgumentError("give seconds, more than 0 and at most 3600");
  return n;
}

function parseFilter(v: string): TMemberFilter {
  try {
    return parseMemberFilter(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function parseWeight(v: string): number {
  const parsed = ZWeightInput.shape.weight.safeParse(/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN);
  if (!parsed.success) throw new InvalidArgumentError("the weight must be a whole number from 1 to 100");
  return parsed.data;
}

/** With one cluster on the console --cluster may be left out; otherwise the choice is the operator's. */
async function resolveCluster(client: TClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const clusters = await client.listClusters();
  if (clusters.length === 1 && clusters[0]) return clusters[0].name;
  if (clusters.length === 0) throw new CliError(EXIT.USAGE, `The console at ${client.url} has no clusters.`);
  throw new CliError(
    EXIT.USAGE,
    `The console has ${clusters.length} clusters; say which with --cluster NAME: ${clusters.map((c) => c.name).join(", ")}`,
  );
}

/** Never 0 unless the server said "done" (and, with --wait, the console's polls showed it). */
function exitFor(result: TMemberActionResult, waited: TWaitReport | null | undefined): TExitCode {
  if (result.overall === "failed") return EXIT.FAILED;
  if (result.overall === "partial") return EXIT.PARTIAL;
  return waited === undefined || waited?.confirmed ? EXIT.OK : EXIT.PARTIAL;
}

async function runMemberAction(
  io: TIo,
  globals: TGlobals,
  member: string,
  opts: TActionOpts,
  verb: string,
  body: Record<string, unknown>,
  expect: TExpectation,
): Promise<TExitCode> {
  const human = opts.json ? io.err : io.out;
  const client = createClient(resolveConnection(globals, io.env));
  const cluster = await resolveCluster(client, opts.cluster);
  const what = expect.kind === "state" ? expect.state : `weight ${expect.weight}`;
  const result = await client.memberAction(cluster, member, verb, body);
  human(`${verb} ${member} in cluster ${cluster}:\n${formatActionResult(result, what).join("\n")}`);

  let waited: TWaitReport | null | undefined;
  if (opts.wait && result.overall === "failed") {
    io.err("not waiting: the action failed on every frontend");
    waited = null;
  } else if (opts.wait) {
    io.err(`waiting up to ${opts.timeout} s for the console to show ${what} for ${member}…`);
    waited = await waitForMember(client, cluster, member, relevantFrontendIds(result), expect, opts.timeout * 1000);
    human(formatWait(waited, what).join("\n"));
  }
  if (opts.json) io.out(JSON.stringify(waited === undefined ? result : { ...result, waited }, null, 2));
  return exitFor(result, waited);
}

function actionOptions(cmd: Command, withForce: boolean): Command {
  cmd
    .option("-c, --cluster <name>", "cluster name (may be left out when the console has exactly one)")
    .option("--wait", "after the action, poll the console every second until every answering frontend shows the change")
    .addOption(
      new Option("--timeout <seconds>", "with --wait: give up waiting after this long")
        .argParser(parseSeconds)
        .default(60),
    )
    .option("--json", "print one JSON document on stdout (human messages go to stderr)");
  if (withForce) cmd.option("-f, --force", "do it even if no member would stay active (overrides the 409 guard rail)");
  return cmd;
}

function buildProgram(io: TIo, done: (code: TExitCode) => void, setJson: (json: boolean) => void): Command {
  const program = new Command("clusterdeck")
    .description(
      "Operate ClusterDeck clusters (Tomcat behind Apache balancer-manager / mod_jk) through the console's REST API.",
    )
    .option("--url <url>", `console URL (env CLUSTERDECK_URL, default ${DEFAULT_URL})`)
    .option("--token <token>", "API token cdk_… (env CLUSTERDECK_TOKEN, preferred: not visible in ps)")
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP);

  program
    .command("status")
    .description("every cluster's health, or one cluster's members × frontends")
    .argument("[cluster]", "cluster name")
    .option("--json", "print the console's JSON answer")
    .action(async (cluster: string | undefined, opts: { json?: boolean }, cmd: Command) => {
      setJson(Boolean(opts.json));
      const client = createClient(resolveConnection(cmd.optsWithGlobals<TGlobals>(), io.env));
      const answer = cluster ? await client.getCluster(cluster) : await client.listClusters();
      if (opts.json) io.out(JSON.stringify(answer, null, 2));
      else io.out((Array.isArray(answer) ? formatOverview(answer) : formatClusterView(answer)).join("\n"));
      done(EXIT.OK);
    });

  for (const verb of STATE_VERB_NAMES) {
    actionOptions(
      program
        .command(verb)
        .description(
          `set the named members (or those --filter selects) to ${STATE_VERBS[verb]} on every frontend: ${VERB_EFFECT[verb]}`,
        )
        .argument("[members...]", "member names; several make one bulk request")
        .addOption(
          new Option("--filter <expr>", `select members instead of naming them: ${MEMBER_FILTER_HELP}`).argParser(
            parseFilter,
          ),
        ),
      true,
    ).action(async (members: string[], opts: TActionOpts & { filter?: TMemberFilter }, cmd: Command) => {
      setJson(Boolean(opts.json));
      const expect: TExpectation = { kind: "state", state: STATE_VERBS[verb as TStateVerb] };
      if (members.length > 0 && opts.filter) throw new CliError(EXIT.USAGE, "Name members or give --filter, not both.");
      if (members.length === 0 && !opts.filter)
        throw new CliError(EXIT.USAGE, `Name the member(s) to ${verb}, or select them with --filter.`);
      const globals = cmd.optsWithGlobals<TGlobals>();
      if (members.length === 1 && !opts.filter) {
        done(await runMemberAction(io, globals, members[0]!, opts, verb, { force: Boolean(opts.force) }, expect));
        return;
      }
      const client = createClient(resolveConnection(globals, io.env));
      done(
        await runBulkAction({
          client,
          cluster: await resolveCluster(client, opts.cluster),
          verb: verb as TStateVerb,
          members,
          filter: opts.filter ?? null,
          force: Boolean(opts.force),
          wait: Boolean(opts.wait),
          timeoutSec: opts.timeout,
          json: Boolean(opts.json),
          expect,
          out: io.out,
          human: opts.json ? io.err : io.out,
          err: io.err,
        }),
      );
    });
  }

  actionOptions(
    program
      .command("weight")
      .description("set <member>'s weight (1–100) on every frontend")
      .argument("<member>", "member name")
      .argument("<n>", "weight, a whole number from 1 to 100", parseWeight),
    false,
  ).action(async (member: string, weight: number, opts: TActionOpts, cmd: Command) => {
    setJson(Boolean(opts.json));
    done(
      await runMemberAction(
        io,
        cmd.optsWithGlobals<TGlobals>(),
        member,
        opts,
        "weight",
        { weight },
        { kind: "weight", weight },
      ),
    );
  });
  addStoreCommands(
    program,
    io,
    async (cmd, opts) => {
      const client = createClient(resolveConnection(cmd.optsWithGlobals<TGlobals>(), io.env));
      return { client, cluster: await resolveCluster(client, opts.cluster) };
    },
    done,
    setJson,
  );
  addRolloutCommands(
    program,
    io,
    async (cmd, opts) => {
      const client = createClient(resolveConnection(cmd.optsWithGlobals<TGlobals>(), io.env));
      return { client, cluster: await resolveCluster(client, opts.cluster) };
    },
    done,
    setJson,
  );
  const clientOf = (cmd: Command) => createClient(resolveConnection(cmd.optsWithGlobals<TGlobals>(), io.env));
  addInventoryCommands(program, { io, clientOf, done, setJson });
  addReportCommands(program, { io, clientOf, done, setJson });
  const settingsCtx = {
    io,
    clientOf,
    done,
    setJson,
    clusterOf: (cmd: Command, given: string | undefined) => resolveCluster(clientOf(cmd), given),
  };
  addSettingsCommand(program, settingsCtx);
  addBalancerSetCommand(program, settingsCtx);
  return program;
}

/** Parses argv (without node and script), runs one command, returns the exit code (see exit-codes.ts). */
export async function run(argv: string[], io: TIo): Promise<number> {
  let code: TExitCode = EXIT.OK;
  let json = false;
  const program = buildProgram(
    io,
    (c) => (code = c),
    (j) => (json = j),
  );
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    // Asked-for help exits 0; help shown because of a mistake (no command, bad option) is a usage error.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    const e =
      err instanceof CliError
        ? err
        : new CliError(EXIT.PARTIAL, `unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    io.err(`clusterdeck: ${e.message}${e.hint ? `\n  ${e.hint}` : ""}`);
    if (json)
      io.out(
        JSON.stringify({ error: { exitCode: e.exitCode, code: e.code, message: e.message, hint: e.hint } }, null, 2),
      );
    return e.exitCode;
  }
}

export const processIo: TIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};
