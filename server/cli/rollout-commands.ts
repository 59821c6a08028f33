import { type Command, InvalidArgumentError, Option } from "commander";
import { z } from "zod";
import type { TClient } from "@/server/cli/api-client";
import { CliError, EXIT, type TExitCode } from "@/server/cli/exit-codes";
import { WAIT_STRATEGIES } from "@/server/services/rollouts/schema";

/**
 * `clusterdeck rollout start|status|pause|resume|abort|continue`, over REST.
 *
 * Exit codes (the general table in exit-codes.ts, read for rollouts): without --wait, 0 = the console
 * accepted the request. With --wait (poll every second until the rollout stops running, or the wanted
 * state for pause/abort): 0 = done (pause: paused; abort: aborted), 1 = it paused on a problem or the
 * wait timed out (the message says why), 5 = it ended aborted when that was not asked for.
 * 2/3/4 as everywhere: usage or 404/409 (one rollout per cluster), auth, console unreachable.
 */
export interface TRolloutIo {
  out: (text: string) => void;
  err: (text: string) => void;
}
export type TRolloutContext = (
  cmd: Command,
  opts: { cluster?: string },
) => Promise<{ client: TClient; cluster: string }>;

/** The fields the CLI reads from a rollout (GET /clusters/{cluster}/rollouts/{id}); more may come. */
const ZAnswer = z.object({
  id: z.number(),
  cluster: z.string(),
  state: z.string(),
  message: z.string().nullable(),
  progress: z.number(),
  current: z.object({ member: z.string(), phase: z.string() }).nullable(),
  canContinue: z.string().nullable().optional(),
  members: z.array(
    z.object({
      member: z.string(),
      phase: z.string(),
      state: z.string(),
      progress: z.number(),
      remaining: z.number().nullable(),
      predictedFinishAt: z.string().nullable(),
      message: z.string().nullable(),
    }),
  ),
});
type TAnswer = z.infer<typeof ZAnswer>;

/** The generic 409 hint ("use --force") does not fit rollouts: there is no force here. */
async function ask(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof CliError && err.code === "CONFLICT")
      throw new CliError(
        err.exitCode,
        err.message,
        err.code,
        "See `clusterdeck rollout status`; pause, resume or abort that rollout as needed.",
      );
    throw err;
  }
}

function parse(raw: unknown): TAnswer {
  const p = ZAnswer.safeParse(raw);
  if (!p.success)
    throw new CliError(
      EXIT.PARTIAL,
      `The console's rollout answer has an unexpected shape (${p.error.issues[0]?.path.join(".")}: ${p.error.issues[0]?.message})`,
      null,
      "Is the CLI as new as the console?",
    );
  return p.data;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function formatRollout(r: TAnswer): string[] {
  const lines = [
    `rollout #${r.id} on ${r.cluster}: ${r.state}, ${pct(r.progress)}${r.current ? ` (now: ${r.current.member} ${r.current.phase})` : ""}`,
  ];
  if (r.message) lines.push(`  ${r.message}`);
  for (const m of r.members) {
    const extra =
      m.phase === "wait" && m.remaining !== null
        ? `, ${m.remaining} remaining${m.predictedFinishAt ? `, done about ${m.predictedFinishAt}` : ""}`
        : "";
    lines.push(
      `  ${m.member.padEnd(16)} ${m.phase.padEnd(8)} ${m.state.padEnd(12)} ${pct(m.progress).padStart(4)}${extra}`,
    );
  }
  if (r.canContinue) lines.push(`  continue would: ${r.canContinue}`);
  return lines;
}

function positiveInt(label: string, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`${label}: a whole number from 1 to ${max}`);
    return n;
  };
}

function parseRamp(v: string): number[] {
  const p = v.split(",").map((x) => Number(x.trim()));
  if (
    p.some((x) => !Number.isInteger(x) || x < 1 || x > 100) ||
    p.at(-1) !== 100 ||
    p.some((x, i) => i > 0 && x <= p[i - 1]!)
  ) {
    throw new InvalidArgumentError("give rising percents ending at 100, e.g. 25,50,100");
  }
  return p;
}

interface TStartOpts {
  cluster?: string;
  members?: string;
  maxUnavailable?: number;
  strategy: string;
  waitTimeout: number;
  onTimeout: string;
  deployCommand?: string;
  webhook?: string;
  manual?: boolean;
  deployTimeout?: number;
  idempotent?: boolean;
  healthPath: string;
  healthTimeout: number;
  ramp: number[];
  rampStep: number;
  wait?: boolean;
  timeout: number;
  json?: boolean;
}

/** The settings body of POST /clusters/{cluster}/rollouts from the options; exactly one deploy kind. */
export function startBody(o: TStartOpts): Record<string, unknown> {
  const kinds = [o.deployCommand !== undefined, o.webhook !== undefined, Boolean(o.manual)].filter(Boolean).length;
  if (kinds !== 1)
    throw new CliError(
      EXIT.USAGE,
      "Say how each member is deployed: exactly one of --deploy-command CMD, --webhook URL, --manual",
    );
  const timeout = o.deployTimeout === undefined ? {} : { timeoutSec: o.deployTimeout };
  const deploy = o.manual
    ? { kind: "manual" }
    : o.webhook !== undefined
      ? { kind: "webhook", url: o.webhook, idempotent: Boolean(o.idempotent), ...timeout }
      : { kind: "command", command: o.deployCommand, idempotent: Boolean(o.idempotent), ...timeout };
  return {
    ...(o.members
      ? {
          members: o.members
            .split(",")
            .map((m) => m.trim())
            .filter(Boolean),
        }
      : {}),
    ...(o.maxUnavailable ? { maxUnavailable: o.maxUnavailable } : {}),
    wait: { strategy: o.strategy, timeoutSec: o.waitTimeout, onTimeout: o.onTimeout },
    deploy,
    health: { path: o.healthPath, timeoutSec: o.healthTimeout },
    ramp: { percents: o.ramp, stepSec: o.rampStep },
  };
}

/** Polls every second until `until` holds or the timeout passes; progress lines go to stderr. */
async function follow(
  io: TRolloutIo,
  client: TClient,
  r: TAnswer,
  until: (r: TAnswer) => boolean,
  timeoutSec: number,
): Promise<{ r: TAnswer; timedOut: boolean }> {
  const deadline = Date.now() + timeoutSec * 1000;
  let last = "";
  while (!until(r)) {
    if (Date.now() > deadline) return { r, timedOut: true };
    await new Promise((res) => setTimeout(res, 1000));
    r = parse(await ask(client.rollout("GET", r.cluster, `/${r.id}`)));
    const line = `#${r.id} ${r.state} ${pct(r.progress)}${r.current ? ` ${r.current.member} ${r.current.phase}` : ""}`;
    if (line !== last) io.err(line);
    last = line;
  }
  return { r, timedOut: false };
}

type TGoal = "end" | "paused" | "aborted";
const reached: Record<TGoal, (r: TAnswer) => boolean> = {
  end: (r) => r.state !== "running",
  paused: (r) => r.state !== "running" || r.members.length === 0,
  aborted: (r) => r.state === "aborted" || r.state === "done",
};

function exitOf(goal: TGoal, r: TAnswer, timedOut: boolean): TExitCode {
  if (timedOut) return EXIT.PARTIAL;
  if (goal === "paused") return r.state === "paused" ? EXIT.OK : EXIT.PARTIAL;
  if (goal === "aborted") return r.state === "aborted" ? EXIT.OK : EXIT.PARTIAL;
  return r.state === "done" ? EXIT.OK : r.state === "aborted" ? EXIT.FAILED : EXIT.PARTIAL;
}

async function report(
  io: TRolloutIo,
  client: TClient,
  r: TAnswer,
  opts: { wait?: boolean; timeout: number; json?: boolean },
  goal: TGoal,
): Promise<TExitCode> {
  const human = opts.json ? io.err : io.out;
  let code: TExitCode = EXIT.OK;
  let timedOut = false;
  if (opts.wait) {
    ({ r, timedOut } = await follow(io, client, r, reached[goal], opts.timeout));
    code = exitOf(goal, r, timedOut);
    if (timedOut) io.err(`still ${r.state} after ${opts.timeout} s`);
  }
  human(formatRollout(r).join("\n"));
  if (opts.json) io.out(JSON.stringify({ ...r, ...(opts.wait ? { timedOut } : {}) }, null, 2));
  return code;
}

const rolloutId = (v: string) => positiveInt("rollout id", 1_000_000_000)(v.replace(/^#/, ""));

function common(cmd: Command, defaultTimeout: number): Command {
  return cmd
    .option("-c, --cluster <name>", "cluster name (may be left out when the console has exactly one)")
    .option("--wait", "poll the console every second until the rollout gets there (see exit codes)")
    .addOption(
      new Option("--timeout <seconds>", "with --wait: give up waiting after this long")
        .argParser(positiveInt("timeout", 86_400))
        .default(defaultTimeout),
    )
    .option("--json", "print one JSON document on stdout (human messages go to stderr)");
}

export function addRolloutCommands(
  program: Command,
  io: TRolloutIo,
  connect: TRolloutContext,
  done: (code: TExitCode) => void,
  setJson: (json: boolean) => void,
): void {
  const rollout = program
    .command("rollout")
    .description("rolling deploys: drain → wait → stop → deploy → health gate → weight ramp, member by member");
  rollout.addHelpText(
    "after",
    "\nExit codes: without --wait 0 = accepted. With --wait 0 = done (pause: paused, abort: aborted), 1 = paused on a problem or timed out, 5 = ended aborted.\n2 usage / unknown cluster or rollout / 409 (one rollout per cluster), 3 auth, 4 console unreachable.",
  );

  common(rollout.command("start").description("start a rollout (a --deploy-command needs an admin token)"), 3600)
    .option("--members <list>", "comma-separated, in order (default: every member, inventory order)")
    .addOption(
      new Option("--max-unavailable <n>", "members out of rotation at once").argParser(
        positiveInt("max-unavailable", 100),
      ),
    )
    .addOption(
      new Option(
        "--strategy <s>",
        "when a drained member may stop: no session left (sessions), every session safe elsewhere (safe), nothing in flight (inflight)",
      )
        .choices(WAIT_STRATEGIES)
        .default("safe"),
    )
    .addOption(
      new Option("--wait-timeout <seconds>", "longest wait for the strategy")
        .argParser(positiveInt("wait-timeout", 86_400))
        .default(600),
    )
    .addOption(
      new Option("--on-timeout <action>", "when the wait times out").choices(["pause", "proceed"]).default("pause"),
    )
    .option(
      "--deploy-command <cmd>",
      "run with /bin/sh -c; env CLUSTERDECK_MEMBER, _HOST, _ROUTE, _HTTP_PORT, _AJP_PORT, _CLUSTER, _ROLLOUT_ID",
    )
    .option("--webhook <url>", "POST the member as JSON; 2xx = deployed")
    .option("--manual", "wait for an operator's `rollout continue` after each stop")
    .addOption(
      new Option("--deploy-timeout <seconds>", "for --deploy-command / --webhook").argParser(
        positiveInt("deploy-timeout", 3600),
      ),
    )
    .option("--idempotent", "the deploy may simply run again if a console restart interrupted it")
    .option("--health-path <path>", "asked on each member's own HTTP port before it is enabled", "/")
    .addOption(
      new Option("--health-timeout <seconds>", "longest health gate")
        .argParser(positiveInt("health-timeout", 3600))
        .default(180),
    )
    .addOption(
      new Option("--ramp <percents>", "weights after the health gate, in % of the original")
        .argParser(parseRamp)
        .default([25, 50, 100]),
    )
    .addOption(
      new Option("--ramp-step <seconds>", "time at each ramp step while errors are watched")
        .argParser(positiveInt("ramp-step", 3600))
        .default(10),
    )
    .action(async (opts: TStartOpts, cmd: Command) => {
      setJson(Boolean(opts.json));
      const body = startBody(opts);
      const { client, cluster } = await connect(cmd, opts);
      const r = parse(await ask(client.rollout("POST", cluster, "", body)));
      (opts.json ? io.err : io.out)(`started rollout #${r.id} on ${cluster}`);
      done(await report(io, client, r, opts, "end"));
    });

  common(
    rollout
      .command("status")
      .description("a rollout's progress (default: the cluster's latest)")
      .argument("[id]", "rollout id", rolloutId),
    3600,
  ).action(
    async (
      id: number | undefined,
      opts: { cluster?: string; wait?: boolean; timeout: number; json?: boolean },
      cmd: Command,
    ) => {
      setJson(Boolean(opts.json));
      const { client, cluster } = await connect(cmd, opts);
      let which = id;
      if (which === undefined) {
        const list = z.array(z.object({ id: z.number() })).safeParse(await ask(client.rollout("GET", cluster, "")));
        which = list.success ? list.data[0]?.id : undefined;
        if (which === undefined) throw new CliError(EXIT.USAGE, `No rollouts on ${cluster} yet.`);
      }
      done(await report(io, client, parse(await ask(client.rollout("GET", cluster, `/${which}`))), opts, "end"));
    },
  );

  const verbs: Array<[string, string, TGoal]> = [
    ["pause", "pause at the next safe point (a running deploy command finishes first)", "paused"],
    ["resume", "resume a paused rollout (its current step runs again)", "end"],
    ["abort", "abort; each member is left as documented for its phase", "aborted"],
    ["continue", "end a wait or a manual deploy now, or count a failed/interrupted deploy as done", "end"],
  ];
  for (const [verb, description, goal] of verbs) {
    common(rollout.command(verb).description(description).argument("<id>", "rollout id", rolloutId), 3600).action(
      async (id: number, opts: { cluster?: string; wait?: boolean; timeout: number; json?: boolean }, cmd: Command) => {
        setJson(Boolean(opts.json));
        const { client, cluster } = await connect(cmd, opts);
        done(await report(io, client, parse(await ask(client.rollout("POST", cluster, `/${id}/${verb}`))), opts, goal));
      },
    );
  }
}
